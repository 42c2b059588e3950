"""The outbox: changes made here that the mirror must apply to v1.0 (docs/cutover.md).

With settings.V1_MIRROR_DSN set, each write of a user's data that v1.0 can represent
puts an OutboxEntry in the same DynamoDB transaction as the change: it names the keys
the change touched, and the mirror (cutover/mirror.py) reads those items as they are
now and applies them to v1.0, idempotently, then deletes the entry. So either both the
change and its entry are written, or neither. Because the mirror applies the items'
state, not the change, an entry applied twice, late or out of order does no harm.

Partition OUTBOX, SK `<ULID>` (time order): one Query lists what is due.

Where the entry is added: campaigns_site.transactions.Transaction.commit, for every
transaction; and the single-item writes that are not transactions go through
campaigns_site.mirrored_writes (save, update, delete), which are the model's own call
when mirroring is off (the same request, the same code path) and a two-action
transaction when it is on.

The entries written in the current request are kept (written_entries()), so that the
cutover app applies them right after the response (cutover/apps.py); the scheduled
drain (manage.py drain_outbox) applies whatever is left.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.utils import timezone
from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from campaigns_site import dynamodb
from campaigns_site.table import TableModel
from campaigns_site.table_keys import (
    CAMPAIGN_PREFIX,
    OUTBOX_PK,
    PROFILE_SK,
    SESSION_PREFIX,
    SHARE_POINTER_PREFIX,
    USER_PREFIX,
    new_id,
    sub_of_user_pk,
)

# What v1.0 can hold, by SK in a user's partition: the profile (users, user_settings),
# campaigns, sessions (with their transcript and imported share token), summaries, and
# share link pointers (an imported link's expiry or revocation). Not: search items, web
# sessions, speaker names, summary jobs (SUMMARYJOB# does not start with "SUMMARY#"),
# the legacy password item.
MIRRORED_SK_PREFIXES = (CAMPAIGN_PREFIX, SESSION_PREFIX, "SUMMARY#", SHARE_POINTER_PREFIX)


class OutboxEntry(TableModel, discriminator="OutboxEntry"):
    """PK `OUTBOX`, SK `<ULID>`."""

    sub = UnicodeAttribute()  # whose data changed
    keys = ListAttribute(of=ListAttribute)  # [[pk, sk], ...] of the items the change touched
    created = UTCDateTimeAttribute()
    attempts = NumberAttribute(default=0)
    next_attempt = UTCDateTimeAttribute(null=True)  # backoff after a failed attempt
    last_error = UnicodeAttribute(null=True)

    @property
    def key_pairs(self):
        return [tuple(key) for key in self.keys]


def count_pending():
    """How many entries wait to be applied to v1.0: one Query of keys only."""
    return sum(1 for _ in dynamodb.query(OUTBOX_PK, attributes=["PK"]))


_not_mirrored = ContextVar("outbox_not_mirrored", default=False)


def mirroring():
    """Whether changes are mirrored into v1.0 (settings.V1_MIRROR_DSN is set, and the
    code running is not one that must not be mirrored: not_mirrored())."""
    return bool(settings.V1_MIRROR_DSN) and not _not_mirrored.get()


@contextmanager
def not_mirrored():
    """Writes made inside write no outbox entry: the sync's, which bring v1.0's own
    changes here (mirroring them back would only echo them, and could log a conflict of
    a change with itself). Per context: a thread started inside does not inherit it."""
    token = _not_mirrored.set(True)
    try:
        yield
    finally:
        _not_mirrored.reset(token)


def is_mirrored_key(pk, sk):
    if not pk.startswith(USER_PREFIX):
        return False
    return sk == PROFILE_SK or sk.startswith(MIRRORED_SK_PREFIXES)


# --- the entry of a transaction ----------------------------------------------------------------
def mirrored_keys(actions):
    """The (pk, sk) keys of mirrored items that transaction actions write, in order, once each.
    A ConditionCheck writes nothing."""
    keys = []
    for key in dynamodb.keys_written_by(actions):
        if is_mirrored_key(*key) and key not in keys:
            keys.append(key)
    return keys


def new_entry(keys, *, delay=None):
    """An entry (not saved) for the keys of one change; all keys of one user, the first named.
    `delay`: not due before now + delay (see Transaction.commit, a full transaction)."""
    now = timezone.now()
    return OutboxEntry(
        OUTBOX_PK,
        new_id(),
        sub=sub_of_user_pk(keys[0][0]),
        keys=[list(key) for key in keys],
        created=now,
        next_attempt=now + delay if delay else None,
    )


# --- the entries of this request ---------------------------------------------------------------
_written = ContextVar("outbox_entries_written", default=None)
# Work outside requests (a Lambda task, a command) is never taken: keep only the latest,
# the outbox holds them all anyway.
MAX_REMEMBERED = 1000


def remember_written(entry):
    """Called once an entry is written: the request applies it after its response."""
    written = _written.get()
    if written is None:
        written = []
        _written.set(written)
    written.append(entry)
    del written[:-MAX_REMEMBERED]


def take_written_entries():
    """The entries written since the last call (this request's), and forget them."""
    written = _written.get()
    _written.set(None)
    return written or []
