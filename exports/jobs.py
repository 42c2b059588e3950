"""Exports asked for on a page: started here, run in the background (exports/tasks.py hands
them to campaigns_site/background.py), written by exports.writer into S3 as they go
(exports/s3_object.py), downloaded through a presigned link (exports/views.py).

Always in the background, whatever the size: on Lambda behind API Gateway a response is
at most 6 MB and 29 s, so one path serves every account (the local runner makes a small
one near-instant anyway). Every step is a conditional write on the one Export item of
its scope (exports/items.py), safe to repeat and safe to lose:

- Start (start_export): one PutItem conditioned on "no export of this scope, or it
  finished, or it is past its deadline": a double click starts one; the second gets
  ExportAlreadyRunning. Starting after one is done replaces it (its zip is left to the
  bucket's lifecycle rule, a day at most; nothing names it any more).
- Run (run_export): the claim, queued -> running, is one UpdateItem conditioned on the
  job's id and status, so a duplicated Lambda delivery runs it once. Progress is an
  UpdateItem conditioned on it still being this running job, at most one every
  PROGRESS_SECONDS (and one per step): a 500-session export writes a handful, not
  thousands. A failed condition (the export was replaced, or deleted with its campaign or
  account) stops the job and aborts its upload. The end, done or failed, is one more.
- Timeout: past its deadline (items.TIMEOUT) a job queued or running reads as failed and
  may be started again; the job itself checks the deadline at each progress call and
  stops (aborting its upload) rather than run on.
"""

import logging

from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify
from pynamodb.exceptions import PutError, UpdateError

from campaigns_site import aws
from campaigns_site.table import new_id, user_pk
from campaigns_site.table_keys import EXPORT_PREFIX, export_object_key, export_sk
from exports.items import (
    CAMPAIGN_GONE,
    DONE,
    FAILED,
    GENERIC_FAILURE,
    KEEP,
    QUEUED,
    RUNNING,
    SCOPE_ACCOUNT,
    SCOPE_CAMPAIGN,
    TIMEOUT,
    TOOK_TOO_LONG,
    Export,
    live_export,
)
from exports.s3_object import S3MultipartWriter

logger = logging.getLogger(__name__)

PROGRESS_SECONDS = 2.0
DOWNLOAD_LINK_SECONDS = 300  # the presigned link: long enough to start a download, no longer
DISPATCH_FAILURE = "The export could not be started. Try again in a moment."


class ExportAlreadyRunning(Exception):
    """An export of this scope is queued or running: `export` is that one."""

    def __init__(self, export):
        super().__init__("An export of this was already being made when you asked, so nothing new was started.")
        self.export = export


class _Stopped(Exception):
    """The job must stop: past its deadline (timed_out), or no longer this running job."""

    def __init__(self, why, *, timed_out=False):
        super().__init__(why)
        self.timed_out = timed_out


# --- reads ----------------------------------------------------------------------------------
def list_exports(*, sub):
    """The user's exports (the account's first, then each campaign's): one Query."""
    found = [live_export(item) for item in Export.query(user_pk(sub), Export.sk.startswith(EXPORT_PREFIX))]
    return [item for item in found if item is not None]


def get_export(*, sub, campaign_id=None):
    """The export of that scope, or None: one GetItem."""
    try:
        item = Export.get(user_pk(sub), export_sk(campaign_id))
    except Export.DoesNotExist:
        return None
    return live_export(item)


def download_url(export):
    """A presigned GET of the export's zip, as an attachment with its name. Signed locally:
    no request to AWS; the zip goes from S3 to the browser directly."""
    from django.utils.http import content_disposition_header

    return aws.client("s3").generate_presigned_url(
        "get_object",
        Params={
            "Bucket": settings.TRANSCRIPT_BUCKET,
            "Key": export.object_key,
            "ResponseContentDisposition": content_disposition_header(as_attachment=True, filename=export.file_name),
            "ResponseContentType": "application/zip",
        },
        ExpiresIn=DOWNLOAD_LINK_SECONDS,
    )


# --- start ----------------------------------------------------------------------------------
def start_export(*, sub, campaign=None):
    """Queue an export of the whole account (campaign None) or of `campaign` (the user's own,
    as campaigns.repository.get_campaign returned it), and dispatch it. Returns the export as
    queued (with the "inline" runner it has run already: read it again). Raises
    ExportAlreadyRunning(export) while one of the same scope is queued or running."""
    from exports import tasks  # tasks imports this module's runner

    now = timezone.now()
    campaign_id = campaign.campaign_id if campaign is not None else None
    export = Export(
        user_pk(sub),
        export_sk(campaign_id),
        job_id=new_id(),
        status=QUEUED,
        scope=SCOPE_CAMPAIGN if campaign is not None else SCOPE_ACCOUNT,
        campaign_id=campaign_id,
        campaign_name=campaign.name if campaign is not None else None,
        requested=now,
        deadline=now + TIMEOUT,
        attempts=0,
        file_name=_file_name(campaign, now),
        ttl=now + TIMEOUT + KEEP,  # one nobody ever runs still goes away
    )
    try:
        export.save(condition=Export.pk.does_not_exist() | Export.status.is_in(DONE, FAILED) | (Export.deadline <= now))
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        running = get_export(sub=sub, campaign_id=campaign_id)
        raise ExportAlreadyRunning(running) from error
    try:
        tasks.dispatch_export(sub=sub, campaign_id=campaign_id, job_id=export.job_id)
    except Exception:
        logger.exception("export %s could not be dispatched", export.job_id)
        _end(export, status=FAILED, error=DISPATCH_FAILURE, from_status=QUEUED)
    return export


def _file_name(campaign, now):
    day = now.strftime("%Y-%m-%d")
    if campaign is None:
        return f"campaign-sessions-{day}.zip"
    return f"{slugify(campaign.name)[:60] or 'campaign'}-{day}.zip"


# --- run ------------------------------------------------------------------------------------
def run_export(*, sub, campaign_id, job_id):
    """The worker's body: write the export `job_id` into S3, if it is still queued. Safe to
    call twice (the second finds it claimed and does nothing) and never raises. Returns the
    export as it ended, or None when it was not this call's to run."""
    export = _claim(sub, campaign_id, job_id)
    if export is None:
        logger.info("export %s: not queued any more, nothing to do", job_id)
        return None
    try:
        return _write(export)
    except Exception:
        logger.exception("export %s (user %s) failed", job_id, sub)
        return _end(export, status=FAILED, error=GENERIC_FAILURE)


def _claim(sub, campaign_id, job_id):
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
        return _end(export, status=FAILED, error=CAMPAIGN_GONE)
    except _Stopped as stopped:
        logger.info("export %s stopped: %s", export.job_id, stopped)
        return _end(export, status=FAILED, error=TOOK_TOO_LONG) if stopped.timed_out else None
    return _end(export, status=DONE, object_key=key, size=stream.size, counts=counts)


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


def _end(export, *, status, error=None, object_key=None, size=None, counts=None, from_status=RUNNING):
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
