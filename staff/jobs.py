"""Summary jobs across users, for staff: the registry's list (sessions/summaries/registry.py)
and a retry of a failed job, started again as its owner.

A retry starts the same kinds at the same length through the owner's own service
(jobs.start_summary_job, or start_story_job for a campaign's story) with the owner's sub,
recorded as a retry in the registry (retried + 1, retry_of) in the start's transaction.
It keeps hand edits unless the failed job was asked to replace them: a kind edited by hand
since is left out, and when that leaves nothing, nothing is started.
"""

from dataclasses import dataclass

from campaigns.repository import CampaignNotFound
from sessions.core.repository import SessionNotFound
from sessions.summaries import jobs, registry
from sessions.summaries.items import FAILED


class RetryRefused(Exception):
    """Nothing was started; the message is for the staff member."""


@dataclass(frozen=True)
class Retry:
    job: object  # the new SummaryJob, as queued (or already run, with the inline runner)
    kept: list  # the labels of kinds left out: edited by hand since
    retried: int  # how many retries led to it


def failed_job_to_retry(*, sub, campaign_id, session_id, job_id):
    """The registry's entry of that failed job, or RetryRefused saying why it cannot be
    retried (gone, not failed, replaced by another job): one GetItem."""
    entry = registry.get_entry(sub=sub, campaign_id=campaign_id, session_id=session_id)
    if entry is None:
        raise RetryRefused("That job is not in the registry any more (deleted with its session, or expired).")
    if entry.job_id != job_id:
        raise RetryRefused("A newer job has been started there since: nothing to retry.")
    if entry.effective_status != FAILED:
        raise RetryRefused(f"That job is {entry.effective_status}, not failed: nothing to retry.")
    return entry


def retry_failed_job(*, sub, campaign_id, session_id, job_id):
    """Start the failed job's kinds again as its owner; returns a Retry. RetryRefused when
    it cannot. One GetItem (the registry's entry), then the start's own requests."""
    entry = failed_job_to_retry(sub=sub, campaign_id=campaign_id, session_id=session_id, job_id=job_id)
    retried = int(entry.retried or 0) + 1
    try:
        if entry.is_story:
            return Retry(job=_retry_story(entry), kept=[], retried=retried)
        job, kept = _retry_session_job(entry)
        return Retry(job=job, kept=kept, retried=retried)
    except (SessionNotFound, CampaignNotFound):
        raise RetryRefused("Its session or campaign is gone: nothing was started.") from None
    except jobs.JobRefused as refused:
        raise RetryRefused(str(refused)) from None


def _retry_session_job(entry):
    kinds, kept = list(entry.kinds), []
    while True:
        try:
            job = jobs.start_summary_job(
                sub=entry.owner_sub,
                campaign_id=entry.campaign_id,
                session_id=entry.session_id,
                kinds=kinds,
                length=entry.length,
                replace_edits=bool(entry.replace_edits),
                retry_of=entry,
            )
            return job, kept
        except jobs.EditedSummaries as edited:
            kept += edited.labels
            kinds = [kind for kind in kinds if kind not in edited.kinds]
            if not kinds:
                raise RetryRefused(
                    "Every kind it was making has been edited by hand since, and the job did not "
                    "replace edits: nothing was started."
                ) from None


def _retry_story(entry):
    try:
        return jobs.start_story_job(
            sub=entry.owner_sub,
            campaign_id=entry.campaign_id,
            length=entry.length,
            replace_edits=bool(entry.replace_edits),
            retry_of=entry,
        )
    except jobs.EditedSummaries:
        raise RetryRefused(
            "The story so far has been edited by hand since, and the job did not replace edits: nothing was started."
        ) from None
