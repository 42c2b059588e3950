"""Who is staff: the Cognito group `staff` and the profile's copy of it, changed together.

The group is what a login reads (the ID token's `cognito:groups`); the profile's
`is_staff` is what every page reads (it comes with the web session, no extra request).
Changing only the group would count from the user's next login, up to
SESSION_COOKIE_AGE later; changing both counts from their next request.
"""

from accounts import cognito, profiles
from campaigns_site import directory
from campaigns_site.provision import STAFF_GROUP


class StaffChangeRefused(Exception):
    """The change cannot be made; the message says why, for the operator."""


def account_sub(*, email):
    """The sub of the account with `email`; StaffChangeRefused if there is none."""
    user = cognito.find_user(email=email.strip().lower())
    if user is None:
        raise StaffChangeRefused(f"No account uses {email}.")
    return user["sub"]


def add_staff(*, email):
    """Make the account with `email` staff; returns its sub."""
    sub = account_sub(email=email)
    grant_staff(sub=sub)
    return sub


def remove_staff(*, email):
    """End the staff access of the account with `email`; returns its sub."""
    sub = account_sub(email=email)
    revoke_staff(sub=sub)
    return sub


def grant_staff(*, sub):
    """Make the user `sub` staff, from their next request."""
    # The group first: if the profile write then fails, the next login still grants it.
    cognito.add_to_group(sub=sub, group=STAFF_GROUP)
    _set_profile_flag(sub=sub, is_staff=True)


def revoke_staff(*, sub):
    """End the staff access of the user `sub` at their next request."""
    # The profile first: access ends at the user's next request even if Cognito then
    # fails (the error reaches the operator, who runs it again before their next login).
    _set_profile_flag(sub=sub, is_staff=False)
    cognito.remove_from_group(sub=sub, group=STAFF_GROUP)


def list_staff():
    """The members of the `staff` group, as {"sub", "email"}, by email."""
    return cognito.group_members(group=STAFF_GROUP)


def _set_profile_flag(*, sub, is_staff):
    try:
        profiles.set_staff(sub=sub, is_staff=is_staff)
    except profiles.ProfileMissing:
        pass  # never signed in yet: the first login creates the profile from the group
    # The staff's list of users shows it too (no entry yet: the next sign-in writes one).
    directory.set_staff_flag(sub=sub, is_staff=is_staff)
