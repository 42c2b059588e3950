"""/staff/cutover/ in a browser, on a desktop and on a phone (375 px): a staff member reads
the split, the shifts with their gates, the sync, the outbox and the conflicts, with
nothing wider than the screen and no console error. (The moto server lives for the
whole run, so each screen's operator finds their own shifts by name.)"""

import pytest
from playwright.sync_api import expect

from accounts import staff
from cutover.state import record_conflict, record_shift
from tests.browser.flows import confirmed_user, log_in

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def operator(transactional_db, request):
    email = f"ops-{request.node.callspec.id}@example.com"
    confirmed_user(email)
    staff.add_staff(email=email)
    gates = [
        {"name": "outbox", "ok": True, "detail": "empty"},
        {"name": "verify_v1", "ok": False, "detail": "20 of 40 imported accounts: 1 difference (campaign 01J…)"},
    ]
    record_shift(by=email, from_percent=0, to_percent=10, gates=gates, forced=True)
    record_shift(by=email, from_percent=10, to_percent=0, gates=gates[:1], rollback=True)
    record_conflict(
        kept="app", what="campaigns 0f5c9d2e-1b7a-4c55-9e1a-3f2d4c5b6a7e", v1_updated=None, app_updated=None
    )
    return email


@pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_staff_read_the_cutover_on_any_screen(live_server, new_page, operator, console_errors, screen):
    page = new_page(**screen)
    log_in(page, live_server, operator)
    page.goto(f"{live_server.url}/staff/")
    page.get_by_role("link", name="traffic split, sync and outbox").click()

    expect(page.get_by_role("heading", name="Cutover from v1.0", level=1)).to_be_visible()
    shifts = (
        page.get_by_role("list", name="Shifts, newest first").get_by_role("listitem").filter(has_text=f"by {operator}")
    )
    expect(shifts).to_have_count(2)
    expect(shifts.first).to_contain_text("rollback")
    expect(shifts.last).to_contain_text("forced")
    expect(shifts.last).to_contain_text("failed verify_v1")
    expect(page.get_by_text("kept this app's change").first).to_be_visible()
    expect(page.get_by_text("Empty: every change made here is in v1.0.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= screen["viewport"]["width"]
    assert console_errors == []
