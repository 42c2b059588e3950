"""Staff disable a user's sign-in and read the audit log in a browser, on a desktop and on
a phone (375 px): the confirm page names the user, its button does it, and the log shows
who did what to whom, with nothing wider than the screen and no console error. (The moto
server lives for the whole run, so each screen has its own users.)"""

import pytest
from playwright.sync_api import expect

from accounts import cognito, staff
from tests.browser.flows import confirmed_user, log_in

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def people(transactional_db, request):
    screen = request.node.callspec.id
    operator, player = f"actions-{screen}@example.com", f"a-rather-long-player-address-{screen}@example.com"
    confirmed_user(operator)
    staff.add_staff(email=operator)
    confirmed_user(player)
    return operator, player, cognito.find_user(email=player)["sub"]


@pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_staff_disable_a_user_and_read_the_log_on_any_screen(live_server, new_page, people, console_errors, screen):
    operator, player, player_sub = people
    page = new_page(**screen)
    log_in(page, live_server, operator)
    page.goto(f"{live_server.url}/staff/users/{player_sub}/disable/")

    expect(page.get_by_role("heading", name=f"Disable sign-in: {player}?", level=1)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= screen["viewport"]["width"]
    page.get_by_role("button", name="Disable sign-in").click()
    expect(page.get_by_text(f"Sign-in is disabled for {player}; they are signed out everywhere.")).to_be_visible()
    assert cognito.user_by_sub(sub=player_sub)["enabled"] is False

    page.goto(f"{live_server.url}/staff/audit/")
    expect(page.get_by_role("heading", name="Audit log", level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has_text=player)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(operator)
    expect(row).to_contain_text("disabled sign-in")
    expect(row).to_contain_text("done")
    assert page.evaluate("document.documentElement.scrollWidth") <= screen["viewport"]["width"]
    assert console_errors == []
