"""Rows of v1.0's tables, one helper per table, with v1.0's defaults and seeded values.

`V1Builder` hands out ids, keeps the rows per table (as dicts keyed by column) and the
named cases that tests look up. Everything random comes from one random.Random, so a
seed always gives the same data set, bcrypt hashes included (their salts are seeded).
"""

import base64
import functools
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

# Column order of each table, parents before children (the order they are written in).
TABLE_COLUMNS = {
    "users": ["id", "name", "email", "emailVerified", "image", "password_hash", "role", "created_at"],
    "accounts": [
        "id",
        "userId",
        "type",
        "provider",
        "providerAccountId",
        "refresh_token",
        "access_token",
        "expires_at",
        "token_type",
        "scope",
        "id_token",
        "session_state",
    ],  # fmt: skip
    "sessions": ["id", "userId", "expires", "sessionToken"],
    "verification_token": ["identifier", "expires", "token"],
    "user_settings": ["user_id", "time_zone", "theme"],
    "campaigns": [
        "id",
        "owner_id",
        "name",
        "description",
        "game_system",
        "archived",
        "deleted_at",
        "created_at",
        "updated_at",
    ],  # fmt: skip
    "game_sessions": [
        "id",
        "campaign_id",
        "session_number",
        "title",
        "played_at",
        "notes",
        "transcript_key",
        "transcript_text",
        "transcript_raw",
        "transcript_filename",
        "share_token",
        "share_expires_at",
        "deleted_at",
        "created_at",
        "updated_at",
    ],  # fmt: skip
    "summaries": [
        "id",
        "session_id",
        "kind",
        "content",
        "model",
        "prompt_tokens",
        "completion_tokens",
        "created_at",
    ],  # fmt: skip
}
SERIAL_TABLES = ["users", "accounts", "sessions"]
EPOCH = datetime(2022, 1, 1, tzinfo=UTC)
BCRYPT_ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


@functools.cache
def bcrypt_hash(password, *, prefix="2b", cost=10, salt_seed=0):
    """A bcrypt hash as v1.0's library made it, with a salt from `salt_seed` (so the data set
    is deterministic) and cached per process: cost 10 takes ~50 ms, cost 12 four times that."""
    import bcrypt

    rng = random.Random(f"bcrypt-salt-{salt_seed}")
    # 22 characters carry 128 bits: the last one's low four bits must be zero.
    salt = "".join(rng.choice(BCRYPT_ALPHABET) for _ in range(21)) + rng.choice(".Oeu")
    # v1.0's library read only the first 72 bytes; bcrypt 5 refuses more instead of cutting.
    return bcrypt.hashpw(password.encode()[:72], f"${prefix}${cost:02d}${salt}".encode()).decode()


def share_token(rng):
    """v1.0's share token: base64url of 16 random bytes, without padding (22 characters)."""
    return base64.urlsafe_b64encode(rng.randbytes(16)).decode().rstrip("=")


@dataclass
class V1Dataset:
    """What the generator made: the rows, the v1.0 bucket's objects, and the named cases."""

    rows: dict = field(default_factory=lambda: {table: [] for table in TABLE_COLUMNS})
    objects: dict = field(default_factory=dict)  # key in v1.0's bucket -> body (bytes)
    missing_object_keys: list = field(default_factory=list)  # named by a row, absent from `objects`
    cases: dict = field(default_factory=dict)  # case name -> ids (user ids, UUIDs, share tokens)
    passwords: dict = field(default_factory=dict)  # user id -> the plain password behind its hash
    local_days: dict = field(default_factory=dict)  # session id -> the day played_at names for its owner

    def case(self, name):
        """The ids of a named case; a KeyError for a name the generator does not make."""
        return self.cases[name]

    def row_count(self):
        return sum(len(rows) for rows in self.rows.values())

    def counts(self):
        return {table: len(rows) for table, rows in self.rows.items()}


class V1Builder:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.data = V1Dataset()
        self._next_serial = dict.fromkeys(SERIAL_TABLES, 1)
        self._tokens = set()

    def mark(self, case, *ids):
        self.data.cases.setdefault(case, []).extend(ids)
        return ids[0] if ids else None

    def case(self, name):
        return self.data.case(name)

    def uuid(self):
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def instant(self, *, after=EPOCH, within_days=900):
        return after + timedelta(
            seconds=self.rng.randrange(within_days * 86400), microseconds=self.rng.randrange(10**6)
        )

    def _serial(self, table):
        value = self._next_serial[table]
        self._next_serial[table] += 1
        return value

    def _add(self, table, **row):
        self.data.rows[table].append(row)
        return row

    def user(self, *, email, name="A player", password=None, prefix="2b", cost=10, salt_seed=None, **extra):
        user_id = self._serial("users")
        created = extra.pop("created_at", None) or self.instant()
        password_hash = None
        if password is not None:
            password_hash = bcrypt_hash(password, prefix=prefix, cost=cost, salt_seed=salt_seed or user_id)
            self.data.passwords[user_id] = password
        row = {"emailVerified": created + timedelta(minutes=5), "image": None, "role": "user", **extra}
        self._add("users", id=user_id, name=name, email=email, password_hash=password_hash, created_at=created, **row)
        return user_id

    def settings(self, user_id, *, time_zone=None, theme=None):
        self._add("user_settings", user_id=user_id, time_zone=time_zone, theme=theme)

    def account(self, user_id, *, provider):
        account_id = self._serial("accounts")
        self._add(
            "accounts",
            id=account_id,
            userId=user_id,
            type="oauth",
            provider=provider,
            providerAccountId=str(self.rng.getrandbits(60)),
            refresh_token=self.rng.randbytes(12).hex(),
            access_token=self.rng.randbytes(16).hex(),
            expires_at=int(self.instant().timestamp()),
            token_type="bearer",
            scope="identify email" if provider == "discord" else "openid email profile",
            id_token=f"eyJhbGciOiJSUzI1NiJ9.{self.rng.randbytes(24).hex()}" if provider == "google" else None,
            session_state=None,
        )
        return account_id

    def web_session(self, user_id):
        self._add(
            "sessions",
            id=self._serial("sessions"),
            userId=user_id,
            expires=self.instant(after=EPOCH + timedelta(days=900), within_days=30),
            sessionToken=str(self.uuid()),
        )

    def verification_token(self, identifier):
        expires = self.instant(after=EPOCH + timedelta(days=900), within_days=1)
        self._add("verification_token", identifier=identifier, expires=expires, token=self.rng.randbytes(32).hex())

    def campaign(self, owner_id, *, name="The Lost Mine", **fields):
        campaign_id = self.uuid()
        created = fields.pop("created_at", None) or self.instant()
        row = {"description": None, "game_system": "D&D 5e", "archived": False, "deleted_at": None, **fields}
        self._add(
            "campaigns",
            id=campaign_id,
            owner_id=owner_id,
            name=name,
            created_at=created,
            updated_at=created + timedelta(days=1),
            **row,
        )
        return campaign_id

    def session(self, campaign_id, *, number=1, title="Session", **fields):
        """A game_sessions row; `share=True` gives it a fresh token, `transcript_*` one source."""
        session_id = self.uuid()
        created = fields.pop("created_at", None) or self.instant()
        token = self.new_share_token() if fields.pop("share", False) else fields.pop("share_token", None)
        row = {
            "played_at": created - timedelta(hours=self.rng.randrange(1, 72)),
            "notes": None,
            "transcript_key": None,
            "transcript_text": None,
            "transcript_raw": None,
            "transcript_filename": None,
            "share_expires_at": None,
            "deleted_at": None,
            **fields,
        }
        self._add(
            "game_sessions",
            id=session_id,
            campaign_id=campaign_id,
            session_number=number,
            title=title,
            share_token=token,
            created_at=created,
            updated_at=created + timedelta(hours=2),
            **row,
        )
        return session_id

    def new_share_token(self, *, wanted=""):
        """A unique token; `wanted` characters (say "-_") must all appear in it."""
        while True:
            token = share_token(self.rng)
            if token not in self._tokens and all(character in token for character in wanted):
                self._tokens.add(token)
                return token

    def stored_object(self, key, body):
        self.data.objects[key] = body
        return key

    def summary(self, session_id, *, kind, content=None, model="gpt-4o-mini", **fields):
        summary_id = self.uuid()
        tokens = {"prompt_tokens": self.rng.randint(800, 60000), "completion_tokens": self.rng.randint(80, 900)}
        if model is None:
            tokens = {"prompt_tokens": None, "completion_tokens": None}
        self._add(
            "summaries",
            id=summary_id,
            session_id=session_id,
            kind=kind,
            content=content or f"## {kind.title()}\n\n- The party **wins** a fight.\n- Someone finds a *map*.\n",
            model=model,
            created_at=fields.pop("created_at", None) or self.instant(),
            **tokens,
            **fields,
        )
        return summary_id
