"""Exports asked for on a page: started here, run in the background (exports/tasks.py hands
them to campaigns_site/background.py), written by exports.writer into S3 as they go
(exports/s3_object.py) by exports/runner.py, downloaded through a presigned link (exports/views.py).

Always in the background, whatever the size: on Lambda behind API Gateway a response is
at most 6 MB and 29 s, so one path serves every account (the local runner makes a small
one near-instant anyway). Every step is a conditional write on the one Export item of
its scope (exports/items.py), safe to repeat and safe to lose:

- Start (start_export): one PutItem conditioned on "no export of this scope, or it
  finished, or it is past its deadline": a double click starts one; the second gets
  ExportAlreadyRunning. Starting after one is done replaces it (its zip is left to the
  bucket's lifecycle rule, a day at most; nothing names it any more).
- Run (exports/runner.py, run_export): the claim, queued -> running, is one UpdateItem conditioned on the
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
from pynamodb.exceptions import PutError

from campaigns_site import aws
from campaigns_site.table import new_id, user_pk
from campaigns_site.table_keys import EXPORT_PREFIX, export_sk
from exports import tasks
from exports.items import (
    DONE,
    FAILED,
    KEEP,
    QUEUED,
    SCOPE_ACCOUNT,
    SCOPE_CAMPAIGN,
    TIMEOUT,
    Export,
    live_export,
)
from exports.runner import end_export

logger = logging.getLogger(__name__)

DOWNLOAD_LINK_SECONDS = 300  # the presigned link: long enough to start a download, no longer
DISPATCH_FAILURE = "The export could not be started. Try again in a moment."


class ExportAlreadyRunning(Exception):
    """An export of this scope is queued or running: `export` is that one."""

    def __init__(self, export):
        super().__init__("An export of this was already being made when you asked, so nothing new was started.")
        self.export = export


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
        end_export(export, status=FAILED, error=DISPATCH_FAILURE, from_status=QUEUED)
    return export


def _file_name(campaign, now):
    day = now.strftime("%Y-%m-%d")
    if campaign is None:
        return f"campaign-sessions-{day}.zip"
    return f"{slugify(campaign.name)[:60] or 'campaign'}-{day}.zip"
