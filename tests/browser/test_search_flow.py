"""Search in a browser: find a word said in a transcript (and in a summary) from the search
page, which lists every place it is, and land on the line that says it in the reader: the
plain page around it, the line highlighted, the word marked on the whole page."""

import re

import pytest
from playwright.sync_api import expect

from campaigns.repository import create_campaign
from sessions.core.repository import create_session
from sessions.core.segments import Segment
from sessions.summaries.items import Summary
from sessions.summaries.repository import edit_summary
from tests.browser.flows import confirmed_user, log_in
from tests.transcript_samples import render_vtt
from tests.transcript_uploads import store_transcript

pytestmark = pytest.mark.browser

SAID_AT = 412  # far down the reader's page of 200 lines: the browser must scroll to it


def transcript():
    lines = [
        Segment(start=n * 3.0, end=n * 3.0 + 2.5, speaker=f"SPEAKER_0{n % 3}", text=f"Line {n}: we keep walking.")
        for n in range(600)
    ]
    lines[SAID_AT] = Segment(
        start=SAID_AT * 3.0,
        end=SAID_AT * 3.0 + 2.5,
        speaker="SPEAKER_01",
        text="The ferryman wants two silver coins, not one.",
    )
    lines[SAID_AT + 50] = Segment(
        start=(SAID_AT + 50) * 3.0, end=(SAID_AT + 50) * 3.0 + 2.5, speaker="SPEAKER_02", text="Pay the ferryman again?"
    )
    return render_vtt(lines).encode()


def test_search_a_word_said_in_a_transcript_and_land_on_that_line(
    live_server, new_page, transactional_db, console_errors
):
    sub = confirmed_user("searcher@example.com")
    campaign = create_campaign(sub=sub, name="Curse of Strahd")
    session = create_session(
        sub=sub, campaign_id=campaign.campaign_id, title="Across the River Ivlis", number=4, played_on="2024-06-14"
    )
    store_transcript(
        sub=sub,
        campaign_id=campaign.campaign_id,
        session_id=session.session_id,
        data=transcript(),
        filename="river.vtt",
    )
    Summary(
        f"USER#{sub}", f"SUMMARY#{campaign.campaign_id}#{session.session_id}#recap", kind="recap", text="placeholder"
    ).save()
    edit_summary(
        sub=sub,
        campaign_id=campaign.campaign_id,
        session_id=session.session_id,
        kind="recap",
        expected_version=1,
        text="The party haggled with the ferryman over silver.",
    )
    create_session(sub=sub, campaign_id=campaign.campaign_id, title="Another evening", notes="No boats.")

    page = new_page(viewport={"width": 1024, "height": 700})
    log_in(page, live_server, "searcher@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    page.wait_for_url(live_server.url + "/search/")

    page.get_by_label("Search for").fill("Ferryman")
    page.get_by_role("button", name="Search").click()
    results = page.get_by_role("list", name="Results")
    expect(results.locator(":scope > li")).to_have_count(1)
    result = results.locator(":scope > li").first
    expect(result.get_by_role("heading")).to_have_text("Across the River Ivlis")
    expect(result).to_contain_text("Curse of Strahd")
    # Issue 11: the summary had the word too, and the result said "Found in summaries" only.
    expect(result).to_contain_text("Found in summaries, transcript")
    places = result.get_by_role("list", name="Where the words are").get_by_role("listitem")
    expect(places).to_have_text(["Recap (previously on…): “ferryman”", "Transcript: “ferryman”"])
    page.screenshot(path="/tmp/campaign-sessions-search.png", full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})  # a phone: nothing scrolls sideways
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width, "the search page scrolls sideways on a phone"
    page.set_viewport_size({"width": 1024, "height": 700})

    result.get_by_role("link", name="Transcript").click()
    page.wait_for_url(re.compile(rf"/transcript/\?mark=ferryman&line={SAID_AT}#line-{SAID_AT}$"))
    line = page.locator(f"#line-{SAID_AT}")
    expect(line).to_have_class("transcript-line is-focus")
    expect(line.locator("mark")).to_have_text("ferryman")
    expect(line).to_be_in_viewport()
    expect(page.locator(f"#line-{SAID_AT - 3}")).to_be_in_viewport()  # below the lines before it
    # Highlighted (:target and .is-focus), unlike the lines around it.
    background = line.evaluate("element => getComputedStyle(element).backgroundColor")
    assert background != page.locator(f"#line-{SAID_AT - 1}").evaluate("e => getComputedStyle(e).backgroundColor")
    # In context: the whole page of 200 lines that holds it, not a filter; the word marked on all of it.
    expect(page.locator(".transcript-line")).to_have_count(200)
    expect(page.locator(f"#line-{SAID_AT - 1}")).to_contain_text("we keep walking")
    expect(page.locator(f"#line-{SAID_AT + 50} mark")).to_have_text("ferryman")
    expect(page.get_by_role("searchbox", name="Find")).to_have_value("")
    expect(page.get_by_role("status").filter(has_text="Marked")).to_contain_text("Marked: “ferryman”")
    page.screenshot(path="/tmp/campaign-sessions-search-landed.png")
    page.locator(".reader-marks").screenshot(path="/tmp/campaign-sessions-search-marks.png")

    # Find only the lines with it, from there.
    page.get_by_role("link", name="“ferryman”").click()
    page.wait_for_url(re.compile(r"/transcript/\?q=ferryman$"))
    expect(page.locator(".transcript-line")).to_have_count(2)

    # The line's own link opens it in context, among the lines around it.
    page.go_back()
    line.get_by_role("link").click()
    page.wait_for_url(re.compile(rf"/transcript/\?line={SAID_AT}#line-{SAID_AT}$"))
    expect(page.locator(f"#line-{SAID_AT - 1}")).to_be_attached()
    expect(page.locator(f"#line-{SAID_AT}")).to_be_in_viewport()
    assert console_errors == []
