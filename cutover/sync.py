"""The catch-up sync: v1.0's logged changes, applied here in order, with a durable watermark.

A pass reads the changes after the watermark (cutover.changes.read_changes: only those of
finished transactions, in (xid, id) order) a batch at a time, applies each
(cutover/apply_v1.py), and saves the watermark (cutover.state.SyncState) after each
batch: one PutItem per batch, not per change. A pass killed between applying and saving
applies the batch again on the next: every change is applied state-based, so doing it
twice changes nothing the second time. When applying a change fails, the watermark is
saved at the change before it, and the error goes up: the next pass starts with the
failing change, never after it (nothing is skipped, and the lag shows it is stuck).

Two syncs at once (a Lambda still running when the next starts) are harmless for the same
reason; a save never moves the watermark back (its condition), so the slower one's save
fails (StateMoved) and it stops.
"""

import time
from dataclasses import dataclass, field

import psycopg
from django.utils import timezone
from pynamodb.exceptions import PutError

from campaigns_site.outbox import not_mirrored
from cutover.apply_v1 import ChangeApplier
from cutover.changes import oldest_unread_change_time, read_changes
from cutover.state import SyncState, get_sync_state
from v1.source import SourceUnavailable, first_line

DEFAULT_BATCH = 500


class StateMoved(Exception):
    """Another sync saved the watermark meanwhile: this one stops (the other goes on)."""


@dataclass
class PassResult:
    applied: int = 0  # changes applied in this pass
    seconds: float = 0.0
    lag_seconds: float = 0.0  # age of the oldest change not yet applied, after the pass (0: caught up)
    watermark: tuple = (0, 0)
    outcomes: dict = field(default_factory=dict)  # {"applied": n, "unchanged": n, ...}
    caught_up: bool = True

    @property
    def rate(self):
        """Changes applied per second."""
        return self.applied / self.seconds if self.seconds > 0 else 0.0

    def describe(self):
        kinds = ", ".join(f"{count} {name}" for name, count in sorted(self.outcomes.items()) if count)
        return (
            f"applied {self.applied} changes in {self.seconds:.1f}s ({self.rate:.1f}/s)"
            + (f" [{kinds}]" if kinds else "")
            + f"; lag {self.lag_seconds:.0f}s; watermark {self.watermark[0]}/{self.watermark[1]}"
        )


def connect(dsn):
    """An autocommit connection to v1.0 (each read sees the latest committed rows)."""
    try:
        return psycopg.connect(dsn, autocommit=True, connect_timeout=10)
    except psycopg.Error as error:
        raise SourceUnavailable(f"cannot connect to v1.0's database: {first_line(error)}") from None


def count_unread(conn, *, after):
    """How many changes wait after `after` (finished or not): the progress bar's total."""
    return conn.execute(
        "SELECT count(*) FROM cutover_changes WHERE (xid, id) > (%s::text::xid8, %s)", (str(after[0]), after[1])
    ).fetchone()[0]


@not_mirrored()  # v1.0's own changes: mirroring them back would only echo them
def run_sync_pass(conn, *, limit=DEFAULT_BATCH, applier=None, should_stop=None, on_applied=None):
    """Apply every change after the watermark (or until `should_stop()` says so, checked
    between batches); returns the PassResult. `on_applied(n)` is called after each change
    (the command's progress bar)."""
    applier = applier or ChangeApplier(conn)
    started = time.monotonic()
    state = get_sync_state()
    result = PassResult(watermark=state.watermark)
    while True:
        changes = read_changes(conn, after=state.watermark, limit=limit)
        if not changes:
            break
        done = 0
        try:
            for change in changes:
                applier.apply(change)
                done += 1
                if on_applied:
                    on_applied(1)
        finally:
            if done:
                _save_watermark(state, changes[done - 1].position, done)
                result.applied += done
        if should_stop and should_stop():
            break
    result.seconds = time.monotonic() - started
    oldest = oldest_unread_change_time(conn, after=state.watermark)
    result.caught_up = oldest is None
    result.lag_seconds = 0.0 if oldest is None else max(0.0, (timezone.now() - oldest).total_seconds())
    result.watermark = state.watermark
    result.outcomes = dict(applier.outcomes)
    state.last_pass = timezone.now()
    state.lag_seconds = result.lag_seconds
    _save(state)
    return result


def _save_watermark(state, position, applied):
    state.watermark_xid, state.watermark_id = position
    state.applied = int(state.applied or 0) + applied
    _save(state)


def _save(state):
    """Save the state unless another sync saved a later watermark meanwhile (StateMoved)."""
    xid, position = state.watermark
    not_behind = (
        SyncState.watermark_xid.does_not_exist()
        | (SyncState.watermark_xid < xid)
        | ((SyncState.watermark_xid == xid) & (SyncState.watermark_id <= position))
    )
    try:
        state.save(condition=not_behind)
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise StateMoved("another sync moved the watermark meanwhile; this one stops") from None
        raise


def follow(conn, *, interval=5.0, duration=None, stop=None, limit=DEFAULT_BATCH, on_pass=None, on_applied=None):
    """Pass after pass, waiting `interval` seconds whenever caught up, until `duration`
    seconds have passed (None: for ever) or the threading.Event `stop` is set. Calls
    on_pass(result) after each pass; returns how many changes were applied in all."""
    started = time.monotonic()
    applier = ChangeApplier(conn)
    total = 0

    def out_of_time():
        return (stop is not None and stop.is_set()) or (duration is not None and time.monotonic() - started >= duration)

    while not out_of_time():
        applier.outcomes.clear()
        result = run_sync_pass(conn, limit=limit, applier=applier, should_stop=out_of_time, on_applied=on_applied)
        total += result.applied
        if on_pass:
            on_pass(result)
        if result.caught_up:
            left = interval if duration is None else min(interval, duration - (time.monotonic() - started))
            if left > 0:
                stop.wait(left) if stop is not None else time.sleep(left)
    return total
