"""Sign up, confirm, log in and log out in a browser, against Cognito on the moto server."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PASSWORD = "correct horse 42"


def test_sign_up_confirm_log_in_and_out(live_server, page, transactional_db, console_errors):
    page.goto(live_server.url + "/")
    page.get_by_role("main").get_by_role("link", name="Create your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your account")
    expect(page.get_by_text("At least 10 characters, with a lowercase letter and a number.")).to_be_visible()

    page.get_by_label("Email").fill("mira@example.com")
    page.get_by_label("Display name").fill("Mira <the GM>")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Use at least 10 characters.")).to_be_visible()  # each rule not met, in our words
    expect(page.get_by_text("Add a number.")).to_be_visible()
    page.screenshot(path="/tmp/campaign-sessions-signup-error.png", full_page=True)

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/accounts/confirm/?email=mira%40example.com")
    expect(page.get_by_text("the embedded Cognito sends no email and accepts any code")).to_be_visible()
    expect(page.get_by_label("Code")).to_have_value("123456")
    page.screenshot(path="/tmp/campaign-sessions-confirm.png", full_page=True)
    page.get_by_role("button", name="Confirm").click()

    page.wait_for_url("**/accounts/login/?email=mira%40example.com")
    expect(page.get_by_text("Your email address is confirmed. Log in to start.")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value("mira@example.com")
    page.get_by_label("Password").fill("not the password 1")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("That email and password do not match.")
    page.screenshot(path="/tmp/campaign-sessions-login-error.png", full_page=True)

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/campaigns/")
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome back, Mira <the GM>")

    page.get_by_role("navigation", name="Main").get_by_role("button", name="Log out").click()
    page.wait_for_url(live_server.url + "/")
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Every session, remembered.")
    assert console_errors == []


def test_account_pages_fit_a_phone(live_server, new_page, transactional_db):
    page = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, color_scheme="dark")
    for path in ("/accounts/login/", "/accounts/signup/", "/accounts/confirm/?email=mira@example.com"):
        page.goto(live_server.url + path)
        scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll_width <= inner_width, f"{path} scrolls sideways on a phone"
    page.screenshot(path="/tmp/campaign-sessions-confirm-phone.png", full_page=True)
