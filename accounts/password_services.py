"""Passwords: reset with an emailed code, change while signed in, and ending every session.

Cognito holds the passwords and checks every rule. Ending sessions is ours to do: the
profile's auth_version (every web session's auth hash includes it), the web session
items, and Cognito's refresh tokens.
"""

import logging

from django.conf import settings

from accounts import cognito, deletion, legacy_passwords, profiles, websessions
from accounts.cognito import MESSAGES, CognitoError
from accounts.services import UNAVAILABLE
from accounts.tokens import InvalidToken, verify_id_token

log = logging.getLogger(__name__)

# moto (the embedded local Cognito) sends no email; it returns the code in this header.
LOCAL_CODE_HEADER = "x-moto-forgot-password-confirmation-code"
# Cognito statuses whose users can reset a password with an emailed code. Unconfirmed
# users have no verified email; admin-created (FORCE_CHANGE_PASSWORD) and federated
# (EXTERNAL_PROVIDER) users cannot reset one.
RESETTABLE_STATUSES = {"CONFIRMED", "RESET_REQUIRED"}
# Refusals about Cognito as a whole, not about one account: safe to show when asking
# for a reset. (LimitExceededException is per user: it would say the account exists.)
SERVICE_BUSY = {"TooManyRequestsException"}
WRONG_CREDENTIALS = {"NotAuthorizedException", "UserNotFoundException"}
WRONG_CURRENT_PASSWORD = "That is not your current password."


def request_password_reset(*, email):
    """Have Cognito email a reset code to `email` if an account there may reset its password.

    Every email gets the same outcome, so the caller's answer cannot tell whether an
    account exists: unknown, unconfirmed, disabled and being-deleted accounts are skipped
    quietly, and so is Cognito refusing to send a code. Raises CognitoError only for
    refusals that say nothing about the account (Cognito busy or unavailable).

    Returns the code that the embedded local Cognito made (locally only; None otherwise).
    """
    account = _account_that_may_reset(email=email)
    if account is None:
        return None
    try:
        response = cognito.forgot_password(email=email)
    except CognitoError as error:
        if error.code in SERVICE_BUSY:
            raise
        log.warning("Cognito sent no reset code to user %s: %s", account["sub"], error.code)
        return None
    if settings.PRODUCTION:
        return None  # a real Cognito emails the code; never pass on a header that claims one
    return response.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get(LOCAL_CODE_HEADER)


def reset_password(*, email, code, new_password):
    """Set a new password with the emailed code, then end every session of the account.

    Raises CognitoError (wrong or expired code, weak password, too many attempts). An
    account that may not reset reads like a wrong code, as Cognito answers for an
    unknown user.
    """
    account = _account_that_may_reset(email=email)
    if account is None:
        raise CognitoError("CodeMismatchException", MESSAGES["CodeMismatchException"])
    cognito.confirm_forgot_password(email=email, code=code, password=new_password)
    # A v1.0 user's old password (or their Discord/Google-only mark) ends with the reset:
    # the old password must not keep signing in beside the new one.
    legacy_passwords.delete_legacy_password(sub=account["sub"])
    end_every_session(sub=account["sub"])


def change_password(*, sub, email, old_password, new_password):
    """Change the signed-in user's password and end every session; returns the new auth_version.

    The caller keeps its own session by storing the hash of the new auth_version in it.
    Raises CognitoError; code "WrongCurrentPassword" when old_password is not right.
    """
    try:
        result = cognito.password_auth(email=email, password=old_password)
    except CognitoError as error:
        if error.code in WRONG_CREDENTIALS:
            raise CognitoError("WrongCurrentPassword", WRONG_CURRENT_PASSWORD) from error
        raise
    try:
        claims = verify_id_token(result["IdToken"])
    except InvalidToken as error:
        log.error("Cognito issued an ID token that does not verify: %s", error)
        raise CognitoError("InvalidToken", UNAVAILABLE) from error
    if claims["sub"] != sub:
        # The email now belongs to another Cognito user (it moved): not this account's password.
        raise CognitoError("WrongCurrentPassword", WRONG_CURRENT_PASSWORD)
    cognito.change_password(access_token=result["AccessToken"], old_password=old_password, new_password=new_password)
    return end_every_session(sub=sub)


def end_every_session(*, sub):
    """Log the user out everywhere; returns the new auth_version (None: no profile).

    Bumping auth_version ends every web session at once, wherever it is cached; the
    items then go too. Cognito's refresh tokens are revoked last and on a best-effort
    basis: this site keeps none (it signs in with the password and drops the tokens),
    and a password change must not read as failed because of them.
    """
    try:
        auth_version = profiles.bump_auth_version(sub=sub)
    except profiles.ProfileMissing:
        auth_version = None  # never signed in: no session to end
    websessions.delete_web_sessions(sub=sub)
    try:
        cognito.global_sign_out(sub=sub)
    except CognitoError:
        log.exception("Cognito did not revoke the refresh tokens of user %s", sub)
    return auth_version


def _account_that_may_reset(*, email):
    """The Cognito user for `email` if it may reset its password, else None."""
    account = cognito.find_user(email=email)
    if account is None or not account["enabled"] or account["status"] not in RESETTABLE_STATUSES:
        return None
    profile = profiles.get_profile(sub=account["sub"])
    if profile is not None and deletion.is_being_deleted(profile):
        return None
    return account
