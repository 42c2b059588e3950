"""Summary pages (sessions/summaries/views.py and the session page's Summaries section): access
for the owner, another signed-in user and nobody; the requests each page makes; asking for
summaries and following the job (inline and manual runners); one job at a time; hand
edits never replaced without asking; stale edits; failures; odd input; escaping."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from campaigns_site.text_blocks import text_blocks
from sessions.core.kinds import KINDS
from sessions.core.repository import create_session, get_session
from sessions.summaries import repository as summaries
from sessions.summaries import runners
from sessions.summaries.presentation import format_cost
from sessions.summaries.summarizers.base import SummaryInputError, SummaryProviderError
from tests.transcript_samples import sample_bytes
from tests.transcript_uploads import store_transcript
from tests.web_clients import login_url, post

AUTH = "dynamodb.BatchGetItem"  # what a signed-in page costs for authentication
VTT = sample_bytes("vtt", hours=0.2)


pytestmark = [pytest.mark.transcript(data=VTT, filename="night.vtt"), pytest.mark.usefixtures("empty_transcript_cache")]


@pytest.fixture
def recap(owner, transcribed):
    """The session's recap, made by the (inline) job."""
    assert summarize(owner, transcribed).status_code == 302
    return stored_summary(owner, transcribed)


# --- helpers ----------------------------------------------------------------------------------
def url(session, path=""):
    return f"/campaigns/{session.campaign_id}/sessions/{session.session_id}/{path}"


def summarize(client, session, kinds=("recap",), length="standard", **extra):
    return post(client, url(session, "summaries/"), {"kinds": list(kinds), "length": length, **extra})


def stored_summary(owner, session, kind="recap"):
    return summaries.get_summary(
        sub=owner.sub, campaign_id=session.campaign_id, session_id=session.session_id, kind=kind
    )


def stored_kinds(owner, session):
    found = summaries.list_summaries_for_session(
        sub=owner.sub, campaign_id=session.campaign_id, session_id=session.session_id
    )
    return [summary.kind for summary in found]


def stored_job(owner, session):
    return summaries.get_summary_job(sub=owner.sub, campaign_id=session.campaign_id, session_id=session.session_id)


def run_job(owner, session):
    job = stored_job(owner, session)
    return runners.run_summary_job(
        sub=owner.sub, campaign_id=session.campaign_id, session_id=session.session_id, job_id=job.job_id
    )


def edit(client, session, text, *, version, kind="recap"):
    return post(client, url(session, f"summaries/{kind}/edit/"), {"text": text, "version": version})


def status_line(html):
    """The text of the Summaries section's status line (role="status"), or None."""
    match = re.search(r'<p class="summary-status[^"]*" role="status" aria-live="polite"[^>]*>(.*?)</p>', html, re.S)
    return None if match is None else re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def summary_section(html):
    return html[html.index('<section id="summaries"') : html.index('<section class="manage"')]


def assert_login_redirect(response, path):
    assert response.status_code == 302
    assert response["Location"] == login_url(path)


def assert_names_nothing(response):
    assert response.status_code == 404
    html = response.content.decode()
    for secret in ("The Death House", "Secret Strahd", "mimic", "Recap"):
        assert secret not in html


# --- access: owner, another signed-in user, nobody ---------------------------------------------
PAGES = ["", "summaries/status/", "summaries/recap/edit/"]


@pytest.mark.parametrize("path", PAGES)
def test_owner_opens_every_summary_page(owner, recap, transcribed, path):
    response = owner.get(url(transcribed, path))
    assert response.status_code == 200
    if path == "summaries/status/":
        assert response["Content-Type"] == "application/json"
        assert response["Cache-Control"].startswith("max-age=0")
        assert json.loads(response.content) == {"status": "done", "label": "Done.", "active": False}
    else:
        assert "Recap (previously on…)" in response.content.decode()


@pytest.mark.parametrize("path", PAGES)
def test_another_user_gets_a_404_that_names_nothing(other, recap, transcribed, path):
    assert_names_nothing(other.get(url(transcribed, path)))


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(anonymous, recap, transcribed, path):
    assert_login_redirect(anonymous.get(url(transcribed, path)), url(transcribed, path))


def test_another_user_cannot_ask_for_summaries(owner, other, transcribed, manual):
    for data in ({"kinds": ["recap"], "length": "standard"}, {"kinds": [], "length": "standard"}):
        assert_names_nothing(post(other, url(transcribed, "summaries/"), data))
    assert stored_job(owner, transcribed) is None
    assert stored_job(other, transcribed) is None  # nothing in their own partition either


def test_another_user_cannot_edit_a_summary(owner, other, recap, transcribed):
    response = edit(other, transcribed, "Defaced", version=recap.version)
    assert_names_nothing(response)
    assert stored_summary(owner, transcribed).text == recap.text


def test_anonymous_posts_change_nothing(owner, anonymous, recap, transcribed, manual):
    response = summarize(anonymous, transcribed)
    assert_login_redirect(response, url(transcribed, "summaries/"))
    response = edit(anonymous, transcribed, "Defaced", version=recap.version)
    assert_login_redirect(response, url(transcribed, "summaries/recap/edit/"))
    assert stored_summary(owner, transcribed).text == recap.text
    assert stored_job(owner, transcribed).effective_status == "done"  # the recap's, not a new one


def test_posts_need_the_csrf_token(owner, recap, transcribed, manual):
    assert owner.post(url(transcribed, "summaries/"), {"kinds": ["npcs"], "length": "brief"}).status_code == 403
    response = owner.post(url(transcribed, "summaries/recap/edit/"), {"text": "Forged", "version": recap.version})
    assert response.status_code == 403
    assert stored_summary(owner, transcribed).text == recap.text
    assert stored_job(owner, transcribed).kinds == ["recap"]


def test_the_summaries_only_answer_post_and_get(owner, transcribed):
    assert owner.get(url(transcribed, "summaries/")).status_code == 405
    assert post(owner, url(transcribed, "summaries/status/")).status_code == 405


@pytest.mark.parametrize("kind", ["story_so_far", "x" * 65])
def test_a_kind_no_summary_can_have_is_a_404_that_reads_nothing(owner, transcribed, aws_calls, kind):
    with aws_calls() as calls:
        assert owner.get(url(transcribed, f"summaries/{kind}/edit/")).status_code == 404
    assert calls.operations() == [AUTH]


@pytest.mark.parametrize("kind", ["recaps", "RECAP", "x"])
def test_an_unknown_kind_is_a_404_once_read(owner, transcribed, aws_calls, kind):
    """A summary imported from v1.0 may have a kind of its own (tests/test_imported_summaries.py):
    one not stored is a 404 after the edit form's reads (made with the web session's)."""
    with aws_calls() as calls:
        assert owner.get(url(transcribed, f"summaries/{kind}/edit/")).status_code == 404
    assert calls.operations() == [AUTH]


def test_a_kind_not_made_yet_has_no_edit_page(owner, recap, transcribed):
    assert owner.get(url(transcribed, "summaries/npcs/edit/")).status_code == 404
    assert edit(owner, transcribed, "Invented", version=1, kind="npcs").status_code == 404
    assert stored_summary(owner, transcribed, "npcs") is None


def test_no_job_status_is_a_404(owner, transcribed):
    assert owner.get(url(transcribed, "summaries/status/")).status_code == 404


def test_a_session_under_another_of_my_campaigns_is_404(owner, recap, transcribed, manual):
    from campaigns.repository import create_campaign

    elsewhere = create_campaign(sub=owner.sub, name="Elsewhere")
    wrong = f"/campaigns/{elsewhere.campaign_id}/sessions/{transcribed.session_id}/"
    for path in PAGES:
        assert owner.get(wrong + path).status_code == 404
    assert post(owner, wrong + "summaries/", {"kinds": ["recap"], "length": "brief"}).status_code == 404


# --- requests per page ---------------------------------------------------------------------------
def test_the_session_page_costs_the_sign_in_alone(owner, recap, transcribed, aws_calls):
    with aws_calls() as calls:
        response = owner.get(url(transcribed))
    assert response.status_code == 200
    # The session, its campaign, the speaker names, the job and the summaries by key, in
    # the web session's BatchGetItem (campaigns_site.prefetch).
    assert calls.operations() == [AUTH]
    assert calls.count("dynamodb", "Scan") == 0
    assert status_line(response.content.decode()) is None  # the job is done: nothing to report


def test_a_session_nothing_was_written_under_costs_no_query(owner, session, aws_calls):
    with aws_calls() as calls:
        response = owner.get(url(session))
    assert calls.operations() == [AUTH]
    html = summary_section(response.content.decode())
    assert "Upload a transcript first" in html
    assert "<form" not in html


def test_the_status_costs_one_get(owner, recap, transcribed, aws_calls):
    with aws_calls() as calls:
        assert owner.get(url(transcribed, "summaries/status/")).status_code == 200
    assert calls.operations() == [AUTH, "dynamodb.GetItem"]


def test_the_edit_form_costs(owner, recap, transcribed, aws_calls):
    with aws_calls() as calls:
        assert owner.get(url(transcribed, "summaries/recap/edit/")).status_code == 200
    assert calls.operations() == [AUTH]  # the session, campaign and summary come with the web session
    with aws_calls() as calls:
        assert edit(owner, transcribed, "By hand", version=recap.version).status_code == 302
    assert calls.operations() == [AUTH, "dynamodb.TransactWriteItems", "dynamodb.GetItem"]


# --- the whole flow ------------------------------------------------------------------------------
def test_the_session_page_offers_the_summarize_form(owner, transcribed):
    response = owner.get(url(transcribed))
    html = summary_section(response.content.decode())
    assert '<h2 id="summaries-title">Summaries</h2>' in html
    assert f'action="{url(transcribed, "summaries/")}"' in html and 'method="post"' in html
    assert "csrfmiddlewaretoken" in html
    for kind, label in KINDS.items():
        assert f'value="{kind}"' in html and label in html
    assert re.search(r'value="recap"[^>]*checked', html)
    assert not re.search(r'value="npcs"[^>]*checked', html)
    assert re.search(r'name="length" value="standard"[^>]*checked', html)
    assert '<button type="submit" class="button">Summarize</button>' in html
    assert "No summaries yet." in html
    assert status_line(html) is None  # no job yet
    assert 'http-equiv="refresh"' not in response.content.decode()


def test_summarize_every_kind_inline(owner, transcribed):
    response = summarize(owner, transcribed, kinds=list(KINDS), length="brief")
    assert response.status_code == 302
    assert response["Location"] == url(transcribed) + "#summaries"
    assert stored_kinds(owner, transcribed) == list(KINDS)

    page = owner.get(response["Location"])
    html = page.content.decode()
    # Issue 11: "Done." stayed above the summaries on every reload. Done, with nothing
    # more to say (some kinds may say they could not be written): no status line.
    line = status_line(html)
    assert line is None or line.startswith("Done. ") and "could not be written" in line
    assert "data-summary-status-url" not in html  # nothing to poll
    section = summary_section(html)
    for kind, label in KINDS.items():
        assert f'<h3 id="summary-{kind}-title">{label}</h3>' in section
        assert f'href="{url(transcribed, f"summaries/{kind}/edit/")}"' in section
    recap = stored_summary(owner, transcribed)
    assert recap.length == "brief" and recap.provider == "offline" and recap.tokens_estimated
    assert f'Brief · offline / <span class="summary-model">{recap.model}</span>' in section
    assert f"≈{recap.input_tokens:,} in / ≈{recap.output_tokens:,} out tokens" in section
    assert "estimated cost $0.00" in section  # the offline summarizer costs nothing
    assert "Edited by hand" not in section and "earlier transcript" not in section
    # The form is there again, to write more.
    assert "Write more summaries" in section and ">Summarize</button>" in section


def test_a_queued_job_shows_and_then_its_summaries(owner, transcribed, manual):
    response = summarize(owner, transcribed, kinds=["recap", "npcs"])
    assert response.status_code == 302
    page = owner.get(response["Location"]).content.decode()
    line = status_line(page)
    assert line.startswith("Queued…") and "Recap and NPCs" in line and "Refresh" in line
    assert f'data-summary-status-url="{url(transcribed, "summaries/status/")}"' in page
    # Without JavaScript the page refreshes itself, to a new URL each time (a URL that differs
    # only by its fragment would not reload), and offers a Refresh link there too.
    # A job just asked for: after 1 s (summary_views.refresh_seconds backs off from there).
    refresh = re.search(r'<noscript><meta http-equiv="refresh" content="1; url=([^"]+)"></noscript>', page)
    assert refresh and re.fullmatch(re.escape(url(transcribed)) + r"\?refreshed=\d+#summaries", refresh.group(1))
    # The script polls quickly first, then backs off to every 2 s.
    assert 'data-summary-poll-ms="500,750,1100,1700,2000"' in page
    assert f'href="{refresh.group(1)}">Refresh</a>' in page
    assert ">Summarize</button>" not in page  # one job at a time
    status = json.loads(owner.get(url(transcribed, "summaries/status/")).content)
    assert status == {"status": "queued", "label": line.removesuffix(" Refresh"), "active": True}

    job = run_job(owner, transcribed)
    assert job.effective_status == "done"
    assert json.loads(owner.get(url(transcribed, "summaries/status/")).content)["active"] is False
    page = owner.get(url(transcribed)).content.decode()
    assert status_line(page) is None  # done before the page showed: nothing to report (issue 11)
    assert "data-summary-status-url" not in page and 'http-equiv="refresh"' not in page
    assert stored_kinds(owner, transcribed) == ["recap", "npcs"]
    assert '<h3 id="summary-npcs-title">NPCs</h3>' in page


def test_a_running_job_reads_running(owner, transcribed, manual, monkeypatch):
    summarize(owner, transcribed, kinds=["recap", "npcs", "loot"])
    seen = []
    real = runners.summarize

    def watching(request):
        seen.append(json.loads(owner.get(url(transcribed, "summaries/status/")).content))
        return real(request)

    monkeypatch.setattr(runners, "summarize", watching)
    run_job(owner, transcribed)
    assert [answer["status"] for answer in seen] == ["running"] * 3
    assert seen[0]["label"] == "Running… writing Recap, NPCs and Loot and items."
    assert seen[1]["label"] == "Running… writing Recap, NPCs and Loot and items (1 of 3 done)."
    assert all(answer["active"] for answer in seen)


def test_asking_twice_starts_one_job(owner, transcribed, manual):
    summarize(owner, transcribed)
    first = stored_job(owner, transcribed)
    response = summarize(owner, transcribed, kinds=["npcs"])
    assert response.status_code == 302
    again = stored_job(owner, transcribed)
    assert (again.job_id, again.kinds) == (first.job_id, ["recap"])
    html = owner.get(response["Location"]).content.decode()
    # What was true when asked (the job may have ended by the time the page shows).
    assert "Summaries were already being written for this session when you asked, so nothing new was started." in html
    assert status_line(html).startswith("Queued…")


def test_without_a_transcript_the_page_says_so_and_nothing_starts(owner, session):
    response = summarize(owner, session)
    assert response.status_code == 302
    html = owner.get(response["Location"]).content.decode()
    assert "Upload a transcript first" in html
    assert stored_job(owner, session) is None
    assert ">Summarize</button>" not in html


def test_choosing_no_kind_is_refused_on_the_page(owner, transcribed, manual):
    response = post(owner, url(transcribed, "summaries/"), {"length": "standard"})
    assert response.status_code == 200
    html = summary_section(response.content.decode())
    assert "Choose at least one kind of summary." in html
    assert 'aria-invalid="true"' in html
    assert stored_job(owner, transcribed) is None
    # Issue 11: said only far down a long page. The top of the page says it too, and links
    # to the form (a refused POST's own answer has no #fragment to scroll there).
    top = response.content.decode().split('<main id="main"')[0]
    assert (
        '<p class="message message-error" role="alert">Choose at least one kind of summary. '
        '<a href="#summarize">Go to the form</a></p>'
    ) in top
    assert '<form id="summarize" class="summarize-form"' in html


def test_a_page_with_no_refused_form_has_no_notice(owner, transcribed):
    assert "Go to the form" not in owner.get(url(transcribed)).content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"kinds": ["recap", "spells"], "length": "standard"},
        {"kinds": ["recap"], "length": "epic"},
        {"kinds": ["recap"]},
    ],
)
def test_made_up_choices_are_refused(owner, transcribed, manual, data):
    response = post(owner, url(transcribed, "summaries/"), data)
    assert response.status_code == 200
    assert "form-errors" in response.content.decode() or "errorlist" in response.content.decode()
    assert stored_job(owner, transcribed) is None


# --- failures ------------------------------------------------------------------------------------
def test_a_failed_job_shows_its_reason_and_can_be_retried(owner, transcribed, monkeypatch):
    def broken(request):
        raise SummaryProviderError("The summary service is busy. Try again in a few minutes.", retryable=True)

    monkeypatch.setattr(runners, "summarize", broken)
    response = summarize(owner, transcribed)
    html = owner.get(response["Location"]).content.decode()
    assert status_line(html) == "Failed: The summary service is busy. Try again in a few minutes."
    assert "summary-status-failed" in html
    assert ">Summarize</button>" in html  # try again
    assert stored_kinds(owner, transcribed) == []

    monkeypatch.undo()
    response = summarize(owner, transcribed)
    assert status_line(owner.get(response["Location"]).content.decode()) is None  # the failure is over
    assert stored_kinds(owner, transcribed) == ["recap"]


def test_a_job_past_its_timeout_fails_and_can_be_retried(owner, transcribed, manual):
    summarize(owner, transcribed)
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=1), tick=True):
        html = owner.get(url(transcribed)).content.decode()
        assert status_line(html).startswith("Failed: It did not start within")
        assert "data-summary-status-url" not in html
        assert json.loads(owner.get(url(transcribed, "summaries/status/")).content)["status"] == "failed"
        assert ">Summarize</button>" in html
        assert summarize(owner, transcribed).status_code == 302
        assert stored_job(owner, transcribed).status == "queued"  # a new job took its place


@pytest.mark.parametrize(
    "data",
    [
        b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v SPEAKER_00>Hi.</v>\n",  # very short
        # No speakers, not English:
        "WEBVTT\n\n00:00:01.000 --> 00:00:09.000\nDer Drache schläft. Wir gehen leise in die Höhle und suchen "
        "das Gold.\n\n00:00:10.000 --> 00:00:15.000\nとても静かなダンジョンです。\n".encode(),
        sample_bytes("srt", hours=0.05, speakers=("Mira (GM)",)),  # one speaker
    ],
    ids=["very-short", "no-speakers-not-english", "one-speaker"],
)
def test_odd_transcripts_give_a_result_or_a_clear_reason(owner, session, data):
    store_transcript(
        sub=owner.sub, campaign_id=session.campaign_id, session_id=session.session_id, data=data, filename="odd"
    )
    response = summarize(owner, session, kinds=list(KINDS))
    assert response.status_code == 302
    page = owner.get(response["Location"])
    assert page.status_code == 200
    line = status_line(page.content.decode())
    assert line is None or line.startswith(("Done. ", "Failed: "))
    assert "Something went wrong" not in (line or "")  # a reason, not a crash


def test_a_kind_that_cannot_be_made_is_named_with_its_reason(owner, transcribed, monkeypatch):
    real = runners.summarize

    def no_npcs(request):
        if request.kind == "npcs":
            raise SummaryInputError("Nobody in this transcript is named")
        return real(request)

    monkeypatch.setattr(runners, "summarize", no_npcs)
    response = summarize(owner, transcribed, kinds=["recap", "npcs"])
    line = status_line(owner.get(response["Location"]).content.decode())
    assert line == "Done. NPCs could not be written. Nobody in this transcript is named."
    assert stored_kinds(owner, transcribed) == ["recap"]


# --- hand edits ------------------------------------------------------------------------------------
def test_a_hand_edit_made_while_the_job_runs_is_kept(owner, recap, transcribed, manual):
    summarize(owner, transcribed, kinds=["recap", "loot"])
    edit(owner, transcribed, "Written while the job waited", version=recap.version)
    run_job(owner, transcribed)
    html = owner.get(url(transcribed)).content.decode()
    assert status_line(html) == "Done. Your hand edits of Recap were kept."
    assert stored_summary(owner, transcribed).text == "Written while the job waited"
    assert stored_kinds(owner, transcribed) == ["recap", "loot"]


def test_edit_a_summary_by_hand(owner, recap, transcribed):
    form_page = owner.get(url(transcribed, "summaries/recap/edit/"))
    html = form_page.content.decode()
    assert '<h1 id="page-title">Edit summary: Recap (previously on…)</h1>' in html
    assert '<label for="id_text">Text:</label>' in html
    assert f'name="version" value="{recap.version}"' in html
    assert '<button type="submit" class="button">Save summary</button>' in html
    assert form_page.context["form"].initial["text"] == recap.text

    typed = "  The party met Strahd.\r\n\r\n- A silver ring\r\n- 37 gold  \n"
    response = edit(owner, transcribed, typed, version=recap.version)
    assert response.status_code == 302
    assert response["Location"] == url(transcribed) + "#summary-recap"
    saved = stored_summary(owner, transcribed)
    assert saved.text == "The party met Strahd.\n\n- A silver ring\n- 37 gold"
    assert saved.edited and saved.version == recap.version + 1
    html = owner.get(response["Location"]).content.decode()
    assert "Summary saved." in html
    section = summary_section(html)
    assert '<span class="badge">Edited by hand</span>' in section
    assert "<p>The party met Strahd.</p>" in section
    assert "<ul><li>A silver ring</li><li>37 gold</li></ul>" in section


@pytest.mark.parametrize(
    ("text", "error"),
    [("", "A summary cannot be empty"), ("   \n  ", "A summary cannot be empty"), ("x" * 20_001, "20,000")],
)
def test_an_edit_must_fit(owner, recap, transcribed, text, error):
    response = edit(owner, transcribed, text, version=recap.version)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert stored_summary(owner, transcribed).text == recap.text


def test_a_refused_edit_of_a_summary_that_is_not_there_is_404(owner, recap, transcribed):
    # It rendered the edit page (200) for a kind this session has no summary of.
    response = edit(owner, transcribed, "", version=recap.version, kind="npcs")
    assert response.status_code == 404


def test_regenerating_asks_before_replacing_a_hand_edit(owner, recap, transcribed):
    edit(owner, transcribed, "My own recap", version=recap.version)
    response = summarize(owner, transcribed, kinds=["recap", "npcs"], length="detailed")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 id="page-title">Replace your edits?</h1>' in html
    assert "Recap (previously on…)" in html and "NPCs</a>" not in html
    assert ">Replace my edits</button>" in html and ">Keep my edits, write NPCs</button>" in html
    assert f'href="{url(transcribed)}#summaries">Cancel</a>' in html
    # Nothing was started, nothing replaced.
    assert stored_summary(owner, transcribed).text == "My own recap"
    assert stored_job(owner, transcribed).kinds == ["recap"]

    # The confirmation re-posts the same request with replace_edits.
    forms = re.findall(r'<form method="post" action="([^"]+)">(.*?)</form>', html, re.S)
    replace = [fields for action, fields in forms if "Replace my edits" in fields][0]
    assert re.findall(r'name="kinds" value="(\w+)"', replace) == ["recap", "npcs"]
    assert 'name="length" value="detailed"' in replace and 'name="replace_edits" value="1"' in replace
    response = summarize(owner, transcribed, kinds=["recap", "npcs"], length="detailed", replace_edits="1")
    assert response.status_code == 302
    replaced = stored_summary(owner, transcribed)
    assert replaced.text != "My own recap" and not replaced.edited and replaced.length == "detailed"
    assert stored_kinds(owner, transcribed) == ["recap", "npcs"]


def test_keep_my_edits_writes_only_the_others(owner, recap, transcribed):
    edit(owner, transcribed, "My own recap", version=recap.version)
    html = summarize(owner, transcribed, kinds=["recap", "loot"]).content.decode()
    forms = re.findall(r'<form method="post" action="([^"]+)">(.*?)</form>', html, re.S)
    keep = [fields for action, fields in forms if "Keep my edits" in fields][0]
    assert re.findall(r'name="kinds" value="(\w+)"', keep) == ["loot"] and "replace_edits" not in keep
    assert summarize(owner, transcribed, kinds=["loot"]).status_code == 302
    assert stored_summary(owner, transcribed).text == "My own recap"
    assert stored_kinds(owner, transcribed) == ["recap", "loot"]


def test_a_stale_edit_shows_what_differs_and_saves_on_purpose(owner, recap, transcribed):
    form = owner.get(url(transcribed, "summaries/recap/edit/")).context["form"]
    # Meanwhile, in another tab:
    summaries.edit_summary(
        sub=owner.sub,
        campaign_id=transcribed.campaign_id,
        session_id=transcribed.session_id,
        kind="recap",
        expected_version=recap.version,
        text="The other tab's recap",
    )
    response = edit(owner, transcribed, "Mine", version=form.initial["version"])
    assert response.status_code == 200
    html = response.content.decode()
    assert "This summary was saved by someone else while you were editing it" in html
    assert "The other tab&#x27;s recap" in html and "Mine" in html
    assert response.context["form"].data["version"] == str(recap.version + 1)
    assert stored_summary(owner, transcribed).text == "The other tab's recap"
    # Save again, on purpose.
    assert edit(owner, transcribed, "Mine", version=recap.version + 1).status_code == 302
    assert stored_summary(owner, transcribed).text == "Mine"


def test_a_summary_from_an_earlier_transcript_says_so(owner, recap, transcribed):
    store_transcript(
        sub=owner.sub,
        campaign_id=transcribed.campaign_id,
        session_id=transcribed.session_id,
        data=sample_bytes("vtt", hours=0.05, seed=7),
        filename="replaced.vtt",
    )
    html = summary_section(owner.get(url(transcribed)).content.decode())
    assert "Made from an earlier transcript" in html


# --- escaping ------------------------------------------------------------------------------------
def test_summary_text_is_escaped(owner, recap, transcribed):
    nasty = '<script>alert("loot")</script>\n- <img src=x onerror=alert(1)>\n- Fine & dandy'
    edit(owner, transcribed, nasty, version=recap.version)
    html = owner.get(url(transcribed)).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;loot&quot;)&lt;/script&gt;" in html
    assert "<li>&lt;img src=x onerror=alert(1)&gt;</li><li>Fine &amp; dandy</li>" in html
    form = owner.get(url(transcribed, "summaries/recap/edit/")).content.decode()
    assert "<script>alert" not in form and "&lt;script&gt;" in form


# --- the parts -------------------------------------------------------------------------------------
def test_text_blocks():
    assert text_blocks("") == []
    assert text_blocks("One\nTwo\n\n- a\n- b\n  wrapped\nAfter\n\n* c") == [
        ("p", "One\nTwo"),
        ("ul", ["a", "b wrapped"]),
        ("p", "After"),
        ("ul", ["c"]),
    ]
    assert text_blocks("-no space is text\n- item") == [("p", "-no space is text"), ("ul", ["item"])]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, ""),
        ("0", "$0.00"),
        ("0.000123", "$0.000123"),
        ("0.0000001", "under $0.000001"),
        ("0.0123", "$0.01"),
        ("1.5", "$1.50"),
    ],
)
def test_format_cost(value, shown):
    assert format_cost(value) == shown


def test_the_campaign_speaker_names_reach_the_summaries(owner, transcribed):
    from sessions.transcripts.repository import save_speaker_names

    save_speaker_names(
        sub=owner.sub,
        campaign_id=transcribed.campaign_id,
        expected_version=0,
        names={"SPEAKER_01": {"player": "Ana", "character": "Mira"}},
        current=None,
    )
    summarize(owner, transcribed, kinds=["npcs", "recap", "key_events"], length="detailed")
    texts = " ".join(
        summary.text
        for summary in summaries.list_summaries_for_session(
            sub=owner.sub, campaign_id=transcribed.campaign_id, session_id=transcribed.session_id
        )
    )
    assert "SPEAKER_01" not in texts and "Mira" in texts


def test_a_new_session_page_is_unchanged_without_summaries(owner, campaign):
    fresh = create_session(sub=owner.sub, campaign_id=campaign.campaign_id, title="Fresh")
    html = owner.get(url(fresh)).content.decode()
    assert "Upload a transcript first" in html
    stored = get_session(sub=owner.sub, campaign_id=campaign.campaign_id, session_id=fresh.session_id)
    assert stored.children_version == 0  # why the page made no Query for summaries


# --- summaries written with other speaker names --------------------------------------------------
def name_speakers(owner, session, names):
    """Save the campaign's speaker names ({label: (player, character)}) over whatever is stored."""
    from sessions.transcripts.items import stored_version
    from sessions.transcripts.repository import get_speaker_names, save_speaker_names

    current = get_speaker_names(sub=owner.sub, campaign_id=session.campaign_id)
    save_speaker_names(
        sub=owner.sub,
        campaign_id=session.campaign_id,
        expected_version=stored_version(current),
        current=current,
        names={label: {"player": player, "character": character} for label, (player, character) in names.items()},
    )


def names_notes(html):
    """{kind: the speaker-names note of its summary} on the session page."""
    notes = {}
    for kind, article in re.findall(r'<article class="summary" id="summary-(\w+)"(.*?)</article>', html, re.S):
        match = re.search(r'<div class="summary-note summary-names-note">(.*?)</div>', article, re.S)
        if match:
            notes[kind] = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()
    return notes


def test_a_summary_written_before_the_speakers_were_named_says_so_and_offers_to_write_it_again(
    owner, transcribed, aws_calls
):
    summarize(owner, transcribed, kinds=["recap", "npcs"])
    assert "SPEAKER_01" in stored_summary(owner, transcribed).text  # the raw labels, as the issue saw
    assert names_notes(owner.get(url(transcribed)).content.decode()) == {}

    name_speakers(owner, transcribed, {"SPEAKER_01": ("Ana", "Mira")})
    with aws_calls() as calls:
        html = owner.get(url(transcribed)).content.decode()
    assert calls.operations() == [AUTH]  # nothing more to know it
    notes = names_notes(html)
    assert set(notes) == {"recap", "npcs"}
    assert notes["recap"].startswith(
        "Speaker names Written before you named the speakers: it calls the speakers by the recording’s labels."
    )
    assert "Write it again with today’s names" in notes["recap"]
    form = re.search(r'id="summary-recap".*?<form method="post" action="([^"]+)">(.*?)</form>', html, re.S)
    assert form.group(1) == url(transcribed, "summaries/")
    assert 'name="kinds" value="recap"' in form.group(2) and 'name="length" value="standard"' in form.group(2)

    assert summarize(owner, transcribed, kinds=["recap"]).status_code == 302  # what the button posts
    rewritten = stored_summary(owner, transcribed)
    assert "SPEAKER_01" not in rewritten.text and "Mira" in rewritten.text
    assert set(names_notes(owner.get(url(transcribed)).content.decode())) == {"npcs"}


def test_a_summary_written_with_other_names_says_the_names_changed(owner, transcribed):
    name_speakers(owner, transcribed, {"SPEAKER_01": ("Ana", "Mira")})
    summarize(owner, transcribed)
    assert names_notes(owner.get(url(transcribed)).content.decode()) == {}

    name_speakers(owner, transcribed, {"SPEAKER_01": ("Ana", "Mirabel")})
    notes = names_notes(owner.get(url(transcribed)).content.decode())
    assert notes["recap"].startswith(
        "Speaker names Written before the speaker names changed: it may use the old names."
    )

    name_speakers(owner, transcribed, {"SPEAKER_01": ("Ana", "Mira")})  # back as it was written
    assert names_notes(owner.get(url(transcribed)).content.decode()) == {}


def test_names_given_to_speakers_of_another_session_change_nothing(owner, transcribed):
    summarize(owner, transcribed)
    name_speakers(owner, transcribed, {"Someone#1234": ("Cy", "Thorin")})  # not a label of this transcript

    assert names_notes(owner.get(url(transcribed)).content.decode()) == {}


def overwrite(summary, **fields):
    """The stored summary changed behind the app's back (an old or imported item)."""
    for name, value in fields.items():
        setattr(summary, name, value)
    summary.save()


def test_an_old_summary_without_recorded_names_is_judged_by_its_text(owner, transcribed):
    summarize(owner, transcribed, kinds=["recap", "npcs"])
    overwrite(stored_summary(owner, transcribed), speaker_names_sha=None)  # still "SPEAKER_01: …"
    overwrite(stored_summary(owner, transcribed, "npcs"), speaker_names_sha=None, text="- Lord Varis, the host.")
    assert names_notes(owner.get(url(transcribed)).content.decode()) == {}  # nobody named yet

    name_speakers(owner, transcribed, {"SPEAKER_01": ("Ana", "Mira")})

    notes = names_notes(owner.get(url(transcribed)).content.decode())
    assert set(notes) == {"recap"}  # the NPCs never name a speaker: nothing to say
    assert notes["recap"].startswith("Speaker names Written before you named the speakers:")


def test_a_hand_edit_is_flagged_only_while_it_shows_a_raw_label_and_rewriting_asks_first(owner, transcribed):
    recap = (summarize(owner, transcribed), stored_summary(owner, transcribed))[1]
    name_speakers(owner, transcribed, {"SPEAKER_01": ("Ana", "Mira")})
    assert edit(owner, transcribed, "Mira found the map.", version=recap.version).status_code == 302
    assert names_notes(owner.get(url(transcribed)).content.decode()) == {}  # the edit put the name in

    edited = stored_summary(owner, transcribed)
    assert edit(owner, transcribed, "SPEAKER_01 found the map.", version=edited.version).status_code == 302
    notes = names_notes(owner.get(url(transcribed)).content.decode())
    assert "Writing it again replaces your edit (you will be asked first)." in notes["recap"]

    response = summarize(owner, transcribed, kinds=["recap"])  # the note's button
    assert response.status_code == 200 and "Replace your edits?" in response.content.decode()
    assert stored_summary(owner, transcribed).text == "SPEAKER_01 found the map."


def test_no_note_while_a_job_writes_nor_once_the_transcript_changed(owner, transcribed, manual):
    summarize(owner, transcribed)
    run_job(owner, transcribed)
    name_speakers(owner, transcribed, {"SPEAKER_01": ("Ana", "Mira")})
    summarize(owner, transcribed, kinds=["npcs"])  # queued, not run
    html = owner.get(url(transcribed)).content.decode()
    assert "Written before you named the speakers" in names_notes(html)["recap"]
    assert "Write it again with today’s names" not in names_notes(html)["recap"]  # one job at a time
    run_job(owner, transcribed)

    store_transcript(
        sub=owner.sub,
        campaign_id=transcribed.campaign_id,
        session_id=transcribed.session_id,
        data=sample_bytes("vtt", hours=0.1, seed=3),
        filename="other.vtt",
    )
    html = owner.get(url(transcribed)).content.decode()
    assert "Made from an earlier transcript" in html
    assert "recap" not in names_notes(html)  # that badge says it already


# --- how soon the page asks again ----------------------------------------------------------------
def test_the_poll_schedule_starts_fast_and_backs_off_to_two_seconds():
    from sessions.summaries.presentation import POLL_DELAYS_MS, poll_delays_attribute

    assert POLL_DELAYS_MS[0] == 500 and POLL_DELAYS_MS[-1] == 2000
    assert list(POLL_DELAYS_MS) == sorted(POLL_DELAYS_MS)
    assert poll_delays_attribute() == "500,750,1100,1700,2000"


@pytest.mark.parametrize("age, delay", [(0, 1), (4.9, 1), (5, 2), (19, 2), (20, 3), (59, 3), (60, 5), (600, 5)])
def test_without_javascript_the_page_reloads_sooner_while_the_job_is_young(age, delay):
    from types import SimpleNamespace

    from sessions.summaries.presentation import refresh_seconds

    asked = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
    job = SimpleNamespace(requested=asked, started=None)
    assert refresh_seconds(job, now=asked + timedelta(seconds=age)) == delay


def test_the_script_reads_its_schedule_from_the_status_line():
    from pathlib import Path

    script = (Path(__file__).resolve().parent.parent / "static" / "js" / "site.js").read_text()
    assert 'getAttribute("data-summary-poll-ms")' in script
    assert "FAST = 2000" not in script  # the old fixed 2 s


# --- finding one's way among several summaries ----------------------------------------------------
def test_several_summaries_have_a_jump_list_of_plain_anchors(owner, transcribed):
    summarize(owner, transcribed, kinds=list(KINDS))
    html = summary_section(owner.get(url(transcribed)).content.decode())

    jump = re.search(r'<nav class="summary-jump" aria-label="Jump to a summary">(.*?)</nav>', html, re.S)
    assert jump, "no jump list"
    targets = re.findall(r'<a href="#([\w-]+)">([^<]+)</a>', jump.group(1))
    assert targets == [(f"summary-{kind}", label) for kind, label in KINDS.items()] + [
        ("summarize-title", "Write more…")
    ]
    for target, _ in targets:
        assert f'id="{target}"' in html  # every anchor lands somewhere
    assert html.count('<a href="#summaries">Back to the list of summaries</a>') == len(KINDS)
    assert "<script" not in html and "style=" not in html  # the CSP allows neither inline


def test_one_summary_needs_no_jump_list(owner, transcribed):
    summarize(owner, transcribed, kinds=["recap"])
    html = summary_section(owner.get(url(transcribed)).content.decode())
    assert "summary-jump" not in html and "Back to the list of summaries" not in html
