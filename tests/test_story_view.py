"""The story so far (sessions/summaries/story_views.py): access for the owner, another signed-in user
and nobody; building it from the sessions' recaps and following the job; the sessions'
recaps in play order; nothing to tell; failures; escaping; the requests each page makes."""

import json
import re

import pytest

from campaigns.repository import create_campaign
from sessions.core.repository import create_session
from sessions.summaries import jobs as summary_jobs
from sessions.summaries import repository as summaries
from sessions.summaries import runners
from sessions.summaries.summarizers.base import SummaryProviderError
from tests.transcript_samples import sample_bytes
from tests.transcript_uploads import store_transcript
from tests.web_clients import login_url, post

AUTH = "dynamodb.BatchGetItem"  # what a signed-in page costs for authentication


pytestmark = pytest.mark.usefixtures("empty_transcript_cache")


def add_session(owner, campaign, title, *, number, played_on, recap=True):
    """A session of the campaign; with a transcript and its recap (made by the inline job) if `recap`."""
    session = create_session(
        sub=owner.sub, campaign_id=campaign.campaign_id, title=title, number=number, played_on=played_on
    )
    if recap:
        store_transcript(
            sub=owner.sub,
            campaign_id=campaign.campaign_id,
            session_id=session.session_id,
            data=sample_bytes("vtt", hours=0.05, seed=number),
            filename=f"{number}.vtt",
        )
        summary_jobs.start_summary_job(
            sub=owner.sub, campaign_id=campaign.campaign_id, session_id=session.session_id, kinds=["recap"]
        )
    return session


@pytest.fixture
def played(owner, campaign):
    """Three sessions, added out of order; the second has no recap."""
    third = add_session(owner, campaign, "The Amber Temple", number=3, played_on="2024-06-14")
    first = add_session(owner, campaign, "The Death House", number=1, played_on="2024-05-31")
    second = add_session(owner, campaign, "Into the Mists", number=2, played_on="2024-06-07", recap=False)
    return first, second, third


def url(campaign, path=""):
    return f"/campaigns/{campaign.campaign_id}/story/{path}"


def build(client, campaign, length="standard"):
    return post(client, url(campaign), {"length": length})


def stored_story(owner, campaign):
    return summaries.get_story_so_far(sub=owner.sub, campaign_id=campaign.campaign_id)


def stored_job(owner, campaign):
    return summaries.get_story_job(sub=owner.sub, campaign_id=campaign.campaign_id)


def status_line(html):
    match = re.search(r'<p class="summary-status[^"]*" role="status" aria-live="polite"[^>]*>(.*?)</p>', html, re.S)
    return None if match is None else re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def assert_login_redirect(response, path):
    assert response.status_code == 302
    assert response["Location"] == login_url(path)


# --- access ---------------------------------------------------------------------------------------
PAGES = ["", "status/"]


@pytest.fixture
def built(owner, campaign, played):
    assert build(owner, campaign).status_code == 302
    return stored_story(owner, campaign)


@pytest.mark.parametrize("path", PAGES)
def test_owner_opens_the_story_pages(owner, campaign, built, path):
    response = owner.get(url(campaign, path))
    assert response.status_code == 200
    if path:
        assert json.loads(response.content) == {"status": "done", "label": "Done.", "active": False}
    else:
        assert "Secret Strahd" in response.content.decode()


@pytest.mark.parametrize("path", PAGES)
def test_another_user_gets_a_404_that_names_nothing(other, campaign, built, path):
    response = other.get(url(campaign, path))
    assert response.status_code == 404
    html = response.content.decode()
    for secret in ("Secret Strahd", "Death House", "Previously on"):
        assert secret not in html


def test_another_user_cannot_build_my_story(owner, other, campaign, played, manual):
    response = build(other, campaign)
    assert response.status_code == 404
    assert "Secret Strahd" not in response.content.decode()
    assert stored_job(owner, campaign) is None and stored_job(other, campaign) is None


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(anonymous, campaign, built, path):
    assert_login_redirect(anonymous.get(url(campaign, path)), url(campaign, path))


def test_anonymous_posts_change_nothing(owner, anonymous, campaign, played, manual):
    assert_login_redirect(build(anonymous, campaign), url(campaign))
    assert stored_job(owner, campaign) is None


def test_posts_need_the_csrf_token(owner, campaign, played, manual):
    assert owner.post(url(campaign), {"length": "brief"}).status_code == 403
    assert stored_job(owner, campaign) is None


def test_no_job_status_is_a_404(owner, campaign):
    assert owner.get(url(campaign, "status/")).status_code == 404


def test_the_campaign_page_links_to_the_story(owner, campaign, played):
    html = owner.get(f"/campaigns/{campaign.campaign_id}/").content.decode()
    assert f'<a href="{url(campaign)}">The story so far</a>' in html


# --- requests per page ----------------------------------------------------------------------------
def test_the_story_page_costs(owner, campaign, built, aws_calls):
    with aws_calls() as calls:
        assert owner.get(url(campaign)).status_code == 200
    # The campaign, the story, its job and the speaker names with the web session; the
    # sessions the campaign lists and their recaps, by key (issue 17).
    assert calls.operations() == [AUTH, "dynamodb.BatchGetItem"]
    assert calls.count("dynamodb", "Scan") == 0 and calls.count("s3") == 0


def test_the_status_costs_one_get(owner, campaign, built, aws_calls):
    with aws_calls() as calls:
        owner.get(url(campaign, "status/"))
    assert calls.operations() == [AUTH, "dynamodb.GetItem"]


# --- the story ------------------------------------------------------------------------------------
def test_sessions_recaps_in_play_order_and_the_build_form(owner, campaign, played):
    first, second, third = played
    response = owner.get(url(campaign))
    html = response.content.decode()
    assert '<h1 id="page-title">The story so far</h1>' in html
    assert html.index("The Death House") < html.index("Into the Mists") < html.index("The Amber Temple")
    assert html.count("Previously on Secret Strahd") == 2
    assert html.count("No recap yet.") == 1
    for session in played:
        assert f'href="/campaigns/{campaign.campaign_id}/sessions/{session.session_id}/#summaries"' in html
    assert "The story so far is not written yet." in html
    assert '<button type="submit" class="button">Build the story so far</button>' in html
    assert re.search(r'name="length" value="standard"[^>]*checked', html)
    assert status_line(html) is None


def test_build_the_story_inline(owner, campaign, played):
    response = build(owner, campaign, length="brief")
    assert response.status_code == 302
    assert response["Location"] == url(campaign) + "#story"
    story = stored_story(owner, campaign)
    assert story.length == "brief" and story.source_count == 2 and story.text
    html = owner.get(response["Location"]).content.decode()
    assert status_line(html) is None  # issue 11: a "Done." box stayed above the story on every reload
    assert "data-summary-status-url" not in html
    first_line = story.text.splitlines()[0]
    assert first_line.replace("'", "&#x27;") in html
    assert "Brief · offline" in html
    assert ">Rebuild</button>" in html and "The story above is replaced." in html


def test_a_queued_story_shows_and_then_the_story(owner, campaign, played, manual):
    response = build(owner, campaign)
    html = owner.get(response["Location"]).content.decode()
    line = status_line(html)
    assert line.startswith("Queued… The story so far will be written in a moment.") and "Refresh" in line
    assert f'data-summary-status-url="{url(campaign, "status/")}"' in html
    assert 'data-summary-poll-ms="500,750,1100,1700,2000"' in html  # fast first, then every 2 s
    # Without JavaScript the page refreshes itself, to a new URL each time (a URL that differs
    # only by its fragment would not reload), and offers a Refresh link there too.
    refresh = re.search(r'<noscript><meta http-equiv="refresh" content="1; url=([^"]+)"></noscript>', html)
    assert refresh and re.fullmatch(re.escape(url(campaign)) + r"\?refreshed=\d+#story", refresh.group(1))
    assert f'href="{refresh.group(1)}">Refresh</a>' in html
    assert ">Rebuild</button>" not in html and ">Build the story so far</button>" not in html
    assert json.loads(owner.get(url(campaign, "status/")).content)["status"] == "queued"

    again = build(owner, campaign)  # a second click starts nothing
    assert (
        "The story so far was already being written when you asked, so nothing new was started."
        in owner.get(again["Location"]).content.decode()
    )
    job = stored_job(owner, campaign)
    runners.run_story_job(sub=owner.sub, campaign_id=campaign.campaign_id, job_id=job.job_id)
    assert json.loads(owner.get(url(campaign, "status/")).content) == {
        "status": "done",
        "label": "Done.",
        "active": False,
    }
    html = owner.get(url(campaign)).content.decode()
    assert status_line(html) is None and stored_story(owner, campaign) is not None


def test_nothing_to_tell_says_so(owner, campaign, manual):
    add_session(owner, campaign, "Session zero", number=0, played_on="2024-05-01", recap=False)
    html = owner.get(url(campaign)).content.decode()
    assert "No session of this campaign has a recap yet." in html
    assert "No recap yet." in html
    assert ">Build the story so far</button>" not in html
    response = build(owner, campaign)
    assert response.status_code == 302
    assert "No session of this campaign has a recap yet." in owner.get(response["Location"]).content.decode()
    assert stored_job(owner, campaign) is None


def test_a_campaign_without_sessions(owner, campaign):
    html = owner.get(url(campaign)).content.decode()
    assert "This campaign has no sessions yet." in html
    assert "No session of this campaign has a recap yet." in html


def test_a_failed_story_shows_its_reason_and_can_be_rebuilt(owner, campaign, played, monkeypatch):
    def broken(**kwargs):
        raise SummaryProviderError("The summary service is busy. Try again in a few minutes.", retryable=True)

    monkeypatch.setattr(runners, "summarize_story_so_far", broken)
    response = build(owner, campaign)
    html = owner.get(response["Location"]).content.decode()
    assert status_line(html) == "Failed: The summary service is busy. Try again in a few minutes."
    assert ">Build the story so far</button>" in html
    monkeypatch.undo()
    build(owner, campaign)
    assert stored_story(owner, campaign) is not None


def test_recaps_and_the_story_are_escaped(owner, campaign, played):
    first = played[0]
    recap = summaries.get_summary(
        sub=owner.sub, campaign_id=campaign.campaign_id, session_id=first.session_id, kind="recap"
    )
    summaries.edit_summary(
        sub=owner.sub,
        campaign_id=campaign.campaign_id,
        session_id=first.session_id,
        kind="recap",
        expected_version=recap.version,
        text='<script>alert("strahd")</script> fled.',
    )
    build(owner, campaign)
    html = owner.get(url(campaign)).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;strahd&quot;)&lt;/script&gt; fled." in html
    assert '<span class="badge">Edited by hand</span>' in html


def test_a_made_up_length_is_refused(owner, campaign, played, manual):
    response = post(owner, url(campaign), {"length": "epic"})
    assert response.status_code == 200
    assert "Choose one of the lengths offered." in response.content.decode()
    assert stored_job(owner, campaign) is None
    # The form is below the story: the top of the page says it and links there (issue 11).
    top = response.content.decode().split('<main id="main"')[0]
    assert 'Choose one of the lengths offered. <a href="#build">Go to the form</a>' in top


def test_another_users_campaign_of_the_same_name_is_separate(owner, other, campaign, built):
    theirs = create_campaign(sub=other.sub, name="Secret Strahd")
    html = other.get(url(theirs)).content.decode()
    assert "Previously on" not in html and "This campaign has no sessions yet." in html


def test_a_story_out_of_date_says_so(owner, campaign, played, built):
    assert "Out of date" not in owner.get(url(campaign)).content.decode()
    second = played[1]
    store_transcript(
        sub=owner.sub,
        campaign_id=campaign.campaign_id,
        session_id=second.session_id,
        data=sample_bytes("vtt", hours=0.05, seed=2),
        filename="2.vtt",
    )
    summary_jobs.start_summary_job(
        sub=owner.sub, campaign_id=campaign.campaign_id, session_id=second.session_id, kinds=["recap"]
    )
    html = owner.get(url(campaign)).content.decode()
    assert "Out of date" in html and "Written from the recaps of 2 sessions." in html
    build(owner, campaign)
    html = owner.get(url(campaign)).content.decode()
    assert "Out of date" not in html and "Written from the recaps of 3 sessions." in html


def test_a_story_edited_by_hand_is_replaced_only_when_asked(owner, campaign, built):
    summaries.edit_story_so_far(
        sub=owner.sub,
        campaign_id=campaign.campaign_id,
        expected_version=built.version,
        text="My own telling",
    )
    response = build(owner, campaign, length="detailed")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Replace your edit?" in html and ">Replace my edit</button>" in html
    assert 'name="length" value="detailed"' in html and 'name="replace_edits" value="1"' in html
    assert "<p>My own telling</p>" in html and '<span class="badge">Edited by hand</span>' in html
    assert stored_story(owner, campaign).text == "My own telling"
    assert post(owner, url(campaign), {"length": "detailed", "replace_edits": "1"}).status_code == 302
    story = stored_story(owner, campaign)
    assert story.text != "My own telling" and not story.edited and story.length == "detailed"


# --- recaps written with other speaker names ------------------------------------------------------
def test_a_recap_written_before_the_speakers_were_named_says_so_on_the_story_page(owner, campaign, played):
    from sessions.transcripts.repository import save_speaker_names

    first, _, third = played
    assert "Speaker names" not in owner.get(url(campaign)).content.decode()

    save_speaker_names(
        sub=owner.sub,
        campaign_id=campaign.campaign_id,
        expected_version=0,
        current=None,
        names={"SPEAKER_01": {"player": "Ana", "character": "Mira"}},
    )
    html = owner.get(url(campaign)).content.decode()
    notes = re.findall(
        r'<p class="summary-note"><span class="badge badge-warning">Speaker names</span>(.*?)</p>', html, re.S
    )
    assert len(notes) == 2  # both recaps; the session without one has nothing to say
    assert notes[0].strip().startswith("Written before you named the speakers.")
    assert (
        f'href="/campaigns/{campaign.campaign_id}/sessions/{first.session_id}/#summary-recap">'
        "Write it again from its session"
    ) in notes[0]
    assert "then rebuild the story" in notes[0]
