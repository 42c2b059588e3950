"""The sync as a scheduled Lambda (zappa_settings.json, production: `events`, every minute).

Zappa calls sync_v1_event(event, context) each minute; it runs passes until v1.0's log is
caught up, or until the Lambda's time left falls under a margin (so a batch never runs
into the timeout), or for at most a minute (so two invocations rarely overlap; when they
do, both apply harmlessly and the watermark never moves back: cutover/sync.py). It does
nothing when V1_SOURCE_DSN is empty (before the cutover and after retire_v1).
"""

import logging
import time

from django.conf import settings

from cutover.apply_v1 import ChangeApplier
from cutover.sync import StateMoved, connect, run_sync_pass

log = logging.getLogger(__name__)

# Time kept back from the Lambda's timeout: a batch of DEFAULT_BATCH changes takes a few
# seconds; one still running when the margin is reached finishes well before the end.
MARGIN_MILLIS = 60_000
# The schedule's period: a run stops starting batches after it, the next one goes on.
MAX_SECONDS = 55
BATCH = 200


def sync_v1_event(event, context):
    """Zappa's handler: a summary of what it did, for the logs."""
    if not settings.V1_SOURCE_DSN:
        return {"synced": False, "reason": "V1_SOURCE_DSN is empty"}
    started = time.monotonic()

    def should_stop():
        return context.get_remaining_time_in_millis() < MARGIN_MILLIS or time.monotonic() - started >= MAX_SECONDS

    with connect(settings.V1_SOURCE_DSN) as conn:
        applier = ChangeApplier(conn)
        applied, result = 0, None
        while True:
            try:
                result = run_sync_pass(conn, limit=BATCH, applier=applier, should_stop=should_stop)
            except StateMoved:
                log.info("sync_v1: another run moved the watermark; this one stops")
                return {"synced": True, "applied": applied, "stopped": "another run moved the watermark"}
            applied += result.applied
            if result.caught_up or should_stop():
                break
    log.info("sync_v1: %s", result.describe())
    return {"synced": True, "applied": applied, "lag_seconds": result.lag_seconds, "caught_up": result.caught_up}
