"""The outbox: changes made here that the mirror must apply to v1.0 (docs/cutover.md).

With settings.V1_MIRROR_DSN set, each write of a user's data that v1.0 can represent
puts an OutboxEntry in the same DynamoDB transaction as the change: it names the keys
the change touched, and the mirror (cutover/mirror.py) reads those items as they are
now and applies them to v1.0, idempotently, then deletes the entry. So either both the
change and its entry are written, or neither.

Partition OUTBOX, SK `<ULID>` (time order): one Query lists what is due.
"""

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from campaigns_site import dynamodb
from campaigns_site.table import TableModel
from campaigns_site.table_keys import OUTBOX_PK


class OutboxEntry(TableModel, discriminator="OutboxEntry"):
    """PK `OUTBOX`, SK `<ULID>`."""

    sub = UnicodeAttribute()  # whose data changed
    keys = ListAttribute(of=ListAttribute)  # [[pk, sk], ...] of the items the change touched
    created = UTCDateTimeAttribute()
    attempts = NumberAttribute(default=0)
    next_attempt = UTCDateTimeAttribute(null=True)  # backoff after a failed attempt
    last_error = UnicodeAttribute(null=True)


def count_pending():
    """How many entries wait to be applied to v1.0: one Query of keys only."""
    return sum(1 for _ in dynamodb.query(OUTBOX_PK, attributes=["PK"]))
