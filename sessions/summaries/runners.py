"""Running summary jobs: what a worker does with a job that sessions/summaries/jobs.py
started and sessions/summaries/tasks.py handed over. Every promise is kept by a
conditional write (see jobs.py): the claim (queued -> running, once), each summary's save
(over the version the job started from, with the parent's check and the job's progress),
and the end (done or failed, never left running). The claim and the end are in
sessions/summaries/job_status.py: each writes the job registry's entry in the same
transaction.

Who writes: the configured summarizer until it refuses the service itself, then the
offline one for the rest of the job (_Writer; sessions/summaries/fallbacks.py keeps the
last fallbacks for staff).
"""

import logging

from django.conf import settings
from django.utils import timezone

from campaigns.items import Campaign
from campaigns.repository import get_campaign
from campaigns_site.table import campaign_sk, story_job_sk, summary_job_sk, user_pk
from campaigns_site.transactions import Transaction, TransactionCanceled
from campaigns_site.usage import add_usage, summary_cost
from sessions.core import search_index
from sessions.core.kinds import STORY_SO_FAR
from sessions.core.repository import record_child_write
from sessions.summaries.fallbacks import record_fallback
from sessions.summaries.items import (
    DONE,
    FAILED,
    GENERIC_FAILURE,
    NO_TRANSCRIPT,
    Summary,
    SummaryJob,
    kind_label,
    took_too_long,
)
from sessions.summaries.job_status import claim, finish_quietly, mark_finished, still_running
from sessions.summaries.repository import (
    generated_summary,
    list_recaps_in_play_order,
    story_sources,
    story_sources_sha256,
)
from sessions.summaries.summarizers import summarize, summarize_story_so_far
from sessions.summaries.summarizers.base import (
    SummaryError,
    SummaryInputError,
    SummaryProviderError,
    SummaryRequest,
)
from sessions.summaries.summarizers.offline import OfflineSummarizer
from sessions.transcripts.items import stored_names
from sessions.transcripts.repository import get_session_with_campaign_and_speaker_names
from sessions.transcripts.segments_json import load_segments
from sessions.transcripts.speaker_display import names_fingerprint, speaker_display
from sessions.transcripts.storage import load_stored_segments

logger = logging.getLogger(__name__)


# --- a session's summaries -----------------------------------------------------------------------
def run_summary_job(*, sub, campaign_id, session_id, job_id):
    """The worker's body: make the summaries of the job `job_id`, if it is still queued.

    Safe to call twice (a redelivered invocation finds the job claimed and does nothing)
    and never raises: every failure ends the job as failed with a reason, logged. Returns
    the job as it ended, or None when it was not this call's to run (claimed already,
    replaced, deleted) or its session went meanwhile.
    """
    sk = summary_job_sk(campaign_id, session_id)
    try:
        job = claim(sub, sk, job_id)
        if job is None:
            logger.info("summary job %s of session %s: not queued any more, nothing to do", job_id, session_id)
            return None
        return _run_session_job(job, sub=sub, campaign_id=campaign_id, session_id=session_id)
    except Exception:
        logger.exception("summary job %s of session %s (user %s) failed", job_id, session_id, sub)
        return finish_quietly(sub, sk, job_id, error=GENERIC_FAILURE)


def _run_session_job(job, *, sub, campaign_id, session_id):
    campaign, session, names = get_session_with_campaign_and_speaker_names(
        sub=sub, campaign_id=campaign_id, session_id=session_id
    )
    if campaign is None or session is None:
        # Deleted or moved meanwhile (or its campaign is being deleted): whatever removed
        # the session removes this job's item too, and nothing here may write one again.
        logger.info("summary job %s: session %s is gone, ending quietly", job.job_id, session_id)
        return None
    if not session.has_transcript:
        return _finish(job, status=FAILED, error=NO_TRANSCRIPT)
    segments = load_segments(load_stored_segments(session))
    speaker_names, names_sha = _speaker_names(session, names, segments)
    progress = _Progress()
    writer = _Writer("session summaries")
    for kind in job.kinds:
        if job.deadline <= timezone.now():
            return _finish(job, status=FAILED, error=took_too_long(), progress=progress)
        request = SummaryRequest(
            kind=kind,
            length=job.length,
            segments=segments,
            speaker_names=speaker_names,
            session_title=session.title,
            campaign_name=campaign.name,
        )
        try:
            result = writer.write(lambda summarizer, request=request: summarize(request, **summarizer))
        except SummaryInputError as error:  # this kind, this transcript: the other kinds may work
            progress.errors[kind] = str(error)
            continue
        except SummaryError as error:  # the provider: the next kinds would fail the same way
            return _finish(job, status=FAILED, error=str(error), progress=progress)
        item = generated_summary(
            sub=sub,
            campaign_id=campaign_id,
            session_id=session_id,
            result=result,
            version=job.expected_version(kind) + 1,
            source_sha256=session.transcript_sha256,
            fallback_reason=writer.fallback_reason,
            speaker_names_sha=names_sha,
        )
        outcome = _save_session_summary(job, kind, item, sub=sub, campaign_id=campaign_id, session_id=session_id)
        if outcome is _GONE:
            logger.info(
                "summary job %s: session %s moved, deleted or the job replaced; ending quietly", job.job_id, session_id
            )
            return None
        (progress.done if outcome is _SAVED else progress.kept).append(kind)
    return _finish_with(job, progress)


def _speaker_names(session, names, segments):
    """({raw label: display name} for the transcript's named speakers, the fingerprint the
    summaries record): the names the page compares with later are those of the labels the
    session lists (the session page has those, not the transcript's every label)."""
    by_label = stored_names(names)
    speaker_names = {
        label: speaker_display(by_label, label)
        for label in {segment.speaker for segment in segments if segment.speaker}
        if label in by_label
    }
    return speaker_names, names_fingerprint(by_label, session.transcript_speakers or [])


def _save_session_summary(job, kind, item, *, sub, campaign_id, session_id):
    """_save for a session's summary: the session's child write, and its words in the
    session's search item."""

    def child_write(transaction):
        record_child_write(transaction, sub=sub, campaign_id=campaign_id, session_id=session_id)

    def index_words(transaction):
        search_index.write_part(
            transaction,
            sub=sub,
            campaign_id=campaign_id,
            session_id=session_id,
            part=part,
        )

    part = search_index.summary_part(kind, item.text)
    if not job.expected_version(kind):  # a new kind (its Put requires none): no words to remove
        part = search_index.first_words_only(part)
    return _save(job, kind, item, child_write, index_words)


# --- the campaign's story so far ------------------------------------------------------------------
def run_story_job(*, sub, campaign_id, job_id):
    """The worker's body for the story so far; the same promises as run_summary_job."""
    sk = story_job_sk(campaign_id)
    try:
        job = claim(sub, sk, job_id)
        if job is None:
            logger.info("story job %s of campaign %s: not queued any more, nothing to do", job_id, campaign_id)
            return None
        return _run_story_job(job, sub=sub, campaign_id=campaign_id)
    except Exception:
        logger.exception("story job %s of campaign %s (user %s) failed", job_id, campaign_id, sub)
        return finish_quietly(sub, sk, job_id, error=GENERIC_FAILURE)


def _run_story_job(job, *, sub, campaign_id):
    campaign = get_campaign(sub=sub, campaign_id=campaign_id)
    if campaign is None:
        logger.info("story job %s: campaign %s is gone or being deleted, ending quietly", job.job_id, campaign_id)
        return None
    recaps = list_recaps_in_play_order(sub=sub, campaign_id=campaign_id)
    sources = story_sources(recaps)
    writer = _Writer("story so far")
    try:
        result = writer.write(
            lambda summarizer: summarize_story_so_far(
                session_summaries=sources, campaign_name=campaign.name, length=job.length, **summarizer
            )
        )
    except SummaryError as error:
        return _finish(job, status=FAILED, error=str(error))
    item = generated_summary(
        sub=sub,
        campaign_id=campaign_id,
        result=result,
        version=job.expected_version(STORY_SO_FAR) + 1,
        source_sha256=story_sources_sha256(recaps),
        source_count=len(sources),
        fallback_reason=writer.fallback_reason,
    )

    def campaign_check(transaction):
        transaction.check(user_pk(sub), campaign_sk(campaign_id), condition=Campaign.live_condition())

    outcome = _save(job, STORY_SO_FAR, item, campaign_check)
    if outcome is _GONE:
        logger.info("story job %s: campaign %s deleted or the job replaced; ending quietly", job.job_id, campaign_id)
        return None
    progress = _Progress()
    (progress.done if outcome is _SAVED else progress.kept).append(STORY_SO_FAR)
    return _finish_with(job, progress)


# --- the steps -----------------------------------------------------------------------------------
_SAVED, _KEPT, _GONE = object(), object(), object()


class _Writer:
    """Who writes a job's summaries: the configured provider until it refuses the service
    itself (SummaryProviderError.fallback_reason: no access to the model, no such model
    in the region, throttled past its retries, unreachable), then the offline summarizer,
    for the rest of the job. Each fallback is logged at WARNING and kept for the staff
    page (sessions.summaries.fallbacks); the summaries it writes carry the reason."""

    def __init__(self, what):
        self.what = what  # for staff: "session summaries", "story so far"
        self.offline = None  # the stand-in, once the configured provider refused
        self.fallback_reason = None

    def write(self, call):
        """call(summarizer_kwargs) -> SummaryResult, with {} (the configured provider) or
        {"summarizer": the offline one}."""
        if self.offline is not None:
            return call({"summarizer": self.offline})
        try:
            return call({})
        except SummaryProviderError as error:
            if not error.fallback_reason or settings.SUMMARY_PROVIDER == "offline":
                raise
            record_fallback(
                reason=error.fallback_reason,
                detail=str(error),
                provider=settings.SUMMARY_PROVIDER,
                model=getattr(settings, "BEDROCK_MODEL_ID", ""),
                what=self.what,
            )
            self.offline, self.fallback_reason = OfflineSummarizer(), error.fallback_reason
            return call({"summarizer": self.offline})


class _Progress:
    def __init__(self):
        self.done, self.kept, self.errors = [], [], {}


def _save(job, kind, item, parent_check, index_words=None):
    """Put one summary, if it is still at the version the job started from, with the
    parent's check (session child write, or campaign check), the job's progress and (for
    a session's summary) its words in the session's search item, in one transaction.
    _SAVED, _KEPT (edited meanwhile: left alone) or _GONE (the parent went, or this job
    was replaced)."""
    expected = job.expected_version(kind)
    transaction = Transaction()
    transaction.put(item, condition=(Summary.version == expected) if expected else Summary.sk.does_not_exist())
    parent_check(transaction)
    transaction.update(
        job.pk,
        job.sk,
        actions=[SummaryJob.done_kinds.set(SummaryJob.done_kinds.append([kind]))],
        condition=still_running(job.job_id),
    )
    if index_words is not None:
        index_words(transaction)  # unconditioned, after the rest: the reasons above keep their places
    # The user's usage counters: a new summary counts, a replaced one's cost goes with it.
    add_usage(
        transaction,
        sub=job.owner_sub,
        summaries=0 if expected else 1,
        summary_cost_usd=summary_cost(item) - job.expected_cost(kind),
    )
    try:
        transaction.commit()
    except TransactionCanceled as canceled:
        if canceled.failed(1) or canceled.failed(2):
            return _GONE
        if canceled.failed(0):
            logger.info("summary job %s: %s was edited meanwhile, kept", job.job_id, kind)
            return _KEPT
        raise
    return _SAVED


def _finish_with(job, progress):
    if progress.done or progress.kept:
        return _finish(job, status=DONE, progress=progress)
    return _finish(job, status=FAILED, error=_combined(job, progress.errors), progress=progress)


def _finish(job, *, status, error=None, progress=None):
    """Mark this running job done or failed, with its registry entry (job_status.mark_finished)."""
    progress = progress or _Progress()
    return mark_finished(
        job, status=status, error=error, done=progress.done, kept=progress.kept, errors=progress.errors
    )


def _combined(job, errors):
    """One message when no kind could be made: theirs if they agree, else each with its kind."""
    messages = [errors[kind] for kind in job.kinds if kind in errors]
    if not messages:
        return GENERIC_FAILURE
    if len(set(messages)) == 1:
        return messages[0]
    return " ".join(f"{kind_label(kind)}: {errors[kind]}" for kind in job.kinds if kind in errors)
