"""The summary job registry (sessions/summaries/registry.py): one entry per job place across
users, written in the transactions that start a job, claim it and end it; a staff retry
(staff/jobs.py) starts the same kinds as the owner and counts as a retry; deletes, moves,
a campaign's cascade and an account's deletion take the entry with the job."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.utils import timezone

from accounts.deletion import delete_account
from campaigns.repository import create_campaign
from campaigns_site.table_keys import JOBS_PK, job_registry_sk
from sessions.core.campaign_deletion import delete_campaign
from sessions.core.kinds import KINDS
from sessions.core.repository import delete_session, move_session
from sessions.summaries import registry, runners
from sessions.summaries.items import DONE, FAILED, QUEUED, RUNNING
from sessions.summaries.jobs import start_story_job, start_summary_job
from sessions.summaries.registry import JobRegistryEntry, list_jobs
from sessions.summaries.repository import edit_summary, get_summary_job, list_summaries_for_session
from sessions.summaries.runners import run_summary_job
from sessions.summaries.summarizers.base import SummaryProviderError
from staff import jobs as staff_jobs
from tests.transcript_samples import sample_bytes

SUB = "user-1"
BUSY = "Amazon Bedrock is busy. Try again in a few minutes."

pytestmark = [
    pytest.mark.campaign(sub=SUB, name="Dragon Heist"),
    pytest.mark.session(title="The Yawning Portal", transcript=sample_bytes("vtt", hours=0.1), filename="x.vtt"),
]


def start(session, kinds=("recap",), **options):
    return start_summary_job(
        sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id, kinds=list(kinds), **options
    )


def entry_of(session, sub=SUB):
    return registry.get_entry(sub=sub, campaign_id=session.campaign_id, session_id=session.session_id)


def stored_entry(session, sub=SUB):
    """The entry as stored, expired or not (None when deleted)."""
    sk = job_registry_sk(sub=sub, campaign_id=session.campaign_id, session_id=session.session_id)
    try:
        return JobRegistryEntry.get(JOBS_PK, sk, consistent_read=True)
    except JobRegistryEntry.DoesNotExist:
        return None


@pytest.fixture
def failing(monkeypatch):
    """The summarizer fails for `kinds` (all kinds when empty) with the provider's words."""

    def install(*kinds):
        real = runners.summarize

        def summarize(request, **kwargs):
            if not kinds or request.kind in kinds:
                raise SummaryProviderError(BUSY, retryable=True)
            return real(request, **kwargs)

        monkeypatch.setattr(runners, "summarize", summarize)
        return lambda: monkeypatch.setattr(runners, "summarize", real)

    return install


def retry(entry):
    return staff_jobs.retry_failed_job(
        sub=entry.owner_sub, campaign_id=entry.campaign_id, session_id=entry.session_id, job_id=entry.job_id
    )


# --- written with each step ----------------------------------------------------------------------
def test_a_started_job_is_in_the_registry_queued_with_its_ids_and_times(session, manual, aws_calls):
    with aws_calls() as calls:
        job = start(session, kinds=["loot", "recap"], length="brief")
    assert calls.operations() == ["dynamodb.BatchGetItem", "dynamodb.TransactWriteItems"]  # as before
    entry = entry_of(session)
    assert (entry.owner_sub, entry.campaign_id, entry.session_id, entry.job_id) == (
        SUB,
        session.campaign_id,
        session.session_id,
        job.job_id,
    )
    assert (entry.status, entry.kinds, entry.length, entry.replace_edits) == (QUEUED, ["recap", "loot"], "brief", False)
    assert (entry.requested, entry.deadline, entry.ttl) == (job.requested, job.deadline, job.ttl)
    assert (entry.attempts, entry.retried, entry.retry_of, entry.reason) == (0, 0, None, None)
    assert entry.lsi1sk.startswith("JOB#") and entry.lsi1sk.endswith(job.job_id)


def test_claim_and_end_move_the_entry_to_running_then_done(session, manual, monkeypatch):
    job = start(session)
    seen = []
    real_summarize = runners.summarize

    def summarize(request, **kwargs):
        seen.append(entry_of(session).status)
        return real_summarize(request, **kwargs)

    monkeypatch.setattr(runners, "summarize", summarize)
    run_summary_job(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id, job_id=job.job_id)
    assert seen == [RUNNING]
    entry, stored_job = (
        entry_of(session),
        get_summary_job(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id),
    )
    assert (entry.status, entry.attempts, entry.reason) == (DONE, 1, None)
    assert (entry.started, entry.finished, entry.ttl) == (stored_job.started, stored_job.finished, stored_job.ttl)
    assert timedelta(days=6) < entry.ttl - entry.finished <= timedelta(days=7)


def test_a_failed_job_keeps_its_reason_short_and_never_a_summary_text(session, failing):
    failing()
    start(session)
    entry = entry_of(session)
    assert (entry.status, entry.effective_status, entry.reason, entry.failure_reason) == (FAILED, FAILED, BUSY, BUSY)
    assert registry.short_reason("word " * 100).endswith("…") and len(registry.short_reason("word " * 100)) == 200


def test_a_job_past_its_deadline_reads_failed(session, manual):
    start(session)
    with time_machine.travel(timezone.now() + timedelta(seconds=django_settings.SUMMARY_JOB_TIMEOUT_SECONDS + 1)):
        entry = entry_of(session)
        assert (entry.status, entry.effective_status) == (QUEUED, FAILED)
        assert entry.failure_reason == "It did not start in time."
        assert [e.job_id for e in list_jobs(shown="failed").items] == [entry.job_id]
        assert list_jobs(shown="active").items == []


def test_a_finished_entry_expires_with_its_job(session):
    start(session)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert entry_of(session) is None
        assert list_jobs().items == []


def test_a_story_job_has_its_entry_too(campaign, session):
    start(session)
    job = start_story_job(sub=SUB, campaign_id=campaign.campaign_id)
    entry = registry.get_entry(sub=SUB, campaign_id=campaign.campaign_id)
    assert (entry.job_id, entry.is_story, entry.session_id, entry.kinds, entry.status) == (
        job.job_id,
        True,
        None,
        ["story_so_far"],
        DONE,
    )


# --- the list ---------------------------------------------------------------------------------------
def test_the_list_is_newest_first_by_one_query_and_filters_by_state(
    campaign, session, make_session, failing, aws_calls
):
    first = start(session)
    other = make_session(sub=SUB, campaign=campaign, title="Second", transcript=sample_bytes("vtt", hours=0.1))
    failing()
    second = start(other)
    with aws_calls() as calls:
        page = list_jobs()
    assert calls.operations() == ["dynamodb.Query"]
    assert [entry.job_id for entry in page.items] == [second.job_id, first.job_id]
    assert [entry.job_id for entry in list_jobs(shown="failed").items] == [second.job_id]
    assert list_jobs(shown="retried").items == []
    assert list_jobs(shown="active").items == []


def test_pages_go_on_with_a_signed_cursor(campaign, session, make_session):
    sessions = [session] + [
        make_session(sub=SUB, campaign=campaign, title=f"S{n}", transcript=sample_bytes("vtt", hours=0.05))
        for n in range(2)
    ]
    started = [start(each).job_id for each in sessions]
    page = list_jobs(limit=2)
    assert [entry.job_id for entry in page.items] == started[::-1][:2]
    rest = list_jobs(limit=2, cursor=page.next_cursor)
    assert [entry.job_id for entry in rest.items] == [started[0]]


# --- a retry -------------------------------------------------------------------------------------------
def test_a_failed_job_is_retried_as_its_owner_and_counted(session, failing):
    healthy = failing()
    start(session, kinds=["recap", "loot"])
    failed = entry_of(session)
    healthy()

    done = retry(failed)
    entry = entry_of(session)
    assert (entry.job_id, entry.retried, entry.retry_of, entry.kinds) == (
        done.job.job_id,
        1,
        failed.job_id,
        ["recap", "loot"],
    )
    assert entry.status == DONE and done.retried == 1 and done.kept == []
    assert [e.job_id for e in list_jobs(shown="retried").items] == [entry.job_id]
    with pytest.raises(staff_jobs.RetryRefused, match="newer job"):
        retry(failed)  # the same failed job again: it is not the place's job any more


def test_a_retry_keeps_hand_edits_unless_the_job_replaced_them(session, failing):
    healthy = failing("loot")
    start(session, kinds=["recap", "loot"])  # the recap is made, then the provider fails
    failed = entry_of(session)
    assert failed.status == FAILED
    recap = next(
        s for s in list_summaries_for_session(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id)
    )
    edit_summary(
        sub=SUB,
        campaign_id=session.campaign_id,
        session_id=session.session_id,
        kind="recap",
        expected_version=recap.version,
        text="My own words",
    )
    healthy()
    done = retry(failed)
    assert done.kept == [KINDS["recap"]] and done.job.kinds == ["loot"]
    summaries = {
        s.kind: s
        for s in list_summaries_for_session(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id)
    }
    assert summaries["recap"].text == "My own words" and "loot" in summaries


def test_only_a_failed_job_is_retried(session, manual):
    start(session)
    with pytest.raises(staff_jobs.RetryRefused, match="queued, not failed"):
        retry(entry_of(session))


def test_a_retry_of_a_deleted_session_starts_nothing(session, failing):
    failing()
    start(session)
    failed = entry_of(session)
    delete_session(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id)
    with pytest.raises(staff_jobs.RetryRefused, match="not in the registry"):
        retry(failed)


# --- deletes and moves take the entry with the job -------------------------------------------------
def test_a_session_delete_takes_its_entry(session):
    start(session)
    delete_session(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id)
    assert stored_entry(session) is None


def test_a_move_takes_its_entry(session):
    start(session)
    other = create_campaign(sub=SUB, name="Elsewhere")
    move_session(
        sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id, to_campaign_id=other.campaign_id
    )
    assert stored_entry(session) is None
    assert list_jobs().items == []


def test_a_campaign_cascade_takes_its_sessions_and_story_entries(campaign, session):
    start(session)
    start_story_job(sub=SUB, campaign_id=campaign.campaign_id)
    assert len(list_jobs().items) == 2
    delete_campaign(sub=SUB, campaign_id=campaign.campaign_id)
    assert stored_entry(session) is None
    assert registry.get_entry(sub=SUB, campaign_id=campaign.campaign_id) is None
    assert list_jobs().items == []


def test_an_account_deletion_takes_its_entries(make_user, make_campaign, make_session):
    sub = make_user("gone@example.com")
    campaign = make_campaign(sub=sub)
    session = make_session(sub=sub, campaign=campaign, transcript=sample_bytes("vtt", hours=0.05))
    start_summary_job(sub=sub, campaign_id=campaign.campaign_id, session_id=session.session_id, kinds=["recap"])
    start_story_job(sub=sub, campaign_id=campaign.campaign_id)
    assert len(list_jobs().items) == 2
    delete_account(sub=sub)
    assert stored_entry(session, sub=sub) is None
    assert list_jobs().items == []


def test_a_page_of_one_state_is_one_query_even_when_the_state_is_sparse(
    campaign, session, make_session, failing, monkeypatch, aws_calls
):
    healthy = failing()
    failed = start(session)  # the oldest
    healthy()
    for n in range(2):
        start(make_session(sub=SUB, campaign=campaign, title=f"S{n}", transcript=sample_bytes("vtt", hours=0.05)))
    monkeypatch.setattr(registry, "FILTERED_READ", 2)
    with aws_calls() as calls:
        first = list_jobs(shown="failed")
    assert calls.operations() == ["dynamodb.Query"]
    assert first.items == [] and first.next_cursor  # the two newest read, neither failed
    rest = list_jobs(shown="failed", cursor=first.next_cursor)
    assert [entry.job_id for entry in rest.items] == [failed.job_id]
