"""Reading v1.0's PostgreSQL database: read-only, in one repeatable-read snapshot, user by
user. Transcript bodies (up to several MB each) are read one at a time, when imported.

Only this module knows v1.0's SQL; the rows come out as the dataclasses below.
"""

from dataclasses import dataclass, field
from datetime import datetime

import psycopg
from psycopg.rows import class_row

# What v1.0 has that is not imported at all, and is only counted (docs/migration.md).
NOT_MIGRATED_TABLES = ("sessions", "verification_token")
COUNTED_TABLES = ("users", "accounts", "user_settings", "campaigns", "game_sessions", "summaries")


class SourceUnavailable(Exception):
    """v1.0's database cannot be read: the message is one line for the operator."""


@dataclass
class V1User:
    id: int
    name: str | None
    email: str | None
    password_hash: str | None
    role: str
    created_at: datetime
    time_zone: str | None
    theme: str | None
    providers: list = field(default_factory=list)  # Auth.js accounts: 'discord', 'google'


@dataclass
class V1Campaign:
    id: object  # UUID
    owner_id: int
    name: str
    description: str | None
    game_system: str | None
    archived: bool
    deleted_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass
class V1Session:
    id: object  # UUID
    campaign_id: object
    session_number: int | None
    title: str
    played_at: datetime | None
    notes: str | None
    transcript_key: str | None
    transcript_filename: str | None
    has_text: bool
    has_raw: bool
    share_token: str | None
    share_expires_at: datetime | None
    deleted_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass
class V1Summary:
    id: object  # UUID
    session_id: object
    kind: str
    content: str
    model: str | None
    prompt_tokens: int | None
    completion_tokens: int | None
    created_at: datetime


@dataclass
class V1Rows:
    """Everything of one account: one v1.0 user, or several merged (--merge-case-duplicates)."""

    users: list  # of V1User, oldest first; the last one is the account's name, password, settings
    campaigns: list
    sessions: list
    summaries: list

    @property
    def user(self):
        return self.users[-1]


# The columns a V1User and a V1Session are read with (aliases u, s; g): the import reads
# them per account, the cutover's sync (cutover/v1_rows.py) one row at a time.
USER_COLUMNS = """
    u.id, u.name, u.email, u.password_hash, u.role, u.created_at, s.time_zone, s.theme,
    coalesce((SELECT array_agg(DISTINCT a.provider ORDER BY a.provider) FROM accounts a
              WHERE a."userId" = u.id), '{}') AS providers
"""
SESSION_COLUMNS = """
    g.id, g.campaign_id, g.session_number, g.title, g.played_at, g.notes, g.transcript_key,
    g.transcript_filename, g.transcript_text IS NOT NULL AS has_text,
    g.transcript_raw IS NOT NULL AS has_raw, g.share_token, g.share_expires_at,
    g.deleted_at, g.created_at, g.updated_at
"""


class V1Source:
    """A read-only snapshot of v1.0's database; use as a context manager."""

    def __init__(self, dsn):
        self.dsn = dsn
        self.conn = None

    def __enter__(self):
        try:
            self.conn = psycopg.connect(self.dsn, connect_timeout=10)
        except psycopg.Error as error:
            raise SourceUnavailable(f"cannot connect to v1.0's database: {first_line(error)}") from None
        self.conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        self.conn.read_only = True
        try:
            self.table_counts()  # the tables are v1.0's: fail now, in one line, if not
        except psycopg.Error as error:
            raise SourceUnavailable(f"this database does not look like v1.0's: {first_line(error)}") from None
        return self

    def __exit__(self, *exc_info):
        self.conn.rollback()  # read only: nothing to keep
        self.conn.close()

    def table_counts(self):
        """{table: rows} for every v1.0 table, migrated or not."""
        counts = {}
        for table in COUNTED_TABLES + NOT_MIGRATED_TABLES:
            counts[table] = self.conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        return counts

    def user_emails(self):
        """[(id, email, created_at)] of every user, by id: enough to find case duplicates."""
        return self.conn.execute("SELECT id, email, created_at FROM users ORDER BY id").fetchall()

    def users(self, ids):
        """V1User rows for these ids, oldest created first."""
        with self.conn.cursor(row_factory=class_row(V1User)) as cursor:
            cursor.execute(
                f"SELECT {USER_COLUMNS} FROM users u LEFT JOIN user_settings s ON s.user_id = u.id"
                " WHERE u.id = ANY(%s) ORDER BY u.created_at, u.id",
                [list(ids)],
            )
            return cursor.fetchall()

    def rows_of(self, users):
        """V1Rows of an account: these users' campaigns, sessions and summaries, soft-deleted
        ones included (the importer counts them); no transcript bodies."""
        ids = [user.id for user in users]
        campaigns = self._fetch(
            V1Campaign, "SELECT * FROM campaigns WHERE owner_id = ANY(%s) ORDER BY created_at, id", ids
        )
        campaign_ids = [campaign.id for campaign in campaigns]
        sessions = self._fetch(
            V1Session,
            f"SELECT {SESSION_COLUMNS} FROM game_sessions g WHERE g.campaign_id = ANY(%s) ORDER BY g.created_at, g.id",
            campaign_ids,
        )
        summaries = self._fetch(
            V1Summary,
            "SELECT s.* FROM summaries s JOIN game_sessions g ON g.id = s.session_id"
            " WHERE g.campaign_id = ANY(%s) ORDER BY s.created_at, s.id",
            campaign_ids,
        )
        return V1Rows(users=list(users), campaigns=campaigns, sessions=sessions, summaries=summaries)

    def transcript_body(self, session_id):
        """(text, raw bytes) of one session: one of them at most is not None."""
        text, raw = self.conn.execute(
            "SELECT transcript_text, transcript_raw FROM game_sessions WHERE id = %s", [session_id]
        ).fetchone()
        return text, None if raw is None else bytes(raw)

    def _fetch(self, row_class, query, ids):
        with self.conn.cursor(row_factory=class_row(row_class)) as cursor:
            cursor.execute(query, [ids])
            return cursor.fetchall()


def first_line(error):
    """An error's first line: what a command says, in one line, when a database refuses."""
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
