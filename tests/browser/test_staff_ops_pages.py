"""/staff/errors/ and /staff/migration/ in a browser, on a desktop and on a phone (375 px):
a staff member reads the local function's last errors, asks Logs Insights again with the
button, and reads the import's figures, with nothing wider than the screen and no
console error. (The moto server lives for the whole run: each screen has its own function.)"""

import pytest
from playwright.sync_api import expect

from accounts import staff
from devtools.demo_ops import seed_local_error_log
from tests.browser.flows import confirmed_user, log_in
from v1.differences import Verification
from v1.verify_record import EVERYONE, record_verification

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def ops_staff(transactional_db, request, settings, monkeypatch):
    screen = request.node.callspec.id
    email = f"errors-{screen}@example.com"
    confirmed_user(email)
    staff.add_staff(email=email)
    function = f"campaign-sessions-{screen}"
    monkeypatch.setenv("LAMBDA_FUNCTION_NAME", function)
    settings.LAMBDA_FUNCTION_NAME = function
    seed_local_error_log(function=function)
    record_verification(Verification(), scope=EVERYONE)
    return email


@pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_staff_read_the_last_errors_and_the_import_on_any_screen(
    live_server, new_page, ops_staff, console_errors, screen
):
    page = new_page(**screen)
    log_in(page, live_server, ops_staff)
    page.goto(f"{live_server.url}/staff/")
    page.get_by_role("navigation", name="Staff pages").get_by_role("link", name="Errors").click()

    expect(page.get_by_role("heading", name="Last errors", level=1)).to_be_visible()
    rows = page.get_by_role("table", name="Errors, newest first").locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("ValueError: bad played_on date")
    assert page.evaluate("document.documentElement.scrollWidth") <= screen["viewport"]["width"]

    page.get_by_role("button", name="Ask Logs Insights now").click()
    expect(page.get_by_text("Asked less than a minute ago")).to_be_visible()
    page.get_by_role("link", name="Last 7 days").click()
    expect(rows).to_have_count(4)

    page.get_by_role("navigation", name="Staff pages").get_by_role("link", name="Import from v1.0").click()
    expect(page.get_by_role("heading", name="Import from v1.0", level=1)).to_be_visible()
    expect(page.get_by_text("exit 0: v1.0 and this app agree")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= screen["viewport"]["width"]
    assert console_errors == []
