"""Summary jobs: making a session's summaries (or a campaign's story so far) in the
background, with a status the page can poll. This module starts them; their items are
in sessions/summaries/items.py, their reads in sessions/summaries/repository.py, and
what runs them in sessions/summaries/runners.py.

One item per session, PK `USER#<sub>`, SK `SUMMARYJOB#<cid>#<sid>`, and one per campaign
for its story, `SUMMARYJOB#<cid>#STORY`: the latest job, replaced by the next one. Its
`status` goes queued -> running -> done or failed. The work runs elsewhere
(sessions/summaries/tasks.py: an asynchronous self-invocation on Lambda, a worker thread
locally, at once in tests), so every step is a conditional write that is safe to
repeat and safe to lose:

- Start (start_summary_job): one BatchGetItem (campaign, session, job, the kinds'
  summaries) to refuse early with a clear reason, then one TransactWriteItems: the job's
  Put conditioned on "no job, or it finished, or it is past its deadline", the
  session's child write and the Put of the staff's job registry entry
  (sessions/summaries/registry.py, written again at each status change). Two clicks at
  once start one job; the second gets JobAlreadyRunning. The job records the version of
  each summary it will replace.
- Run (sessions/summaries/runners.py: run_summary_job): claims the job (queued ->
  running, conditioned on its job_id and status, so a redelivered invocation does
  nothing), then saves each kind in its own transaction: the summary's Put conditioned on
  the version recorded at the start (a hand edit made meanwhile wins and is listed in
  `kept_edits`), the session's child write (a session deleted or moved meanwhile refuses
  it: the job ends quietly and leaves nothing behind) and an update of the job
  conditioned on it still being this running job (one started after this one timed out
  takes over). It always ends done or failed, never running; what it cannot even mark
  (it was replaced or deleted) is left as it is.
- Timeout: settings.SUMMARY_JOB_TIMEOUT_SECONDS after it was queued or claimed, a job
  still queued or running reads as failed (`effective_status`), and a new start replaces
  it. Nothing needs to sweep it: reads decide.
- Expiry: a finished job keeps KEEP_DAYS (its `ttl`); reads treat an expired one as gone
  (docs/data-model.md, rule 5).
"""

import logging
from datetime import timedelta

from django.utils import timezone

from campaigns.items import Campaign
from campaigns.repository import CampaignNotFound
from campaigns_site.errors import StillChanging
from campaigns_site.table import campaign_sk, new_id, story_job_sk, summary_job_sk, user_pk
from campaigns_site.transactions import Transaction, TransactionCanceled
from sessions.core.kinds import KINDS, LENGTHS, STORY_SO_FAR
from sessions.core.repository import SessionNotFound, record_child_write
from sessions.summaries import registry, tasks
from sessions.summaries.items import (
    FAILED,
    KEEP_DAYS,
    NO_TRANSCRIPT,
    QUEUED,
    SummaryJob,
    job_timeout,
    kind_label,
)
from sessions.summaries.job_status import finish_quietly
from sessions.summaries.repository import (
    get_story_job,
    get_summary_job,
    has_a_recap,
    read_for_start,
    read_for_story_start,
    replaceable_job_condition,
)

logger = logging.getLogger(__name__)

START_ATTEMPTS = 3

NOTHING_TO_TELL = "No session of this campaign has a recap yet: make a session's recap first."
DISPATCH_FAILURE = "The summary job could not be started. Try again in a moment."


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


class AlreadyRetried(JobRefused):
    """Staff's retry of a failed job found its place holding another job (retried already,
    or started again by its owner): nothing was started."""

    def __init__(self):
        super().__init__("That job was retried or started again already: nothing new was started.")


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


# --- a session's summaries -----------------------------------------------------------------------
def start_summary_job(*, sub, campaign_id, session_id, kinds, length="standard", replace_edits=False, retry_of=None):
    """Queue a job making the session's summaries of `kinds` at `length`, and dispatch it.
    Returns the job as queued (with the "inline" runner it has already run: read it again).
    Its entry in the job registry is put in the same transaction; `retry_of`: staff's
    retry of the failed job of that registry entry (AlreadyRetried when it is not the
    place's job any more).

    Raises SessionNotFound, NoTranscript, JobAlreadyRunning(job) when one is queued or
    running (a double click starts one job), EditedSummaries(kinds) when some of those
    summaries were edited by hand and replace_edits is False. ValueError for an unknown
    kind or length (the form offers only KINDS and LENGTHS).
    """
    kinds, length = checked_kinds(kinds), checked_length(length)
    sk = summary_job_sk(campaign_id, session_id)
    for _ in range(START_ATTEMPTS):
        campaign, session, job, summaries = read_for_start(
            sub=sub, campaign_id=campaign_id, session_id=session_id, kinds=kinds
        )
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
        costs = {kind: summaries[kind].estimated_cost_text for kind in kinds if kind in summaries}
        new = _new_job(sub, sk, kinds=kinds, length=length, replace_edits=replace_edits, expected=expected, costs=costs)
        transaction = Transaction()
        transaction.put(new, condition=replaceable_job_condition(new.requested))
        record_child_write(transaction, sub=sub, campaign_id=campaign_id, session_id=session_id)
        registry.put_started(transaction, new, retry_of=retry_of)
        if not _put_new_job(
            transaction,
            gone=SessionNotFound(session_id),
            read_job=lambda: get_summary_job(sub=sub, campaign_id=campaign_id, session_id=session_id),
        ):
            continue
        return _dispatch(
            new,
            lambda: tasks.dispatch_summary_job(
                sub=sub, campaign_id=campaign_id, session_id=session_id, job_id=new.job_id
            ),
        )
    raise StillChanging(session_id)


# --- the campaign's story so far ------------------------------------------------------------------
def start_story_job(*, sub, campaign_id, length="standard", replace_edits=False, retry_of=None):
    """Queue a job making the campaign's story so far from its sessions' recaps, and dispatch it.

    Raises CampaignNotFound, NothingToTell (no session has a recap), JobAlreadyRunning,
    EditedSummaries([STORY_SO_FAR]) when the story was edited by hand and replace_edits is
    False. `retry_of`: as for start_summary_job.
    """
    length = checked_length(length)
    sk = story_job_sk(campaign_id)
    for _ in range(START_ATTEMPTS):
        campaign, job, story = read_for_story_start(sub=sub, campaign_id=campaign_id)
        if campaign is None:
            raise CampaignNotFound(campaign_id)
        if job is not None and job.is_active:
            raise JobAlreadyRunning(job)
        if story is not None and story.edited and not replace_edits:
            raise EditedSummaries([STORY_SO_FAR])
        if not has_a_recap(sub=sub, campaign_id=campaign_id):
            raise NothingToTell()
        expected = {STORY_SO_FAR: int(story.version) if story is not None else 0}
        costs = {STORY_SO_FAR: story.estimated_cost_text} if story is not None else {}
        new = _new_job(
            sub, sk, kinds=[STORY_SO_FAR], length=length, replace_edits=replace_edits, expected=expected, costs=costs
        )
        transaction = Transaction()
        transaction.put(new, condition=replaceable_job_condition(new.requested))
        transaction.check(user_pk(sub), campaign_sk(campaign_id), condition=Campaign.live_condition())
        registry.put_started(transaction, new, retry_of=retry_of)
        if not _put_new_job(
            transaction,
            gone=CampaignNotFound(campaign_id),
            read_job=lambda: get_story_job(sub=sub, campaign_id=campaign_id),
        ):
            continue
        return _dispatch(new, lambda: tasks.dispatch_story_job(sub=sub, campaign_id=campaign_id, job_id=new.job_id))
    raise StillChanging(campaign_id)


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


# --- the steps -----------------------------------------------------------------------------------
def _new_job(sub, sk, *, kinds, length, replace_edits, expected, costs):
    now = timezone.now()
    deadline = now + job_timeout()
    return SummaryJob(
        user_pk(sub),
        sk,
        job_id=new_id(),
        status=QUEUED,
        kinds=list(kinds),
        length=length,
        replace_edits=bool(replace_edits),
        expected_versions=dict(expected),
        expected_costs=dict(costs),
        requested=now,
        deadline=deadline,
        attempts=0,
        done_kinds=[],
        kept_edits=[],
        kind_errors={},
        # A job nobody ever runs (a lost invocation) still goes away in time.
        ttl=deadline + timedelta(days=KEEP_DAYS),
    )


def _put_new_job(transaction, *, gone, read_job):
    """Commit a transaction that puts a new job (its first item), checks that the session
    or campaign is there (its second) and puts its registry entry (its third); True when it did.

    Raises `gone` when the second failed, AlreadyRetried when the third did (a retry whose
    failed job is not the place's any more), JobAlreadyRunning when another job is running now.
    False when the job in the way has finished meanwhile (between the caller's read and this
    write): the caller reads again and tries once more.
    """
    try:
        transaction.commit()
    except TransactionCanceled as canceled:
        if canceled.failed(1):
            raise gone from None
        if canceled.failed(2) and not canceled.failed(0):
            raise AlreadyRetried() from None
        if not canceled.failed(0):
            raise
        current = read_job()
        if current is not None and current.is_active:
            raise JobAlreadyRunning(current) from None
        return False
    return True


def _dispatch(job, send):
    """Hand the job to its runner; a runner that cannot take it fails the job at once."""
    try:
        send()
    except Exception:
        logger.exception("summary job %s (%s) could not be dispatched", job.job_id, job.sk)
        finish_quietly(job.owner_sub, job.sk, job.job_id, error=DISPATCH_FAILURE, from_status=QUEUED)
        job.status, job.error = FAILED, DISPATCH_FAILURE
    return job


def _and_list(words):
    words = [f"“{word}”" for word in words]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
