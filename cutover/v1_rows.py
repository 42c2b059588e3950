"""Reading v1.0's rows as they are now, one at a time, for the sync (cutover/apply_v1.py).

The change log says which row changed; the sync re-reads it (state-based: the row may
have changed again since, or be gone) through the import's own row classes, so both
read v1.0 the same way. Unlike the import's V1Source this reads with each statement's
own snapshot, on the sync's connection, which also writes the id pairs (cutover_ids).
"""

from datetime import datetime

from psycopg.rows import class_row

from v1.source import SESSION_COLUMNS, USER_COLUMNS, V1Campaign, V1Session, V1Source, V1Summary, V1User


class LiveSource(V1Source):
    """V1Source's reads on an open connection (autocommit: each read sees the latest)."""

    def __init__(self, conn):
        super().__init__(dsn=None)
        self.conn = conn

    def user(self, user_id):
        return self._one(
            V1User,
            f"SELECT {USER_COLUMNS} FROM users u LEFT JOIN user_settings s ON s.user_id = u.id WHERE u.id = %s",
            user_id,
        )

    def campaign(self, campaign_id):
        return self._one(V1Campaign, "SELECT * FROM campaigns WHERE id = %s", campaign_id)

    def session(self, session_id):
        return self._one(V1Session, f"SELECT {SESSION_COLUMNS} FROM game_sessions g WHERE g.id = %s", session_id)

    def summary(self, summary_id):
        return self._one(V1Summary, "SELECT * FROM summaries WHERE id = %s", summary_id)

    def sessions_of_campaign(self, campaign_id):
        with self.conn.cursor(row_factory=class_row(V1Session)) as cursor:
            cursor.execute(
                f"SELECT {SESSION_COLUMNS} FROM game_sessions g WHERE g.campaign_id = %s ORDER BY g.created_at, g.id",
                [campaign_id],
            )
            return cursor.fetchall()

    def summaries_of(self, session_id):
        with self.conn.cursor(row_factory=class_row(V1Summary)) as cursor:
            cursor.execute("SELECT * FROM summaries WHERE session_id = %s ORDER BY created_at, id", [session_id])
            return cursor.fetchall()

    def owner_of_session(self, session_id):
        row = self.conn.execute(
            "SELECT c.owner_id FROM game_sessions g JOIN campaigns c ON c.id = g.campaign_id WHERE g.id = %s",
            [session_id],
        ).fetchone()
        return row[0] if row else None

    def inline_transcript_sha256(self, session_id):
        """The SHA-256 (hex) of the inline transcript's bytes as the import uploads them
        (the text in UTF-8, or the raw bytes), computed in PostgreSQL: nothing of it is
        read here unless it changed. None when the transcript is not inline."""
        row = self.conn.execute(
            "SELECT encode(sha256(coalesce(convert_to(transcript_text, 'UTF8'), transcript_raw)), 'hex')"
            " FROM game_sessions WHERE id = %s",
            [session_id],
        ).fetchone()
        return row[0] if row else None

    def _one(self, row_class, query, key):
        with self.conn.cursor(row_factory=class_row(row_class)) as cursor:
            cursor.execute(query, [key])
            return cursor.fetchone()


def row_time(row, column):
    """A timestamp of a change's old_row/new_row (to_jsonb's ISO text) as a datetime, or None."""
    value = (row or {}).get(column)
    return datetime.fromisoformat(value) if value else None
