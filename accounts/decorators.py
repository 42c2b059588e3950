"""View decorators for who may open a page."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def staff_required(view):
    """Staff only: nobody signed in → the login page (with `next`); signed in but not
    staff → 403 (our 403 page).

    `is_staff` is the profile's copy of the Cognito group `staff`: every signed-in request
    reads the profile with the web session and refreshes the user row from it
    (accounts.backends), so no page asks Cognito. `manage.py staff` and the staff page
    change the group and the profile together (accounts.staff), so a change counts from
    the user's next request; each login syncs the profile from the group again.
    """

    @wraps(view)
    def staff_only(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied("staff only")
        return view(request, *args, **kwargs)

    return login_required(staff_only)
