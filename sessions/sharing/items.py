"""Share links: one session, read-only, for whoever holds the link. The items, their rules
and their tokens (the repository reads and writes them: sessions/sharing/repository.py).

See docs/data-model.md, "Share link and its pointer". A link carries a token of 256 random
bits (`secrets.token_urlsafe(32)`, 43 characters). The table keeps only the token's
SHA-256, so whoever reads the table still has no working link, and the owner sees the
token once, on the page right after making the link. v1.0's links (22-character tokens)
are stored the same way, as the hash of their token, so one lookup serves both kinds.

Two items, always written and deleted together in one TransactWriteItems:
- ShareLink, `SHARE#<sha256>` / `SHARE`, in a partition of its own: what a visitor's
  request finds from the token it presents. It names the owner's key parts (owner_sub,
  campaign_id, session_id), so everything read after it comes from the owner's partition,
  that one session only, never from anything the request names.
- ShareLinkPointer, `USER#<sub>` / `SHARELINK#<sha256>`, in the owner's partition: how the
  owner lists and revokes a session's links, and how a session's delete and move and the
  campaign and account cascades find them (sessions.core.repository, accounts.deletion). Both
  items carry `campaign_id` and `session_id` (sessions.core.items.SHARED_CAMPAIGN_ID), which a
  move sets on both.

Reads check `expires` themselves (rule 5: DynamoDB's TTL deletes late, moto never); `ttl`
is only the clean-up, KEPT_AFTER_EXPIRY after the expiry, so the owner's list still shows
an expired link for a while.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)

from campaigns_site.table import SHARE_SK, TableModel, share_pk, user_pk
from campaigns_site.table_keys import SHARE_PK_PREFIX, share_pointer_sk
from sessions.core.kinds import KINDS

# What a link shows. "transcript" means the summaries *and* the transcript.
SCOPES = {
    "recap": "Recap only",
    "summaries": "All summaries",
    "transcript": "Summaries and transcript",
}
# Which summaries each scope shows. "transcript" shows every summary and the transcript.
SCOPE_KINDS = {"recap": ("recap",), "summaries": tuple(KINDS), "transcript": tuple(KINDS)}


def kinds_shown(scope, session):
    """The kinds of summary a link of `scope` shows of `session` (a PlaySession), in order:
    SCOPE_KINDS, then, for every scope but the recap's, the kinds kept from v1.0 under
    their own names (the session's other_summary_kinds): v1.0's share page showed every
    summary. Those are read once the session is (read_shared_session)."""
    kinds = SCOPE_KINDS.get(scope, ())
    if scope == "recap":
        return kinds
    return kinds + tuple(sorted(session.other_summary_kinds or ()))


LABEL_MAX_LENGTH = 60
MAX_VIEW_LIMIT = 100_000
TOKEN_BYTES = 32  # 256 bits
# What a token in a URL may look like: ours are 43 characters, v1.0's 22; both are
# URL-safe base64. Anything else cannot be a link, and is refused before any request.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{22,64}")
MAX_LINKS_PER_SESSION = 50
KEPT_AFTER_EXPIRY = timedelta(days=30)

ACTIVE, EXPIRED, USED_UP, GONE = "active", "expired", "used up", "gone"


# --- tokens -------------------------------------------------------------------------------
def new_token():
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token):
    """What the table stores of a token, and looks it up by: SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def is_well_formed(token):
    return bool(TOKEN_PATTERN.fullmatch(token or ""))


# --- items --------------------------------------------------------------------------------
class ShareLink(TableModel, discriminator="ShareLink"):
    """PK `SHARE#<sha256(token)>`, SK `SHARE`: the link a visitor's request finds."""

    owner_sub = UnicodeAttribute()
    campaign_id = UnicodeAttribute()  # set again by a move (sessions.core.repository.move_session)
    session_id = UnicodeAttribute()
    scope = UnicodeAttribute()  # a key of SCOPES
    created = UTCDateTimeAttribute()
    expires = UTCDateTimeAttribute(null=True)  # the instant it stops working; None: never
    view_limit = NumberAttribute(null=True)  # None: no limit
    views = NumberAttribute(default=0)
    last_viewed = UTCDateTimeAttribute(null=True)
    ttl = TTLAttribute(null=True)  # clean-up only: expires + KEPT_AFTER_EXPIRY
    # Speakers go by character name only, in the transcript and the summaries alike: never
    # a player's name or a raw label (absent, as on links made before: "Character
    # (Player)", as the owner sees).
    characters_only = BooleanAttribute(null=True)
    # The session's other_summary_kinds (v1.0's own kinds) when the link was made, so the
    # public page reads those summaries by key with the rest (issue 17). A hint: the page
    # reads any kind the session names and this does not (repository.read_shared_session).
    other_summary_kinds = UnicodeSetAttribute(null=True)

    @property
    def token_hash(self):
        return self.pk.removeprefix(SHARE_PK_PREFIX)

    def has_expired(self, now=None):
        return self.expires is not None and self.expires <= (now or timezone.now())

    @property
    def is_used_up(self):
        return self.view_limit is not None and int(self.views or 0) >= int(self.view_limit)

    def opens_for_a_new_viewer(self, now=None):
        """What open_share_link's condition says, for a link already read."""
        return not self.has_expired(now) and not self.is_used_up

    @property
    def shows_transcript(self):
        return self.scope == "transcript"

    @classmethod
    def made(cls, *, sub, campaign_id, session_id, token_hash, scope, expires, view_limit, characters_only, now):
        """A new link, never opened; `expires` None: it never expires."""
        return cls(
            share_pk(token_hash),
            SHARE_SK,
            owner_sub=sub,
            campaign_id=campaign_id,
            session_id=session_id,
            scope=scope,
            created=now,
            expires=expires,
            view_limit=view_limit,
            views=0,
            ttl=expires + KEPT_AFTER_EXPIRY if expires is not None else None,
            characters_only=characters_only or None,
        )


class ShareLinkPointer(TableModel, discriminator="ShareLinkPointer"):
    """PK `USER#<sub>`, SK `SHARELINK#<sha256(token)>`: the owner's record of a link."""

    campaign_id = UnicodeAttribute()  # set again by a move
    session_id = UnicodeAttribute()
    token_hash = UnicodeAttribute()
    scope = UnicodeAttribute()
    created = UTCDateTimeAttribute()
    expires = UTCDateTimeAttribute(null=True)
    view_limit = NumberAttribute(null=True)
    label = UnicodeAttribute(default="")  # the owner's own words: never shown to visitors
    ttl = TTLAttribute(null=True)  # the link's
    characters_only = BooleanAttribute(null=True)  # the link's

    @classmethod
    def of_link(cls, link, *, label):
        """The pointer to a new link, in its owner's partition: the link's settings, and the label."""
        return cls(
            user_pk(link.owner_sub),
            share_pointer_sk(link.token_hash),
            campaign_id=link.campaign_id,
            session_id=link.session_id,
            token_hash=link.token_hash,
            scope=link.scope,
            created=link.created,
            expires=link.expires,
            view_limit=link.view_limit,
            label=label,
            ttl=link.ttl,
            characters_only=link.characters_only,
        )


@dataclass(frozen=True)
class NewShareLink:
    token: str  # shown once to the owner; never stored
    link: ShareLink
    pointer: ShareLinkPointer


@dataclass(frozen=True)
class ListedShareLink:
    """One row of the owner's list: the pointer's settings, the link's counts."""

    pointer: ShareLinkPointer
    views: int
    last_viewed: datetime | None
    status: str  # ACTIVE, EXPIRED, USED_UP, or GONE (the public item was cleaned up)

    @property
    def token_hash(self):
        return self.pointer.token_hash

    @property
    def created(self):
        return self.pointer.created

    @property
    def label(self):
        return self.pointer.label

    @property
    def scope_label(self):
        return SCOPES.get(self.pointer.scope, self.pointer.scope)

    @property
    def expires(self):
        return self.pointer.expires

    @property
    def last_day(self):
        return last_day_of(self.expires)

    @property
    def view_limit(self):
        return None if self.pointer.view_limit is None else int(self.pointer.view_limit)

    @property
    def characters_only(self):
        return bool(self.pointer.characters_only)

    @property
    def is_active(self):
        return self.status == ACTIVE


def last_day_of(expires):
    """The last day (UTC) a link expiring at `expires` works: the form's "works until"."""
    return None if expires is None else (expires - timedelta(microseconds=1)).date()
