"""A transcript in a browser: upload a VTT file through the session page straight to the
embedded S3 (the moto server), read it, rename a speaker, download the original."""

import pytest
from playwright.sync_api import expect

from campaigns.repository import create_campaign
from sessions.core.repository import create_session
from tests.browser.flows import VTT, confirmed_user, log_in, upload_transcript

pytestmark = pytest.mark.browser


def test_upload_read_rename_download(live_server, page, transactional_db, console_errors, tmp_path):
    sub = confirmed_user("reader@example.com")
    campaign = create_campaign(sub=sub, name="Curse of Strahd")
    session = create_session(sub=sub, campaign_id=campaign.campaign_id, title="Death House")
    log_in(page, live_server, "reader@example.com")
    session_url = f"{live_server.url}/campaigns/{campaign.campaign_id}/sessions/{session.session_id}/"

    # Upload: the form posts to S3 (the moto server), which sends the browser back to us.
    upload_transcript(page, session_url, tmp_path / "Death House — Ærø.vtt", VTT)
    main = page.get_by_role("main")
    expect(page.get_by_text("Transcript added (WebVTT): 3 lines, 2 speakers.")).to_be_visible()
    expect(main.get_by_text("Death House — Ærø.vtt")).to_be_visible()

    # Read it: speakers, times, and a <script> said aloud shown as text (WebVTT writes it
    # escaped; a tag in cue text is markup, which the parser drops as the spec says).
    main.get_by_role("link", name="Read the transcript").click()
    transcript = page.get_by_role("list", name="Transcript, page 1 of 1")
    lines = transcript.get_by_role("listitem")
    expect(lines).to_have_count(3)
    expect(lines.nth(0)).to_contain_text("SPEAKER_00")
    expect(lines.nth(0)).to_contain_text("0:01")
    expect(lines.nth(1)).to_contain_text("I check the door for traps & listen.")
    expect(lines.nth(2)).to_contain_text('You hear <script>alert("the lich")</script> whispering.')

    # Find a word: only the matching line, the word marked.
    page.get_by_role("searchbox", name="Find").fill("traps")
    page.get_by_role("button", name="Show").click()
    expect(lines).to_have_count(1)
    expect(lines.nth(0).locator("mark")).to_have_text("traps")

    # Name a speaker: the reader shows the character (and player) instead of the label.
    page.get_by_role("link", name="Speaker names").click()
    page.get_by_label("Player of SPEAKER_00").fill("Ana")
    page.get_by_label("Character of SPEAKER_00").fill("Madam Eva")
    page.get_by_role("button", name="Save names").click()
    expect(page.get_by_text("Speaker names saved.")).to_be_visible()
    expect(lines.nth(0)).to_contain_text("Madam Eva (Ana)")
    expect(lines.nth(1)).to_contain_text("SPEAKER_01")
    page.screenshot(path="/tmp/campaign-sessions-reader.png", full_page=True)

    # Download the original, as it was uploaded.
    with page.expect_download() as download_info:
        main.get_by_role("link", name="Download original").click()
    download = download_info.value
    assert download.suggested_filename == "Death House — Ærø.vtt"
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read() == VTT.encode()

    assert console_errors == []
