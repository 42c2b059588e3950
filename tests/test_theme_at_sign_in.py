"""A signed-in user's saved theme follows them: every sign-in through the login form (a
Cognito password, a v1.0 password, one the pool's policy refuses) sets the profile's theme
as the browser's cookie (accounts.adapter.post_login), at no extra AWS request. The hosted
UI's sign-in has its test in tests/test_hosted_ui_login.py."""

import pytest
from django.test import Client

from accounts.profiles import set_preferences
from campaigns_site.themes import ONE_YEAR
from tests.legacy_users import OLD_PASSWORD, make_legacy_user, old_hash
from tests.web_clients import log_in


def test_a_saved_theme_becomes_a_fresh_browser_s_theme_at_sign_in(make_user):
    set_preferences(sub=make_user(), theme="dark")
    browser = Client()  # a new device: no theme cookie
    response = log_in(browser)
    assert response.status_code == 302
    cookie = response.cookies["theme"]
    assert cookie.value == "dark"
    assert (cookie["max-age"], cookie["samesite"], cookie["httponly"]) == (ONE_YEAR, "Lax", True)
    assert 'data-theme="dark"' in browser.get("/").content.decode()


def test_the_saved_theme_wins_over_the_browser_s_own(make_user):
    set_preferences(sub=make_user(), theme="dark")
    browser = Client()
    browser.cookies["theme"] = "light"
    assert log_in(browser).cookies["theme"].value == "dark"
    assert 'data-theme="dark"' in browser.get("/").content.decode()


def test_without_a_saved_theme_the_browser_keeps_its_own(make_user):
    make_user()
    browser = Client()
    browser.cookies["theme"] = "light"
    assert "theme" not in log_in(browser).cookies
    assert 'data-theme="light"' in browser.get("/").content.decode()


def test_a_failed_sign_in_sets_no_theme(make_user):
    set_preferences(sub=make_user(), theme="dark")
    response = log_in(Client(), password="not the password 1")
    assert response.status_code == 200
    assert "theme" not in response.cookies


def test_a_saved_theme_costs_the_sign_in_no_request(make_user, aws_calls):
    set_preferences(sub=make_user("ada@example.com"), theme="dark")
    make_user("bob@example.com")
    with aws_calls() as with_theme:
        log_in(Client(), email="ada@example.com")
    with aws_calls() as without_theme:
        log_in(Client(), email="bob@example.com")
    assert with_theme.operations() == without_theme.operations()


@pytest.mark.parametrize(
    "password, goes_to",
    [
        (OLD_PASSWORD, "/campaigns/"),  # becomes the Cognito password
        ("short1", "/accounts/password/new/"),  # the pool's policy refuses it: signed in once
    ],
)
def test_a_v1_user_s_first_sign_in_sets_their_saved_theme(make_user, password, goes_to):
    sub = make_legacy_user(make_user, password_hash=old_hash(password))
    set_preferences(sub=sub, theme="light")  # the importer keeps v1.0's theme
    browser = Client()
    response = log_in(browser, password=password)
    assert response["Location"] == goes_to
    assert response.cookies["theme"].value == "light"
    assert 'data-theme="light"' in browser.get(goes_to).content.decode()
