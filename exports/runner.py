"""Running an export (started by exports/jobs.py, handed over by exports/tasks.py): the
claim, the zip written by exports.writer into S3 (exports/s3_object.py), the progress, the
end. Every write is conditioned on the job's id and status (see exports/jobs.py)."""

import logging

from django.utils import timezone
from pynamodb.exceptions import UpdateError

from campaigns_site.table import user_pk
from campaigns_site.table_keys import export_object_key, export_sk
from exports.items import (
    CAMPAIGN_GONE,
    DONE,
    FAILED,
    GENERIC_FAILURE,
    KEEP,
    QUEUED,
    RUNNING,
    TIMEOUT,
    TOOK_TOO_LONG,
    Export,
)
from exports.s3_object import S3MultipartWriter

logger = logging.getLogger(__name__)

PROGRESS_SECONDS = 2.0


class _Stopped(Exception):
    """The job must stop: past its deadline (timed_out), or no longer this running job."""

    def __init__(self, why, *, timed_out=False):
        super().__init__(why)
        self.timed_out = timed_out


def run_export(*, sub, campaign_id, job_id):
    """The worker's body: write the export `job_id` into S3, if it is still queued. Safe to
    call twice (the second finds it claimed and does nothing) and never raises. Returns the
    export as it ended, or None when it was not this call's to run."""
    export = claim(sub, campaign_id, job_id)
    if export is None:
        logger.info("export %s: not queued any more, nothing to do", job_id)
        return None
    try:
        return _write(export)
    except Exception:
        logger.exception("export %s (user %s) failed", job_id, sub)
        return end_export(export, status=FAILED, error=GENERIC_FAILURE)


def claim(sub, campaign_id, job_id):
    """queued -> running, if it is still this job, queued and within its deadline: one
    UpdateItem; returns the claimed export, or None (a duplicate delivery, a replaced job)."""
    now = timezone.now()
    export = Export(user_pk(sub), export_sk(campaign_id))
    try:
        export.update(
            actions=[
                Export.status.set(RUNNING),
                Export.started.set(now),
                Export.deadline.set(now + TIMEOUT),
                Export.attempts.add(1),
                Export.ttl.set(now + TIMEOUT + KEEP),
            ],
            condition=(Export.job_id == job_id) & (Export.status == QUEUED) & (Export.deadline > now),
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return None
        raise
    return export  # update() set every attribute from the item as it now is


def _write(export):
    from exports import writer  # the job's alone: the pages never load it

    key = export_object_key(sub=export.owner_sub, job_id=export.job_id, file_name=export.file_name)
    progress = _Progress(export)
    try:
        with S3MultipartWriter(key=key) as stream:
            counts = writer.write_export(
                stream, sub=export.owner_sub, campaign_id=export.campaign_id, progress=progress
            )
    except writer.NothingToExport:
        return end_export(export, status=FAILED, error=CAMPAIGN_GONE)
    except _Stopped as stopped:
        logger.info("export %s stopped: %s", export.job_id, stopped)
        return end_export(export, status=FAILED, error=TOOK_TOO_LONG) if stopped.timed_out else None
    return end_export(export, status=DONE, object_key=key, size=stream.size, counts=counts)


class _Progress:
    """The writer's progress(step, done, total): the item's step and counts, written at
    most every PROGRESS_SECONDS (and at each new step); raises _Stopped when the job is
    past its deadline or is not this running job any more."""

    def __init__(self, export):
        self.export = export
        self.step = None
        self.written_at = None
        self.updates = 0

    def __call__(self, step, done, total):
        now = timezone.now()
        if self.export.deadline <= now:
            raise _Stopped("past its deadline", timed_out=True)
        recent = self.written_at is not None and (now - self.written_at).total_seconds() < PROGRESS_SECONDS
        if step == self.step and recent:
            return
        self.step, self.written_at = step, now
        self.updates += 1
        try:
            self.export.update(
                actions=[Export.step.set(step), Export.done.set(int(done)), Export.total.set(int(total))],
                condition=(Export.job_id == self.export.job_id) & (Export.status == RUNNING),
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise _Stopped("replaced or deleted") from error
            raise


def end_export(export, *, status, error=None, object_key=None, size=None, counts=None, from_status=RUNNING):
    """Mark this job done or failed, if it is still this job in `from_status`; returns it as
    it now is, or None when it is not ours any more (never raises: the deadline marks it
    failed if even this write fails)."""
    now = timezone.now()
    actions = [Export.status.set(status), Export.finished.set(now), Export.ttl.set(now + KEEP)]
    if status == DONE:
        clean = {kind: int(count) for kind, count in (counts or {}).items() if isinstance(count, int)}
        actions += [Export.object_key.set(object_key), Export.size.set(int(size)), Export.counts.set(clean)]
    else:
        actions.append(Export.error.set(error or GENERIC_FAILURE))
    try:
        export.update(actions=actions, condition=(Export.job_id == export.job_id) & (Export.status == from_status))
    except Exception:
        logger.exception("export %s: could not be marked %s", export.job_id, status)
        return None
    logger.info("export %s ended: %s", export.job_id, status)
    return export
