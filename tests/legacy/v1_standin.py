"""A small stand-in for v1.0 in the cutover tests: it writes PostgreSQL the way v1.0's code
does (plain SQL through v1.0's schema, one transaction per write, `created_at` and
`updated_at` from the database's clock), never through this app. It writes no change-log
row: the capture triggers (`v1_capture install`, cutover/capture.py) do, so the tests that
use it prove the triggers and the sync together.

    v1 = V1Standin(url)                    # v1.0's database, capture installed
    user_id = v1.new_user("new@example.com", "an old password")
    campaign_id = v1.new_campaign(user_id, name="Dragons")
    v1.edit_campaign(campaign_id, archived=True)
"""

import base64
import uuid

import bcrypt
import psycopg
from psycopg import sql


def old_hash(password):
    """A bcrypt hash as v1.0 makes one (cost 4: fast in tests; any cost checks the same)."""
    return bcrypt.hashpw(password.encode()[:72], bcrypt.gensalt(4)).decode()


def new_share_token():
    """A v1.0-style share token (22 characters)."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


class V1Standin:
    def __init__(self, url):
        self.url = url
        self.conn = psycopg.connect(url, autocommit=True)

    def close(self):
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def _one(self, statement, params=()):
        return self.conn.execute(statement, params).fetchone()[0]

    # --- users ---------------------------------------------------------------------------
    def new_user(self, email, password, *, name="A new player"):
        """Auth.js credentials sign-up: a users row with a bcrypt hash."""
        return self._one(
            "INSERT INTO users (name, email, password_hash, created_at) VALUES (%s, %s, %s, now()) RETURNING id",
            (name, email, old_hash(password)),
        )

    def change_password(self, user_id, password):
        self.conn.execute("UPDATE users SET password_hash = %s WHERE id = %s", (old_hash(password), user_id))

    def rename_user(self, user_id, name):
        self.conn.execute("UPDATE users SET name = %s WHERE id = %s", (name, user_id))

    def delete_user(self, user_id):
        self.conn.execute("DELETE FROM users WHERE id = %s", (user_id,))

    def settings(self, user_id, *, time_zone, theme):
        self.conn.execute(
            "INSERT INTO user_settings (user_id, time_zone, theme) VALUES (%s, %s, %s)"
            " ON CONFLICT (user_id) DO UPDATE SET time_zone = excluded.time_zone, theme = excluded.theme",
            (user_id, time_zone, theme),
        )

    # --- campaigns -----------------------------------------------------------------------
    def new_campaign(self, owner_id, *, name, description="", game_system="D&D 5e"):
        return self._one(
            "INSERT INTO campaigns (id, owner_id, name, description, game_system, created_at, updated_at)"
            " VALUES (%s, %s, %s, %s, %s, now(), now()) RETURNING id",
            (uuid.uuid4(), owner_id, name, description, game_system),
        )

    def edit_campaign(self, campaign_id, **fields):
        """UPDATE campaigns SET <fields>, updated_at = now() (name, archived, deleted_at...)."""
        self._update("campaigns", campaign_id, fields)

    def soft_delete_campaign(self, campaign_id):
        self.conn.execute("UPDATE campaigns SET deleted_at = now(), updated_at = now() WHERE id = %s", (campaign_id,))

    def delete_campaign(self, campaign_id):
        self.conn.execute("DELETE FROM campaigns WHERE id = %s", (campaign_id,))

    def campaigns_of(self, owner_id):
        """(name, deleted) of each campaign of a user, by name."""
        rows = self.conn.execute(
            "SELECT name, deleted_at IS NOT NULL FROM campaigns WHERE owner_id = %s ORDER BY name", (owner_id,)
        ).fetchall()
        return [tuple(row) for row in rows]

    # --- sessions ------------------------------------------------------------------------
    def new_session(self, campaign_id, *, title, number=None, **fields):
        """Older v1.0 kept the transcript inline (transcript_text), newer in its bucket
        (transcript_key, transcript_filename); share_token, notes... as given."""
        values = {"title": title, "session_number": number, **fields}
        columns = ["id", "campaign_id", *values]
        statement = sql.SQL("INSERT INTO game_sessions ({}, created_at, updated_at) VALUES ({}, now(), now())").format(
            sql.SQL(", ").join(map(sql.Identifier, columns)), sql.SQL(", ").join(sql.Placeholder() * len(columns))
        )
        return self._one(statement + sql.SQL(" RETURNING id"), (uuid.uuid4(), campaign_id, *values.values()))

    def edit_session(self, session_id, **fields):
        """UPDATE game_sessions SET <fields>, updated_at = now() (title, deleted_at, share_token...)."""
        self._update("game_sessions", session_id, fields)

    def share_session(self, session_id):
        token = new_share_token()
        self.edit_session(session_id, share_token=token)
        return token

    def delete_session(self, session_id):
        self.conn.execute("DELETE FROM game_sessions WHERE id = %s", (session_id,))

    # --- summaries -----------------------------------------------------------------------
    def new_summary(self, session_id, *, kind, content, model="gpt-4o-mini"):
        """A summary of one kind (v1.0 keeps one per kind: a new one replaces its text)."""
        return self._one(
            "INSERT INTO summaries (id, session_id, kind, content, model, prompt_tokens, completion_tokens, created_at)"
            " VALUES (%s, %s, %s, %s, %s, 100, 20, now())"
            " ON CONFLICT (session_id, kind) DO UPDATE SET content = EXCLUDED.content RETURNING id",
            (uuid.uuid4(), session_id, kind, content, model),
        )

    def edit_summary(self, summary_id, *, content):
        self.conn.execute("UPDATE summaries SET content = %s WHERE id = %s", (content, summary_id))

    def _update(self, table, key, fields):
        statement = sql.SQL("UPDATE {} SET {}, updated_at = now() WHERE id = %s").format(
            sql.Identifier(table),
            sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(name)) for name in fields),
        )
        self.conn.execute(statement, (*fields.values(), key))
