"""Applying the outbox: right after a request (its own entries) and by the drain (all due).

`drain_outbox(dsn=...)` applies every due entry in order (one Query on OUTBOX). A failed
entry stays, with its attempts counted and its next attempt backed off (2^attempts
seconds, at most 15 minutes) and the error kept; PostgreSQL unreachable stops the pass
(the entry that met it counts the attempt), so nothing is lost and nothing is skipped
for long. `manage.py drain_outbox` runs it; in production a scheduled Lambda runs it
every minute (cutover/scheduled_drain.py); `shift_traffic --rollback` runs the command.
"""

import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta

import psycopg
from django.utils import timezone
from pynamodb.exceptions import UpdateError

from campaigns_site.outbox import OutboxEntry, count_pending
from campaigns_site.table_keys import OUTBOX_PK
from cutover.mirror import apply_entry, connect

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(minutes=15)
ERROR_CHARS = 1000


@dataclass
class DrainResult:
    applied: int = 0
    failed: int = 0
    remaining: int = 0
    unreachable: str = ""  # why PostgreSQL could not be reached, when it could not
    errors: list = field(default_factory=list)  # (entry SK, error) of the failed entries

    def describe(self):
        line = f"applied {self.applied}, failed {self.failed}, remaining {self.remaining}"
        return f"{line} (PostgreSQL unreachable: {self.unreachable})" if self.unreachable else line


def due_entries(*, now, ignore_backoff=False):
    """The outbox's entries in order (oldest first), those not waiting for a next attempt."""
    for entry in OutboxEntry.query(OUTBOX_PK, consistent_read=True):
        if ignore_backoff or entry.next_attempt is None or entry.next_attempt <= now:
            yield entry


def drain_outbox(*, dsn, limit=None, ignore_backoff=False, time_budget=None, progress=None):
    """Apply the due entries (at most `limit`, within `time_budget` seconds); with
    `ignore_backoff` those waiting too (a rollback drains everything). `progress(entry)`
    is called after each. Returns a DrainResult."""
    result = DrainResult()
    now = timezone.now()
    deadline = None if time_budget is None else time.monotonic() + time_budget
    conn = None
    try:
        for entry in due_entries(now=now, ignore_backoff=ignore_backoff):
            if limit is not None and result.applied + result.failed >= limit:
                break
            if deadline is not None and time.monotonic() > deadline:
                break
            try:
                conn = conn or connect(dsn)
                apply_entry(conn, entry)
                result.applied += 1
            except Exception as error:  # noqa: BLE001 (any failure: the entry waits, counted)
                result.failed += 1
                result.errors.append((entry.sk, str(error)))
                record_failure(entry, error)
                if _unreachable(conn, error):
                    result.unreachable = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
                    break
            if progress:
                progress(entry)
    finally:
        if conn is not None:
            conn.close()
    result.remaining = count_pending()
    return result


def _unreachable(conn, error):
    return isinstance(error, psycopg.OperationalError) and (conn is None or conn.closed or conn.broken)


def record_failure(entry, error):
    """Count the attempt, back off (2^attempts s, at most 15 min), keep the error."""
    attempts = int(entry.attempts or 0) + 1
    delay = min(timedelta(seconds=2**attempts), MAX_BACKOFF)
    log.warning("outbox entry %s failed (attempt %s): %s", entry.sk, attempts, error)
    try:
        entry.update(
            actions=[
                OutboxEntry.attempts.set(attempts),
                OutboxEntry.next_attempt.set(timezone.now() + delay),
                OutboxEntry.last_error.set((str(error) or repr(error))[:ERROR_CHARS]),
            ],
            condition=OutboxEntry.sk.exists(),
        )
    except UpdateError as update_error:
        if update_error.cause_response_code != "ConditionalCheckFailedException":
            raise
        # Applied and deleted meanwhile (the request's own attempt): nothing waits.


# After PostgreSQL could not be reached, requests leave their entries to the drain for a
# while instead of each waiting for its own connect timeout (on Lambda the response waits).
UNREACHABLE_PAUSE_SECONDS = 60
paused_until = 0.0  # time.monotonic() before which requests leave their entries to the drain


def forget_outage():
    """Requests apply their entries again at once (a test's earlier outage is not the next one's)."""
    global paused_until
    paused_until = 0.0


def apply_written_entries(entries, *, dsn):
    """Apply a request's own entries right after its response, within a short connect
    timeout; any failure leaves them for the drain (logged, never raised: the response
    is already sent, or on Lambda about to be). Returns how many were applied."""
    global paused_until
    if not entries or time.monotonic() < paused_until:
        return 0
    applied = 0
    try:
        with connect(dsn) as conn:
            for entry in entries:
                apply_entry(conn, entry)
                applied += 1
    except Exception as error:  # noqa: BLE001 (whatever it is, the drain retries it)
        if isinstance(error, psycopg.OperationalError):
            paused_until = time.monotonic() + UNREACHABLE_PAUSE_SECONDS
        log.exception("mirror: %s of %s entries left for the drain", len(entries) - applied, len(entries))
    return applied


@dataclass
class MirrorStatus:
    pending: int
    failing: int  # entries with a failed attempt
    oldest_pending: object  # when the oldest waiting entry was written, or None
    users_without_password: int  # v1.0 users the mirror made: they reset their password on v1.0 after a rollback


def mirror_status(*, dsn):
    """What the lead's gates and the rollback report show: the outbox and the users who
    signed up here (no v1.0 password)."""
    entries = list(OutboxEntry.query(OUTBOX_PK, consistent_read=True))
    with connect(dsn) as conn:
        users = users_without_password(conn)
    return MirrorStatus(
        pending=len(entries),
        failing=sum(1 for entry in entries if entry.attempts),
        oldest_pending=min((entry.created for entry in entries), default=None),
        users_without_password=users,
    )


def users_without_password(conn):
    """Users paired with an account here who have no v1.0 password and no Discord/Google
    sign-in: the users the mirror made for sign-ups here (they must reset their password
    on v1.0 after a rollback)."""
    return conn.execute(
        """
        SELECT count(*) FROM users u
        JOIN cutover_ids i ON i.kind = 'user' AND i.v1_id = u.id::text
        WHERE u.password_hash IS NULL AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a."userId" = u.id)
        """
    ).fetchone()[0]
