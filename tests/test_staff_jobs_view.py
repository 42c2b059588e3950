"""/staff/jobs/ and /staff/jobs/retry/: summary jobs across users for staff only, from the
job registry (one Query, no Scan); a failed job listed with its reason, retried as its
owner after a confirm page; metadata only, never a user's text."""

import pytest
from django.test import Client

from campaigns_site import audit
from sessions.summaries import registry, runners
from sessions.summaries.items import DONE
from sessions.summaries.jobs import start_summary_job
from sessions.summaries.repository import edit_summary, list_summaries_for_session
from sessions.summaries.summarizers.base import SummaryProviderError
from tests.transcript_samples import sample_bytes
from tests.web_clients import csrf_token, post, signed_in

PAGE = "/staff/jobs/"
RETRY = "/staff/jobs/retry/"
OWNER = "owner-sub-1"
SECRET = "Zanzibarquux"  # planted in the user's text: never on a staff page
BUSY = "Amazon Bedrock is busy. Try again in a few minutes."
AUTH = "dynamodb.BatchGetItem"  # the web session and the profile, as every signed-in page


@pytest.fixture
def failed_job(make_campaign, make_session, monkeypatch):
    """A job of another user, failed by the provider; its session's title, notes, transcript
    and summary hold SECRET."""
    campaign = make_campaign(sub=OWNER, name=f"Campaign {SECRET}")
    transcript = sample_bytes("vtt", hours=0.05).replace(b"the", f"the {SECRET}".encode())
    session = make_session(
        sub=OWNER, campaign=campaign, title=f"Title {SECRET}", notes=f"Notes {SECRET}", transcript=transcript
    )
    ids = {"sub": OWNER, "campaign_id": campaign.campaign_id, "session_id": session.session_id}
    start_summary_job(**ids, kinds=["recap"])

    def busy(request, **kwargs):
        raise SummaryProviderError(BUSY, retryable=True)

    real = runners.summarize
    monkeypatch.setattr(runners, "summarize", busy)
    start_summary_job(**ids, kinds=["recap", "loot"])
    monkeypatch.setattr(runners, "summarize", real)
    (recap,) = list_summaries_for_session(**ids)
    edit_summary(**ids, kind="recap", expected_version=recap.version, text=f"Summary {SECRET}")
    return registry.get_entry(sub=OWNER, campaign_id=campaign.campaign_id, session_id=session.session_id)


def retry_query(entry):
    return {"owner": entry.owner_sub, "campaign": entry.campaign_id, "session": entry.session_id, "job": entry.job_id}


def test_anonymous_is_sent_to_log_in(aws, db):
    for path in (PAGE, RETRY):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={path}"
    posted = Client().post(RETRY, {})
    assert posted.status_code == 302 and posted["Location"].startswith("/accounts/login/")


def test_a_signed_in_user_who_is_not_staff_gets_our_403(player, staff):
    client = signed_in("bo@example.com")
    for path in (PAGE, RETRY):
        response = client.get(path)
        assert response.status_code == 403
        assert response.templates[0].name == "403.html"
    assert post(client, RETRY, {"owner": "x", "campaign": "y", "session": "z", "job": "j"}).status_code == 403


def test_staff_see_the_failed_job_with_its_reason_in_one_query_and_no_user_text(staff, failed_job, aws_calls):
    client = signed_in("ada@example.com")
    client.get("/")  # the login message is shown once
    with aws_calls() as calls:
        response = client.get(PAGE)
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["staff/jobs.html", "base.html"]
    assert calls.operations() == [AUTH, "dynamodb.Query"]
    assert calls.count("dynamodb", "Scan") == 0
    html = response.content.decode()
    assert failed_job.job_id in html and OWNER in html and failed_job.session_id in html
    assert BUSY in html and '<span class="badge badge-warning">failed</span>' in html
    assert "Retry…" in html
    assert SECRET not in html
    assert response["Cache-Control"].startswith("max-age=0")

    assert SECRET not in client.get(PAGE, {"show": "failed"}).content.decode()
    assert failed_job.job_id in client.get(PAGE, {"show": "failed"}).content.decode()
    assert failed_job.job_id not in client.get(PAGE, {"show": "active"}).content.decode()


def test_a_forged_cursor_starts_over(staff, aws):
    response = signed_in("ada@example.com").get(PAGE, {"cursor": "forged"})
    assert response.status_code == 400


def test_the_retry_asks_to_confirm_then_starts_it_as_its_owner(staff, failed_job, aws_calls):
    client = signed_in("ada@example.com")
    with aws_calls() as calls:
        confirm = client.get(RETRY, retry_query(failed_job))
    assert confirm.status_code == 200
    assert calls.operations() == [AUTH, "dynamodb.GetItem"]
    html = confirm.content.decode()
    assert "Retry this failed job?" in html and BUSY in html and SECRET not in html
    assert registry.get_entry(
        sub=OWNER, campaign_id=failed_job.campaign_id, session_id=failed_job.session_id
    ).job_id == (failed_job.job_id)  # asking started nothing

    data = {**retry_query(failed_job), "csrfmiddlewaretoken": csrf_token(html)}
    response = client.post(RETRY, data)
    assert response.status_code == 302 and response["Location"] == PAGE
    entry = registry.get_entry(sub=OWNER, campaign_id=failed_job.campaign_id, session_id=failed_job.session_id)
    assert (entry.retried, entry.retry_of, entry.status) == (1, failed_job.job_id, DONE)
    (recorded,) = audit.list_actions().items  # who retried what, in the audit log
    assert (recorded.by, recorded.action, recorded.target_sub) == ("ada@example.com", "retry-job", OWNER)
    assert recorded.detail == f"job {failed_job.job_id} started again as {entry.job_id}"
    assert entry.kinds == ["loot"]  # the recap was edited by hand since: kept, left out
    recap = next(
        s
        for s in list_summaries_for_session(sub=OWNER, campaign_id=entry.campaign_id, session_id=entry.session_id)
        if s.kind == "recap"
    )
    assert recap.text == f"Summary {SECRET}"
    listed = client.get(PAGE, {"show": "retried"}).content.decode()
    assert "Started again as its owner" in listed and entry.job_id in listed and "1×" in listed
    assert SECRET not in listed

    again = client.post(RETRY, data)  # the same (stale) confirm page, posted twice
    assert again.status_code == 302
    assert "A newer job has been started there since" in client.get(PAGE).content.decode()


def test_the_retry_needs_csrf_and_ids(staff, failed_job):
    client = signed_in("ada@example.com", enforce_csrf_checks=True)
    assert client.post(RETRY, retry_query(failed_job)).status_code == 403
    assert client.get(RETRY, {**retry_query(failed_job), "owner": "a#b"}).status_code == 404
    assert client.get(RETRY, {**retry_query(failed_job), "job": "not-a-job"}).status_code == 404
    entry = registry.get_entry(sub=OWNER, campaign_id=failed_job.campaign_id, session_id=failed_job.session_id)
    assert entry.retried == 0
