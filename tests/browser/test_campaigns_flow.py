"""Campaigns and play sessions in a browser: create, add, edit, page, move, delete."""

import pytest
from playwright.sync_api import expect

from campaigns.repository import create_campaign
from sessions.core.repository import create_session
from tests.browser.flows import confirmed_user, log_in

pytestmark = pytest.mark.browser

UNICODE = "Ünïcödé 🐉 竜 — naïve café"


def add_session(page, *, title, number, played_on, notes=""):
    page.get_by_role("link", name="Add a session").click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Number").fill(number)
    page.get_by_label("Date played").fill(played_on)
    page.get_by_label("Notes").fill(notes)
    page.get_by_role("button", name="Add session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def test_campaign_and_sessions_from_creation_to_deletion(live_server, page, transactional_db, console_errors):
    sub = confirmed_user("flow@example.com")
    log_in(page, live_server, "flow@example.com")
    main = page.get_by_role("main")
    expect(main.get_by_text("No campaigns yet — create your first.")).to_be_visible()

    # Create a campaign.
    main.get_by_role("link", name="Create a campaign").click()
    page.get_by_label("Name").fill(UNICODE)
    page.get_by_label("Game system").fill("D&D 5e")
    page.get_by_label("Description").fill("Gothic horror\nin Barovia")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(UNICODE)
    expect(page.get_by_text("No sessions yet.")).to_be_visible()
    campaign_url = page.url

    # Add two sessions.
    add_session(page, title="The Death House", number="1", played_on="2024-05-31", notes="A <b>creepy</b> house")
    expect(page.get_by_text("A <b>creepy</b> house")).to_be_visible()  # shown as typed, not as markup
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name=UNICODE).click()
    add_session(page, title="Into the Mists", number="2", played_on="2024-06-07")

    # Edit one.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name=UNICODE).click()
    main.get_by_role("link", name="The Death House").click()
    main.get_by_role("link", name="Edit").first.click()
    expect(page.get_by_label("Title")).to_have_value("The Death House")
    page.get_by_label("Title").fill("The Death House, revisited")
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The Death House, revisited")
    expect(page.get_by_text("Session saved.")).to_be_visible()
    page.screenshot(path="/tmp/campaign-sessions-session.png", full_page=True)

    # Page through a long list: 30 more sessions, played later, through the repository.
    campaign_id = campaign_url.rstrip("/").split("/")[-1]
    for day in range(1, 31):
        create_session(
            sub=sub,
            campaign_id=campaign_id,
            title=f"Later session {day}",
            number=day + 2,
            played_on=f"2024-07-{day:02}",
        )
    page.goto(campaign_url)
    expect(main.get_by_role("link", name="Later session 30")).to_be_visible()
    expect(main.get_by_role("link", name="The Death House, revisited")).to_have_count(0)
    page.get_by_role("link", name="Older →").click()
    expect(main.get_by_role("link", name="The Death House, revisited")).to_be_visible()
    expect(main.get_by_role("link", name="Into the Mists")).to_be_visible()
    expect(page.get_by_role("link", name="Older →")).to_have_count(0)

    # Move one to another campaign.
    create_campaign(sub=sub, name="Waterdeep")
    main.get_by_role("link", name="The Death House, revisited").click()
    main.get_by_role("link", name="Move to another campaign").click()
    page.get_by_label("Move to").select_option(label="Waterdeep")
    page.get_by_role("button", name="Move session").click()
    expect(page.get_by_text("Session moved to “Waterdeep”.")).to_be_visible()
    breadcrumb = page.get_by_role("navigation", name="Breadcrumb")
    expect(breadcrumb.get_by_role("link", name="Waterdeep")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("The Death House, revisited")

    # Delete the first campaign, after confirming.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
    main.get_by_role("link", name=UNICODE).click()
    main.get_by_role("link", name="Delete…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Delete “{UNICODE}”?")
    page.get_by_role("button", name="Delete campaign").click()
    page.wait_for_url(live_server.url + "/campaigns/")
    expect(page.get_by_text("Campaign deleted, with 31 sessions.")).to_be_visible()
    expect(main.get_by_role("link", name=UNICODE)).to_have_count(0)
    expect(main.get_by_role("link", name="Waterdeep")).to_be_visible()
    page.goto(campaign_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("This page is not on the map")
    # The only console error is the browser's note about that 404.
    assert console_errors == ["Failed to load resource: the server responded with a status of 404 (Not Found)"]


def test_campaign_pages_fit_a_phone(live_server, new_page, transactional_db):
    sub = confirmed_user("phone@example.com")
    campaign = create_campaign(sub=sub, name="A campaign with a rather long name " + "🐉" * 20)
    session = create_session(sub=sub, campaign_id=campaign.campaign_id, title="Session " + "x" * 150, number=12)
    page = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    log_in(page, live_server, "phone@example.com")
    base = f"/campaigns/{campaign.campaign_id}/"
    session_base = f"{base}sessions/{session.session_id}/"
    for path in (
        "/campaigns/",
        "/campaigns/new/",
        base,
        f"{base}edit/",
        f"{base}delete/",
        f"{base}sessions/new/",
        session_base,
        f"{session_base}edit/",
        f"{session_base}move/",
    ):
        page.goto(live_server.url + path)
        scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll_width <= inner_width, f"{path} scrolls sideways on a phone"
    page.goto(live_server.url + session_base + "edit/")
    page.screenshot(path="/tmp/campaign-sessions-session-edit-phone.png", full_page=True)
