"""The profile and delete-account pages in a real browser, on a phone."""

import pytest
from playwright.sync_api import expect

from accounts import cognito, profiles, services

pytestmark = pytest.mark.browser

PASSWORD = "correct horse 42"
LONG_NAME = "Sir Reginald Featherstonehaugh of the Vale 🐉🐉🐉"


def signed_in_phone(live_server, new_page, email):
    # The moto server lives for the whole session: each test has its own email.
    services.sign_up(email=email, password=PASSWORD, display_name="Reggie")
    cognito.confirm_sign_up(email=email, code="123456")
    page = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    return page


def log_in(page, live_server, email):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_the_theme_follows_the_user_to_another_device(live_server, new_page, transactional_db, console_errors):
    email = "reginald@theme.example"
    phone = signed_in_phone(live_server, new_page, email)
    with phone.expect_response(lambda response: "/preferences/theme/" in response.url) as saved:
        phone.get_by_label("Theme").select_option("dark")
    assert saved.value.status == 302
    profiles.set_preferences(sub=cognito.find_user(email=email)["sub"], time_zone="America/Los_Angeles")

    laptop = new_page()  # another device: a fresh context, no theme cookie
    laptop.goto(live_server.url + "/")
    expect(laptop.locator("html")).to_have_attribute("data-theme", "auto")
    log_in(laptop, live_server, email)
    expect(laptop.locator("html")).to_have_attribute("data-theme", "dark")
    expect(laptop.get_by_label("Theme")).to_have_value("dark")

    laptop.goto(live_server.url + "/accounts/profile/")
    expect(laptop.locator("dd", has_text="America/Los_Angeles")).to_be_visible()
    assert console_errors == []


def fits_the_screen(page):
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return scroll_width <= inner_width


def test_rename_from_the_header_link_and_see_it_at_once(live_server, new_page, transactional_db, console_errors):
    page = signed_in_phone(live_server, new_page, "reginald@profile.example")
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Reggie").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")

    page.get_by_role("textbox", name="Display name").fill(f"  {LONG_NAME}  ")
    page.get_by_role("button", name="Save name").click()

    expect(page.get_by_text("Your display name is saved.")).to_be_visible()
    expect(nav.get_by_role("link", name=LONG_NAME)).to_be_attached()
    expect(page.get_by_role("textbox", name="Display name")).to_have_value(LONG_NAME)
    assert fits_the_screen(page), "the page scrolls sideways on a phone"
    page.screenshot(path="/tmp/campaign-sessions-profile-phone.png", full_page=True)
    assert console_errors == []


def test_delete_needs_the_tick_then_says_goodbye(live_server, new_page, transactional_db, console_errors):
    page = signed_in_phone(live_server, new_page, "reginald@delete.example")
    page.goto(live_server.url + "/accounts/delete/")
    assert fits_the_screen(page)

    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account and everything in it").click()
    expect(page.get_by_text("Tick the box to confirm")).to_be_visible()
    page.screenshot(path="/tmp/campaign-sessions-delete-phone.png", full_page=True)

    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("I understand that this deletes my account").check()
    page.get_by_role("button", name="Delete my account and everything in it").click()

    expect(page.get_by_text("Your account and everything in it are deleted.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Every session, remembered.")
    assert console_errors == []
