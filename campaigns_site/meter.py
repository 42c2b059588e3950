"""The app's own cost meter: what the app uses, counted per hour, cheaply.

Each process adds up in memory what its requests and jobs use (requests, DynamoDB read
and write units, S3 requests by price class, Lambda GB-seconds, response bytes, Bedrock
tokens) and writes the sums with one UpdateItem `ADD` to the hour's item, `OPS` /
`METER#<yyyy-mm-ddThh>` (UTC), at most once every COST_METER_FLUSH_SECONDS, after a
request, and at exit. Never an item, nor a write, per request. staff/costs.py prices the
counters (staff/prices.py) beside Cost Explorer's real figures.

What it misses, by design (docs/data-model.md, "Cost figures and the meter"):
- Lambda freezes a container between requests and reaps it later without running
  `atexit`: the counts since that container's last flush (at most a minute of its
  traffic, or all of it for a container that lived less than a minute) are lost.
- A flush that fails (throttled, a network error) keeps its counts for the next one;
  the counts of a process that never flushes again are lost.
- DynamoDB units come from the responses' ConsumedCapacity: PynamoDB asks for it on every
  call, the app's raw boto3 calls only where they ask (those count 0).
- Lambda time is the request's time in Django, not the billed duration (init, Zappa's
  handler), and jobs run outside a request (summary jobs) count their AWS calls and
  tokens, not their duration.
"""

import atexit
import logging
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC

from django.conf import settings
from django.utils import timezone

from campaigns_site import aws
from campaigns_site.table_keys import OPS_PK, meter_sk

log = logging.getLogger(__name__)

# The counters of an hour's item (their attribute names). Amounts are kept as numbers
# DynamoDB adds exactly: GB-seconds rounded to 6 decimals, the rest whole or halves.
COUNTERS = (
    "requests",
    "lambda_gb_seconds",
    "bytes_out",
    "dynamodb_read_units",
    "dynamodb_write_units",
    "s3_tier1_requests",
    "s3_tier2_requests",
    "bedrock_input_tokens",
    "bedrock_output_tokens",
)
DYNAMODB_READS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"})
# S3's price classes: PUT, COPY, POST, LIST ("tier 1"); GET, HEAD and the rest ("tier 2");
# DELETE is free. A presigned URL counts: the browser makes that request, billed to us.
S3_TIER1 = frozenset({"PutObject", "CopyObject", "ListObjects", "ListObjectsV2", "DeleteObjects", "CreateBucket"})
S3_FREE = frozenset({"DeleteObject"})


def hour_of(moment):
    """The UTC hour a count belongs to, as its item's key names it: 2026-12-05T14."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H")


class Meter:
    """The process's counters, by hour, until the next flush; an aws recorder too."""

    def __init__(self):
        self.pending = defaultdict(Counter)  # hour → counter → amount
        # The units of the meter's own writes: counted, but written only with other counts,
        # or each flush would leave something for the next one to write.
        self.own_writes = defaultdict(Counter)
        self.lock = threading.Lock()
        self.flushing = threading.local()
        self.last_flush = time.monotonic()

    def _add(self, **amounts):
        hour = hour_of(timezone.now())
        counts = self.own_writes if getattr(self.flushing, "now", False) else self.pending
        with self.lock:
            counts[hour].update({name: amount for name, amount in amounts.items() if amount})

    # --- what a request adds (campaigns_site.request_log) ---------------------------------
    def count_request(self, *, duration_seconds, bytes_out):
        gb_seconds = round(duration_seconds * settings.LAMBDA_MEMORY_MB / 1024, 6)
        self._add(requests=1, lambda_gb_seconds=gb_seconds, bytes_out=bytes_out)

    # --- what every AWS call adds (campaigns_site.aws's recorder interface) ---------------
    def add(self, service, operation, params, *, region, presigned=False):
        if service != "s3" or operation in S3_FREE:
            return
        self._add(**{"s3_tier1_requests" if operation in S3_TIER1 else "s3_tier2_requests": 1})

    def add_capacity_of(self, operation, units):
        self._add(**{"dynamodb_read_units" if operation in DYNAMODB_READS else "dynamodb_write_units": units})

    def add_model_usage(self, usage):
        self._add(
            bedrock_input_tokens=int(usage.get("inputTokens", 0)),
            bedrock_output_tokens=int(usage.get("outputTokens", 0)),
        )

    # --- writing the sums ----------------------------------------------------------------------
    def flush_if_due(self):
        if time.monotonic() - self.last_flush >= settings.COST_METER_FLUSH_SECONDS:
            self.flush()

    def flush(self):
        """One UpdateItem ADD per hour with counts (one, unless the hour just turned)."""
        with self.lock:
            pending, self.pending = self.pending, defaultdict(Counter)
            self.last_flush = time.monotonic()
            if any(pending.values()):
                for hour, counts in self.own_writes.items():
                    pending[hour].update(counts)
                self.own_writes.clear()
        self.flushing.now = True
        try:
            for hour, counts in sorted(pending.items()):
                if counts:
                    self._write(hour, counts)
        finally:
            self.flushing.now = False

    def _write(self, hour, counts):
        try:
            add_to_hour(hour=hour, counts=counts)
        except Exception:  # a lost flush must not fail the request: try again next time
            log.warning("cost meter: flush of %s failed, kept for the next one", hour, exc_info=True)
            with self.lock:
                self.pending[hour].update(counts)


def add_to_hour(*, hour, counts):
    """`ADD` the counts to the hour's item: one UpdateItem, no read (the first ADD makes it)."""
    from campaigns_site.meter_items import MeterHour  # PynamoDB: loaded on the first flush only

    actions = [getattr(MeterHour, name).add(_number(amount)) for name, amount in counts.items()]
    MeterHour(OPS_PK, meter_sk(hour)).update(actions=[*actions, MeterHour.entity.set(MeterHour)])


def _number(amount):
    return round(amount, 6) if isinstance(amount, float) else amount


_meter = None
_meter_lock = threading.Lock()


def meter():
    """The process's meter, made (and set to count every AWS call) on first use."""
    global _meter
    with _meter_lock:
        if _meter is None:
            _meter = Meter()
            aws.record_always(_meter)
            atexit.register(_meter.flush)
        return _meter


def forget():
    """Drop the process's meter and its unflushed counts (tests)."""
    global _meter
    with _meter_lock:
        if _meter is not None:
            aws.stop_recording(_meter)
            atexit.unregister(_meter.flush)
        _meter = None
