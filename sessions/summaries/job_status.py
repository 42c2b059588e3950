"""A summary job's status changes, each in one TransactWriteItems with its entry in the job
registry (sessions/summaries/registry.py), so the staff's list across users says what the
user's own job item says: the claim (queued -> running, once), the end (done or failed,
never left running), and the quiet failure after an unexpected error.

Each is conditioned on the job item alone (its job_id and status): when that fails,
nothing is written, the registry's entry included. sessions/summaries/runners.py runs the
jobs between these steps; jobs.py starts them.
"""

import logging
from datetime import timedelta

from django.utils import timezone

from campaigns_site.table import user_pk
from campaigns_site.transactions import Transaction, TransactionCanceled
from sessions.summaries import registry
from sessions.summaries.items import ACTIVE, FAILED, KEEP_DAYS, QUEUED, RUNNING, SummaryJob, job_timeout

logger = logging.getLogger(__name__)


def claim(sub, sk, job_id):
    """queued -> running, if it is still this job, queued and within its deadline; returns
    the claimed job (read back, strongly consistent: a transaction returns nothing), or None
    (a duplicate delivery, a replaced or deleted job)."""
    now = timezone.now()
    deadline = now + job_timeout()
    ttl = deadline + timedelta(days=KEEP_DAYS)
    transaction = Transaction()
    transaction.update(
        user_pk(sub),
        sk,
        actions=[
            SummaryJob.status.set(RUNNING),
            SummaryJob.started.set(now),
            SummaryJob.deadline.set(deadline),
            SummaryJob.attempts.add(1),
            SummaryJob.ttl.set(ttl),
        ],
        condition=(SummaryJob.job_id == job_id) & (SummaryJob.status == QUEUED) & (SummaryJob.deadline > now),
    )
    registry.record_running(transaction, sub=sub, job_sk=sk, job_id=job_id, started=now, deadline=deadline, ttl=ttl)
    try:
        transaction.commit()
    except TransactionCanceled as canceled:
        if canceled.failed(0):
            return None
        raise
    try:
        return SummaryJob.get(user_pk(sub), sk, consistent_read=True)
    except SummaryJob.DoesNotExist:  # deleted with its session in the instant since
        return None


def still_running(job_id):
    return (SummaryJob.job_id == job_id) & (SummaryJob.status == RUNNING)


def mark_finished(job, *, status, error=None, done=(), kept=(), errors=None):
    """Mark this running job done or failed (`done`: the kinds saved, `kept`: edited
    meanwhile, `errors`: {kind: why}); returns it as it now is, or None if it is not ours
    any more (replaced by a newer job, or deleted with its session)."""
    now = timezone.now()
    ttl = now + timedelta(days=KEEP_DAYS)
    errors = dict(errors or {})
    transaction = Transaction()
    transaction.update(
        job.pk,
        job.sk,
        actions=[
            SummaryJob.status.set(status),
            SummaryJob.finished.set(now),
            SummaryJob.ttl.set(ttl),
            SummaryJob.kept_edits.set(list(kept)),
            SummaryJob.kind_errors.set(errors),
            SummaryJob.error.set(error) if error else SummaryJob.error.remove(),
        ],
        condition=still_running(job.job_id),
    )
    registry.record_finished(
        transaction,
        sub=job.owner_sub,
        job_sk=job.sk,
        job_id=job.job_id,
        status=status,
        finished=now,
        ttl=ttl,
        error=error,
    )
    try:
        transaction.commit()
    except TransactionCanceled as canceled:
        if canceled.failed(0):
            return None
        raise
    # As the item now is (the claim read it with no kind done; each save appended one).
    job.status, job.finished, job.ttl, job.error = status, now, ttl, error
    job.done_kinds, job.kept_edits, job.kind_errors = list(done), list(kept), errors
    # One line per job that ends, and one more per job failed with a reason: `manage.py
    # alarms` divides the "job" "failed" lines by the "job" "ended:" ones (campaigns_site.job_metrics).
    logger.info("summary job %s ended: %s", job.job_id, status)
    if status == FAILED:
        logger.warning("summary job %s failed with a reason (on its staff page)", job.job_id)
    return job


def finish_quietly(sub, sk, job_id, *, error, from_status=None):
    """Mark the job failed after an unexpected error, if it is still this job and not
    finished; never raises (the deadline marks it failed if even this write fails)."""
    now = timezone.now()
    ttl = now + timedelta(days=KEEP_DAYS)
    condition = (SummaryJob.job_id == job_id) & SummaryJob.status.is_in(*((from_status,) if from_status else ACTIVE))
    transaction = Transaction()
    transaction.update(
        user_pk(sub),
        sk,
        actions=[
            SummaryJob.status.set(FAILED),
            SummaryJob.finished.set(now),
            SummaryJob.error.set(error),
            SummaryJob.ttl.set(ttl),
        ],
        condition=condition,
    )
    registry.record_finished(
        transaction, sub=sub, job_sk=sk, job_id=job_id, status=FAILED, finished=now, ttl=ttl, error=error
    )
    try:
        transaction.commit()
    except Exception:
        logger.warning("summary job %s (%s): could not mark it failed", job_id, sk, exc_info=True)
        return None
    logger.info("summary job %s ended: %s", job_id, FAILED)
    return SummaryJob(user_pk(sub), sk, job_id=job_id, status=FAILED, finished=now, error=error, ttl=ttl)
