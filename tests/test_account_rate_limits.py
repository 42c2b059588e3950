"""Every form that checks a password or a code with Cognito (or makes it send an email)
is rate-limited: past the limit, our 429 page answers and Cognito is not asked."""

import pytest
from django.test import Client

from tests.conftest import PASSWORD
from tests.web_clients import signed_in

WRONG = "not the password 99"
EMAIL = "ada@example.com"

# (page, allauth action and a limit of one attempt, what the form posts, signed in?)
LIMITED_FORMS = [
    ("/accounts/login/", "login", "1/m/ip", {"login": EMAIL, "password": WRONG}, False),
    (
        "/accounts/signup/",
        "signup",
        "1/m/ip",
        {"email": "new@example.com", "display_name": "New", "password1": "weak"},
        False,
    ),
    ("/accounts/confirm/", "confirm_signup", "1/m/ip", {"email": EMAIL, "code": "000000"}, False),
    ("/accounts/confirm/resend/", "confirm_signup", "1/m/ip", {"email": EMAIL}, False),
    ("/accounts/confirm/resend/", "resend_code", "1/m/key", {"email": EMAIL}, False),
    ("/accounts/password/reset/", "reset_password", "1/m/key", {"email": EMAIL}, False),
    (
        "/accounts/password/reset/code/",
        "reset_password_from_key",
        "1/m/ip",
        {"email": EMAIL, "code": "000000", "new_password1": "Another one 77", "new_password2": "Another one 77"},
        False,
    ),
    (
        "/accounts/password/change/",
        "change_password",
        "1/m/user",
        {"old_password": WRONG, "new_password1": "Another one 77", "new_password2": "Another one 77"},
        True,
    ),
    ("/accounts/delete/", "delete_account", "1/m/user", {"password": WRONG, "confirm": "on"}, True),
]


@pytest.mark.parametrize(
    ("url", "action", "limit", "data", "signed"), LIMITED_FORMS, ids=[case[1] + case[0] for case in LIMITED_FORMS]
)
def test_each_cognito_form_is_rate_limited(make_user, settings, aws_calls, url, action, limit, data, signed):
    make_user(EMAIL)
    client = signed_in(EMAIL) if signed else Client()
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, action: limit}
    first = client.post(url, data)
    assert first.status_code != 429
    settings.PRODUCTION = True  # the resend form asks Cognito only in production (moto lacks it)
    with aws_calls() as calls:
        response = client.post(url, data)
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert calls.count("cognito-idp") == 0


def test_every_action_has_a_limit_in_force():
    from allauth.account import app_settings

    for _url, action, _limit, _data, _signed in LIMITED_FORMS:
        assert app_settings.RATE_LIMITS.get(action), action


def test_delete_account_counts_per_user(make_user, settings):
    make_user(EMAIL)
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "delete_account": "2/m/user"}
    client = signed_in(EMAIL)
    for _ in range(2):
        assert client.post("/accounts/delete/", {"password": WRONG, "confirm": "on"}).status_code == 200
    assert client.post("/accounts/delete/", {"password": PASSWORD, "confirm": "on"}).status_code == 429
    assert client.get("/accounts/delete/").status_code == 200  # reading the page is not an attempt
    make_user("bob@example.com", display_name="Bob")
    other = signed_in("bob@example.com")
    assert other.post("/accounts/delete/", {"password": WRONG, "confirm": "on"}).status_code == 200


def test_resend_counts_per_address(aws, db, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "resend_code": "2/m/key"}
    client = Client()
    for _ in range(2):
        assert client.post("/accounts/confirm/resend/", {"email": "Ada@example.com"}).status_code == 302
    assert client.post("/accounts/confirm/resend/", {"email": "ada@example.com"}).status_code == 429
    assert client.post("/accounts/confirm/resend/", {"email": "bob@example.com"}).status_code == 302
