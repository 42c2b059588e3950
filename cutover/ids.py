"""Which v1.0 row is which item here, both ways: the table `cutover_ids` in v1.0's database.

The import derives an item's ULID from its v1.0 row (v1/mapping.derived_id), a one-way
hash; the mirror must go back from an item to its row, and a row the mirror made for an
item created here has a UUID made from the item's ULID (the same 128 bits), not a derived
one. So the pairs are written down once, where both sides can read them in the same
transaction as the rows they name:

- kind "user": v1.0's `users.id` and the Cognito `sub`;
- kind "campaign" / "session": the row's UUID and the item's ULID.

Summaries need no pair: v1.0 keeps one per (session_id, kind), this app one per
(session, kind). `v1_capture install` fills the table for everything imported; the sync
adds a pair for each row v1.0 makes, the mirror one for each item made here.
"""

import uuid

from ulid import ULID

USER, CAMPAIGN, SESSION = "user", "campaign", "session"

IDS_DDL = """
CREATE TABLE IF NOT EXISTS cutover_ids (
  kind TEXT NOT NULL,
  v1_id TEXT NOT NULL,
  app_id TEXT NOT NULL,
  PRIMARY KEY (kind, v1_id),
  UNIQUE (kind, app_id)
)
"""


def ensure_ids_table(conn):
    conn.execute(IDS_DDL)


def app_id_for(conn, *, kind, v1_id):
    row = conn.execute("SELECT app_id FROM cutover_ids WHERE kind = %s AND v1_id = %s", (kind, str(v1_id))).fetchone()
    return row[0] if row else None


def v1_id_for(conn, *, kind, app_id):
    row = conn.execute("SELECT v1_id FROM cutover_ids WHERE kind = %s AND app_id = %s", (kind, app_id)).fetchone()
    return row[0] if row else None


def remember(conn, *, kind, v1_id, app_id):
    """Write a pair down; a pair already there is kept (a re-run changes nothing)."""
    conn.execute(
        "INSERT INTO cutover_ids (kind, v1_id, app_id) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
        (kind, str(v1_id), app_id),
    )


def remember_many(conn, *, kind, pairs):
    """Write many (v1_id, app_id) pairs down at once (install fills the table this way)."""
    with conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO cutover_ids (kind, v1_id, app_id) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            [(kind, str(v1_id), app_id) for v1_id, app_id in pairs],
        )


def uuid_for_new_item(item_id):
    """The UUID of the v1.0 row the mirror makes for an item created here: its ULID's bits."""
    return uuid.UUID(bytes=ULID.from_str(item_id).bytes)
