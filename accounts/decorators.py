"""View decorators for who may open a page."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def staff_required(view):
    """Staff only: nobody signed in → the login page (with `next`); signed in but not
    staff → 403 (our 403 page).

    `is_staff` is the profile's copy of the Cognito group `staff`, synced at each login
    (accounts.profiles.sync_profile_at_login), so a change of group counts from the
    user's next login; no page asks Cognito.
    """

    @wraps(view)
    def staff_only(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied("staff only")
        return view(request, *args, **kwargs)

    return login_required(staff_only)
