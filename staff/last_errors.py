"""The last errors of the app's Lambda, for /staff/errors/: a CloudWatch Logs Insights
query over the function's log group, its answer cached in the table.

Logs Insights charges for the bytes it scans ($0.005 per GB in us-east-1), so a window's
answer is kept in one item (PK `OPS`, SK `LASTERRORS#<window>`) and asked again at most
every REFRESH_EVERY when the page is opened, or when staff press the button (which says
what it costs). The query runs asynchronously on AWS: StartQuery, then GetQueryResults
polled for a few seconds; a query still running then is kept by its id and read on the
next visit, without a second scan.

Without a Lambda function named (no LAMBDA_FUNCTION_NAME nor AWS_LAMBDA_FUNCTION_NAME in
the environment: a plain local run), nothing is asked: the settings' default names the
production function, which a developer's machine must not query.
"""

import json
import logging
import os
import time
from dataclasses import dataclass, field
from datetime import timedelta

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.utils import timezone
from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import PynamoDBException

from campaigns_site import aws
from campaigns_site.table import TableModel
from campaigns_site.table_keys import OPS_PK, last_errors_sk
from staff.error_lines import ErrorRow, rows_of_results

log = logging.getLogger(__name__)

WINDOWS = {"24h": timedelta(hours=24), "7d": timedelta(days=7)}
DEFAULT_WINDOW = "24h"
REFRESH_EVERY = timedelta(minutes=10)  # the page asks again at most this often by itself
BUTTON_GAP = timedelta(minutes=1)  # a double click starts one query, not two
PENDING_FOR_AT_MOST = timedelta(minutes=15)  # a query still running after this is given up
POLL_ATTEMPTS = 10
POLL_INTERVAL_SECONDS = 0.5  # so a page waits 5 s at most for Logs Insights
ROWS_KEPT = 50
INSIGHTS_USD_PER_GB = 0.005  # us-east-1 list price, December 2026
DONE = ("Complete", "Failed", "Cancelled", "Timeout", "Unknown")

# JSON lines (campaigns_site.log_format) at ERROR, request lines that ended in a server
# error, and tracebacks printed outside Django (the Lambda runtime's own). The app reads
# @message itself (staff/error_lines.py), so the same answer serves any field it shows.
QUERY = """fields @timestamp, @message
| filter status >= 500 or level = "ERROR" or level = "CRITICAL" or @message like /Traceback/
| sort @timestamp desc
| limit 200"""


class LastErrors(TableModel, discriminator="LastErrors"):
    """PK `OPS`, SK `LASTERRORS#<window>`."""

    log_group = UnicodeAttribute(null=True)  # the group `rows` came from (another: asked again)
    attempted = UTCDateTimeAttribute(null=True)  # the last StartQuery
    fetched = UTCDateTimeAttribute(null=True)  # when `rows` were read
    rows = UnicodeAttribute(null=True)  # JSON: ErrorRow.as_json() of each, newest first
    bytes_scanned = NumberAttribute(null=True)  # by the query `rows` came from
    query_id = UnicodeAttribute(null=True)  # a query still running at the last visit
    failure = UnicodeAttribute(null=True)  # why the last attempt gave no rows, in our words


@dataclass
class ErrorsPage:
    function: str  # "" when none is named
    log_group: str = ""
    window: str = DEFAULT_WINDOW
    rows: list = field(default_factory=list)
    fetched: object = None
    attempted: object = None
    bytes_scanned: int | None = None
    running: bool = False  # a query still running: its answer comes with a later visit
    asked: bool = False  # this call started a query
    failure: str = ""

    @property
    def scanned_usd(self):
        if self.bytes_scanned is None:
            return None
        return self.bytes_scanned / 1024**3 * INSIGHTS_USD_PER_GB


def function_name():
    """The function whose log group is read, or "" (see the module's docstring)."""
    if os.environ.get("LAMBDA_FUNCTION_NAME") or os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        return settings.LAMBDA_FUNCTION_NAME
    return ""


def log_group_of(function):
    return f"/aws/lambda/{function}"


def last_errors(*, window=DEFAULT_WINDOW, refresh=False):
    """The window's errors as cached, asked again first when due (see REFRESH_EVERY) or
    when `refresh` (the button) and the last query is more than BUTTON_GAP old."""
    function = function_name()
    if not function:
        return ErrorsPage(function="", window=window)
    item, log_group = _get(window), log_group_of(function)
    now, seen = timezone.now(), item.attempted
    if item.log_group != log_group:  # none yet, or kept for another function
        item = LastErrors(OPS_PK, last_errors_sk(window), log_group=log_group)
    if item.query_id and item.attempted and now - item.attempted < PENDING_FOR_AT_MOST:
        _collect(item, log_group, attempts=1)
    elif _due(item, now=now, refresh=refresh) and _claim(item, seen=seen, now=now):
        _start(item, log_group, window=window, now=now)
        return _page(item, function=function, window=window, asked=True)
    return _page(item, function=function, window=window)


def _claim(item, *, seen, now):
    """Set `attempted` on condition that it is still what this visit read (one PutItem):
    of two visits that find the answer due at once, only one asks Logs Insights, which
    bills every query by the GB. False: another visit asked first (its answer shows on the
    next visit), or the table refused (the page shows what it read)."""
    condition = LastErrors.attempted.does_not_exist() if seen is None else LastErrors.attempted == seen
    item.attempted, item.query_id = now, None
    try:
        item.save(condition=condition)
    except PynamoDBException as error:
        log.info("staff errors: not asking Logs Insights (%s)", type(error).__name__)
        return False
    return True


def _due(item, *, now, refresh):
    if item.attempted is None:
        return True
    return now - item.attempted >= (BUTTON_GAP if refresh else REFRESH_EVERY)


def _get(window):
    try:
        return LastErrors.get(OPS_PK, last_errors_sk(window))
    except LastErrors.DoesNotExist:
        return LastErrors(OPS_PK, last_errors_sk(window))


def _start(item, log_group, *, window, now):
    item.failure = None
    try:
        item.query_id = aws.client("logs").start_query(
            logGroupName=log_group,
            startTime=int((now - WINDOWS[window]).timestamp()),
            endTime=int(now.timestamp()),
            queryString=QUERY,
            limit=200,
        )["queryId"]
    except (ClientError, BotoCoreError) as error:
        item.failure = f"StartQuery failed: {_error_name(error)}."
        log.warning("staff errors: StartQuery on %s failed: %s", log_group, error)
        _save(item)
        return
    _collect(item, log_group, attempts=POLL_ATTEMPTS)


def _collect(item, log_group, *, attempts):
    """GetQueryResults until the query ends (at most `attempts` times); saves the item."""
    answer = {}
    try:
        for attempt in range(attempts):
            if attempt:
                time.sleep(POLL_INTERVAL_SECONDS)
            answer = aws.client("logs").get_query_results(queryId=item.query_id)
            if answer.get("status") in DONE:
                break
    except (ClientError, BotoCoreError) as error:
        item.query_id, item.failure = None, f"GetQueryResults failed: {_error_name(error)}."
        log.warning("staff errors: GetQueryResults on %s failed: %s", log_group, error)
        _save(item)
        return
    status = answer.get("status")
    if status == "Complete":
        rows = rows_of_results(answer.get("results", []), limit=ROWS_KEPT)
        item.rows = json.dumps([row.as_json() for row in rows])
        item.fetched, item.query_id, item.failure = timezone.now(), None, None
        item.bytes_scanned = int(answer.get("statistics", {}).get("bytesScanned", 0))
    elif status in DONE:
        item.query_id, item.failure = None, f"The query ended {status}."
    _save(item)  # still running: kept by its id, read on the next visit


def _save(item):
    try:
        item.save()
    except PynamoDBException as error:  # the page still shows what it read
        log.warning("staff errors: keeping the answer failed: %s", error)


def _page(item, *, function, window, asked=False):
    rows = [ErrorRow.from_json(data) for data in json.loads(item.rows or "[]")]
    return ErrorsPage(
        function=function,
        log_group=log_group_of(function),
        window=window,
        rows=rows,
        fetched=item.fetched,
        attempted=item.attempted,
        bytes_scanned=None if item.bytes_scanned is None else int(item.bytes_scanned),
        running=bool(item.query_id),
        failure=item.failure or "",
        asked=asked,
    )


def _error_name(error):
    if isinstance(error, ClientError):
        return error.response.get("Error", {}).get("Code", "ClientError")
    return type(error).__name__


def console_url(*, region=None):
    """Logs Insights in the AWS console, where the query runs over any window."""
    region = region or settings.AWS_REGION
    return f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#logsV2:logs-insights"
