"""The whole account flow in a browser: sign up, confirm, log in, log out, forget the
password, reset it with the code (which a local run shows on the page), log in again."""

import re
import uuid
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from accounts import cognito, services

pytestmark = pytest.mark.browser

PASSWORD = "correct horse 42"
NEW_PASSWORD = "new dragon hoard 7"
NEW_PASSWORD_LABEL = re.compile(r"^New password:?$")  # not "New password (again)"


def unique_email():
    # The moto server keeps its users for the whole run, and other tests sign up too.
    return f"mira-{uuid.uuid4().hex[:8]}@example.com"


def test_sign_up_to_password_reset_and_back(live_server, page, transactional_db, console_errors):
    email = unique_email()
    in_url = quote(email)
    page.goto(live_server.url + "/accounts/signup/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Display name").fill("Mira <the GM>")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    page.wait_for_url(f"**/accounts/confirm/?email={in_url}")
    page.get_by_role("button", name="Confirm").click()

    page.wait_for_url(f"**/accounts/login/?email={in_url}")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation).to_contain_text("Mira <the GM>")

    navigation.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    expect(navigation).not_to_contain_text("Mira")

    navigation.get_by_role("link", name="Log in").click()
    page.get_by_role("link", name="Forgot password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Email me a code").click()

    page.wait_for_url(f"**/accounts/password/reset/code/?email={in_url}")
    expect(page.get_by_text(f"If an account uses {email}, we have emailed it a code.")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value(email)
    code = page.locator("#local-reset-code").inner_text()  # the embedded Cognito's code
    assert re.fullmatch(r"moto-confirmation-code:\d{6}", code)
    page.screenshot(path="/tmp/campaign-sessions-reset-code.png", full_page=True)
    page.get_by_label("Code").fill(code)
    page.get_by_label(NEW_PASSWORD_LABEL).fill(NEW_PASSWORD)
    page.get_by_label("New password (again)").fill("a different one 9")
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_text("The two passwords differ.")).to_be_visible()
    page.get_by_label(NEW_PASSWORD_LABEL).fill(NEW_PASSWORD)
    page.get_by_label("New password (again)").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set new password").click()

    page.wait_for_url(f"**/accounts/login/?email={in_url}")
    expect(page.get_by_text("Your password is changed, and every device was logged out.")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value(email)
    page.get_by_label("Password").fill(PASSWORD)  # the old one no longer works
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("That email and password do not match.")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(navigation).to_contain_text("Mira <the GM>")
    assert console_errors == []


def test_reset_pages_fit_a_phone(live_server, new_page, transactional_db):
    email = unique_email()
    services.sign_up(email=email, password=PASSWORD, display_name="Mira")
    cognito.confirm_sign_up(email=email, code="123456")
    page = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, color_scheme="dark")
    page.goto(live_server.url + "/accounts/password/reset/")
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Email me a code").click()
    expect(page.locator("#local-reset-code")).to_be_visible()  # the longest word these pages show
    assert_no_sideways_scroll(page)
    page.screenshot(path="/tmp/campaign-sessions-reset-phone.png", full_page=True)
    page.goto(live_server.url + "/accounts/password/reset/")
    assert_no_sideways_scroll(page)


def assert_no_sideways_scroll(page):
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width, f"{page.url} scrolls sideways on a phone"
