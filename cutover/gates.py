"""The gates a step forward of the traffic split must pass (shift_traffic, docs/cutover.md).

Each gate returns {"name", "ok", "detail"}: what it checked and what it found, the way
shift_traffic prints it and the staff page shows it from the shift's record.

- verify_drift_gate: verify_v1 finds no difference for a random sample of imported
  accounts (or all of them): what the sync brought over matches v1.0;
- outbox_gate: no change made here waits to be applied to v1.0;
- sync_lag_gate: the sync runs (a pass in the last few minutes) and is under a minute behind;
- error_rate_gate: API Gateway's 5XXError did not rise over the last hour against the
  hour before (CloudWatch); skipped, and passed, with no API named in settings.
"""

import random
from datetime import timedelta

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.management.base import CommandError
from django.utils import timezone

from campaigns_site import aws, outbox
from cutover import state
from v1 import checkpoints
from v1.buckets import check_readable
from v1.source import SourceUnavailable, V1Source
from v1.verify import VerifyOptions, run_verify

DEFAULT_SAMPLE = 20
MAX_LAG_SECONDS = 60  # the "sync lag under a minute"
# The sync runs every minute (a scheduled Lambda): three minutes without a pass means it stopped.
MAX_SECONDS_SINCE_PASS = 180
DIFFERENCES_SHOWN = 5


def gate(name, ok, detail):
    return {"name": name, "ok": bool(ok), "detail": detail}


def forward_gates(*, source, v1_bucket, sample=DEFAULT_SAMPLE, full=False, rng=random):
    """Every gate of a step forward, cheapest first; all run, so the operator sees all
    that stands in the way at once."""
    return [
        outbox_gate(),
        sync_lag_gate(),
        error_rate_gate(),
        verify_drift_gate(source=source, v1_bucket=v1_bucket, sample=sample, full=full, rng=rng),
    ]


def outbox_gate():
    pending = outbox.count_pending()
    if pending:
        return gate("outbox", False, f"{pending} change(s) made here wait to be applied to v1.0 (drain_outbox)")
    return gate("outbox", True, "empty: every change made here is in v1.0")


def sync_lag_gate(*, now=None):
    now = now or timezone.now()
    sync = state.get_sync_state()
    if sync.last_pass is None:
        return gate("sync lag", False, "the sync has never run (sync_v1)")
    since = (now - sync.last_pass).total_seconds()
    lag = float(sync.lag_seconds)
    if since > MAX_SECONDS_SINCE_PASS:
        return gate("sync lag", False, f"the sync's last pass was {since:.0f} s ago: it is not running")
    detail = f"{lag:.0f} s behind v1.0 at its last pass, {since:.0f} s ago"
    if lag >= MAX_LAG_SECONDS:
        return gate("sync lag", False, f"{detail} (a step needs under {MAX_LAG_SECONDS} s)")
    return gate("sync lag", True, detail)


def error_rate_gate(*, now=None):
    """API Gateway's 5XXError summed over the last hour against the hour before."""
    api = settings.CUTOVER_API_NAME
    if not api:
        return gate("5xx", True, "skipped: no CloudWatch metric configured (CUTOVER_API_NAME)")
    now = now or timezone.now()
    hour = timedelta(hours=1)
    try:
        last = _errors(api, start=now - hour, end=now)
        before = _errors(api, start=now - 2 * hour, end=now - hour)
    except (BotoCoreError, ClientError) as error:
        return gate("5xx", False, f"CloudWatch refused or is unreachable: {error}")
    detail = f"API {api}: {last:.0f} 5xx answers in the last hour, {before:.0f} the hour before"
    return gate("5xx", last <= before, detail if last <= before else f"rose: {detail}")


def _errors(api, *, start, end):
    answer = aws.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/ApiGateway",
        MetricName="5XXError",
        Dimensions=[{"Name": "ApiName", "Value": api}],
        StartTime=start,
        EndTime=end,
        Period=3600,
        Statistics=["Sum"],
    )
    return sum(point["Sum"] for point in answer["Datapoints"])


def verify_drift_gate(*, source, v1_bucket, sample=DEFAULT_SAMPLE, full=False, rng=random):
    """verify_v1 (v1/verify.py) over `sample` random imported accounts, or all with `full`."""
    if not source:
        return gate("verify_v1", False, "no v1.0 database to compare with: pass --source or set V1_SOURCE_DSN")
    if not v1_bucket:
        return gate("verify_v1", False, "no v1.0 bucket to compare with: pass --v1-bucket or set V1_BUCKET")
    imported = checkpoints.list_imported_accounts()
    if not imported:
        return gate("verify_v1", False, "no imported account to compare: run import_v1 first")
    chosen = imported if full else rng.sample(imported, min(sample, len(imported)))
    ids = None if full else frozenset(int(record.v1_user_ids[-1]) for record in chosen)
    what = f"all {len(imported)} imported accounts" if full else f"{len(chosen)} of {len(imported)} imported accounts"
    try:
        check_readable(v1_bucket, whose="v1.0's")
        with V1Source(source) as v1:
            result = run_verify(source=v1, options=VerifyOptions(v1_bucket=v1_bucket, v1_user_ids=ids))
    except (SourceUnavailable, CommandError) as error:  # CommandError: the bucket check's one line
        return gate("verify_v1", False, f"{what}: {error}")
    except (BotoCoreError, ClientError) as error:
        return gate("verify_v1", False, f"{what}: AWS refused or is unreachable: {error}")
    if result.ok:
        return gate("verify_v1", True, f"{what}: {result.summary()}")
    # Ids only: the detail is recorded and shown on the staff page, which never shows a
    # user's text (a difference's `what` quotes field values); verify_v1 --user says more.
    shown = ", ".join(
        f"{difference.kind} {difference.table} {difference.v1_id}"
        for difference in result.differences[:DIFFERENCES_SHOWN]
    )
    return gate("verify_v1", False, f"{what}: {result.summary()} First: {shown}.")
