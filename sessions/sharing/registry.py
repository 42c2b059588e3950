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
nothing else): the staff page reads a page of entries, then one BatchGetItem of their
links (with the cached ShareStats item in the same request).

ShareStats, PK `SHARES`, SK `STATS`: the counts (live, expired, used up, revoked, total
views) and the STATS_TOP most viewed, over the newest STATS_BOUND entries (one bounded
Query on LSI1 and their links in BatchGetItems of 100), computed when the page finds it
older than STATS_MAX_AGE and saved: at most one such computation an hour, whatever staff do.
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
from sessions.sharing.items import KEPT_AFTER_EXPIRY, SCOPES, ShareLink

PAGE_SIZE = 25
STATS_BOUND = 1000  # the newest links the counts and the most viewed are taken over
STATS_TOP = 10
STATS_MAX_AGE = timedelta(hours=1)
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
    the cached ShareStats."""
    return [(SHARES_PK, SHARE_STATS_SK)]


def _listed():
    return ShareRegistryEntry.lsi1sk.startswith(SHARE_REGISTRY_PREFIX)


def list_links(*, cursor=None, limit=PAGE_SIZE, now=None):
    """(rows, next cursor, stats): one Query (a page of the registry, newest first, on LSI1;
    InvalidCursor for a bad cursor) and one BatchGetItem (the page's links, for their views,
    and the cached ShareStats unless the page's session check read them:
    campaigns_site.prefetch). When the stats are missing or older than STATS_MAX_AGE they
    are counted again and saved (fresh_stats); read first, the first page then comes out of
    the count's own Query and links instead."""
    now = now or timezone.now()
    read, stats = prefetch.take_one(SHARES_PK, SHARE_STATS_SK)
    if read and cursor is None and _stale(stats, now):
        return _first_page_with_fresh_stats(limit=limit, now=now)
    page = query_page(
        ShareRegistryEntry, SHARES_PK, _listed(), limit=limit, cursor=cursor, index=TableModel.second_sort_order
    )
    entries = [entry for entry in page.items if not entry.is_expired]
    keys = [(share_pk(entry.token_hash), SHARE_SK) for entry in entries if entry.revoked is None]
    keys += [] if read else [(SHARES_PK, SHARE_STATS_SK)]
    found = list(TableModel.batch_get(keys, consistent_read=True)) if keys else []
    links = {item.token_hash: item for item in found if isinstance(item, ShareLink)}
    if not read:
        stats = next((item for item in found if isinstance(item, ShareStats)), None)
    rows = [_row(entry, links.get(entry.token_hash), now) for entry in entries]
    if _stale(stats, now):
        stats = fresh_stats(now=now)
    return rows, page.next_cursor, stats


def _stale(stats, now):
    return not isinstance(stats, ShareStats) or stats.computed <= now - STATS_MAX_AGE


def _first_page_with_fresh_stats(*, limit, now):
    """The first page, read by the count: its newest `limit` entries, as query_page would
    have read them (its cursor too: after the last of them, when there are more), and
    their links, taken from those the count read."""
    stats, found, links = _count(now)
    page_items = found[:limit]
    cursor = None
    if len(found) > limit:  # more to list (DynamoDB may give a key at exactly `limit` too)
        last = page_items[-1]
        key = {name: value for name, value in last.serialize().items() if name in ("PK", "SK", "LSI1SK")}
        scope = f"{TableModel.second_sort_order.Meta.index_name}|{_listed()}"
        cursor = encode_cursor(key, partition=SHARES_PK, scope=scope)
    rows = [_row(entry, links.get(entry.token_hash), now) for entry in page_items if not entry.is_expired]
    return rows, cursor, stats


def _row(entry, link, now):
    return RegistryRow(
        entry=entry,
        views=int(link.views or 0) if link else 0,
        last_viewed=link.last_viewed if link else None,
        status=entry.status_with(link, now),
    )


def fresh_stats(*, now=None):
    """Count the newest STATS_BOUND entries and their links' views, and save it: one
    bounded Query (LSI1, newest first), BatchGetItems of up to 100 links, one PutItem."""
    return _count(now or timezone.now())[0]


def _count(now):
    """(the saved ShareStats, the entries the Query read newest first, {token hash: link})."""
    found = list(
        ShareRegistryEntry.query(
            SHARES_PK,
            _listed(),
            index_name=TableModel.second_sort_order.Meta.index_name,
            scan_index_forward=False,
            limit=STATS_BOUND + 1,
        )
    )
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
    return stats, found, links


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
    to run while the app serves. `progress()` is called after each link."""
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
    return found, added
