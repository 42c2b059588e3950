"""The scheduled functions of production as threads of `manage.py runlocal`: the sync when
V1_SOURCE_DSN is set (v1.0's changes arrive as they would from the scheduled Lambda), the
drain when V1_MIRROR_DSN is set (what a request could not apply after its response,
v1.0's database being down, is retried as the scheduled drain would)."""

import logging
import threading

from cutover.sync import connect, follow

log = logging.getLogger(__name__)


def follow_in_background(dsn, *, interval=5.0):
    """Start a daemon thread following v1.0's log; returns (thread, stop event). An error
    (v1.0's database down, say) is logged and the thread tries again after `interval`."""
    stop = threading.Event()

    def run():
        while not stop.is_set():
            try:
                with connect(dsn) as conn:
                    follow(conn, interval=interval, stop=stop, on_pass=_log_pass)
            except Exception:
                log.exception("sync_v1 (background) failed; trying again in %s s", interval)
                stop.wait(interval)

    thread = threading.Thread(target=run, name="sync_v1", daemon=True)
    thread.start()
    return thread, stop


def drain_in_background(dsn, *, interval=60.0):
    """Start a daemon thread draining the outbox every `interval` seconds; returns (thread,
    stop event). An error is logged and the next round tries again."""
    from cutover.mirror_drain import drain_outbox

    stop = threading.Event()

    def run():
        while not stop.wait(interval):
            try:
                result = drain_outbox(dsn=dsn)
            except Exception:
                log.exception("drain_outbox (background) failed; trying again in %s s", interval)
                continue
            if result.applied or result.failed or result.unreachable:
                log.info("drain_outbox: %s", result.describe())

    thread = threading.Thread(target=run, name="drain_outbox", daemon=True)
    thread.start()
    return thread, stop


def _log_pass(result):
    if result.applied:
        log.info("sync_v1: %s", result.describe())
