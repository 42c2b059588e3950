"""The Cognito user pool, through boto3: every call the account flows make.

Each function takes keyword arguments and either returns what the flow needs or raises
CognitoError with a message a person can act on. Messages never say whether an email
is registered beyond what Cognito's own flows reveal.
"""

import base64
import hashlib
import hmac
import logging
import secrets
from functools import lru_cache

from django.conf import settings
from django.views.decorators.debug import sensitive_variables

from campaigns_site import aws

log = logging.getLogger(__name__)


class CognitoError(Exception):
    """A Cognito refusal, with `code` (Cognito's error name) and a message for people."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


# Every Cognito error the account forms can meet, in our words: the one mapping every form
# uses (through CognitoError.message). Cognito's own text never reaches a person: it is
# read only to tell a lock-out and a broken password rule apart (below), and logged.
TOO_MANY = "Too many attempts. Please wait a few minutes and try again."
UNAVAILABLE = "The sign-in service could not do that just now. Please try again."
MESSAGES = {
    "NotAuthorizedException": "That email and password do not match.",
    "UserNotFoundException": "That email and password do not match.",
    "UserNotConfirmedException": "Please confirm your email address first: enter the code we sent you.",
    "InvalidPasswordException": "That password does not meet the rules. Choose another one.",
    "PasswordHistoryPolicyViolationException": "You have used that password before. Choose a new one.",
    "UsernameExistsException": "An account with this email already exists. Log in, or reset its password.",
    "AliasExistsException": "An account with this email already exists. Log in, or reset its password.",
    "CodeMismatchException": "That code is not right. Check the latest email and try again.",
    "ExpiredCodeException": "That code has expired. Ask for a new one.",
    "CodeDeliveryFailureException": (
        "We could not send the email with your code. Check the address, or try again later."
    ),
    "LimitExceededException": TOO_MANY,
    "TooManyRequestsException": TOO_MANY,
    "TooManyFailedAttemptsException": TOO_MANY,
    "PasswordResetRequiredException": "Your password must be reset: use “Forgot password”.",
    "InvalidParameterException": "Please check what you entered.",
    "UserDisabled": "Sign-in is turned off for this account. If you think this is a mistake, contact the site's staff.",
    "LockedOut": "Too many failed attempts. This account is locked for a while; try again later or reset the password.",
    "CompromisedPassword": "That password has appeared in a data breach elsewhere. Choose another one.",
}
# Errors about the pool, its triggers or the service rather than what was typed
# (InternalErrorException, ResourceNotFoundException, UserLambdaValidationException, ...):
# the same UNAVAILABLE for all of them.
LOCKED_OUT = "Password attempts exceeded"
# What Cognito says to a sign-in of a user staff disabled (AdminDisableUser). Not a secret
# kept from the person typing: sign-up already says whether an email has an account.
DISABLED = "User is disabled"
# What Cognito's InvalidPasswordException says (after "Password does not conform to
# policy:"), mapped to the rule in our words: the form then names the rule it broke.
PASSWORD_RULES = {
    "not long enough": "length",
    "must have uppercase": "uppercase",
    "must have lowercase": "lowercase",
    "must have numeric": "number",
    "must have symbol": "symbol",
}
COMPROMISED = "cannot be used for security reasons"


class PasswordRuleError(CognitoError):
    """InvalidPasswordException that names the broken rule (`rule`: one of PASSWORD_RULES' values)."""

    def __init__(self, rule):
        super().__init__("InvalidPasswordException", rule_message(rule))
        self.rule = rule


def _error(client_error):
    code = client_error.response.get("Error", {}).get("Code", "")
    detail = client_error.response.get("Error", {}).get("Message", "")
    if code == "NotAuthorizedException" and LOCKED_OUT in detail:
        return CognitoError("LockedOut", MESSAGES["LockedOut"])
    if code == "NotAuthorizedException" and DISABLED in detail:
        return CognitoError("UserDisabled", MESSAGES["UserDisabled"])
    if code == "InvalidPasswordException":
        if COMPROMISED in detail:
            return CognitoError("InvalidPasswordException", MESSAGES["CompromisedPassword"])
        for phrase, rule in PASSWORD_RULES.items():
            if phrase in detail:
                return PasswordRuleError(rule)
    if code not in MESSAGES:
        log.warning("Cognito refused with %s: %s", code, detail)
    return CognitoError(code, MESSAGES.get(code, UNAVAILABLE))


def _call(operation, **kwargs):
    # Imported on the first call, not with this module: the login and sign-up forms import
    # it, and those pages' first view (a cold start) must not pay for botocore (~60 ms).
    from botocore.exceptions import ClientError

    try:
        return getattr(aws.client("cognito-idp"), operation)(**kwargs)
    except ClientError as error:
        raise _error(error) from error


def secret_hash(username):
    """SECRET_HASH for an app client that has a secret (empty dict entry otherwise)."""
    secret = settings.COGNITO_APP_CLIENT_SECRET
    if not secret:
        return {}
    digest = hmac.new(secret.encode(), (username + settings.COGNITO_APP_CLIENT_ID).encode(), hashlib.sha256).digest()
    return {"SecretHash": base64.b64encode(digest).decode()}


def _client_args(username):
    return {"ClientId": settings.COGNITO_APP_CLIENT_ID, **secret_hash(username)}


def sign_up(*, email, password, display_name=""):
    """Register; returns the new user's `sub`. Cognito emails a confirmation code."""
    attributes = [{"Name": "email", "Value": email}]
    if display_name:
        attributes.append({"Name": "name", "Value": display_name})
    response = _call("sign_up", Username=email, Password=password, UserAttributes=attributes, **_client_args(email))
    return response["UserSub"]


def confirm_sign_up(*, email, code):
    _call("confirm_sign_up", Username=email, ConfirmationCode=code, **_client_args(email))


def resend_confirmation_code(*, email):
    _call("resend_confirmation_code", Username=email, **_client_args(email))


def password_auth(*, email, password):
    """USER_PASSWORD_AUTH; returns Cognito's AuthenticationResult (IdToken, AccessToken…)."""
    params = {"USERNAME": email, "PASSWORD": password}
    if settings.COGNITO_APP_CLIENT_SECRET:
        params["SECRET_HASH"] = secret_hash(email)["SecretHash"]
    response = _call(
        "initiate_auth", AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params, ClientId=settings.COGNITO_APP_CLIENT_ID
    )
    if "AuthenticationResult" not in response:
        # A challenge (e.g. NEW_PASSWORD_REQUIRED for an admin-created user) we do not handle in the web flow.
        raise CognitoError(response.get("ChallengeName", "Challenge"), MESSAGES["PasswordResetRequiredException"])
    return response["AuthenticationResult"]


def forgot_password(*, email):
    """Start a reset; returns the raw response (moto puts the code in a header locally)."""
    return _call("forgot_password", Username=email, **_client_args(email))


def confirm_forgot_password(*, email, code, password):
    _call("confirm_forgot_password", Username=email, ConfirmationCode=code, Password=password, **_client_args(email))


def find_user(*, email):
    """The pool's user with this email, as {"sub", "status", "enabled"}; None if there is none.

    AdminGetUser: unlike the public calls, it answers "no such user" plainly, so callers
    must never show that difference to the person asking.
    """
    try:
        response = _call("admin_get_user", UserPoolId=settings.COGNITO_USER_POOL_ID, Username=email)
    except CognitoError as error:
        if error.code == "UserNotFoundException":
            return None
        raise
    attributes = {attribute["Name"]: attribute["Value"] for attribute in response.get("UserAttributes", [])}
    return {"sub": attributes["sub"], "status": response["UserStatus"], "enabled": response["Enabled"]}


def user_by_sub(*, sub):
    """The pool's user `sub` as {"sub", "email", "status", "enabled"}; None if there is none.
    AdminGetUser by sub (the pool signs in by email, so a user's username is their sub)."""
    try:
        response = _call("admin_get_user", UserPoolId=settings.COGNITO_USER_POOL_ID, Username=sub)
    except CognitoError as error:
        if error.code == "UserNotFoundException":
            return None
        raise
    attributes = {attribute["Name"]: attribute["Value"] for attribute in response.get("UserAttributes", [])}
    if attributes.get("sub") != sub:
        return None  # an email or alias that matched: not the sub asked for
    return {
        "sub": sub,
        "email": attributes.get("email", ""),
        "status": response["UserStatus"],
        "enabled": response["Enabled"],
    }


def disable_user(*, sub):
    """AdminDisableUser: no sign-in (password, hosted UI or refresh token) until enabled."""
    _call("admin_disable_user", UserPoolId=settings.COGNITO_USER_POOL_ID, Username=sub)


def enable_user(*, sub):
    _call("admin_enable_user", UserPoolId=settings.COGNITO_USER_POOL_ID, Username=sub)


def create_confirmed_user(*, email):
    """A user made by an operator (the v1.0 import): confirmed, e-mail verified, no
    invitation e-mail, and a random permanent password, so Cognito never holds it in
    FORCE_CHANGE_PASSWORD (where it refuses "forgot password"). Returns the `sub`.

    The password is never known to anyone: the user signs in with their old one
    (accounts.legacy_sign_in) or sets one through "forgot password".
    """
    response = _call(
        "admin_create_user",
        UserPoolId=settings.COGNITO_USER_POOL_ID,
        Username=email,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        MessageAction="SUPPRESS",
    )
    attributes = {attribute["Name"]: attribute["Value"] for attribute in response["User"].get("Attributes", [])}
    sub = attributes.get("sub") or response["User"]["Username"]
    # Every character class a pool's policy may ask for, and far longer than it may ask.
    set_permanent_password(sub=sub, password=f"{secrets.token_urlsafe(32)}aA1!")
    return sub


def change_password(*, access_token, old_password, new_password):
    _call("change_password", AccessToken=access_token, PreviousPassword=old_password, ProposedPassword=new_password)


@sensitive_variables("password")
def set_permanent_password(*, sub, password):
    """AdminSetUserPassword, permanent: a v1.0 password becomes the Cognito user's own.

    Raises CognitoError (InvalidPasswordException when the pool's policy refuses it).
    """
    _call(
        "admin_set_user_password",
        UserPoolId=settings.COGNITO_USER_POOL_ID,
        Username=sub,
        Password=password,
        Permanent=True,
    )


def global_sign_out(*, sub):
    """End every Cognito refresh token of the user (all devices)."""
    _call("admin_user_global_sign_out", UserPoolId=settings.COGNITO_USER_POOL_ID, Username=sub)


def delete_user(*, sub):
    try:
        _call("admin_delete_user", UserPoolId=settings.COGNITO_USER_POOL_ID, Username=sub)
    except CognitoError as error:
        if error.code != "UserNotFoundException":  # already gone: deleting is resumable
            raise


def add_to_group(*, sub, group):
    _call("admin_add_user_to_group", UserPoolId=settings.COGNITO_USER_POOL_ID, Username=sub, GroupName=group)


def remove_from_group(*, sub, group):
    _call("admin_remove_user_from_group", UserPoolId=settings.COGNITO_USER_POOL_ID, Username=sub, GroupName=group)


def group_members(*, group):
    """The group's users as {"sub", "email"}, sorted by email (every page of ListUsersInGroup)."""
    members, token = [], None
    while True:
        page = _call(
            "list_users_in_group",
            UserPoolId=settings.COGNITO_USER_POOL_ID,
            GroupName=group,
            **({"NextToken": token} if token else {}),
        )
        for user in page.get("Users", []):
            attributes = {attribute["Name"]: attribute["Value"] for attribute in user.get("Attributes", [])}
            members.append({"sub": attributes.get("sub", user["Username"]), "email": attributes.get("email", "")})
        token = page.get("NextToken")
        if not token:
            return sorted(members, key=lambda member: member["email"])


def password_policy():
    """The pool's password policy, for the sign-up form's help text."""
    pool = _call("describe_user_pool", UserPoolId=settings.COGNITO_USER_POOL_ID)["UserPool"]
    return pool["Policies"]["PasswordPolicy"]


@lru_cache(maxsize=4)
def _policy_for(pool_id):  # pool_id: the cache key (tests and local runs switch pools)
    return password_policy()


def cached_password_policy():
    """The pool's policy, read once per process (and per pool); None if Cognito is away."""
    from botocore.exceptions import BotoCoreError  # on first use, as in _call

    try:
        return _policy_for(settings.COGNITO_USER_POOL_ID)
    except (CognitoError, BotoCoreError):
        log.warning("Cannot read the user pool's password policy", exc_info=True)
        return None  # not cached: the next page tries again


cached_password_policy.cache_clear = _policy_for.cache_clear


def rule_message(rule):
    """A broken password rule in our words, as the forms list them (and PasswordRuleError says)."""
    if rule == "length":
        policy = cached_password_policy() or {}
        return f"Use at least {policy.get('MinimumLength', 8)} characters."
    return {
        "lowercase": "Add a lowercase letter.",
        "uppercase": "Add an uppercase letter.",
        "number": "Add a number.",
        "symbol": "Add a symbol, such as ! or #.",
        "ends": "Do not start or end with a space.",
    }[rule]
