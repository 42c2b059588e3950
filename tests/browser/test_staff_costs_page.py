"""/staff/costs/ in a browser, on a desktop and on a phone (375 px): a staff member reads
the month's cost, the chart of the last 90 days (an SVG that fits the screen), the figures
behind it, the services' table (scrolling in its own box), and presses the refresh button;
nothing wider than the screen, no console error, no CSP violation."""

import re

import pytest
from playwright.sync_api import expect

from accounts import staff
from devtools.demo_costs import seed_demo_costs
from tests.browser.flows import confirmed_user, log_in

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def accountant(transactional_db, request):
    email = f"costs-{request.node.callspec.id}@example.com"
    confirmed_user(email)
    staff.add_staff(email=email)
    seed_demo_costs()  # the local run's figures: the first view fetches them (moto's Cost Explorer)
    return email


@pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_staff_read_the_cost_on_any_screen(live_server, new_page, accountant, console_errors, screen):
    page = new_page(**screen)
    log_in(page, live_server, accountant)
    page.goto(f"{live_server.url}/staff/")
    page.get_by_role("navigation", name="Staff pages").get_by_role("link", name="Cost").click()

    expect(page.get_by_role("heading", name="What this deployment costs", level=1)).to_be_visible()
    chart = page.get_by_role("img", name="Daily cost")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box["width"] <= screen["viewport"]["width"] and box["height"] > 50
    expect(page.get_by_role("row", name="Amazon DynamoDB")).to_have_count(1)
    page.get_by_text("The figures, newest first").click()
    expect(page.get_by_role("table", name="Daily cost").get_by_role("row")).to_have_count(91)
    assert page.evaluate("document.documentElement.scrollWidth") <= screen["viewport"]["width"]

    page.get_by_role("button", name="Refresh from Cost Explorer").click()
    # Fetched again, or refused when the page's own refresh (or another screen's) is under a minute old.
    said = re.compile("Cost figures fetched|A refresh started less than 60 seconds ago")
    expect(page.get_by_text(said)).to_be_visible()
    page.get_by_role("link", name="Costs of the heaviest users").click()
    expect(page.get_by_role("heading", name="The heaviest users", level=1)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= screen["viewport"]["width"]
    assert console_errors == []
