"""/staff/users/ and /staff/users/<sub>/ in a browser, on a desktop and on a phone (375 px):
a staff member finds an account by the start of its email, reads its row and opens its
page, with nothing wider than the screen (the table scrolls in its own box) and no
console error. (The moto server lives for the whole run: each screen searches for its own
accounts by a prefix of their own.)"""

import pytest
from playwright.sync_api import expect

from accounts import staff
from tests.browser.flows import confirmed_user, log_in

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def directory_staff(transactional_db, request):
    screen = request.node.callspec.id
    email = f"users-{screen}-ops@example.com"
    confirmed_user(email)
    staff.add_staff(email=email)
    confirmed_user(f"users-{screen}-player-with-a-rather-long-address@example.com")
    return email


@pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_staff_find_a_user_and_open_their_page_on_any_screen(
    live_server, new_page, directory_staff, console_errors, screen
):
    page = new_page(**screen)
    log_in(page, live_server, directory_staff)
    page.goto(f"{live_server.url}/staff/")
    page.get_by_role("navigation", name="Staff pages").get_by_role("link", name="Users").click()

    expect(page.get_by_role("heading", name="Users", level=1)).to_be_visible()
    prefix = directory_staff.split("-ops@")[0].upper()  # searched in lower case
    page.get_by_label("Email starts with").fill(prefix)
    page.get_by_role("button", name="Search").click()
    rows = page.get_by_role("table", name="Users").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(directory_staff)
    expect(rows.first).to_contain_text("staff")
    assert page.evaluate("document.documentElement.scrollWidth") <= screen["viewport"]["width"]

    page.get_by_role("link", name=directory_staff.replace("-ops@", "-player-with-a-rather-long-address@")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("player-with-a-rather-long-address")
    expect(page.get_by_text("signed up here")).to_be_visible()
    expect(page.get_by_text("No usage recorded yet.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= screen["viewport"]["width"]
    assert console_errors == []
