"""A share link in a browser: the owner makes one, a stranger opens it in a fresh browser
(no account, no cookies), reads the transcript; the owner revokes it (after a page that
asks to confirm), and it is dead."""

import pytest
from playwright.sync_api import expect

from campaigns.repository import create_campaign
from sessions.core.repository import create_session
from tests.browser.flows import VTT, confirmed_user, log_in
from tests.transcript_uploads import store_transcript

pytestmark = pytest.mark.browser


def test_open_a_share_link_elsewhere_revoke_it_and_see_it_die(live_server, new_page, transactional_db, console_errors):
    sub = confirmed_user("sharer@example.com")
    campaign = create_campaign(sub=sub, name="Curse of Strahd")
    session = create_session(sub=sub, campaign_id=campaign.campaign_id, title="Death House")
    store_transcript(
        sub=sub, campaign_id=campaign.campaign_id, session_id=session.session_id, data=VTT.encode(), filename="dh.vtt"
    )
    owner = new_page()
    log_in(owner, live_server, "sharer@example.com")
    owner.goto(f"{live_server.url}/campaigns/{campaign.campaign_id}/sessions/{session.session_id}/")

    # Make a link that shows the transcript too; it is shown once.
    owner.get_by_role("link", name="Share…").click()
    # The names warning follows the scope picked: the recap (none written) names nobody,
    # the transcript shows its speakers as recorded.
    warning = owner.locator("#share-names-warning")
    expect(warning).to_be_hidden()
    owner.get_by_label("Summaries and transcript").check()
    expect(warning).to_be_visible()
    expect(warning.locator("li:visible")).to_have_text(["Summaries and transcript: SPEAKER_00, SPEAKER_01."])
    owner.get_by_label("Recap only").check()
    expect(warning).to_be_hidden()
    owner.get_by_label("Summaries and transcript").check()
    owner.get_by_label("Label").fill("For the players")
    owner.get_by_role("button", name="Make the link").click()
    share_url = owner.locator("#share-url").input_value()
    assert share_url.startswith(f"{live_server.url}/share/")

    # A stranger: a fresh browser context, never signed in.
    stranger = new_page()
    response = stranger.goto(share_url)
    assert response.status == 200
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-robots-tag"] == "noindex"
    assert response.headers["cache-control"] == "private, no-store"
    expect(stranger.get_by_role("heading", level=1)).to_have_text("Death House")
    expect(stranger.get_by_text("sharer@example.com")).to_have_count(0)
    stranger.get_by_role("link", name="Read the transcript").click()
    expect(stranger.get_by_text("I check the door for traps & listen.")).to_be_visible()

    # The owner sees the view counted, then revokes the link.
    owner.goto(f"{live_server.url}/campaigns/{campaign.campaign_id}/sessions/{session.session_id}/share/")
    link = owner.get_by_role("heading", name="For the players")
    expect(link).to_be_visible()
    expect(owner.locator(".share-link").filter(has=link).locator("dd").nth(3)).to_have_text("1")  # views
    # Revoking cannot be undone: the list's Revoke asks first; Cancel changes nothing.
    owner.get_by_role("link", name="Revoke… For the players").click()
    expect(owner.get_by_role("heading", level=1)).to_have_text("Revoke the link “For the players”?")
    owner.get_by_role("link", name="Cancel").click()
    expect(link).to_be_visible()
    owner.get_by_role("link", name="Revoke… For the players").click()
    owner.get_by_role("button", name="Revoke link").click()
    expect(owner.get_by_text("Link revoked.")).to_be_visible()
    expect(link).to_have_count(0)

    # Dead at once, for the stranger too: the same page a mistyped link gets.
    response = stranger.goto(share_url)
    assert response.status == 404
    expect(stranger.get_by_role("heading", level=1)).to_have_text("This link does not open anything")
    response = stranger.reload()
    assert response.status == 404

    # 404s of dead links are expected console errors; anything else is not.
    assert [error for error in console_errors if "404" not in error] == []
