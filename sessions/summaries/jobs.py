"""Summary jobs: making a session's summaries (or a campaign's story so far) in the
background, with a status the page can poll.

One item per session, PK `USER#<sub>`, SK `SUMMARYJOB#<cid>#<sid>`, and one per campaign
for its story, `SUMMARYJOB#<cid>#STORY`: the latest job, replaced by the next one. Its
`status` goes queued -> running -> done or failed. The work runs elsewhere
(sessions/summaries/tasks.py: an asynchronous self-invocation on Lambda, a worker thread
locally, at once in tests), so every step here is a conditional write that is safe to
repeat and safe to lose:

- Start (start_summary_job): one BatchGetItem (campaign, session, job, the kinds'
  summaries) to refuse early with a clear reason, then one TransactWriteItems: the job's
  Put conditioned on "no job, or it finished, or it is past its deadline", and the
  session's child write. Two clicks at once start one job; the second gets
  JobAlreadyRunning. The job records the version of each summary it will replace.
- Run (run_summary_job): claims the job (queued -> running, conditioned on its job_id
  and status, so a redelivered invocation does nothing), then saves each kind in its own
  transaction: the summary's Put conditioned on the version recorded at the start (a hand
  edit made meanwhile wins and is listed in `kept_edits`), the session's child write (a
  session deleted or moved meanwhile refuses it: the job ends quietly and leaves nothing
  behind) and an update of the job conditioned on it still being this running job (one
  started after this one timed out takes over). It always ends done or failed, never
  running; what it cannot even mark (it was replaced or deleted) is left as it is.
- Timeout: settings.SUMMARY_JOB_TIMEOUT_SECONDS after it was queued or claimed, a job
  still queued or running reads as failed (`effective_status`), and a new start replaces
  it. Nothing needs to sweep it: reads decide.
- Expiry: a finished job keeps KEEP_DAYS (its `ttl`); reads treat an expired one as gone
  (docs/data-model.md, rule 5).
"""

import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import UpdateError

from campaigns.repository import CampaignNotFound, get_campaign
from campaigns_site.errors import StillChanging
from campaigns_site.table import (
    TableModel,
    campaign_sk,
    new_id,
    session_sk,
    story_job_sk,
    story_summary_sk,
    summary_job_sk,
    summary_sk,
    user_pk,
)
from campaigns_site.table_keys import summaries_prefix
from campaigns_site.transactions import Transaction, TransactionCanceled
from sessions.core import search_index
from sessions.core.items import PlaySession
from sessions.core.repository import (
    SessionNotFound,
    first_of,
    get_session_with_campaign_and_speaker_names,
    live_campaign,
    read_items,
    record_child_write,
)
from sessions.summaries import tasks as summary_tasks
from sessions.summaries.repository import (
    SessionOrStory,
    Summary,
    campaign_is_live,
    generated_summary,
    kind_label,
    list_recaps_in_play_order,
    story_sources,
    story_sources_sha256,
)
from sessions.summaries.summarizers import (
    KINDS,
    LENGTHS,
    STORY_SO_FAR,
    SummaryError,
    SummaryInputError,
    SummaryProviderError,
    SummaryRequest,
    summarize,
    summarize_story_so_far,
)

logger = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATUSES = (QUEUED, RUNNING, DONE, FAILED)
ACTIVE = (QUEUED, RUNNING)
FINISHED = (DONE, FAILED)
KEEP_DAYS = 7  # a finished job's status stays this long, then expires
START_ATTEMPTS = 3

NO_TRANSCRIPT = "This session has no transcript yet: upload one, then ask for summaries."
NOTHING_TO_TELL = "No session of this campaign has a recap yet: make a session's recap first."
GENERIC_FAILURE = "Something went wrong while making the summaries. Try again in a moment."
DISPATCH_FAILURE = "The summary job could not be started. Try again in a moment."


class SummaryJob(SessionOrStory, TableModel, discriminator="SummaryJob"):
    """PK `USER#<sub>`, SK `SUMMARYJOB#<cid>#<sid>` (or `SUMMARYJOB#<cid>#STORY`)."""

    job_id = UnicodeAttribute()  # a ULID, new for every start: a worker acts only on its own job
    status = UnicodeAttribute()  # queued, running, done, failed (see effective_status)
    kinds = ListAttribute(of=UnicodeAttribute, default=list)  # in KINDS order
    length = UnicodeAttribute(default="standard")
    replace_edits = BooleanAttribute(default=False)  # the GM agreed to replace hand edits
    # {kind: the summary's version when the job started, 0 when there was none}: a save
    # is conditioned on it, so a hand edit made while the job runs is kept.
    expected_versions = MapAttribute(default=dict)
    requested = UTCDateTimeAttribute()
    started = UTCDateTimeAttribute(null=True)
    finished = UTCDateTimeAttribute(null=True)
    deadline = UTCDateTimeAttribute()  # queued or running past this: failed
    attempts = NumberAttribute(default=0)  # claims (Lambda may deliver an invocation twice)
    error = UnicodeAttribute(null=True)  # why it failed, for the person who asked
    done_kinds = ListAttribute(of=UnicodeAttribute, default=list)  # saved, in order
    kept_edits = ListAttribute(of=UnicodeAttribute, default=list)  # edited meanwhile: kept, not replaced
    kind_errors = MapAttribute(default=dict)  # {kind: why that kind has no summary} (e.g. not English)
    ttl = TTLAttribute(null=True)

    # --- where it belongs (campaign_id, is_story and session_id: SessionOrStory)
    @property
    def owner_sub(self):
        return self.pk.removeprefix("USER#")

    # --- status
    @property
    def is_expired(self):
        return self.ttl is not None and self.ttl <= _now()

    @property
    def timed_out(self):
        return self.status in ACTIVE and self.deadline is not None and self.deadline <= _now()

    @property
    def effective_status(self):
        """The status to show: a job queued or running past its deadline has failed."""
        return FAILED if self.timed_out else self.status

    @property
    def is_active(self):
        return self.effective_status in ACTIVE

    @property
    def is_done(self):
        return self.effective_status == DONE

    @property
    def is_failed(self):
        return self.effective_status == FAILED

    @property
    def failure_reason(self):
        """Why it failed, in words for the person who asked; "" unless it failed."""
        if self.timed_out:
            if self.status == QUEUED:
                return f"It did not start within {timeout_text()}. Try again."
            return _took_too_long()
        if self.status == FAILED:
            return self.error or GENERIC_FAILURE
        return ""

    # --- what it did, for the page
    @property
    def kind_labels(self):
        return [kind_label(kind) for kind in self.kinds]

    @property
    def done_labels(self):
        return [kind_label(kind) for kind in self.done_kinds or []]

    @property
    def kept_edit_labels(self):
        return [kind_label(kind) for kind in self.kept_edits or []]

    @property
    def problems(self):
        """[(kind label, why it has no summary)] for kinds that could not be made."""
        errors = _as_dict(self.kind_errors)
        return [(kind_label(kind), errors[kind]) for kind in self.kinds if kind in errors]

    def expected_version(self, kind):
        return int(_as_dict(self.expected_versions).get(kind) or 0)


# --- refusals ----------------------------------------------------------------------------------
class JobRefused(Exception):
    """The job was not started; the message is for the person who asked."""


class NoTranscript(JobRefused):
    def __init__(self, message=NO_TRANSCRIPT):
        super().__init__(message)


class NothingToTell(JobRefused):
    """The story so far needs at least one session's recap."""

    def __init__(self, message=NOTHING_TO_TELL):
        super().__init__(message)


class JobAlreadyRunning(JobRefused):
    """A job is queued or running for it already: `job` is that one (show its status)."""

    def __init__(self, job):
        # Read a moment later (a flash message): what was true when asked, not "now".
        super().__init__("Summaries were already being written when you asked, so nothing new was started.")
        self.job = job


class EditedSummaries(JobRefused):
    """Some kinds asked for have hand-edited summaries: ask, then start again with
    replace_edits=True (or without those kinds)."""

    def __init__(self, kinds):
        self.kinds = list(kinds)
        self.labels = [kind_label(kind) for kind in self.kinds]
        one = len(self.kinds) == 1
        super().__init__(
            f"You edited {_and_list(self.labels)} by hand. Making {'it' if one else 'them'} "
            f"again replaces your {'edit' if one else 'edits'}."
        )


# --- reads -----------------------------------------------------------------------------------
def get_summary_job(*, sub, campaign_id, session_id):
    """The session's latest summary job, or None (never asked, or expired)."""
    return _get_job(sub, summary_job_sk(campaign_id, session_id))


def get_story_job(*, sub, campaign_id):
    """The campaign's latest story-so-far job, or None."""
    return _get_job(sub, story_job_sk(campaign_id))


def _get_job(sub, sk):
    try:
        job = SummaryJob.get(user_pk(sub), sk, consistent_read=True)
    except SummaryJob.DoesNotExist:
        return None
    return None if job.is_expired else job


def live_job(item):
    """A SummaryJob item as read in a batch, or None when it is expired (rule 5)."""
    return None if item is None or item.is_expired else item


# --- a session's summaries -----------------------------------------------------------------------
def start_summary_job(*, sub, campaign_id, session_id, kinds, length="standard", replace_edits=False):
    """Queue a job making the session's summaries of `kinds` at `length`, and dispatch it.
    Returns the job as queued (with the "inline" runner it has already run: read it again).

    Raises SessionNotFound, NoTranscript, JobAlreadyRunning(job) when one is queued or
    running (a double click starts one job), EditedSummaries(kinds) when some of those
    summaries were edited by hand and replace_edits is False. ValueError for an unknown
    kind or length (the form offers only KINDS and LENGTHS).
    """
    kinds, length = checked_kinds(kinds), checked_length(length)
    sk = summary_job_sk(campaign_id, session_id)
    for _ in range(START_ATTEMPTS):
        campaign, session, job, summaries = _read_for_start(sub, campaign_id, session_id, kinds)
        if campaign is None or session is None:
            raise SessionNotFound(session_id)
        if not session.has_transcript:
            raise NoTranscript()
        if job is not None and job.is_active:
            raise JobAlreadyRunning(job)
        edited = [kind for kind in kinds if kind in summaries and summaries[kind].edited]
        if edited and not replace_edits:
            raise EditedSummaries(edited)
        expected = {kind: int(summaries[kind].version) if kind in summaries else 0 for kind in kinds}
        new = _new_job(sub, sk, kinds=kinds, length=length, replace_edits=replace_edits, expected=expected)
        transaction = Transaction()
        transaction.put(new, condition=_replaceable(new.requested))
        record_child_write(transaction, sub=sub, campaign_id=campaign_id, session_id=session_id)
        if not _put_new_job(
            transaction,
            gone=SessionNotFound(session_id),
            read_job=lambda: get_summary_job(sub=sub, campaign_id=campaign_id, session_id=session_id),
        ):
            continue
        return _dispatch(
            new,
            lambda: summary_tasks.dispatch_summary_job(
                sub=sub, campaign_id=campaign_id, session_id=session_id, job_id=new.job_id
            ),
        )
    raise StillChanging(session_id)


def run_summary_job(*, sub, campaign_id, session_id, job_id):
    """The worker's body: make the summaries of the job `job_id`, if it is still queued.

    Safe to call twice (a redelivered invocation finds the job claimed and does nothing)
    and never raises: every failure ends the job as failed with a reason, logged. Returns
    the job as it ended, or None when it was not this call's to run (claimed already,
    replaced, deleted) or its session went meanwhile.
    """
    sk = summary_job_sk(campaign_id, session_id)
    try:
        job = _claim(sub, sk, job_id)
        if job is None:
            logger.info("summary job %s of session %s: not queued any more, nothing to do", job_id, session_id)
            return None
        return _run_session_job(job, sub=sub, campaign_id=campaign_id, session_id=session_id)
    except Exception:
        logger.exception("summary job %s of session %s (user %s) failed", job_id, session_id, sub)
        return _finish_quietly(sub, sk, job_id, error=GENERIC_FAILURE)


def _run_session_job(job, *, sub, campaign_id, session_id):
    from sessions.transcripts.segments_json import load_segments
    from sessions.transcripts.services import load_stored_segments
    from sessions.transcripts.speaker_display import names_fingerprint, speaker_display
    from sessions.transcripts.speaker_names import stored_names

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
    by_label = stored_names(names)
    speaker_names = {
        label: speaker_display(by_label, label)
        for label in {segment.speaker for segment in segments if segment.speaker}
        if label in by_label
    }
    # The names the page compares with later: those of the labels the session lists (the
    # session page has those, not the transcript's every label).
    names_sha = names_fingerprint(by_label, session.transcript_speakers or [])
    progress = _Progress()
    writer = _Writer("session summaries")
    for kind in job.kinds:
        if job.deadline <= _now():
            return _finish(job, status=FAILED, error=_took_too_long(), progress=progress)
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
            sk=summary_sk(campaign_id, session_id, kind),
            result=result,
            version=job.expected_version(kind) + 1,
            source_sha256=session.transcript_sha256,
            fallback_reason=writer.fallback_reason,
            speaker_names_sha=names_sha,
        )

        def child_write(transaction):
            record_child_write(transaction, sub=sub, campaign_id=campaign_id, session_id=session_id)

        def index_words(transaction, kind=kind, text=item.text):
            search_index.write_part(
                transaction,
                sub=sub,
                campaign_id=campaign_id,
                session_id=session_id,
                part=search_index.summary_part(kind, text),
            )

        outcome = _save(job, kind, item, child_write, index_words)
        if outcome is _GONE:
            logger.info(
                "summary job %s: session %s moved, deleted or the job replaced; ending quietly", job.job_id, session_id
            )
            return None
        (progress.done if outcome is _SAVED else progress.kept).append(kind)
    return _finish_with(job, progress)


# --- the campaign's story so far ------------------------------------------------------------------
def start_story_job(*, sub, campaign_id, length="standard", replace_edits=False):
    """Queue a job making the campaign's story so far from its sessions' recaps, and dispatch it.

    Raises CampaignNotFound, NothingToTell (no session has a recap), JobAlreadyRunning,
    EditedSummaries([STORY_SO_FAR]) when the story was edited by hand and replace_edits is
    False.
    """
    length = checked_length(length)
    sk = story_job_sk(campaign_id)
    for _ in range(START_ATTEMPTS):
        campaign, job, story = _read_for_story_start(sub, campaign_id)
        if campaign is None:
            raise CampaignNotFound(campaign_id)
        if job is not None and job.is_active:
            raise JobAlreadyRunning(job)
        if story is not None and story.edited and not replace_edits:
            raise EditedSummaries([STORY_SO_FAR])
        if not _has_a_recap(sub, campaign_id):
            raise NothingToTell()
        expected = {STORY_SO_FAR: int(story.version) if story is not None else 0}
        new = _new_job(sub, sk, kinds=[STORY_SO_FAR], length=length, replace_edits=replace_edits, expected=expected)
        transaction = Transaction()
        transaction.put(new, condition=_replaceable(new.requested))
        transaction.check(user_pk(sub), campaign_sk(campaign_id), condition=campaign_is_live())
        if not _put_new_job(
            transaction,
            gone=CampaignNotFound(campaign_id),
            read_job=lambda: get_story_job(sub=sub, campaign_id=campaign_id),
        ):
            continue
        return _dispatch(
            new, lambda: summary_tasks.dispatch_story_job(sub=sub, campaign_id=campaign_id, job_id=new.job_id)
        )
    raise StillChanging(campaign_id)


def run_story_job(*, sub, campaign_id, job_id):
    """The worker's body for the story so far; the same promises as run_summary_job."""
    sk = story_job_sk(campaign_id)
    try:
        job = _claim(sub, sk, job_id)
        if job is None:
            logger.info("story job %s of campaign %s: not queued any more, nothing to do", job_id, campaign_id)
            return None
        return _run_story_job(job, sub=sub, campaign_id=campaign_id)
    except Exception:
        logger.exception("story job %s of campaign %s (user %s) failed", job_id, campaign_id, sub)
        return _finish_quietly(sub, sk, job_id, error=GENERIC_FAILURE)


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
        sk=story_summary_sk(campaign_id),
        result=result,
        version=job.expected_version(STORY_SO_FAR) + 1,
        source_sha256=story_sources_sha256(recaps),
        source_count=len(sources),
        fallback_reason=writer.fallback_reason,
    )

    def campaign_check(transaction):
        transaction.check(user_pk(sub), campaign_sk(campaign_id), condition=campaign_is_live())

    outcome = _save(job, STORY_SO_FAR, item, campaign_check)
    if outcome is _GONE:
        logger.info("story job %s: campaign %s deleted or the job replaced; ending quietly", job.job_id, campaign_id)
        return None
    progress = _Progress()
    (progress.done if outcome is _SAVED else progress.kept).append(STORY_SO_FAR)
    return _finish_with(job, progress)


# --- checks ------------------------------------------------------------------------------------
def checked_kinds(kinds):
    """The kinds asked for, each once, in KINDS order; ValueError for none or an unknown one."""
    kinds = list(kinds)
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown or not kinds:
        raise ValueError(f"summary kinds must be some of {', '.join(KINDS)}, not {kinds!r}")
    return [kind for kind in KINDS if kind in kinds]


def checked_length(length):
    if length not in LENGTHS:
        raise ValueError(f"unknown summary length {length!r}; expected one of {', '.join(LENGTHS)}")
    return length


def timeout_text():
    """settings.SUMMARY_JOB_TIMEOUT_SECONDS in words: "5 minutes", "90 seconds"."""
    seconds = settings.SUMMARY_JOB_TIMEOUT_SECONDS
    if seconds % 60:
        return f"{seconds} seconds"
    minutes = seconds // 60
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


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
            from sessions.summaries.fallbacks import record_fallback
            from sessions.summaries.summarizers.offline import OfflineSummarizer

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


def _read_for_start(sub, campaign_id, session_id, kinds):
    """(campaign, session, job, {kind: summary}) in one strongly consistent BatchGetItem."""
    keys = [
        (user_pk(sub), campaign_sk(campaign_id)),
        (user_pk(sub), session_sk(campaign_id, session_id)),
        (user_pk(sub), summary_job_sk(campaign_id, session_id)),
    ] + [(user_pk(sub), summary_sk(campaign_id, session_id, kind)) for kind in kinds]
    found = read_items(keys)
    summaries = {item.kind: item for item in found if isinstance(item, Summary)}
    return live_campaign(found), first_of(found, PlaySession), live_job(first_of(found, SummaryJob)), summaries


def _read_for_story_start(sub, campaign_id):
    """(campaign, job, story so far) in one strongly consistent BatchGetItem."""
    keys = [
        (user_pk(sub), campaign_sk(campaign_id)),
        (user_pk(sub), story_job_sk(campaign_id)),
        (user_pk(sub), story_summary_sk(campaign_id)),
    ]
    found = read_items(keys)
    return live_campaign(found), live_job(first_of(found, SummaryJob)), first_of(found, Summary)


def get_story_page(*, sub, campaign_id):
    """(campaign, story so far, its job, the campaign's speaker names) in one strongly
    consistent BatchGetItem, for the story page; each None when missing (all four when the
    campaign is missing or being deleted). The names tell which recaps were written before
    the speakers were named (summary_views.speaker_names_note)."""
    from campaigns_site.table import speaker_names_sk
    from sessions.transcripts.speaker_names import SpeakerNames

    found = read_items(
        [
            (user_pk(sub), campaign_sk(campaign_id)),
            (user_pk(sub), story_summary_sk(campaign_id)),
            (user_pk(sub), story_job_sk(campaign_id)),
            (user_pk(sub), speaker_names_sk(campaign_id)),
        ]
    )
    campaign = live_campaign(found)
    if campaign is None:
        return None, None, None, None
    return campaign, first_of(found, Summary), live_job(first_of(found, SummaryJob)), first_of(found, SpeakerNames)


def _has_a_recap(sub, campaign_id):
    recaps = Summary.query(
        user_pk(sub),
        Summary.sk.startswith(summaries_prefix(campaign_id)),
        filter_condition=(Summary.kind == "recap") & (Summary.text != ""),
        consistent_read=True,
        attributes_to_get=["PK", "SK", "entity"],
    )
    return any(True for _ in recaps)


def _new_job(sub, sk, *, kinds, length, replace_edits, expected):
    now = _now()
    deadline = now + _timeout()
    return SummaryJob(
        user_pk(sub),
        sk,
        job_id=new_id(),
        status=QUEUED,
        kinds=list(kinds),
        length=length,
        replace_edits=bool(replace_edits),
        expected_versions=dict(expected),
        requested=now,
        deadline=deadline,
        attempts=0,
        done_kinds=[],
        kept_edits=[],
        kind_errors={},
        # A job nobody ever runs (a lost invocation) still goes away in time.
        ttl=deadline + timedelta(days=KEEP_DAYS),
    )


def _replaceable(now):
    """A new job may take the place of none, a finished one, or one past its deadline."""
    return SummaryJob.sk.does_not_exist() | SummaryJob.status.is_in(*FINISHED) | (SummaryJob.deadline < now)


def _put_new_job(transaction, *, gone, read_job):
    """Commit a transaction that puts a new job (its first item) and checks that the session
    or campaign is there (its second); True when it did.

    Raises `gone` when the second failed, JobAlreadyRunning when another job is running now.
    False when the job in the way has finished meanwhile (between the caller's read and this
    write): the caller reads again and tries once more.
    """
    try:
        transaction.commit()
    except TransactionCanceled as canceled:
        if canceled.failed(1):
            raise gone from None
        if not canceled.failed(0):
            raise
        current = read_job()
        if current is not None and current.is_active:
            raise JobAlreadyRunning(current) from None
        return False
    return True


def replaceable_job_condition():
    """For a write that removes a session's job item (a move): only when no job is running."""
    return _replaceable(_now())


def _dispatch(job, send):
    """Hand the job to its runner; a runner that cannot take it fails the job at once."""
    try:
        send()
    except Exception:
        logger.exception("summary job %s (%s) could not be dispatched", job.job_id, job.sk)
        _finish_quietly(job.owner_sub, job.sk, job.job_id, error=DISPATCH_FAILURE, from_status=QUEUED)
        job.status, job.error = FAILED, DISPATCH_FAILURE
    return job


def _claim(sub, sk, job_id):
    """queued -> running, if it is still this job, queued and within its deadline; returns
    the claimed job, or None (a duplicate delivery, a replaced or deleted job)."""
    now = _now()
    job = SummaryJob(user_pk(sub), sk)
    deadline = now + _timeout()
    try:
        job.update(
            actions=[
                SummaryJob.status.set(RUNNING),
                SummaryJob.started.set(now),
                SummaryJob.deadline.set(deadline),
                SummaryJob.attempts.add(1),
                SummaryJob.ttl.set(deadline + timedelta(days=KEEP_DAYS)),
            ],
            condition=(SummaryJob.job_id == job_id) & (SummaryJob.status == QUEUED) & (SummaryJob.deadline > now),
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return None
        raise
    return job


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
        condition=_still_running(job.job_id),
    )
    if index_words is not None:
        index_words(transaction)  # last, and unconditioned: the reasons above keep their places
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


def _still_running(job_id):
    return (SummaryJob.job_id == job_id) & (SummaryJob.status == RUNNING)


def _finish_with(job, progress):
    if progress.done or progress.kept:
        return _finish(job, status=DONE, progress=progress)
    return _finish(job, status=FAILED, error=_combined(job, progress.errors), progress=progress)


def _finish(job, *, status, error=None, progress=None):
    """Mark this running job done or failed; returns it, or None if it is not ours any more."""
    progress = progress or _Progress()
    now = _now()
    actions = [
        SummaryJob.status.set(status),
        SummaryJob.finished.set(now),
        SummaryJob.ttl.set(now + timedelta(days=KEEP_DAYS)),
        SummaryJob.kept_edits.set(progress.kept),
        SummaryJob.kind_errors.set(dict(progress.errors)),
        SummaryJob.error.set(error) if error else SummaryJob.error.remove(),
    ]
    try:
        job.update(actions=actions, condition=_still_running(job.job_id))
    except UpdateError as update_error:
        if update_error.cause_response_code == "ConditionalCheckFailedException":
            return None  # replaced by a newer job, or deleted with its session
        raise
    return job


def _finish_quietly(sub, sk, job_id, *, error, from_status=None):
    """Mark the job failed after an unexpected error, if it is still this job and not
    finished; never raises (the deadline marks it failed if even this write fails)."""
    now = _now()
    job = SummaryJob(user_pk(sub), sk)
    condition = (SummaryJob.job_id == job_id) & SummaryJob.status.is_in(*((from_status,) if from_status else ACTIVE))
    try:
        job.update(
            actions=[
                SummaryJob.status.set(FAILED),
                SummaryJob.finished.set(now),
                SummaryJob.error.set(error),
                SummaryJob.ttl.set(now + timedelta(days=KEEP_DAYS)),
            ],
            condition=condition,
        )
    except Exception:
        logger.warning("summary job %s (%s): could not mark it failed", job_id, sk, exc_info=True)
        return None
    return job


def _combined(job, errors):
    """One message when no kind could be made: theirs if they agree, else each with its kind."""
    messages = [errors[kind] for kind in job.kinds if kind in errors]
    if not messages:
        return GENERIC_FAILURE
    if len(set(messages)) == 1:
        return messages[0]
    return " ".join(f"{kind_label(kind)}: {errors[kind]}" for kind in job.kinds if kind in errors)


def _took_too_long():
    return f"It took longer than {timeout_text()} and was stopped. Try again."


def _timeout():
    return timedelta(seconds=settings.SUMMARY_JOB_TIMEOUT_SECONDS)


def _and_list(words):
    words = [f"“{word}”" for word in words]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _as_dict(value):
    if value is None:
        return {}
    return value.as_dict() if isinstance(value, MapAttribute) else dict(value)


def _now():
    return datetime.now(UTC)
