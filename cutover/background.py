"""The sync as a thread of `manage.py runlocal` when V1_SOURCE_DSN is set: locally, v1.0's
changes arrive as they would from the scheduled Lambda in production."""

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


def _log_pass(result):
    if result.applied:
        log.info("sync_v1: %s", result.describe())
