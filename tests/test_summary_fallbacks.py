"""When Bedrock refuses a summary job, the offline summarizer writes it instead
(sessions.summaries.runners._Writer), the summary says so on the page, and staff see why
(sessions/summaries/fallbacks.py, logged at WARNING and listed on /staff/).

Bedrock is answered by botocore's Stubber on the real client (as in
tests/test_bedrock_summarizer.py): moto has no bedrock-runtime.
"""

import logging
import re
from datetime import UTC, datetime

import pytest
from botocore.exceptions import EndpointConnectionError
from botocore.stub import Stubber

from campaigns_site import aws as aws_clients
from sessions.summaries import fallbacks as summary_fallbacks
from sessions.summaries import repository as summaries
from sessions.summaries.summarizers import bedrock
from sessions.transcripts.storage import clear_cache
from tests.transcript_samples import sample_bytes
from tests.web_clients import post, signed_in

MODEL = "amazon.nova-lite-v1:0"
REPLY = {
    "output": {"message": {"role": "assistant", "content": [{"text": "Previously…\n- Mira found a map."}]}},
    "stopReason": "end_turn",
    "usage": {"inputTokens": 100, "outputTokens": 10, "totalTokens": 110},
    "metrics": {"latencyMs": 900},
}

# Every way Bedrock refuses the service itself (not this request): the stubbed answer (or
# raised error) and what the page then says.
REFUSALS = {
    "no model access": (
        ("AccessDeniedException", "You don't have access to the model with the specified model ID."),
        bedrock.NO_ACCESS,
    ),
    "unknown model id": (("ValidationException", "The provided model identifier is invalid."), bedrock.NO_MODEL),
    "region without the model": (
        ("ResourceNotFoundException", "Could not resolve the foundation model."),
        bedrock.NO_MODEL,
    ),
    "on-demand not supported": (
        (
            "ValidationException",
            "Invocation of model ID amazon.nova-pro-v1:0 with on-demand "
            "throughput isn't supported. Retry with an inference profile.",
        ),
        bedrock.NO_MODEL,
    ),
    "throttled past the retries": (
        ("ThrottlingException", "Too many requests, please wait before trying again."),
        bedrock.BUSY,
    ),
    "endpoint unreachable": (
        EndpointConnectionError(endpoint_url="https://bedrock-runtime.eu-west-1.amazonaws.com"),
        bedrock.UNREACHABLE,
    ),
}


@pytest.fixture(autouse=True)
def _setup(settings):
    clear_cache()
    settings.SUMMARY_PROVIDER = "bedrock"
    settings.BEDROCK_MODEL_ID = MODEL
    settings.BEDROCK_REGION = None
    settings.BEDROCK_MAX_ATTEMPTS = 1  # "past the retries" at once: no test sleeps


pytestmark = pytest.mark.transcript(data=sample_bytes("vtt", hours=0.2), filename="night.vtt")


@pytest.fixture
def converse(monkeypatch):
    """refuse(how): the next Converse call answers `how` (a (code, message) client error, or
    an exception raised as botocore would raise it); then queue more with .stubber."""
    client = aws_clients.client("bedrock-runtime")
    with Stubber(client) as stubber:

        def refuse(how):
            if isinstance(how, Exception):

                def unreachable(**params):
                    raise how

                monkeypatch.setattr(client, "converse", unreachable)
            else:
                stubber.add_client_error("converse", *how)

        refuse.stubber = stubber
        yield refuse


def url(session, path=""):
    return f"/campaigns/{session.campaign_id}/sessions/{session.session_id}/{path}"


def stored(owner, session):
    return {
        s.kind: s
        for s in summaries.list_summaries_for_session(
            sub=owner.sub, campaign_id=session.campaign_id, session_id=session.session_id
        )
    }


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("refusal", REFUSALS, ids=list(REFUSALS))
def test_a_refusal_has_the_offline_summarizer_write_the_job_and_says_why(owner, transcribed, converse, caplog, refusal):
    how, reason = REFUSALS[refusal]
    converse(how)  # the first kind's call; the next kinds never ask Bedrock again

    with caplog.at_level(logging.WARNING, logger="sessions.summaries.fallbacks"):
        response = post(
            owner, url(transcribed, "summaries/"), {"kinds": ["recap", "npcs", "loot"], "length": "standard"}
        )
    converse.stubber.assert_no_pending_responses()

    job = summaries.get_summary_job(
        sub=owner.sub, campaign_id=transcribed.campaign_id, session_id=transcribed.session_id
    )
    assert job.is_done and job.done_kinds == ["recap", "npcs", "loot"]
    for summary in stored(owner, transcribed).values():
        assert (summary.provider, summary.fallback_reason) == ("offline", reason)
        assert summary.text.strip()

    html = text_of(owner.get(response["Location"]).content.decode())
    assert html.count(f"Written by the offline summarizer because {reason}.") == 3

    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1 and reason in warnings[0].getMessage()
    recent, count = summary_fallbacks.recent_fallbacks()
    assert count == 1
    assert (recent[0].reason, recent[0].provider, recent[0].model, recent[0].what) == (
        reason,
        "bedrock",
        MODEL,
        "session summaries",
    )
    assert recent[0].detail  # the provider's own words, for staff


def test_a_summary_bedrock_wrote_says_nothing_of_the_offline_summarizer(owner, transcribed, converse):
    converse.stubber.add_response("converse", REPLY)
    response = post(owner, url(transcribed, "summaries/"), {"kinds": ["recap"], "length": "standard"})

    recap = stored(owner, transcribed)["recap"]
    assert (recap.provider, recap.fallback_reason) == ("bedrock", None)
    assert "offline summarizer" not in owner.get(response["Location"]).content.decode()
    assert summary_fallbacks.recent_fallbacks() == ([], 0)


def test_a_failure_of_the_request_itself_is_no_reason_to_fall_back(owner, transcribed, converse):
    converse.stubber.add_response("converse", {**REPLY, "stopReason": "content_filtered"})
    post(owner, url(transcribed, "summaries/"), {"kinds": ["recap"], "length": "standard"})

    job = summaries.get_summary_job(
        sub=owner.sub, campaign_id=transcribed.campaign_id, session_id=transcribed.session_id
    )
    assert job.is_failed and "content filter" in job.failure_reason
    assert stored(owner, transcribed) == {}
    assert summary_fallbacks.recent_fallbacks() == ([], 0)


def test_with_the_offline_provider_configured_nothing_is_a_fallback(owner, transcribed, settings):
    settings.SUMMARY_PROVIDER = "offline"
    post(owner, url(transcribed, "summaries/"), {"kinds": ["recap"], "length": "standard"})

    recap = stored(owner, transcribed)["recap"]
    assert (recap.provider, recap.fallback_reason) == ("offline", None)


def test_the_story_so_far_falls_back_too(owner, campaign, transcribed, converse, settings):
    settings.SUMMARY_PROVIDER = "offline"
    post(owner, url(transcribed, "summaries/"), {"kinds": ["recap"], "length": "standard"})
    settings.SUMMARY_PROVIDER = "bedrock"
    converse(REFUSALS["no model access"][0])

    response = post(owner, f"/campaigns/{campaign.campaign_id}/story/", {"length": "standard"})

    story = summaries.get_story_so_far(sub=owner.sub, campaign_id=campaign.campaign_id)
    assert (story.provider, story.fallback_reason) == ("offline", bedrock.NO_ACCESS)
    html = text_of(owner.get(response["Location"]).content.decode())
    assert f"Written by the offline summarizer because {bedrock.NO_ACCESS}." in html
    assert summary_fallbacks.recent_fallbacks()[0][0].what == "story so far"


def test_the_record_keeps_the_last_ten_newest_first(aws):
    for number in range(12):
        summary_fallbacks.record_fallback(
            reason=f"reason {number}",
            detail="x" * 2000,
            provider="bedrock",
            model=MODEL,
            what="session summaries",
            now=datetime(2026, 1, 1, 12, number, tzinfo=UTC),
        )
    recent, count = summary_fallbacks.recent_fallbacks()
    assert count == 12
    assert [fallback.reason for fallback in recent] == [f"reason {n}" for n in range(11, 1, -1)]
    assert len(recent[0].detail) == summary_fallbacks.DETAIL_MAX


def test_a_record_that_cannot_be_written_never_fails_the_job(aws, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("no table")

    monkeypatch.setattr(summary_fallbacks.SummaryFallbacks, "get", broken)
    with caplog.at_level(logging.WARNING, logger="sessions.summaries.fallbacks"):
        summary_fallbacks.record_fallback(reason="r", detail="d", provider="bedrock", model=MODEL, what="w")
    assert "could not record the fallback" in caplog.text


# --- the staff page -----------------------------------------------------------------------------
def test_staff_see_the_last_fallbacks_with_time_and_reason(staff, aws_calls):
    summary_fallbacks.record_fallback(
        reason=bedrock.NO_ACCESS,
        detail="AccessDeniedException: no access",
        provider="bedrock",
        model=MODEL,
        what="session summaries",
        now=datetime(2026, 12, 5, 2, 30, tzinfo=UTC),
    )
    client = signed_in("ada@example.com")
    client.get("/")
    with aws_calls() as calls:
        html = client.get("/staff/").content.decode()
    # The fallbacks' one item comes with the web session (campaigns_site.prefetch).
    assert calls.operations().count("dynamodb.GetItem") == 0
    text = text_of(html)
    assert "Amazon Bedrock refused 1 summary job, and the offline summarizer wrote it instead." in text
    assert f"5 Dec 2026, 02:30 UTC , the session summaries: {bedrock.NO_ACCESS}." in text
    assert "AccessDeniedException: no access" in text


def test_staff_see_when_there_was_no_fallback(staff):
    client = signed_in("ada@example.com")
    text = text_of(client.get("/staff/").content.decode())
    assert "None: every summary job was written by the configured provider." in text
    assert f"Summaries written by Amazon Bedrock, {MODEL} in" in text
