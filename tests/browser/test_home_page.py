import pytest
from playwright.sync_api import expect

from accounts import cognito, services

pytestmark = pytest.mark.browser

PASSWORD = "correct horse 42"
PAPER = "rgb(251, 248, 243)"  # --bg, light
NIGHT = "rgb(23, 21, 28)"  # --bg, dark


def background(page):
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_visitor_sees_what_the_product_does(live_server, page, console_errors):
    response = page.goto(live_server.url + "/")
    assert response.status == 200

    expect(page).to_have_title("Campaign Sessions")
    expect(page.get_by_role("heading", level=1)).to_have_text("Every session, remembered.")
    expect(page.get_by_role("heading", name="AI recaps")).to_be_visible()
    expect(page.get_by_role("contentinfo").get_by_label("Theme")).to_be_visible()

    # The stylesheet loaded and applied: page colour and display font.
    assert background(page) == PAPER
    heading_font = page.get_by_role("heading", level=1).evaluate("h => getComputedStyle(h).fontFamily")
    assert "Georgia" in heading_font
    page.screenshot(path="/tmp/campaign-sessions-home.png", full_page=True)
    assert console_errors == []


def test_calls_to_action_lead_to_sign_up_and_log_in(live_server, page, console_errors):
    page.goto(live_server.url + "/")
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name="Log in", exact=True)).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign up")).to_be_visible()
    page.screenshot(path="/tmp/campaign-sessions-home-with-accounts.png")
    assert console_errors == []

    main.get_by_role("link", name="Create your account").click()
    page.wait_for_url(live_server.url + "/accounts/signup/")


def test_signed_in_header_fits_a_phone(live_server, new_page, transactional_db, console_errors):
    # A real account on the moto server, signed in through the login page.
    services.sign_up(
        email="reginald@example.com", password=PASSWORD, display_name="Sir Reginald Featherstonehaugh of the Vale"
    )
    cognito.confirm_sign_up(email="reginald@example.com", code="123456")
    page = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, color_scheme="dark")
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("reginald@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/campaigns/")

    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Welcome back, Sir Reginald Featherstonehaugh of the Vale"
    )
    nav = page.get_by_role("navigation", name="Main")
    for name in ("Campaigns", "Search"):
        expect(nav.get_by_role("link", name=name)).to_be_visible()
    expect(nav.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_role("link", name="Go to your campaigns")).to_be_visible()
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width, "the page scrolls sideways on a phone"
    page.screenshot(path="/tmp/campaign-sessions-signed-in-phone.png", full_page=True)
    assert console_errors == []


def test_skip_link_is_first_and_visible_on_focus(live_server, page):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_theme_switch_applies_at_once_and_is_remembered(live_server, page, console_errors):
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("data-theme", "auto")
    # With JavaScript the menu applies the choice itself: no Apply button.
    expect(page.get_by_role("button", name="Apply")).to_be_hidden()

    menu = page.get_by_label("Theme")
    menu.focus()
    with page.expect_response(lambda response: "/preferences/theme/" in response.url) as saved:
        menu.select_option("dark")
    assert saved.value.status == 302
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    assert background(page) == NIGHT
    expect(menu).to_be_focused()  # no reload: the reader's place is kept

    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(page.get_by_label("Theme")).to_have_value("dark")
    assert background(page) == NIGHT
    page.screenshot(path="/tmp/campaign-sessions-home-dark.png")
    assert console_errors == []


def test_theme_switch_works_without_javascript(live_server, new_page):
    page = new_page(java_script_enabled=False, color_scheme="dark")
    page.goto(live_server.url + "/")
    # "Match my device" follows the device's dark preference.
    assert background(page) == NIGHT

    page.get_by_label("Theme").select_option("light")
    with page.expect_response(
        lambda response: response.request.method == "GET" and response.url == live_server.url + "/"
    ):
        page.get_by_role("button", name="Apply").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    assert background(page) == PAPER
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    assert cookies["theme"] == "light"


def test_fits_a_phone_screen(live_server, new_page, console_errors):
    page = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, device_scale_factor=2)
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width, "the page scrolls sideways on a phone"
    page.screenshot(path="/tmp/campaign-sessions-home-phone.png", full_page=True)
    assert console_errors == []
