"""AI summaries in a browser: ask for a recap, watch it go from queued to done (the page
polls), then edit it by hand, and see that asking again asks before replacing the edit."""

import time

import pytest
from playwright.sync_api import expect

from campaigns.repository import create_campaign
from sessions.core.repository import create_session
from sessions.summaries import repository as summary_repository
from sessions.summaries import runners
from tests.browser.flows import confirmed_user, log_in
from tests.transcript_samples import sample_bytes
from tests.transcript_uploads import store_transcript

pytestmark = pytest.mark.browser


def test_generate_a_recap_watch_it_finish_and_edit_it(live_server, page, transactional_db, console_errors, settings):
    # Jobs wait in the table until this test runs them, as the worker would: the page must
    # show them queued, then notice by itself (polling) that they are done.
    settings.SUMMARY_JOB_RUNNER = "manual"
    sub = confirmed_user("recap@example.com")
    campaign = create_campaign(sub=sub, name="Curse of Strahd")
    session = create_session(sub=sub, campaign_id=campaign.campaign_id, title="Death House")
    store_transcript(
        sub=sub,
        campaign_id=campaign.campaign_id,
        session_id=session.session_id,
        data=sample_bytes("vtt", hours=0.2),
        filename="death-house.vtt",
    )
    log_in(page, live_server, "recap@example.com")
    page.goto(f"{live_server.url}/campaigns/{campaign.campaign_id}/sessions/{session.session_id}/")
    polls, answers = [], []
    page.on("request", lambda request: polls.append(time.monotonic()) if "/summaries/status/" in request.url else None)
    page.on(
        "requestfinished",
        lambda request: answers.append(time.monotonic()) if "/summaries/status/" in request.url else None,
    )

    summaries = page.locator("#summaries")
    expect(summaries.get_by_label("Recap (previously on…)")).to_be_checked()
    summaries.get_by_role("button", name="Summarize").click()
    status = summaries.get_by_role("status")
    expect(status).to_contain_text("Queued")
    shown = time.monotonic()

    # Quickly at first, then backing off (0.5 s, 0.75, 1.1, 1.7, then 2 s): within 3 s of
    # the page, at least three polls (every 2 s, as before, made one), further and further
    # apart. Apart is measured from an answer to the next poll (the script's own pause): the
    # server's time to answer, longer on a busy machine, is not the script's.
    page.wait_for_timeout(3_000)
    early = [at - shown for at in polls]
    assert len(early) >= 3, early
    assert early[0] < 1.2, early
    pauses = [poll - answer for answer, poll in zip(answers, polls[1:], strict=False)]
    assert len(pauses) >= 2 and pauses[1] > pauses[0], (pauses, early)

    job = summary_repository.get_summary_job(sub=sub, campaign_id=campaign.campaign_id, session_id=session.session_id)
    runners.run_summary_job(sub=sub, campaign_id=campaign.campaign_id, session_id=session.session_id, job_id=job.job_id)
    # The page polls, says "Done." and reloads: the summary is there, and no status line
    # stays to say what is plain to see (issue 11).
    recap = summaries.locator("#summary-recap")
    expect(recap.get_by_role("heading", name="Recap (previously on…)")).to_be_visible(timeout=15_000)
    expect(summaries.get_by_role("status")).to_have_count(0)

    # Edit it by hand.
    recap.get_by_role("link", name="Edit Recap (previously on…)").click()
    page.get_by_label("Text").fill("Previously: the party escaped the Death House, barely.")
    page.get_by_role("button", name="Save summary").click()
    expect(page.get_by_text("Summary saved.")).to_be_visible()
    expect(recap).to_contain_text("Previously: the party escaped the Death House, barely.")
    expect(recap).to_contain_text("Edited by hand")

    # Asking again does not silently replace the edit: it asks.
    summaries.get_by_role("button", name="Summarize").click()
    expect(page.get_by_role("button", name="Replace my edits")).to_be_visible()
    page.screenshot(path="/tmp/campaign-sessions-summaries.png", full_page=True)

    assert console_errors == []
