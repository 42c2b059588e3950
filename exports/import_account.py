"""Which account of this deployment an export goes into (docs/export-format.md, "Importing").

Without --as: the manifest's e-mail. An account of this deployment with that e-mail gets
the data; otherwise one is made: a Cognito user, confirmed, whose password nobody knows
(its owner sets one with "Forgot password"), and a profile with the exported display name,
first day and preferences (directory origin "import"). With --as: that account, which must
exist. An account being deleted is never written to.
"""

from accounts import cognito
from accounts.profiles import ProfileAlreadyExists, checked_preferences, create_profile, get_profile
from exports.format import parse_moment

IMPORT_ORIGIN = "import"  # campaigns_site.directory.ORIGINS


class AccountRefused(Exception):
    """The account named cannot take the import; the message says why."""


def existing_account(email):
    """The `sub` of this deployment's live account with `email`; AccountRefused otherwise (--as)."""
    found = cognito.find_user(email=email)
    if found is None:
        raise AccountRefused(f"no account of this deployment has the e-mail {email!r}: --as names an existing one")
    _check_live(found["sub"], email, profile_needed=True)
    return found["sub"]


def sub_of_existing_account(email):
    """The sub of the account with `email`, or None (read-only: the checks)."""
    found = cognito.find_user(email=email.strip())
    return found["sub"] if found is not None else None


def account_problem(email):
    """Why the account with `email` cannot take an import (it is being deleted), or None
    (it can, or there is none: one is made). Read-only: import_data's checks."""
    found = cognito.find_user(email=email.strip())
    try:
        if found is not None:
            _check_live(found["sub"], email, profile_needed=False)
    except AccountRefused as error:
        return str(error)
    return None


def account_for(account, *, report, zip_name):
    """The `sub` for the manifest's `account`, made if this deployment has none (see above)."""
    email = account["email"].strip()
    found = cognito.find_user(email=email)
    sub = found["sub"] if found else cognito.create_confirmed_user(email=email)
    if found and _check_live(sub, email, profile_needed=False):
        report.found("accounts")
        return sub
    try:
        create_profile(
            sub=sub,
            email=email,
            display_name=account["display_name"],
            created=parse_moment(account["created"]),
            preferences=_preferences(account["preferences"], report=report, zip_name=zip_name),
            origin=IMPORT_ORIGIN,
        )
    except ProfileAlreadyExists:  # made meanwhile
        report.found("accounts")
        return sub
    report.wrote("accounts")
    return sub


def _check_live(sub, email, *, profile_needed):
    """True when `sub` has a profile (False: a user without one, whose profile is made next);
    AccountRefused when it is being deleted (or has no profile and one is needed)."""
    profile = get_profile(sub=sub)
    if profile is None and profile_needed:
        raise AccountRefused(f"the account {email!r} has no profile yet: its owner signs in once first")
    if profile is not None and profile.deleting_since is not None:
        raise AccountRefused(f"the account {email!r} is being deleted")
    return profile is not None


def _preferences(preferences, *, report, zip_name):
    """The exported preferences this app keeps; one it refuses (a time zone it does not
    know) is left out, with a note."""
    kept = {}
    for name, value in preferences.items():
        try:
            kept.update(checked_preferences(**{name: value}))
        except ValueError as error:
            report.note(zip_name, "account", f"preference left out: {error}")
    return kept
