"""The share link registry: one small item per link across every user, so staff list
links, count them and find the most viewed with a Query, never a Scan (docs/data-model.md,
"Share link registry").

ShareRegistryEntry, PK `SHARES`, SK `SHARE#<sha256(token)>`, LSI1SK
`SHARE#<created>#<sha256>` (newest first): who owns the link, which campaign and session
it shares, its scope, when it was made, when it expires, its view limit and when it was
revoked. Written in the same TransactWriteItems as the link and its pointer: put when the
link is made (sessions/sharing/repository.py), marked `revoked` when it is revoked (kept
KEPT_AFTER_EXPIRY for the counts), moved with a session (sessions/core/children.py puts it
again from the pointer) and deleted with the link by a session's delete, a campaign's
cascade and an account's deletion. Never the token, never the owner's label.

Views stay on the ShareLink item (the public page's one UpdateItem counts them; it writes
nothing else). The staff page's first page reads the entries the newest list names
(sessions/sharing/newest.py, with its session check) and their links in one BatchGetItem;
later pages a Query of entries, then one BatchGetItem of their links.

ShareStats, PK `SHARES`, SK `STATS`: the counts (live, expired, used up, revoked, total
views) and the STATS_TOP most viewed, over the newest STATS_BOUND entries (one bounded
Query on LSI1 and their links in BatchGetItems of 100), counted every STATS_MAX_AGE by a
scheduled event (sessions/sharing/scheduled.py) or `manage.py count_shares`, never by the
page (issue 17: the page shows when they were counted, and says so when the count is late).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import PutError

from campaigns_site import prefetch
from campaigns_site.pagination import encode_cursor, query_page
from campaigns_site.table import SHARE_SK, TableModel, share_pk
from campaigns_site.table_keys import (
    SHARE_REGISTRY_PREFIX,
    SHARE_STATS_SK,
    SHARES_PK,
    share_registry_order_key,
    share_registry_sk,
)
from sessions.sharing import newest
from sessions.sharing.items import KEPT_AFTER_EXPIRY, SCOPES, ShareLink

PAGE_SIZE = 25
STATS_BOUND = 1000  # the newest links the counts and the most viewed are taken over
STATS_TOP = 10
STATS_MAX_AGE = timedelta(hours=1)  # counted hourly (count_shares_event; manage.py count_shares)
STATS_LATE = 2 * STATS_MAX_AGE  # older: the page says the hourly count is late
LIVE, EXPIRED, USED_UP, REVOKED, GONE = "live", "expired", "used up", "revoked", "gone"


class ShareRegistryEntry(TableModel, discriminator="ShareRegistryEntry"):
    """PK `SHARES`, SK `SHARE#<sha256(token)>`, LSI1SK `SHARE#<created>#<sha256>`."""

    owner_sub = UnicodeAttribute()
    campaign_id = UnicodeAttribute()
    session_id = UnicodeAttribute()
    scope = UnicodeAttribute(null=True)
    created = UTCDateTimeAttribute(null=True)
    expires = UTCDateTimeAttribute(null=True)
    view_limit = NumberAttribute(null=True)
    revoked = UTCDateTimeAttribute(null=True)
    ttl = TTLAttribute(null=True)  # the link's; KEPT_AFTER_EXPIRY after a revoke

    @property
    def token_hash(self):
        return self.sk.removeprefix(SHARE_REGISTRY_PREFIX)

    @property
    def short_id(self):
        """The first characters of the token's hash: enough to tell links apart on the page."""
        return self.token_hash[:10]

    @property
    def scope_label(self):
        return SCOPES.get(self.scope, self.scope or "")

    @property
    def is_expired(self):
        """Past its ttl: gone, whatever DynamoDB has not cleaned up yet (rule 5)."""
        return self.ttl is not None and self.ttl <= timezone.now()

    def status_with(self, link, now=None):
        now = now or timezone.now()
        if self.revoked is not None:
            return REVOKED
        if link is None:
            return GONE
        if link.has_expired(now):
            return EXPIRED
        return USED_UP if link.is_used_up else LIVE


class ShareStats(TableModel, discriminator="ShareStats"):
    """PK `SHARES`, SK `STATS`: the registry's counts and most viewed, as last computed."""

    computed = UTCDateTimeAttribute()
    links = NumberAttribute(default=0)  # how many entries were read (at most STATS_BOUND)
    complete = BooleanAttribute(default=True)  # False: there were more than STATS_BOUND
    live = NumberAttribute(default=0)
    expired = NumberAttribute(default=0)
    used_up = NumberAttribute(default=0)
    revoked = NumberAttribute(default=0)
    total_views = NumberAttribute(default=0)
    # [{"token_hash", "owner_sub", "campaign_id", "session_id", "views", "last_viewed"}], most viewed first
    top = ListAttribute(default=list)


@dataclass(frozen=True)
class RegistryRow:
    """One row of the staff's list: the registry's entry, the link's live counts."""

    entry: ShareRegistryEntry
    views: int
    last_viewed: datetime | None
    status: str


# --- writes, inside the link's own transactions ---------------------------------------------
def entry_of(link):
    """The registry's entry of a new link (a ShareLink, not yet written)."""
    return ShareRegistryEntry(
        SHARES_PK,
        share_registry_sk(link.token_hash),
        lsi1sk=share_registry_order_key(created=link.created, token_hash=link.token_hash),
        owner_sub=link.owner_sub,
        campaign_id=link.campaign_id,
        session_id=link.session_id,
        scope=link.scope,
        created=link.created,
        expires=link.expires,
        view_limit=link.view_limit,
        ttl=link.ttl,
    )


def put_entry(transaction, link):
    return transaction.put(entry_of(link))


def mark_revoked(transaction, *, sub, campaign_id, session_id, token_hash, now=None):
    """Unconditioned (the pointer's delete in the same transaction decides): sets the ids
    too, so a link made before the registry existed leaves a coherent entry."""
    now = now or timezone.now()
    return transaction.update(
        SHARES_PK,
        share_registry_sk(token_hash),
        actions=[
            ShareRegistryEntry.revoked.set(now),
            ShareRegistryEntry.ttl.set(now + KEPT_AFTER_EXPIRY),
            ShareRegistryEntry.owner_sub.set(sub),
            ShareRegistryEntry.campaign_id.set(campaign_id),
            ShareRegistryEntry.session_id.set(session_id),
        ],
    )


# --- reads, for staff ---------------------------------------------------------------------------
def page_keys(sub, **_):
    """What the staff's page reads first, with its session check (campaigns_site.prefetch):
    the saved ShareStats and the list of the newest entries (sessions/sharing/newest.py)."""
    return [(SHARES_PK, SHARE_STATS_SK), newest.newest_key()]


def _listed():
    return ShareRegistryEntry.lsi1sk.startswith(SHARE_REGISTRY_PREFIX)


def list_links(*, cursor=None, limit=PAGE_SIZE, now=None):
    """(rows, next cursor, stats): the saved ShareStats (None before the first count; never
    counted here: fresh_stats, hourly) and a page of the registry, newest first, each row
    with its link's live views. The first page: one BatchGetItem of the entries the newest
    list names and their links (_first_page_by_key); later pages, or when the list cannot
    answer: one Query (on LSI1; InvalidCursor for a bad cursor) and one BatchGetItem of the
    page's links. The stats and the list come with the page's session check
    (campaigns_site.prefetch); called without it, one BatchGetItem more reads them."""
    now = now or timezone.now()
    read, stats = prefetch.take_one(SHARES_PK, SHARE_STATS_SK)
    _, listed = prefetch.take_one(*newest.newest_key())
    if not read:
        found = TableModel.batch_get([(SHARES_PK, SHARE_STATS_SK), newest.newest_key()], consistent_read=True)
        stats, listed = _stats_and_list(found)
    stats = stats if isinstance(stats, ShareStats) else None
    order_keys = listed.listed() if cursor is None and isinstance(listed, newest.ShareNewest) else None
    if order_keys is not None:
        page = _first_page_by_key(order_keys, whole=bool(listed.whole), limit=limit, now=now)
        if page is not None:
            return (*page, stats)
    page = query_page(
        ShareRegistryEntry, SHARES_PK, _listed(), limit=limit, cursor=cursor, index=TableModel.second_sort_order
    )
    entries = [entry for entry in page.items if not entry.is_expired]
    keys = [(share_pk(entry.token_hash), SHARE_SK) for entry in entries if entry.revoked is None]
    links = {link.token_hash: link for link in ShareLink.batch_get(keys, consistent_read=True)} if keys else {}
    rows = [_row(entry, links.get(entry.token_hash), now) for entry in entries]
    return rows, page.next_cursor, stats


def _stats_and_list(found):
    found = list(found)
    stats = next((item for item in found if isinstance(item, ShareStats)), None)
    return stats, next((item for item in found if isinstance(item, newest.ShareNewest)), None)


def is_late(stats, *, now=None):
    """No count yet, or the last one older than STATS_LATE: the hourly count did not run."""
    return stats is None or stats.computed <= (now or timezone.now()) - STATS_LATE


def _first_page_by_key(order_keys, *, whole, limit, now):
    """(rows, cursor) of the first page from the newest list's `order_keys` (newest first),
    as the Query would give it, or None when the list cannot tell (entries deleted since the
    last count left fewer than a page among those read). One strongly consistent
    BatchGetItem: the newest NEWEST_KEPT listed entries and their links. Every entry at or
    above the list's floor is listed, so the `limit` newest found are the Query's `limit`
    newest (expired ones shown by neither); `whole` and every key read: there is no other."""
    read = order_keys[: newest.NEWEST_KEPT]
    listed = set(read)
    hashes = [key.rsplit("#", 1)[1] for key in read]
    keys = [(SHARES_PK, share_registry_sk(token_hash)) for token_hash in hashes]
    keys += [(share_pk(token_hash), SHARE_SK) for token_hash in hashes]
    found = list(TableModel.batch_get(keys, consistent_read=True)) if keys else []
    entries = sorted(
        (item for item in found if isinstance(item, ShareRegistryEntry) and item.lsi1sk in listed),
        key=lambda entry: entry.lsi1sk,
        reverse=True,
    )
    everything = whole and len(read) == len(order_keys)
    if len(entries) < limit and not everything:
        return None
    links = {item.token_hash: item for item in found if isinstance(item, ShareLink)}
    page_items = entries[:limit]
    more = len(entries) > limit or (len(entries) == limit and not everything)
    cursor = _cursor_after(page_items[-1]) if more else None
    rows = [_row(entry, links.get(entry.token_hash), now) for entry in page_items if not entry.is_expired]
    return rows, cursor


def _cursor_after(entry):
    """The registry Query's cursor after `entry`, as query_page encodes it."""
    key = {name: value for name, value in entry.serialize().items() if name in ("PK", "SK", "LSI1SK")}
    scope = f"{TableModel.second_sort_order.Meta.index_name}|{_listed()}"
    return encode_cursor(key, partition=SHARES_PK, scope=scope)


def _row(entry, link, now):
    return RegistryRow(
        entry=entry,
        views=int(link.views or 0) if link else 0,
        last_viewed=link.last_viewed if link else None,
        status=entry.status_with(link, now),
    )


def fresh_stats(*, now=None):
    """Count the newest STATS_BOUND entries and their links' views, save it, and list the
    newest entries again (count_links); returns the saved ShareStats."""
    return count_links(now=now)[0]


def count_links(*, now=None):
    """(the saved ShareStats, whether the newest list was written): one GetItem (the newest
    list's revision), one strongly consistent bounded Query (LSI1, newest first: consistent,
    so a link made before the revision was read is in it), BatchGetItems of up to 100 links,
    one PutItem (the stats) and one UpdateItem (the list: sessions/sharing/newest.py, not
    written when a link was made meanwhile). Hourly (count_shares_event), by `manage.py
    count_shares`, never by the page."""
    now = now or timezone.now()
    revision = newest.read_revision()
    found = list(
        ShareRegistryEntry.query(
            SHARES_PK,
            _listed(),
            index_name=TableModel.second_sort_order.Meta.index_name,
            scan_index_forward=False,
            consistent_read=True,
            limit=STATS_BOUND + 1,
        )
    )
    stats = _count(found, now)
    relisted = newest.relist(
        order_keys=[entry.lsi1sk for entry in found], complete=len(found) <= STATS_BOUND, revision=revision
    )
    return stats, relisted


def _count(found, now):
    """The ShareStats of the entries `found` (newest first), saved."""
    entries = [entry for entry in found if not entry.is_expired]
    complete = len(entries) <= STATS_BOUND
    entries = entries[:STATS_BOUND]
    keys = [(share_pk(entry.token_hash), SHARE_SK) for entry in entries if entry.revoked is None]
    links = {link.token_hash: link for link in ShareLink.batch_get(keys, consistent_read=True)} if keys else {}
    rows = [_row(entry, links.get(entry.token_hash), now) for entry in entries]
    counts = {status: sum(1 for row in rows if row.status == status) for status in (LIVE, EXPIRED, USED_UP, REVOKED)}
    most_viewed = sorted((row for row in rows if row.views), key=lambda row: row.views, reverse=True)[:STATS_TOP]
    stats = ShareStats(
        SHARES_PK,
        SHARE_STATS_SK,
        computed=now,
        links=len(rows),
        complete=complete,
        live=counts[LIVE],
        expired=counts[EXPIRED],
        used_up=counts[USED_UP],
        revoked=counts[REVOKED],
        total_views=sum(row.views for row in rows),
        top=[_top_row(row) for row in most_viewed],
    )
    stats.save()
    return stats


def _top_row(row):
    entry = row.entry
    return {
        "token_hash": entry.token_hash,
        "owner_sub": entry.owner_sub,
        "campaign_id": entry.campaign_id,
        "session_id": entry.session_id,
        "views": row.views,
        "last_viewed": row.last_viewed.isoformat() if row.last_viewed else "",
    }


def get_entry(*, token_hash):
    """The registry's entry of a link (None when there is none, or it expired): one GetItem."""
    try:
        entry = ShareRegistryEntry.get(SHARES_PK, share_registry_sk(token_hash), consistent_read=True)
    except ShareRegistryEntry.DoesNotExist:
        return None
    return None if entry.is_expired else entry


# --- filling it, for links made before it existed (an operations command) -------------------
def register_existing_links(*, progress=None):
    """Put an entry for every live link that has none: (links found, entries added). A Scan
    of the table for ShareLink items (an operations command's, never a request path's: see
    manage.py fill_share_registry), then one conditional PutItem per link: an entry already
    there (made, moved or revoked since) is never overwritten, so it is safe to re-run and
    to run while the app serves. `progress()` is called after each link. When it adds any,
    the newest list is dropped (they are not on it): the page asks the Query until the next
    count lists them."""
    found = added = 0
    for link in ShareLink.scan(filter_condition=ShareLink.sk == SHARE_SK):
        found += 1
        entry = entry_of(link)
        if not entry.is_expired:
            try:
                entry.save(condition=ShareRegistryEntry.sk.does_not_exist())
                added += 1
            except PutError as error:
                if error.cause_response_code != "ConditionalCheckFailedException":
                    raise
        if progress is not None:
            progress()
    if added:
        newest.drop_list()
    return found, added
