"""Signing in with a v1.0 password: checked once against its bcrypt hash, then Cognito's.

Reached only when Cognito refuses a password (accounts.backends), so a user without an
old password item pays one AdminGetUser and one GetItem on a wrong password, and nothing
more on a right one. The hash is never logged nor put in an exception message.
"""

import logging

import bcrypt
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.views.decorators.debug import sensitive_variables

from accounts import cognito, legacy_passwords, profiles, services
from accounts.cognito import CognitoError

log = logging.getLogger(__name__)

# v1.0's bcrypt library read only a password's first 72 bytes (UTF-8); bcrypt 5.0 raises
# on longer input instead, so the password is cut here, as v1.0 cut it.
BCRYPT_MAX_BYTES = 72
SOCIAL_ONLY = "SocialOnlyAccount"


# sensitive_variables: Django's error reports (the DEBUG page, mailed reports) show each
# frame's variables; these never show the password or the hash.
@sensitive_variables("password", "password_hash")
def bcrypt_matches(password, password_hash):
    """True if `password` (its first 72 bytes) is the one v1.0 hashed; False for any
    malformed hash (logged without the hash)."""
    try:
        return bcrypt.checkpw(password.encode()[:BCRYPT_MAX_BYTES], password_hash.encode())
    except ValueError:
        log.error("The old password item is not a bcrypt hash; the sign-in is refused")
        return False


def social_only_error(*, email):
    """The login form's answer for a Discord/Google-only account: its page, email kept."""
    return CognitoError(
        SOCIAL_ONLY,
        format_html(
            "This account signed in with Discord or Google before, so it has no password yet. "
            '<a href="{}">Set one with “Forgot password”</a>.',
            f"{reverse('account_legacy_social_only')}?{urlencode({'email': email})}",
        ),
    )


@sensitive_variables("password", "item")
def log_in_with_old_password(*, email, password):
    """The user, signed in with their v1.0 password; None when it is not theirs (or they
    have no old password left). `user.needs_new_password` is True when the pool's policy
    refused the old password: the login then sends them to choose a new one.

    Raises CognitoError for a Discord/Google-only account (its message says what to do).
    """
    account = cognito.find_user(email=email)
    if account is None or not account["enabled"]:
        return None
    item = legacy_passwords.get_legacy_password(sub=account["sub"])
    if item is None:
        return None
    if item.social_only:
        raise social_only_error(email=email)
    if not bcrypt_matches(password, item.password_hash):
        return None
    try:
        cognito.set_permanent_password(sub=account["sub"], password=password)
    except CognitoError as error:
        if error.code != "InvalidPasswordException":
            raise
        return _log_in_once(item, email=email)
    legacy_passwords.delete_legacy_password(sub=account["sub"])
    log.info("User %s signed in with their v1.0 password; it is now Cognito's", account["sub"])
    return services.log_in_with_password(email=email, password=password)


def _log_in_once(item, *, email):
    """Sign in without Cognito (it would refuse the password): the profile decides.

    The item stays, marked, so a user who leaves before choosing a new password can come
    back with the old one during the grace period; never after (it expires).
    """
    legacy_passwords.mark_policy_refused(item)
    profile = profiles.get_profile(sub=item.sub)
    if profile is None:
        profile = profiles.sync_profile_at_login(sub=item.sub, email=email, display_name="", is_staff=False)
    else:
        profiles.record_sign_in(profile)  # what sync_profile_at_login does for Cognito's sign-ins
    user = services.signed_in_user(profile)
    user.needs_new_password = True
    log.info("User %s signed in with a v1.0 password the pool's policy refuses", item.sub)
    return user


def set_new_password(*, sub, new_password):
    """The new password of a user whose old one the policy refused; the old item goes.

    Raises CognitoError (InvalidPasswordException: the form names the broken rule).
    """
    cognito.set_permanent_password(sub=sub, password=new_password)
    legacy_passwords.delete_legacy_password(sub=sub)
