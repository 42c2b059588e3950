"""v1.0 users in a browser: an old password the pool's policy refuses signs in once and
leads to choosing a new one; a Discord/Google-only account is sent to "Forgot password"."""

import re

import pytest
from playwright.sync_api import expect

from accounts import legacy_passwords
from tests.browser.flows import confirmed_user
from tests.legacy_users import old_hash

pytestmark = pytest.mark.browser


def test_an_old_password_the_policy_refuses_leads_to_a_new_one(live_server, page, transactional_db, console_errors):
    sub = confirmed_user("old-short@example.com")
    legacy_passwords.save_legacy_password(sub=sub, password_hash=old_hash("short1"))
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("old-short@example.com")
    page.get_by_label("Password").fill("short1")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/accounts/password/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    page.get_by_label(re.compile(r"^New password:?$")).fill("a new one 12345")
    page.get_by_label("New password (again)").fill("a new one 12345")
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_text("Your new password is set. Use it from now on.")).to_be_visible()
    page.screenshot(path="/tmp/campaign-sessions-legacy-new-password.png", full_page=True)
    assert legacy_passwords.get_legacy_password(sub=sub) is None
    assert console_errors == []


def test_a_discord_or_google_only_account_is_sent_to_forgot_password(
    live_server, page, transactional_db, console_errors
):
    sub = confirmed_user("old-discord@example.com")
    legacy_passwords.save_legacy_password(sub=sub, password_hash=None)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("old-discord@example.com")
    page.get_by_label("Password").fill("anything at all 1")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("signed in with Discord or Google before")
    page.get_by_role("link", name="Set one with “Forgot password”").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set a password for your account")
    page.screenshot(path="/tmp/campaign-sessions-legacy-social-only.png", full_page=True)
    page.get_by_role("link", name="Set a password with “Forgot password”").click()
    page.wait_for_url(live_server.url + "/accounts/password/reset/?email=old-discord%40example.com")
    expect(page.get_by_label("Email")).to_have_value("old-discord@example.com")
    assert console_errors == []
