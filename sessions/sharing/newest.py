"""The share registry's newest links, listed by key (issue 17): PK `SHARES`, SK `NEWEST`, read
with the staff page's session check, names the order keys (LSI1SK, `SHARE#<created>#<hash>`)
of the registry's newest entries, so the page's first page reads those entries and their
links (their live views) in one BatchGetItem, where a Query and then a BatchGetItem were.

Written blind: a new link's own transaction appends its order key (`list_append`, `ADD
revision 1`), nothing read first, so making a link costs the requests it cost. Trimmed to
NEWEST_KEPT by the count (sessions/sharing/registry.py, fresh_stats: its Query reads the
newest entries anyway), conditioned on the revision it read before that Query, so a link
made meanwhile is never dropped. The list is never wrong, at worst not trusted:
- `floor`: the order key of the oldest entry listed by the last count; every entry at or
  above it is listed (a make appends its key; deletes, revokes and the TTL only take
  entries away or mark them). A key appended below it (an imported link made long ago)
  is left out, since entries between it and the floor are not listed.
- `whole`: the last count found no more entries than it listed: every entry is listed.
- Neither (never counted, or dropped): the page asks the registry's Query, as before.
Past NEWEST_CAP keys (no count for a long while), a make drops the list (drop_list) rather
than grow the item: the page asks the Query until the next count lists it again.
"""

from pynamodb.attributes import BooleanAttribute, ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import size

from campaigns_site.table import TableModel
from campaigns_site.table_keys import SHARE_NEWEST_SK, SHARES_PK

NEWEST_KEPT = 50  # a page shows 25; one BatchGetItem takes 100 keys: 50 entries and their 50 links
NEWEST_CAP = 200  # about 22 KB of keys: past it a make drops the list instead of growing it


class ShareNewest(TableModel, discriminator="ShareNewest"):
    """PK `SHARES`, SK `NEWEST`: the order keys of the registry's newest entries (any order)."""

    order_keys = ListAttribute(of=UnicodeAttribute, null=True)
    revision = NumberAttribute(default=0)  # one more at every append, count and drop
    floor = UnicodeAttribute(null=True)
    whole = BooleanAttribute(null=True)

    def listed(self):
        """The order keys the list answers for, newest first, or None when it answers for none."""
        if not (self.whole or self.floor):
            return None
        keys = set(self.order_keys or ())
        return sorted((key for key in keys if self.whole or key >= self.floor), reverse=True)


# An update that makes the item names its type too (`entity`: what batch_get reads it as).
_ENTITY = ShareNewest.entity.set(ShareNewest)


def newest_key():
    return (SHARES_PK, SHARE_NEWEST_SK)


def append_key(transaction, *, order_key):
    """In a new link's transaction: add its order key (the item is made if missing). Its
    index in the transaction: that action fails only past NEWEST_CAP (then drop_list and
    make the transaction again)."""
    return transaction.update(
        SHARES_PK,
        SHARE_NEWEST_SK,
        actions=[
            ShareNewest.order_keys.set((ShareNewest.order_keys | []).append([order_key])),
            ShareNewest.revision.add(1),
            _ENTITY,
        ],
        condition=ShareNewest.order_keys.does_not_exist() | (size(ShareNewest.order_keys) < NEWEST_CAP),
    )


def drop_list():
    """Forget the list (one UpdateItem): the page asks the Query until the next count."""
    ShareNewest(SHARES_PK, SHARE_NEWEST_SK).update(
        actions=[
            ShareNewest.order_keys.remove(),
            ShareNewest.floor.remove(),
            ShareNewest.whole.remove(),
            ShareNewest.revision.add(1),
            _ENTITY,
        ]
    )


def read_revision():
    """The list's revision now (0: no list yet): one strongly consistent GetItem, before the
    count's Query."""
    try:
        return ShareNewest.get(SHARES_PK, SHARE_NEWEST_SK, consistent_read=True).revision or 0
    except ShareNewest.DoesNotExist:
        return 0


def relist(*, order_keys, complete, revision):
    """Write the list from the count's strongly consistent Query: `order_keys` the newest
    entries' order keys, newest first (all of them when `complete`). One UpdateItem,
    conditioned on the list's revision being `revision` (read before the Query): False when
    a link was made or the list dropped meanwhile (nothing written; the next count lists)."""
    kept = list(order_keys[:NEWEST_KEPT])
    whole = complete and len(order_keys) <= NEWEST_KEPT
    floor = None if whole or not kept else kept[-1]
    unchanged = ShareNewest.revision == revision
    if revision == 0:
        unchanged = ShareNewest.revision.does_not_exist() | unchanged
    try:
        ShareNewest(SHARES_PK, SHARE_NEWEST_SK).update(
            actions=[
                ShareNewest.order_keys.set(kept),
                ShareNewest.floor.set(floor),
                ShareNewest.whole.set(whole),
                ShareNewest.revision.add(1),
                _ENTITY,
            ],
            condition=unchanged,
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    return True
