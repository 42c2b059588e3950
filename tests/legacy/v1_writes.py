"""A stand-in for v1.0 in tests: it writes as v1.0 does (SQL through v1.0's schema) and logs
each change in the same transaction, as the capture triggers (cutover/capture.py) will:
one cutover_changes row with the table, operation, the row's key as text, the owning
v1.0 user, and to_jsonb of the row before and after, without the large and secret
columns. When the triggers land, `_log` goes and the triggers write those rows instead.

    v1 = V1Writer(url)                     # creates the change log and id pair tables
    user_id = v1.new_user("new@example.com", "an old password")
    campaign_id = v1.new_campaign(user_id, name="Dragons")
"""

import base64
import uuid

import bcrypt
import psycopg
from django.utils import timezone
from psycopg import sql
from psycopg.types.json import Jsonb

from cutover.changes import CHANGES_DDL, DELETE, INSERT, PASSWORD, SOFT_DELETE, UPDATE
from cutover.ids import IDS_DDL

# Left out of old_row/new_row, as the triggers leave them out.
UNLOGGED = ["transcript_text", "transcript_raw", "password_hash", "refresh_token", "access_token", "id_token"]
KEYS = {"user_settings": "user_id"}


def old_hash(password):
    """A bcrypt hash as v1.0 makes one (cost 4: fast in tests; any cost checks the same)."""
    return bcrypt.hashpw(password.encode()[:72], bcrypt.gensalt(4)).decode()


def new_share_token():
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


def _json(row):
    return Jsonb(row) if row else None


class V1Writer:
    def __init__(self, url):
        self.conn = psycopg.connect(url, autocommit=True)
        self.conn.execute(CHANGES_DDL)
        self.conn.execute(IDS_DDL)

    def close(self):
        self.conn.close()

    # --- the log ------------------------------------------------------------------------
    def _row(self, table, key):
        query = sql.SQL("SELECT to_jsonb(t) - %s::text[] FROM {} t WHERE {} = %s").format(
            sql.Identifier(table), sql.Identifier(KEYS.get(table, "id"))
        )
        found = self.conn.execute(query, (UNLOGGED, key)).fetchone()
        return found[0] if found else None

    def _log(self, table, operation, key, user_id, old, new):
        self.conn.execute(
            "INSERT INTO cutover_changes (changed_at, table_name, operation, row_id, user_id, old_row, new_row)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s)",
            # changed_at: the test's clock (time_machine), where the triggers take PostgreSQL's
            (timezone.now(), table, operation, str(key), user_id, _json(old), _json(new)),
        )

    def write(self, table, key, operation, statement, params, *, user_id):
        """Run v1.0's statement on the row `key` and log it, in one transaction."""
        with self.conn.transaction():
            old = self._row(table, key)
            self.conn.execute(statement, params)
            self._log(table, operation, key, user_id, old, self._row(table, key))

    def insert(self, table, statement, params, *, user_id=None):
        """Run v1.0's INSERT ... RETURNING <key> and log it; returns the key."""
        with self.conn.transaction():
            key = self.conn.execute(statement, params).fetchone()[0]
            self._log(table, INSERT, key, user_id if user_id is not None else key, None, self._row(table, key))
        return key

    def owner_of_campaign(self, campaign_id):
        return self.conn.execute("SELECT owner_id FROM campaigns WHERE id = %s", (campaign_id,)).fetchone()[0]

    def owner_of_session(self, session_id):
        return self.conn.execute(
            "SELECT c.owner_id FROM game_sessions g JOIN campaigns c ON c.id = g.campaign_id WHERE g.id = %s",
            (session_id,),
        ).fetchone()[0]

    # --- users ---------------------------------------------------------------------------
    def new_user(self, email, password, *, name="A new player"):
        return self.insert(
            "users",
            "INSERT INTO users (name, email, password_hash, created_at) VALUES (%s, %s, %s, %s) RETURNING id",
            (name, email, old_hash(password), timezone.now()),
        )

    def change_password(self, user_id, password):
        self.write(
            "users",
            user_id,
            PASSWORD,
            "UPDATE users SET password_hash = %s WHERE id = %s",
            (old_hash(password), user_id),
            user_id=user_id,
        )

    def rename_user(self, user_id, name):
        statement = "UPDATE users SET name = %s WHERE id = %s"
        self.write("users", user_id, UPDATE, statement, (name, user_id), user_id=user_id)

    def delete_user(self, user_id):
        self.write("users", user_id, DELETE, "DELETE FROM users WHERE id = %s", (user_id,), user_id=user_id)

    def settings(self, user_id, *, time_zone, theme):
        exists = self._row("user_settings", user_id) is not None
        self.write(
            "user_settings",
            user_id,
            UPDATE if exists else INSERT,
            "INSERT INTO user_settings (user_id, time_zone, theme) VALUES (%s, %s, %s)"
            " ON CONFLICT (user_id) DO UPDATE SET time_zone = excluded.time_zone, theme = excluded.theme",
            (user_id, time_zone, theme),
            user_id=user_id,
        )

    # --- campaigns -----------------------------------------------------------------------
    def new_campaign(self, owner_id, *, name, description="", game_system="D&D 5e"):
        now = timezone.now()
        return self.insert(
            "campaigns",
            "INSERT INTO campaigns (id, owner_id, name, description, game_system, created_at, updated_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
            (uuid.uuid4(), owner_id, name, description, game_system, now, now),
            user_id=owner_id,
        )

    def edit_campaign(self, campaign_id, **fields):
        """UPDATE campaigns SET <fields>, updated_at = now (archived, name, deleted_at...)."""
        operation = SOFT_DELETE if fields.get("deleted_at") else UPDATE
        self._update("campaigns", campaign_id, operation, fields, user_id=self.owner_of_campaign(campaign_id))

    def delete_campaign(self, campaign_id):
        owner = self.owner_of_campaign(campaign_id)
        statement = "DELETE FROM campaigns WHERE id = %s"
        self.write("campaigns", campaign_id, DELETE, statement, (campaign_id,), user_id=owner)

    # --- sessions ------------------------------------------------------------------------
    def new_session(self, campaign_id, *, title, number=None, **fields):
        now = timezone.now()
        values = {"title": title, "session_number": number, "created_at": now, "updated_at": now, **fields}
        columns = ["id", "campaign_id", *values]
        statement = sql.SQL("INSERT INTO game_sessions ({}) VALUES ({}) RETURNING id").format(
            sql.SQL(", ").join(map(sql.Identifier, columns)), sql.SQL(", ").join(sql.Placeholder() * len(columns))
        )
        return self.insert(
            "game_sessions",
            statement,
            (uuid.uuid4(), campaign_id, *values.values()),
            user_id=self.owner_of_campaign(campaign_id),
        )

    def edit_session(self, session_id, **fields):
        operation = SOFT_DELETE if fields.get("deleted_at") else UPDATE
        self._update("game_sessions", session_id, operation, fields, user_id=self.owner_of_session(session_id))

    def delete_session(self, session_id):
        owner = self.owner_of_session(session_id)
        statement = "DELETE FROM game_sessions WHERE id = %s"
        self.write("game_sessions", session_id, DELETE, statement, (session_id,), user_id=owner)

    # --- summaries -----------------------------------------------------------------------
    def new_summary(self, session_id, *, kind, content, model="gpt-4o-mini"):
        return self.insert(
            "summaries",
            "INSERT INTO summaries (id, session_id, kind, content, model, prompt_tokens, completion_tokens, created_at)"
            " VALUES (%s, %s, %s, %s, %s, 100, 20, %s) RETURNING id",
            (uuid.uuid4(), session_id, kind, content, model, timezone.now()),
            user_id=self.owner_of_session(session_id),
        )

    def edit_summary(self, summary_id, *, content):
        session_id = self.conn.execute("SELECT session_id FROM summaries WHERE id = %s", (summary_id,)).fetchone()[0]
        self.write(
            "summaries",
            summary_id,
            UPDATE,
            "UPDATE summaries SET content = %s WHERE id = %s",
            (content, summary_id),
            user_id=self.owner_of_session(session_id),
        )

    def _update(self, table, key, operation, fields, *, user_id):
        fields = {**fields, "updated_at": timezone.now()}
        statement = sql.SQL("UPDATE {} SET {} WHERE id = %s").format(
            sql.Identifier(table),
            sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(name)) for name in fields),
        )
        self.write(table, key, operation, statement, (*fields.values(), key), user_id=user_id)
