"""v1.0's change log, `cutover_changes`, and reading it in order.

Triggers (cutover/capture.py) add one row per change to v1.0's tables. The sync reads
the rows after its watermark. A row's position is (xid, id): its transaction and its
sequence number. The id alone is not enough: two transactions may take ids 10 and 11
and commit 11 first, so a reader that moved its watermark past 11 would never see 10.
So the reader takes only rows of transactions older than every transaction still
running (xid < the snapshot's xmin), in (xid, id) order: no row can appear later
before a position already read, and a killed reader restarts at its watermark without
skipping or repeating.

Each row keeps the changed row as JSON (`old_row` before, `new_row` after), without the
large or secret columns (transcript_text, transcript_raw, password_hash, and the OAuth
tokens of `accounts`): the sync reads the current row for those. cutover/capture.py says
which operation and user_id each change gets. Writes made by this app's mirror set MIRROR_SETTING locally
in their transaction and the triggers log nothing for them, so nothing echoes back.
"""

from dataclasses import dataclass
from datetime import datetime

MIRROR_SETTING = "cutover.origin"  # SET LOCAL cutover.origin = 'mirror' in the mirror's transactions
MIRROR_ORIGIN = "mirror"

# Operations a row of the log names.
INSERT, UPDATE, DELETE, SOFT_DELETE, PASSWORD = "insert", "update", "delete", "soft_delete", "password"

CHANGES_DDL = """
CREATE TABLE IF NOT EXISTS cutover_changes (
  id BIGSERIAL PRIMARY KEY,
  xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  changed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  table_name TEXT NOT NULL,
  operation TEXT NOT NULL,
  row_id TEXT NOT NULL,
  user_id INTEGER,
  old_row JSONB,
  new_row JSONB
);
CREATE INDEX IF NOT EXISTS cutover_changes_position ON cutover_changes (xid, id);
-- A row deleted by the cascade of its parent's delete finds its owner in the parent's DELETE,
-- logged just before it in the same transaction (cutover/capture.py): deletes only, so
-- inserts and updates never pay for this index.
CREATE INDEX IF NOT EXISTS cutover_changes_deletes ON cutover_changes (row_id, xid) WHERE operation = 'delete';
"""

START = (0, 0)  # the position before every change


@dataclass(frozen=True)
class Change:
    xid: int
    id: int
    changed_at: datetime
    table: str  # users, user_settings, accounts, campaigns, game_sessions, summaries
    operation: str  # INSERT, UPDATE, DELETE, SOFT_DELETE or PASSWORD
    row_id: str  # the row's primary key as text (user_settings: its user_id)
    user_id: int | None  # the v1.0 user whose data it is, when the trigger could tell
    old_row: dict | None
    new_row: dict | None

    @property
    def position(self):
        return (self.xid, self.id)


def read_changes(conn, *, after=START, limit=500):
    """Up to `limit` changes after the position `after`, in order, only from transactions
    that finished before any still running began (see the module's docstring).

    The horizon is taken once per query (an InitPlan), and the order names the table's
    columns, not the output's `xid` (a bigint): so the read walks the index
    cutover_changes_position from the watermark and stops after `limit` rows, instead of
    sorting the whole backlog on every call."""
    rows = conn.execute(
        """
        SELECT c.xid::text::bigint, c.id, c.changed_at, c.table_name, c.operation, c.row_id, c.user_id,
               c.old_row, c.new_row
        FROM cutover_changes c
        WHERE (c.xid, c.id) > (%s::text::xid8, %s::bigint)
          AND c.xid < (SELECT pg_snapshot_xmin(pg_current_snapshot()))
        ORDER BY c.xid, c.id
        LIMIT %s
        """,
        (str(after[0]), after[1], limit),
    ).fetchall()
    return [Change(*row) for row in rows]


def oldest_unread_change_time(conn, *, after):
    """When the oldest change after `after` was made (None when there is none): the lag."""
    row = conn.execute(
        "SELECT min(changed_at) FROM cutover_changes WHERE (xid, id) > (%s::text::xid8, %s::bigint)",
        (str(after[0]), after[1]),
    ).fetchone()
    return row[0]
