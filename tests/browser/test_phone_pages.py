"""Pages on a phone-sized screen (375 px): the share link shown once is whole in view and
copied with one tap; the speaker names keep their Player / Character labels once filled;
nothing is wider than the screen."""

import pytest
from playwright.sync_api import expect

from campaigns.repository import create_campaign
from sessions.core.repository import create_session
from tests.browser.flows import VTT, confirmed_user, log_in
from tests.transcript_uploads import store_transcript

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def reader_with_transcript(transactional_db, request):
    """A session with a transcript, of a user of its own (the moto server lives for the run)."""
    sub = confirmed_user(f"{request.node.name[5:25]}@example.com")
    campaign = create_campaign(sub=sub, name="Curse of Strahd")
    session = create_session(sub=sub, campaign_id=campaign.campaign_id, title="Death House")
    store_transcript(
        sub=sub, campaign_id=campaign.campaign_id, session_id=session.session_id, data=VTT.encode(), filename="dh.vtt"
    )
    return f"{request.node.name[5:25]}@example.com", f"/campaigns/{campaign.campaign_id}/sessions/{session.session_id}/"


def page_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


def test_the_share_link_is_whole_in_view_and_copied_with_one_tap(
    live_server, new_page, reader_with_transcript, console_errors
):
    page = new_page(**PHONE)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    email, session_url = reader_with_transcript
    log_in(page, live_server, email)
    page.goto(f"{live_server.url}{session_url}share/")
    page.get_by_label("Summaries and transcript").check()
    page.get_by_role("button", name="Make the link").click()

    box = page.locator("#share-url")
    link = box.input_value()
    assert link.startswith(f"{live_server.url}/share/")
    expect(page.get_by_text("Copy it now: it will not be shown again.")).to_be_visible()
    # All of it in view: wrapped inside the box, no scrolling inside it or of the page.
    assert box.evaluate("element => element.scrollWidth <= element.clientWidth")
    assert box.evaluate("element => element.scrollHeight <= element.clientHeight + 1")
    assert page_width(page) <= 375

    page.get_by_role("button", name="Copy the link").click()
    expect(page.get_by_role("status").filter(has_text="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert console_errors == []


def test_speaker_names_keep_their_labels_on_a_phone(live_server, new_page, reader_with_transcript, console_errors):
    page = new_page(**PHONE)
    email, session_url = reader_with_transcript
    log_in(page, live_server, email)
    page.goto(f"{live_server.url}{session_url}transcript/speakers/")

    page.get_by_label("Player of SPEAKER_00").fill("Ana")
    page.get_by_label("Character of SPEAKER_00").fill("Madam Eva")

    # Filled, each input still says what it is: its label shows above it, on screen.
    for name in ("Player", "Character"):
        label = page.locator(f"label[for=id_{name.lower()}_0]")
        expect(label).to_be_visible()
        box = label.bounding_box()
        assert box["width"] > 20 and box["height"] < 30 and label.inner_text().split()[0] == name
    assert page.locator("input[placeholder]").count() == 0
    assert page_width(page) <= 375
    assert console_errors == []
