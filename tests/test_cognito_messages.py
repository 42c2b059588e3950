"""Cognito's own words never reach a person: every error code each account form can meet,
injected into the real (moto) client for that one operation, shows one of our messages,
and Cognito's text is nowhere in the page."""

import re
from contextlib import contextmanager

import pytest
from allauth.account.adapter import DefaultAccountAdapter
from botocore.awsrequest import AWSResponse
from django.test import Client

from accounts import cognito
from accounts.cognito import rule_message
from accounts.password_services import WRONG_CURRENT_PASSWORD
from accounts.profile_forms import WRONG_PASSWORD
from campaigns_site import aws as aws_clients
from tests.conftest import PASSWORD
from tests.web_clients import signed_in

RAW = "RAW COGNITO TEXT: 1 validation error detected: does not confirm to the configured password policy"
NEW_PASSWORD = "another horse 43"  # meets the local pool's rules: only Cognito refuses it here

# Every code a public or admin call of the forms may answer, and ones we have never seen.
CODES = sorted(set(cognito.MESSAGES) - {"LockedOut", "CompromisedPassword"}) + [
    "InternalErrorException",
    "ResourceNotFoundException",
    "UserLambdaValidationException",
    "InvalidLambdaResponseException",
    "UnexpectedLambdaException",
    "InvalidUserPoolConfigurationException",
    "ForbiddenException",
    "InvalidEmailRoleAccessPolicyException",
    "InvalidSmsRoleAccessPolicyException",
    "SomethingNewException",
]
# Cognito's texts that we read (to tell cases apart) but never show.
DETAILED = [
    ("NotAuthorizedException", "Password attempts exceeded"),
    ("InvalidPasswordException", "Password does not conform to policy: Password not long enough"),
    ("InvalidPasswordException", "Password does not conform to policy: Password must have uppercase characters"),
    ("InvalidPasswordException", "Password does not conform to policy: Password must have lowercase characters"),
    ("InvalidPasswordException", "Password does not conform to policy: Password must have numeric characters"),
    ("InvalidPasswordException", "Password does not conform to policy: Password must have symbol characters"),
    ("InvalidPasswordException", "Provided password cannot be used for security reasons."),
]


def strip_tags(text):
    return re.sub(r"<[^>]+>", "", str(text))


def ours():
    messages = set(cognito.MESSAGES.values()) | {cognito.UNAVAILABLE, WRONG_PASSWORD, WRONG_CURRENT_PASSWORD}
    messages |= {rule_message(rule) for rule in ("length", "lowercase", "uppercase", "number", "symbol", "ends")}
    messages |= {  # the forms' own wordings of some refusals (some with a link)
        "This account is already confirmed: log in.",
        "Please confirm your email address first: enter the code we sent you.",
        "That code has expired. Ask for a new one.",
    }
    messages |= {str(message) for message in DefaultAccountAdapter.error_messages.values()}  # allauth's login
    return {strip_tags(message) for message in messages}


@contextmanager
def refused(operation, code, detail=RAW):
    """The moto-backed client answers `operation` (e.g. "SignUp") with this error; the rest as usual."""
    client = aws_clients.client("cognito-idp")
    answered = []

    def answer(model, **kwargs):
        if model.name != operation:
            return None
        answered.append(operation)
        return AWSResponse("https://cognito-idp.test", 400, {}, None), {
            "Error": {"Code": code, "Message": detail},
            "ResponseMetadata": {"HTTPStatusCode": 400},
        }

    client.meta.events.register("before-call.cognito-identity-provider", answer, unique_id="refused")
    try:
        yield answered
    finally:
        client.meta.events.unregister("before-call.cognito-identity-provider", unique_id="refused")


# (form, the Cognito operation it calls, how to post it: client -> response, signed in?)
def post_signup(client):
    return client.post("/accounts/signup/", {"email": "new@example.com", "display_name": "New", "password1": PASSWORD})


def post_confirm(client):
    return client.post("/accounts/confirm/", {"email": "ada@example.com", "code": "123456"})


def post_resend(client):
    return client.post("/accounts/confirm/resend/", {"email": "ada@example.com"}, follow=True)


def post_login(client):
    return client.post("/accounts/login/", {"login": "ada@example.com", "password": PASSWORD})


def post_reset_request(client):
    return client.post("/accounts/password/reset/", {"email": "ada@example.com"}, follow=True)


def post_reset_code(client):
    data = {"email": "ada@example.com", "code": "123456", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    return client.post("/accounts/password/reset/code/", data)


def post_change(client):
    data = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    return client.post("/accounts/password/change/", data)


def post_change_wrong(client):
    data = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    return client.post("/accounts/password/change/", data)


def post_delete(client):
    return client.post("/accounts/delete/", {"password": PASSWORD, "confirm": "on"})


FORMS = [
    ("signup", "SignUp", post_signup, False),
    ("confirm", "ConfirmSignUp", post_confirm, False),
    ("resend", "ResendConfirmationCode", post_resend, False),
    ("login", "InitiateAuth", post_login, False),
    ("reset request", "ForgotPassword", post_reset_request, False),
    ("reset with code", "ConfirmForgotPassword", post_reset_code, False),
    ("change password: the current one", "InitiateAuth", post_change_wrong, True),
    ("change password: the new one", "ChangePassword", post_change, True),
    ("delete account", "InitiateAuth", post_delete, True),
]


def shown_errors(response):
    """Every error the page shows: the form's (fields and non-field) and the messages."""
    errors = []
    context = response.context or {}
    form = context.get("form") if hasattr(context, "get") else None
    if form is not None:
        for field_errors in form.errors.values():
            errors += [strip_tags(error) for error in field_errors]
    if context and "messages" in context:
        errors += [strip_tags(message) for message in context["messages"] if message.level_tag == "error"]
    return errors


@pytest.mark.parametrize(("name", "operation", "post", "signed"), FORMS, ids=[form[0] for form in FORMS])
def test_every_refusal_reads_in_our_words(make_user, settings, name, operation, post, signed):
    # One user and one client per form, every code in turn: building them for each of the
    # ~300 (form, code) pairs took two minutes of the suite for the same proof.
    from django.core.cache import cache

    make_user("ada@example.com")
    settings.PRODUCTION = name == "resend"  # locally the resend form sends nothing
    client = signed_in("ada@example.com") if signed else Client()
    client.get("/accounts/signup/")  # the password policy is read once per process
    allowed = ours()
    for code, detail in [(code, RAW) for code in CODES] + DETAILED:
        cache.clear()  # each post counts against the forms' rate limits
        with refused(operation, code, detail) as answered:
            response = post(client)
        assert answered == [operation], f"{name} / {code}: the form did not ask Cognito"
        html = response.content.decode()
        assert RAW not in html and "Password does not conform" not in html and "security reasons" not in html
        assert "confirm to the configured" not in html
        for error in shown_errors(response):
            assert error in allowed, f"{name} / {code}: {error!r} is not one of our messages"


def test_every_code_has_our_own_message_or_the_general_one():
    for code in CODES:
        error = cognito._error(_client_error(code, RAW))
        assert error.message in ours() and RAW not in error.message


def test_a_broken_rule_is_named_in_our_words():
    assert cognito._error(_client_error("InvalidPasswordException", DETAILED[4][1])).message == "Add a number."
    assert cognito._error(_client_error("NotAuthorizedException", DETAILED[0][1])).code == "LockedOut"


def _client_error(code, message):
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": code, "Message": message}}, "AnyOperation")


# --- the pool's rules, checked before Cognito is asked ---------------------------------------
@pytest.mark.parametrize(
    ("password", "problems"),
    [
        ("short", ["Use at least 10 characters.", "Add a number."]),
        ("ALLUPPERCASE1", ["Add a lowercase letter."]),
        ("lowercase only", ["Add a number."]),
        (" leading space 1", ["Do not start or end with a space."]),
        ("correct horse 42", []),
    ],
)
def test_the_forms_list_every_rule_not_met(aws, db, password, problems):
    from accounts.forms import unmet_password_rules

    assert unmet_password_rules(password) == problems


def test_with_every_rule_on_each_is_named(aws, db, settings):
    from accounts import cognito, forms

    policy = {
        "MinimumLength": 12,
        "RequireLowercase": True,
        "RequireUppercase": True,
        "RequireNumbers": True,
        "RequireSymbols": True,
    }
    cognito.cached_password_policy.cache_clear()
    aws_clients.client("cognito-idp").update_user_pool(
        UserPoolId=settings.COGNITO_USER_POOL_ID, Policies={"PasswordPolicy": policy}
    )
    try:
        assert forms.unmet_password_rules("abc") == [
            "Use at least 12 characters.",
            "Add an uppercase letter.",
            "Add a number.",
            "Add a symbol, such as ! or #.",
        ]
        assert forms.unmet_password_rules("Abcdefghij1!") == []
    finally:
        cognito.cached_password_policy.cache_clear()


@pytest.mark.parametrize(
    ("url", "data", "field"),
    [
        ("/accounts/signup/", {"email": "new@example.com", "display_name": "New", "password1": "short"}, "password1"),
        (
            "/accounts/password/reset/code/",
            {"email": "ada@example.com", "code": "123456", "new_password1": "short", "new_password2": "short"},
            "new_password1",
        ),
    ],
)
def test_weak_passwords_never_reach_cognito(make_user, aws_calls, url, data, field):
    make_user("ada@example.com")
    client = Client()
    client.get("/accounts/signup/")  # reads the policy
    with aws_calls() as calls:
        response = client.post(url, data)
    assert response.context["form"].errors[field] == ["Use at least 10 characters.", "Add a number."]
    assert calls.count("cognito-idp") == 0
