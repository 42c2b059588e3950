"""The signed-in user's own account: the profile page and deleting the account.

Every view acts on request.user's sub and nothing else: no id comes from the request.
Loaded on first request (accounts.urls), so the profiles and deletion are plain imports.
"""

import logging

from allauth.decorators import rate_limit
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts import deletion, profiles
from accounts.profile_forms import DeleteAccountForm, DisplayNameForm
from campaigns_site.owners import sub

log = logging.getLogger(__name__)

GOODBYE = "Your account and everything in it are deleted. Thank you for playing with us, and goodbye."
DELETION_UNFINISHED = (
    "Your account is being deleted, but not everything is gone yet. You are logged out and cannot log in "
    "again; the rest of your data will be removed by us, and nothing of it is shown to anyone meanwhile."
)
DELETION_NOT_STARTED = "We could not start deleting your account just now. Nothing was deleted; please try again."


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    owner = sub(request)
    if request.method == "POST":
        form = DisplayNameForm(request.POST)
        if form.is_valid():
            try:
                form.save(sub=owner)
            except profiles.ProfileMissing as missing:
                raise Http404("This account is being deleted.") from missing  # a deletion started since the page loaded
            messages.success(request, "Your display name is saved.")
            # A redirect: the next page's header reads the name from the profile just written.
            return redirect("account_profile")
    else:
        form = DisplayNameForm(initial={"display_name": request.user.display_name})
    # One GetItem: "member since" and the time zone are in the profile only, not in the user row.
    stored = profiles.get_profile(sub=owner)
    context = {
        "form": form,
        "member_since": stored.created if stored else None,
        "time_zone": profiles.preferences_of(stored).get("time_zone") if stored else None,
    }
    return render(request, "account/profile.html", context)


@never_cache
@login_required
@sensitive_post_parameters("password")
@rate_limit(action="delete_account")  # each POST asks Cognito whether the password is right
@require_http_methods(["GET", "POST"])
def delete_account(request):
    if request.method == "POST":
        form = DeleteAccountForm(request.POST, email=request.user.email)
        if form.is_valid():
            return _delete_and_log_out(request)
    else:
        form = DeleteAccountForm(email=request.user.email)
    return render(request, "account/delete.html", {"form": form})


def _delete_and_log_out(request):
    owner = sub(request)
    # The mark first, on its own: if even that fails, nothing has changed and the user
    # may try again. Once it is set, sign-in and every view refuse the account, so any
    # later failure leaves an account that is on its way out, never a half-deleted one
    # that still works.
    try:
        deletion.mark_account_deleting(sub=owner)
    except Exception:
        log.exception("Could not mark account %s for deletion", owner)
        messages.error(request, DELETION_NOT_STARTED)
        return redirect("account_delete")
    try:
        deletion.delete_account(sub=owner)
    except Exception:
        # Whatever stopped it (an AWS error, DeletionIncomplete), a re-run finishes it:
        # `manage.py delete_account <sub> --yes`. The user must not get a 500 meanwhile.
        log.exception("Deletion of account %s stopped midway; run manage.py delete_account %s --yes", owner, owner)
        logout(request)
        messages.warning(request, DELETION_UNFINISHED)
        return redirect("home")
    logout(request)
    messages.success(request, GOODBYE)
    return redirect("home")
