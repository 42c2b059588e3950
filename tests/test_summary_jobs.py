"""Summary jobs (sessions/summaries/jobs.py, runners.py): start, run, refusals, timeouts, hand edits,
odd transcripts, and what deleting or moving a session (or a campaign) leaves behind.

Jobs run inline here (the `aws` fixture sets SUMMARY_JOB_RUNNER); tests that look at a
queued job switch to "manual" and call run_summary_job themselves.
"""

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from botocore.stub import Stubber
from django.conf import settings as django_settings

from campaigns.repository import CampaignNotFound, create_campaign, get_campaign
from campaigns_site import aws as aws_clients
from campaigns_site.errors import StillChanging
from campaigns_site.table import summary_job_sk, user_pk
from sessions.core.campaign_deletion import delete_campaign
from sessions.core.kinds import KINDS, LENGTHS, STORY_SO_FAR
from sessions.core.object_store import delete_objects_under
from sessions.core.repository import (
    SessionNotFound,
    SummariesBeingMade,
    create_session,
    delete_session,
    get_session,
    move_session,
)
from sessions.core.segments import Segment
from sessions.core.storage_keys import session_transcripts_prefix
from sessions.summaries import runners
from sessions.summaries.items import DONE, FAILED, GENERIC_FAILURE, NO_TRANSCRIPT, QUEUED, RUNNING
from sessions.summaries.jobs import (
    EditedSummaries,
    JobAlreadyRunning,
    NothingToTell,
    NoTranscript,
    start_story_job,
    start_summary_job,
)
from sessions.summaries.repository import (
    edit_story_so_far,
    edit_summary,
    get_session_page,
    get_story_job,
    get_story_so_far,
    get_summary_job,
    list_summaries_for_session,
    replaceable_job_condition,
)
from sessions.summaries.runners import run_story_job, run_summary_job
from sessions.summaries.summarizers.base import SummaryProviderError
from sessions.transcripts.repository import save_speaker_names
from sessions.transcripts.services import delete_transcript
from tests.summary_samples import GERMAN, SESSION
from tests.transcript_samples import render_vtt, sample_bytes
from tests.transcript_uploads import store_transcript

SUB = "user-1"
ALL_KINDS = list(KINDS)


# --- helpers ---------------------------------------------------------------------------------------
pytestmark = [
    pytest.mark.campaign(sub=SUB, name="Dragon Heist"),
    pytest.mark.session(title="The Yawning Portal", transcript=sample_bytes("vtt", hours=0.2), filename="x.vtt"),
]


def new_session(campaign, title="The Yawning Portal", *, data=None, filename="x.vtt", **fields):
    session = create_session(sub=SUB, campaign_id=campaign.campaign_id, title=title, **fields)
    if data is not False:
        store_transcript(
            sub=SUB,
            campaign_id=campaign.campaign_id,
            session_id=session.session_id,
            data=data or sample_bytes("vtt", hours=0.2),
            filename=filename,
        )
    return get_session(sub=SUB, campaign_id=campaign.campaign_id, session_id=session.session_id)


def vtt(lines):
    segments = [
        Segment(start=i * 30.0, end=i * 30.0 + 20, speaker=speaker, text=text)
        for i, (speaker, text) in enumerate(lines)
    ]
    return render_vtt(segments).encode()


def start(session, kinds=ALL_KINDS, **options):
    return start_summary_job(
        sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id, kinds=kinds, **options
    )


def run(session, job):
    return run_summary_job(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id, job_id=job.job_id)


def job_of(session):
    return get_summary_job(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id)


def summaries_of(session, campaign_id=None):
    return {
        s.kind: s
        for s in list_summaries_for_session(
            sub=SUB, campaign_id=campaign_id or session.campaign_id, session_id=session.session_id
        )
    }


def edit(session, kind, text):
    current = summaries_of(session)[kind]
    return edit_summary(
        sub=SUB,
        campaign_id=session.campaign_id,
        session_id=session.session_id,
        kind=kind,
        expected_version=current.version,
        text=text,
    )


def partition_keys(sub=SUB):
    """Every SK of the user's partition: one Query (the tests never Scan either)."""
    pages = (
        aws_clients.client("dynamodb")
        .get_paginator("query")
        .paginate(
            TableName=django_settings.DYNAMODB_TABLE,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": user_pk(sub)}},
            ConsistentRead=True,
        )
    )
    return sorted(item["SK"]["S"] for page in pages for item in page["Items"])


def keys_naming(session_id, *, whole_index=False):
    """The partition's keys naming the session; of its search index the head only, unless
    `whole_index` (its snippets and word groups: tests/test_search_index.py)."""
    index_parts = () if whole_index else ("SEARCHTEXT#", "SEARCHWORDS#")
    return [sk for sk in partition_keys() if session_id in sk and not sk.startswith(index_parts)]


class Clock:
    """The clock, moved on by the test (the jobs' deadlines, expiry and conditions use it)."""

    def __init__(self, traveller):
        self.traveller = traveller

    def advance(self, **delta):
        self.traveller.shift(timedelta(**delta))


@pytest.fixture
def clock():
    with time_machine.travel(datetime.now(UTC), tick=True) as traveller:
        yield Clock(traveller)


@pytest.fixture
def during_summarize(monkeypatch):
    """during_summarize(hook): hook(kind) runs before each kind is summarized (while the job runs)."""
    real = runners.summarize

    def install(hook):
        def summarize(request, **kwargs):
            hook(request.kind)
            return real(request, **kwargs)

        monkeypatch.setattr(runners, "summarize", summarize)

    return install


# --- what a job makes ---------------------------------------------------------------------------------
@pytest.mark.parametrize("length", LENGTHS)
def test_every_kind_is_stored_with_provider_model_tokens_and_cost(session, length):
    job = start(session, kinds=ALL_KINDS, length=length)

    finished = job_of(session)
    assert (finished.job_id, finished.status, finished.effective_status) == (job.job_id, DONE, DONE)
    assert finished.done_kinds == ALL_KINDS and finished.kept_edits == [] and finished.problems == []
    assert finished.attempts == 1 and finished.error is None and finished.failure_reason == ""
    assert finished.requested <= finished.started <= finished.finished
    assert timedelta(days=6) < finished.ttl - finished.finished <= timedelta(days=7)
    stored = summaries_of(session)
    assert list(stored) == ALL_KINDS
    for kind, summary in stored.items():
        assert (summary.kind, summary.length, summary.provider, summary.model) == (
            kind,
            length,
            "offline",
            "extractive-1",
        )
        assert summary.text.strip()
        assert summary.input_tokens > 0 and summary.output_tokens > 0 and summary.tokens_estimated is True
        assert summary.estimated_cost_usd == Decimal(0)
        assert summary.source_sha256 == session.transcript_sha256
        assert (summary.edited, summary.version) == (False, 1)
        assert summary.created == summary.updated


def test_bedrock_figures_are_stored_as_the_provider_counts_them(session, settings):
    settings.SUMMARY_PROVIDER = "bedrock"
    settings.BEDROCK_MODEL_ID = "amazon.nova-lite-v1:0"
    settings.BEDROCK_REGION = None
    settings.BEDROCK_PRICE_INPUT_PER_1K = Decimal("0.00006")
    settings.BEDROCK_PRICE_OUTPUT_PER_1K = Decimal("0.00024")
    reply = {
        "output": {"message": {"role": "assistant", "content": [{"text": "Previously…\n- Mira found a map."}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 10_000, "outputTokens": 500, "totalTokens": 10_500},
        "metrics": {"latencyMs": 900},
    }
    with Stubber(aws_clients.client("bedrock-runtime")) as stubber:
        stubber.add_response("converse", reply)
        start(session, kinds=["recap"], length="brief")
        stubber.assert_no_pending_responses()

    recap = summaries_of(session)["recap"]
    assert (recap.provider, recap.model, recap.text) == (
        "bedrock",
        "amazon.nova-lite-v1:0",
        "Previously…\n- Mira found a map.",
    )
    assert (recap.input_tokens, recap.output_tokens, recap.tokens_estimated) == (10_000, 500, False)
    assert recap.estimated_cost_usd == Decimal("0.000720")  # 10 x 0.00006 + 0.5 x 0.00024


def test_a_provider_failure_fails_the_job_with_its_message_and_keeps_what_was_made(session, settings):
    settings.SUMMARY_PROVIDER = "bedrock"
    settings.BEDROCK_MODEL_ID = "amazon.nova-lite-v1:0"
    reply = {
        "output": {"message": {"role": "assistant", "content": [{"text": "- An event."}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 100, "outputTokens": 10, "totalTokens": 110},
        "metrics": {"latencyMs": 900},
    }
    with Stubber(aws_clients.client("bedrock-runtime")) as stubber:
        stubber.add_response("converse", reply)  # recap
        # A failure of this request, not a refusal of the service: no offline stand-in (that
        # is tests/test_summary_fallbacks.py).
        stubber.add_client_error("converse", "ModelErrorException", "The model could not process the request")
        start(session, kinds=["recap", "key_events", "npcs"])

    job = job_of(session)
    assert job.status == FAILED and job.is_failed and not job.is_active
    assert "Amazon Bedrock failed (ModelErrorException)" in job.failure_reason
    assert job.done_kinds == ["recap"]
    assert list(summaries_of(session)) == ["recap"]


def test_the_campaigns_speaker_names_are_used(campaign):
    session = new_session(campaign, data=vtt(SESSION))
    save_speaker_names(
        sub=SUB,
        campaign_id=campaign.campaign_id,
        expected_version=0,
        names={
            "SPEAKER_00": {"player": "Dana", "character": "GM"},
            "SPEAKER_01": {"player": "Ana", "character": "Mira"},
            "SPEAKER_02": {"player": "Ben", "character": "Sable"},
            "SPEAKER_03": {"player": "Carl", "character": "Thorin"},
        },
    )

    start(session, kinds=["recap", "key_events"], length="detailed")

    for summary in summaries_of(session).values():
        assert "SPEAKER_0" not in summary.text
        assert "(Ana)" not in summary.text
    assert "Mira: " in summaries_of(session)["recap"].text
    assert "Previously on Dragon Heist…" in summaries_of(session)["recap"].text


def test_without_speaker_names_the_labels_stand_in(campaign):
    session = new_session(campaign, data=vtt(SESSION))
    start(session, kinds=["key_events"])
    assert "SPEAKER_00: " in summaries_of(session)["key_events"].text


# --- start, run, and their requests ------------------------------------------------------------------
def test_start_queues_in_two_requests_and_the_run_makes_each_kind_in_one_transaction(session, manual, aws_calls):
    with aws_calls() as calls:
        job = start(session, kinds=["loot", "recap"])
    assert calls.operations() == ["dynamodb.BatchGetItem", "dynamodb.TransactWriteItems"]
    assert (job.status, job.effective_status, job.is_active, job.kinds) == (QUEUED, QUEUED, True, ["recap", "loot"])
    assert job_of(session).status == QUEUED
    assert job.deadline - job.requested == timedelta(seconds=django_settings.SUMMARY_JOB_TIMEOUT_SECONDS)

    with aws_calls() as calls:
        ended = run(session, job)
    # claim (with its registry entry, then the job read back); session + campaign + names;
    # the transcript is cached in this process; 2 kinds; done (with its registry entry)
    assert calls.operations() == [
        "dynamodb.TransactWriteItems",
        "dynamodb.GetItem",
        "dynamodb.BatchGetItem",
        "dynamodb.TransactWriteItems",
        "dynamodb.TransactWriteItems",
        "dynamodb.TransactWriteItems",
    ]
    assert (ended.status, ended.done_kinds) == (DONE, ["recap", "loot"])


def test_a_second_delivery_of_the_same_job_does_nothing(session, manual):
    job = start(session, kinds=["recap"])
    run(session, job)

    assert run(session, job) is None
    assert (
        run_summary_job(
            sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id, job_id="01J00000000000000000000000"
        )
        is None
    )
    assert job_of(session).attempts == 1
    assert summaries_of(session)["recap"].version == 1


def test_asking_again_while_a_job_is_queued_or_running_starts_none(session, manual, during_summarize):
    first = start(session, kinds=["recap"])

    with pytest.raises(JobAlreadyRunning) as refused:
        start(session, kinds=["recap", "npcs"])
    assert refused.value.job.job_id == first.job_id

    seen = []
    during_summarize(lambda kind: seen.append(pytest.raises(JobAlreadyRunning, start, session, kinds=["npcs"])))
    run(session, first)
    assert seen and seen[0].value.job.status == RUNNING

    again = start(session, kinds=["npcs"])  # finished: a new job takes its place
    assert again.job_id != first.job_id and job_of(session).job_id == again.job_id


def test_double_clicks_at_once_start_exactly_one_job(served_aws, settings):
    settings.SUMMARY_JOB_RUNNER = "manual"
    campaign = create_campaign(sub=SUB, name="Dragon Heist")
    session = new_session(campaign)
    barrier = threading.Barrier(8)

    def click(_):
        barrier.wait()
        try:
            return start(session, kinds=["recap"]).job_id
        except JobAlreadyRunning as refused:
            return ("refused", refused.job.job_id)

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(click, range(8)))

    started = [outcome for outcome in outcomes if isinstance(outcome, str)]
    refused = [outcome[1] for outcome in outcomes if isinstance(outcome, tuple)]
    assert len(started) == 1 and len(refused) == 7
    assert set(refused) == set(started) == {job_of(session).job_id}
    assert [sk for sk in partition_keys() if sk.startswith("SUMMARYJOB#")] == [
        summary_job_sk(campaign.campaign_id, session.session_id)
    ]


# --- hand edits ---------------------------------------------------------------------------------------
def test_regenerating_a_hand_edit_asks_first(session):
    start(session, kinds=["recap", "npcs"])
    edit(session, "recap", "Mira found the map. (my words)")

    with pytest.raises(EditedSummaries) as asked:
        start(session, kinds=["recap", "npcs", "loot"])
    assert asked.value.kinds == ["recap"] and asked.value.labels == [KINDS["recap"]]
    assert "edited “Recap (previously on…)” by hand" in str(asked.value)
    assert summaries_of(session)["recap"].text == "Mira found the map. (my words)"
    assert "loot" not in summaries_of(session)  # nothing started

    start(session, kinds=["npcs"])  # the other kinds may be made again without asking
    assert summaries_of(session)["npcs"].version == 2

    start(session, kinds=["recap"], replace_edits=True)  # asked, and the GM agreed
    recap = summaries_of(session)["recap"]
    assert (recap.edited, recap.version) == (False, 3)
    assert recap.text != "Mira found the map. (my words)"
    assert job_of(session).replace_edits is True


def test_a_hand_edit_made_while_the_job_runs_is_kept(session, during_summarize):
    start(session, kinds=["recap"])

    def edit_meanwhile(kind):
        if kind == "recap":
            edit(session, "recap", "Written by hand while the job ran.")

    during_summarize(edit_meanwhile)
    start(session, kinds=["recap", "loot"])

    job = job_of(session)
    assert (job.status, job.done_kinds, job.kept_edits, job.kept_edit_labels) == (
        DONE,
        ["loot"],
        ["recap"],
        [KINDS["recap"]],
    )
    recap = summaries_of(session)["recap"]
    assert (recap.text, recap.edited, recap.version) == ("Written by hand while the job ran.", True, 2)


def test_a_job_whose_every_kind_was_edited_meanwhile_is_done(session, during_summarize):
    start(session, kinds=["recap"])
    during_summarize(lambda kind: edit(session, "recap", "Mine."))
    start(session, kinds=["recap"])
    assert (job_of(session).status, job_of(session).kept_edits) == (DONE, ["recap"])


# --- timeouts ---------------------------------------------------------------------------------------
def test_a_job_queued_past_its_deadline_reads_failed_and_may_be_started_again(session, manual, clock):
    stuck = start(session, kinds=["recap"])  # its invocation got lost
    clock.advance(seconds=django_settings.SUMMARY_JOB_TIMEOUT_SECONDS + 1)

    job = job_of(session)
    assert (job.status, job.effective_status, job.is_active) == (QUEUED, FAILED, False)
    assert job.failure_reason == "It did not start within 5 minutes. Try again."

    retry = start(session, kinds=["recap"])
    assert retry.job_id != stuck.job_id
    assert run(session, stuck) is None  # delivered at last: not its turn any more
    assert summaries_of(session) == {}
    assert run(session, retry).status == DONE


def test_a_job_running_past_its_deadline_is_stopped_and_reads_failed(session, manual, clock, during_summarize):
    job = start(session, kinds=["recap", "key_events", "npcs"])
    seen = []

    def slow(kind):
        if kind == "key_events":
            clock.advance(seconds=django_settings.SUMMARY_JOB_TIMEOUT_SECONDS + 5)
            running = job_of(session)
            seen.append((running.status, running.effective_status, running.failure_reason))

    during_summarize(slow)
    ended = run(session, job)

    assert seen == [(RUNNING, FAILED, "It took longer than 5 minutes and was stopped. Try again.")]
    assert (ended.status, ended.error) == (FAILED, "It took longer than 5 minutes and was stopped. Try again.")
    assert ended.done_kinds == ["recap", "key_events"]  # the one under way was still saved
    assert list(summaries_of(session)) == ["recap", "key_events"]


def test_a_job_that_timed_out_and_was_replaced_writes_nothing_more(session, manual, clock, during_summarize):
    slow_job = start(session, kinds=["recap", "loot"])
    replaced = []

    def overtaken(kind):
        if kind == "recap" and not replaced:
            clock.advance(seconds=django_settings.SUMMARY_JOB_TIMEOUT_SECONDS + 5)
            replaced.append(start(session, kinds=["npcs"]))

    during_summarize(overtaken)
    assert run(session, slow_job) is None  # its save finds the job is not its own any more

    assert summaries_of(session) == {}
    assert job_of(session).job_id == replaced[0].job_id and job_of(session).status == QUEUED


def test_a_timeout_setting_in_seconds_reads_in_seconds(session, manual, clock, settings):
    settings.SUMMARY_JOB_TIMEOUT_SECONDS = 90
    start(session, kinds=["recap"])
    clock.advance(seconds=91)
    assert job_of(session).failure_reason == "It did not start within 90 seconds. Try again."


# --- odd input: a clear message, never a crash -----------------------------------------------------------
def test_no_transcript_is_refused_at_the_start(campaign):
    session = new_session(campaign, data=False)

    with pytest.raises(NoTranscript, match="no transcript yet"):
        start(session, kinds=["recap"])
    assert job_of(session) is None


def test_a_transcript_removed_before_the_job_ran_fails_it_clearly(session, manual):
    job = start(session, kinds=["recap"])
    delete_transcript(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id)

    ended = run(session, job)
    assert (ended.status, ended.failure_reason) == (FAILED, NO_TRANSCRIPT)


def test_a_failed_job_logs_one_line_the_alarms_metric_filter_counts(session, manual, caplog):
    from tests.log_filters import failed_jobs_filter_matches

    job = start(session, kinds=["recap"])
    delete_transcript(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id)
    with caplog.at_level(logging.INFO, logger="sessions.summaries.runners"):
        run(session, job)

    counted = [r.getMessage() for r in caplog.records if failed_jobs_filter_matches(r.getMessage())]
    assert counted == [f"summary job {job.job_id} failed with a reason (on its staff page)"]


def test_a_very_short_transcript_fails_with_a_clear_message(campaign):
    session = new_session(campaign, data=b"WEBVTT\n\n00:00.000 --> 00:01.000\nHi.\n")

    start(session, kinds=["recap", "key_events"])

    job = job_of(session)
    assert job.status == FAILED
    assert job.failure_reason == "The transcript is too short to summarize (1 words)."
    assert summaries_of(session) == {}


def test_a_transcript_with_nothing_said_fails_with_a_clear_message(session, monkeypatch):
    monkeypatch.setattr(runners, "load_segments", lambda data: [])
    start(session, kinds=["recap"])
    assert job_of(session).failure_reason == "There is no transcript to summarize yet: upload one first."


def test_a_non_english_transcript_gets_the_kinds_that_work_and_says_why_not_the_others(campaign):
    session = new_session(campaign, data=vtt(GERMAN))

    start(session, kinds=ALL_KINDS)

    job = job_of(session)
    assert job.status == DONE
    assert job.done_kinds == ["recap", "key_events", "open_threads"]
    assert [label for label, _ in job.problems] == [KINDS["npcs"], KINDS["locations"], KINDS["loot"]]
    assert all("only in English transcripts" in message for _, message in job.problems)
    assert "Nebelwald" in summaries_of(session)["recap"].text


def test_a_non_english_transcript_asked_only_for_english_kinds_fails_clearly(campaign):
    session = new_session(campaign, data=vtt(GERMAN))
    start(session, kinds=["npcs", "loot"])
    job = job_of(session)
    assert job.status == FAILED
    assert "A recap, key events or open threads work in any language" in job.failure_reason
    assert "NPCs: " in job.failure_reason and "Loot and items: " in job.failure_reason


def test_a_single_speaker_gets_a_sensible_summary(campaign):
    monologue = [("SPEAKER_00", text) for _, text in SESSION]
    session = new_session(campaign, data=vtt(monologue))
    save_speaker_names(
        sub=SUB,
        campaign_id=campaign.campaign_id,
        expected_version=0,
        names={"SPEAKER_00": {"player": "Dana", "character": "Narrator"}},
    )

    start(session, kinds=["recap", "npcs"])

    recap = summaries_of(session)["recap"].text
    assert job_of(session).status == DONE
    assert "Narrator: " in recap and "SPEAKER_00" not in recap
    assert "Lord Varis" in summaries_of(session)["npcs"].text


def test_a_transcript_without_speakers_gets_a_summary(campaign):
    segments = [Segment(start=None, end=None, speaker=None, text=text) for _, text in SESSION]
    text = "\n".join(segment.text for segment in segments).encode()
    session = new_session(campaign, data=text, filename="notes.txt")  # plain text: no speakers, no times

    start(session, kinds=["recap"])

    assert job_of(session).status == DONE
    assert summaries_of(session)["recap"].text.startswith("Previously on Dragon Heist…\n- ")


def test_an_unexpected_error_fails_the_job_is_logged_and_never_leaves_it_running(session, monkeypatch, caplog):
    def broken(request, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(runners, "summarize", broken)
    with caplog.at_level(logging.ERROR, logger="sessions.summaries.jobs"):
        start(session, kinds=["recap"])

    job = job_of(session)
    assert (job.status, job.failure_reason) == (FAILED, GENERIC_FAILURE)
    assert any("failed" in record.getMessage() and record.exc_info for record in caplog.records)


def test_a_missing_transcript_object_fails_the_job(session):
    delete_objects_under(prefix=session_transcripts_prefix(sub=SUB, session_id=session.session_id))
    from sessions.transcripts.storage import clear_cache

    clear_cache()
    start(session, kinds=["recap"])
    assert (job_of(session).status, job_of(session).failure_reason) == (FAILED, GENERIC_FAILURE)


def test_unknown_kinds_and_lengths_are_the_callers_bug(session):
    with pytest.raises(ValueError):
        start(session, kinds=["gossip"])
    with pytest.raises(ValueError):
        start(session, kinds=[])
    with pytest.raises(ValueError):
        start(session, kinds=["recap"], length="epic")


def test_another_users_or_a_missing_session_is_not_found(session):
    with pytest.raises(SessionNotFound):
        start_summary_job(
            sub="someone-else", campaign_id=session.campaign_id, session_id=session.session_id, kinds=["recap"]
        )
    with pytest.raises(SessionNotFound):
        start_summary_job(
            sub=SUB, campaign_id=session.campaign_id, session_id="01J00000000000000000000000", kinds=["recap"]
        )
    assert list(partition_keys("someone-else")) == []


# --- the session page's read ------------------------------------------------------------------------------
def test_the_session_page_reads_campaign_session_names_job_and_summaries_in_one_request(
    session, campaign, aws_calls, clock
):
    assert get_session_page(sub=SUB, campaign_id=campaign.campaign_id, session_id=session.session_id)[3] is None
    job = start(session, kinds=["recap"])

    with aws_calls() as calls:
        found = get_session_page(sub=SUB, campaign_id=campaign.campaign_id, session_id=session.session_id)
    assert calls.operations() == ["dynamodb.BatchGetItem"]
    page_campaign, page_session, names, page_job, summaries = found
    assert [summary.kind for summary in summaries] == ["recap"]  # its summaries by key, in the same request
    assert (page_campaign.campaign_id, page_session.session_id, names) == (
        campaign.campaign_id,
        session.session_id,
        None,
    )
    assert (page_job.job_id, page_job.status) == (job.job_id, DONE)

    clock.advance(days=8)  # its ttl passed; DynamoDB may not have deleted it yet
    assert get_session_page(sub=SUB, campaign_id=campaign.campaign_id, session_id=session.session_id)[3] is None
    assert job_of(session) is None
    assert get_session_page(sub="someone-else", campaign_id=campaign.campaign_id, session_id=session.session_id) == (
        None,
        None,
        None,
        None,
        [],
    )


# --- deletes and moves leave nothing behind ----------------------------------------------------------------
def test_deleting_a_session_takes_its_summaries_and_job_in_the_same_requests(session, campaign, aws_calls):
    start(session, kinds=["recap", "loot"])
    assert len(keys_naming(session.session_id)) == 5  # session, its search item, two summaries, job

    with aws_calls() as calls:
        delete_session(sub=SUB, campaign_id=campaign.campaign_id, session_id=session.session_id)

    assert keys_naming(session.session_id, whole_index=True) == []
    assert calls.count("dynamodb", "Scan") == 0
    assert calls.count("dynamodb", "TransactWriteItems") == 2  # the summaries; the session with its job


def test_a_session_deleted_while_its_job_runs_leaves_nothing(session, campaign, during_summarize):
    during_summarize(
        lambda kind: delete_session(sub=SUB, campaign_id=campaign.campaign_id, session_id=session.session_id)
    )

    assert start(session, kinds=["recap", "loot"]).status == QUEUED  # as queued; it ended quietly

    assert keys_naming(session.session_id) == []


def test_moving_a_session_with_a_finished_job_moves_its_summaries_and_drops_the_job(session, campaign):
    start(session, kinds=["recap"])
    target = create_campaign(sub=SUB, name="Tomb of Annihilation")

    move_session(
        sub=SUB,
        campaign_id=campaign.campaign_id,
        session_id=session.session_id,
        to_campaign_id=target.campaign_id,
        job_condition=replaceable_job_condition(),
    )

    assert keys_naming(session.session_id) == sorted(
        [
            f"SEARCH#{session.session_id}",  # names no campaign: it stays, and learns the new one
            f"SESSION#{target.campaign_id}#{session.session_id}",
            f"SUMMARY#{target.campaign_id}#{session.session_id}#recap",
        ]
    )
    assert get_summary_job(sub=SUB, campaign_id=target.campaign_id, session_id=session.session_id) is None
    start(
        get_session(sub=SUB, campaign_id=target.campaign_id, session_id=session.session_id),
        kinds=["recap"],
        replace_edits=True,
    )
    moved = summaries_of(session, target.campaign_id)["recap"]
    assert moved.version == 2  # its history moved with it


def test_a_move_waits_for_a_running_job(session, campaign, manual):
    target = create_campaign(sub=SUB, name="Tomb of Annihilation")
    job = start(session, kinds=["recap"])

    with pytest.raises(SummariesBeingMade):
        move_session(
            sub=SUB,
            campaign_id=campaign.campaign_id,
            session_id=session.session_id,
            to_campaign_id=target.campaign_id,
            job_condition=replaceable_job_condition(),
        )
    assert issubclass(SummariesBeingMade, StillChanging)  # the move page's "try again in a moment"
    assert get_session(sub=SUB, campaign_id=campaign.campaign_id, session_id=session.session_id) is not None
    assert get_campaign(sub=SUB, campaign_id=target.campaign_id).session_count == 0

    run(session, job)
    move_session(
        sub=SUB,
        campaign_id=campaign.campaign_id,
        session_id=session.session_id,
        to_campaign_id=target.campaign_id,
        job_condition=replaceable_job_condition(),
    )
    assert f"SUMMARY#{target.campaign_id}#{session.session_id}#recap" in keys_naming(session.session_id)


def test_a_job_overdue_but_still_working_when_its_session_moves_writes_nothing(
    session, campaign, manual, clock, during_summarize
):
    target = create_campaign(sub=SUB, name="Tomb of Annihilation")
    job = start(session, kinds=["recap", "loot"])

    def moved_meanwhile(kind):
        if kind == "recap":
            clock.advance(seconds=django_settings.SUMMARY_JOB_TIMEOUT_SECONDS + 5)  # overdue: a move may go on
            move_session(
                sub=SUB,
                campaign_id=campaign.campaign_id,
                session_id=session.session_id,
                to_campaign_id=target.campaign_id,
                job_condition=replaceable_job_condition(),
            )

    during_summarize(moved_meanwhile)
    assert run(session, job) is None

    assert keys_naming(session.session_id) == [
        f"SEARCH#{session.session_id}",
        f"SESSION#{target.campaign_id}#{session.session_id}",
    ]


def test_the_campaign_cascade_deletes_jobs_summaries_and_the_story(campaign, aws_calls):
    sessions = [new_session(campaign, title=f"Session {n}") for n in range(3)]
    for session in sessions:
        start(session, kinds=["recap", "npcs"])
    start_story_job(sub=SUB, campaign_id=campaign.campaign_id)
    kept = create_campaign(sub=SUB, name="Kept")
    kept_session = new_session(kept)
    start(kept_session, kinds=["recap"])
    start_story_job(sub=SUB, campaign_id=kept.campaign_id)

    with aws_calls() as calls:
        deleted = delete_campaign(sub=SUB, campaign_id=campaign.campaign_id)

    assert (deleted.sessions, deleted.summaries, deleted.summary_jobs) == (3, 7, 4)
    assert [sk for sk in partition_keys() if campaign.campaign_id in sk] == []
    assert (
        len([sk for sk in partition_keys() if kept.campaign_id in sk]) == 6
    )  # campaign, session, recap, story, 2 jobs
    assert calls.count("dynamodb", "Scan") == 0


# --- the story so far ------------------------------------------------------------------------------------
def test_the_story_so_far_is_made_from_the_recaps_oldest_session_first(campaign):
    late = new_session(campaign, title="The Vault", played_on="2024-03-01", data=vtt(SESSION[15:]))
    early = new_session(campaign, title="The Road", played_on="2024-01-10", data=vtt(SESSION[:15]))
    new_session(campaign, title="Not summarized", played_on="2024-02-01")
    start(late, kinds=["recap"])
    start(early, kinds=["recap"])

    job = start_story_job(sub=SUB, campaign_id=campaign.campaign_id, length="brief")

    finished = get_story_job(sub=SUB, campaign_id=campaign.campaign_id)
    assert (finished.job_id, finished.status, finished.kinds, finished.is_story, finished.session_id) == (
        job.job_id,
        DONE,
        [STORY_SO_FAR],
        True,
        None,
    )
    story = get_story_so_far(sub=SUB, campaign_id=campaign.campaign_id)
    assert story.text.startswith("The story so far in Dragon Heist…")
    assert story.text.index("The Road") < story.text.index("The Vault")
    assert "Not summarized" not in story.text
    assert (story.length, story.provider, story.source_count, story.version) == ("brief", "offline", 2, 1)


def test_the_story_needs_a_recap(campaign):
    start(new_session(campaign), kinds=["npcs"])

    with pytest.raises(NothingToTell, match="No session of this campaign has a recap yet"):
        start_story_job(sub=SUB, campaign_id=campaign.campaign_id)
    assert get_story_job(sub=SUB, campaign_id=campaign.campaign_id) is None


def test_the_story_asks_before_replacing_a_hand_edit_and_refuses_duplicates(campaign, settings):
    start(new_session(campaign), kinds=["recap"])
    start_story_job(sub=SUB, campaign_id=campaign.campaign_id)
    story = get_story_so_far(sub=SUB, campaign_id=campaign.campaign_id)
    edit_story_so_far(sub=SUB, campaign_id=campaign.campaign_id, expected_version=story.version, text="My saga.")

    with pytest.raises(EditedSummaries) as asked:
        start_story_job(sub=SUB, campaign_id=campaign.campaign_id)
    assert asked.value.kinds == [STORY_SO_FAR] and asked.value.labels == ["The story so far"]

    settings.SUMMARY_JOB_RUNNER = "manual"
    job = start_story_job(sub=SUB, campaign_id=campaign.campaign_id, replace_edits=True)
    with pytest.raises(JobAlreadyRunning):
        start_story_job(sub=SUB, campaign_id=campaign.campaign_id, replace_edits=True)
    run_story_job(sub=SUB, campaign_id=campaign.campaign_id, job_id=job.job_id)
    assert run_story_job(sub=SUB, campaign_id=campaign.campaign_id, job_id=job.job_id) is None
    replaced = get_story_so_far(sub=SUB, campaign_id=campaign.campaign_id)
    assert (replaced.edited, replaced.version) == (False, story.version + 2)


def test_a_story_edit_made_while_its_job_runs_is_kept(campaign, settings):
    start(new_session(campaign), kinds=["recap"])
    start_story_job(sub=SUB, campaign_id=campaign.campaign_id)
    story = get_story_so_far(sub=SUB, campaign_id=campaign.campaign_id)
    settings.SUMMARY_JOB_RUNNER = "manual"
    job = start_story_job(sub=SUB, campaign_id=campaign.campaign_id)
    edit_story_so_far(sub=SUB, campaign_id=campaign.campaign_id, expected_version=story.version, text="Mine.")

    ended = run_story_job(sub=SUB, campaign_id=campaign.campaign_id, job_id=job.job_id)

    assert (ended.status, ended.kept_edits) == (DONE, [STORY_SO_FAR])
    assert get_story_so_far(sub=SUB, campaign_id=campaign.campaign_id).text == "Mine."


def test_a_story_whose_recaps_went_before_it_ran_fails_clearly(campaign, settings):
    session = new_session(campaign)
    start(session, kinds=["recap"])
    settings.SUMMARY_JOB_RUNNER = "manual"
    job = start_story_job(sub=SUB, campaign_id=campaign.campaign_id)
    delete_session(sub=SUB, campaign_id=campaign.campaign_id, session_id=session.session_id)

    ended = run_story_job(sub=SUB, campaign_id=campaign.campaign_id, job_id=job.job_id)

    assert ended.status == FAILED
    assert ended.failure_reason == "No session of this campaign has a summary yet: summarize a session first."


def test_no_story_for_a_campaign_being_deleted_or_someone_elses(campaign, monkeypatch):
    start(new_session(campaign), kinds=["recap"])
    with pytest.raises(CampaignNotFound):
        start_story_job(sub="someone-else", campaign_id=campaign.campaign_id)

    def stop(**kwargs):
        raise RuntimeError("interrupted")

    monkeypatch.setattr("sessions.core.campaign_deletion.delete_share_links", stop)
    with pytest.raises(RuntimeError):
        delete_campaign(sub=SUB, campaign_id=campaign.campaign_id)  # marked, then stopped
    with pytest.raises(CampaignNotFound):
        start_story_job(sub=SUB, campaign_id=campaign.campaign_id)


def test_a_whole_session_and_story_flow_never_scans(campaign, aws_calls):
    with aws_calls() as calls:
        session = new_session(campaign)
        start(session, kinds=ALL_KINDS)
        edit(session, "recap", "By hand.")
        start(session, kinds=["recap"], replace_edits=True)
        start_story_job(sub=SUB, campaign_id=campaign.campaign_id)
        get_session_page(sub=SUB, campaign_id=campaign.campaign_id, session_id=session.session_id)
        delete_session(sub=SUB, campaign_id=campaign.campaign_id, session_id=session.session_id)
        delete_campaign(sub=SUB, campaign_id=campaign.campaign_id)
    assert calls.count("dynamodb", "Scan") == 0
    assert [key for key in partition_keys() if not key.startswith("USAGE#")] == []  # the usage counters stay


def test_a_provider_error_class_is_the_summarizers(session, monkeypatch):
    """Retryable or not, a provider error fails the job with the provider's own words."""

    def busy(request, **kwargs):
        raise SummaryProviderError("Amazon Bedrock is busy. Try again in a few minutes.", retryable=True)

    monkeypatch.setattr(runners, "summarize", busy)
    start(session, kinds=["recap"])
    assert job_of(session).failure_reason == "Amazon Bedrock is busy. Try again in a few minutes."
