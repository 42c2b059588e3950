"""A small stand-in for v1.0 in the cutover tests: it writes PostgreSQL the way v1.0's code
does (plain SQL through v1.0's schema, its own transactions, `updated_at = now()`), never
through this app, so only the capture triggers can tell the sync about it."""

import secrets
import uuid

import bcrypt
import psycopg


def connect(dsn):
    return psycopg.connect(dsn, autocommit=True)


def sign_up(conn, *, email, password, name="New on v1.0"):
    """Auth.js credentials sign-up: a users row with a bcrypt hash ($2b$, cost 10)."""
    password_hash = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=10)).decode()
    row = conn.execute(
        "INSERT INTO users (name, email, password_hash, created_at) VALUES (%s, %s, %s, now()) RETURNING id",
        (name, email, password_hash),
    ).fetchone()
    return row[0]


def change_password(conn, *, user_id, password):
    password_hash = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=10)).decode()
    conn.execute("UPDATE users SET password_hash = %s WHERE id = %s", (password_hash, user_id))


def create_campaign(conn, *, owner_id, name, description=None, game_system=None):
    campaign_id = uuid.uuid4()
    conn.execute(
        "INSERT INTO campaigns (id, owner_id, name, description, game_system, created_at, updated_at)"
        " VALUES (%s, %s, %s, %s, %s, now(), now())",
        (campaign_id, owner_id, name, description, game_system),
    )
    return campaign_id


def rename_campaign(conn, *, campaign_id, name):
    conn.execute("UPDATE campaigns SET name = %s, updated_at = now() WHERE id = %s", (name, campaign_id))


def soft_delete_campaign(conn, *, campaign_id):
    conn.execute("UPDATE campaigns SET deleted_at = now(), updated_at = now() WHERE id = %s", (campaign_id,))


def create_session(conn, *, campaign_id, title, number=None, transcript_text=None, transcript_key=None, notes=None):
    """Older v1.0 kept the transcript inline (transcript_text), newer in its bucket (transcript_key)."""
    session_id = uuid.uuid4()
    filename = "session.txt" if transcript_text or transcript_key else None
    conn.execute(
        "INSERT INTO game_sessions (id, campaign_id, session_number, title, played_at, notes, transcript_text,"
        " transcript_key, transcript_filename, created_at, updated_at)"
        " VALUES (%s, %s, %s, %s, now(), %s, %s, %s, %s, now(), now())",
        (session_id, campaign_id, number, title, notes, transcript_text, transcript_key, filename),
    )
    return session_id


def edit_session(conn, *, session_id, title=None, notes=None):
    conn.execute(
        "UPDATE game_sessions SET title = coalesce(%s, title), notes = coalesce(%s, notes), updated_at = now()"
        " WHERE id = %s",
        (title, notes, session_id),
    )


def share_session(conn, *, session_id):
    token = secrets.token_urlsafe(16)  # 22 characters, as v1.0 made them
    conn.execute("UPDATE game_sessions SET share_token = %s, updated_at = now() WHERE id = %s", (token, session_id))
    return token


def write_summary(conn, *, session_id, kind, content):
    conn.execute(
        "INSERT INTO summaries (id, session_id, kind, content, model, created_at)"
        " VALUES (%s, %s, %s, %s, 'gpt-4o', now())"
        " ON CONFLICT (session_id, kind) DO UPDATE SET content = EXCLUDED.content",
        (uuid.uuid4(), session_id, kind, content),
    )


def campaigns_of(conn, *, owner_id):
    """(name, deleted) of each campaign of a user, by name."""
    rows = conn.execute(
        "SELECT name, deleted_at IS NOT NULL FROM campaigns WHERE owner_id = %s ORDER BY name", (owner_id,)
    ).fetchall()
    return [tuple(row) for row in rows]
