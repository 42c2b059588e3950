"""The cutover's own items, in the partition CUTOVER (no user's sub can name it):

- `SYNC`: the sync's watermark, the position (xid, id) in v1.0's change log up to which
  every change is applied here, with the time of the last pass and its lag;
- `SHIFT#<time>`: one per traffic shift (who, when, from, to, the gates and whether it
  was forced), the staff page's history and retire_v1's proof that 100 % has held;
- `CONFLICT#<time>#<id>`: one per row changed on both stacks within one sync interval,
  with which side was kept (the later `updated_at`) and why: never resolved silently;
- `RECENT`: the RECENT_SHOWN newest shifts and conflicts, each as it is stored, written in
  the same transaction as each shift and conflict (issue 17): the staff's page reads them
  by key with its session check instead of two Queries.
"""

import json
import logging

from django.utils import timezone
from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from campaigns_site import prefetch
from campaigns_site.table import TableModel
from campaigns_site.table_keys import CUTOVER_PK, new_id, sortable_time
from campaigns_site.transactions import Transaction, TransactionCanceled

log = logging.getLogger(__name__)

SYNC_SK = "SYNC"
SHIFT_PREFIX = "SHIFT#"
CONFLICT_PREFIX = "CONFLICT#"
RECENT_SK = "RECENT"
RECENT_SHOWN = 20  # of each, newest first: what the staff's page shows
RECENT_ATTEMPTS = 3  # conditional writes of RECENT that may meet a concurrent record


class SyncState(TableModel, discriminator="CutoverSync"):
    """PK `CUTOVER`, SK `SYNC`."""

    watermark_xid = NumberAttribute(default=0)
    watermark_id = NumberAttribute(default=0)
    last_pass = UTCDateTimeAttribute(null=True)
    lag_seconds = NumberAttribute(default=0)  # age of the oldest change not yet applied, at the last pass
    applied = NumberAttribute(default=0)  # changes applied, all passes

    @property
    def watermark(self):
        return (int(self.watermark_xid), int(self.watermark_id))


class TrafficShift(TableModel, discriminator="CutoverShift"):
    """PK `CUTOVER`, SK `SHIFT#<sortable time>#<id>`."""

    at = UTCDateTimeAttribute()
    by = UnicodeAttribute()  # who ran it (the operator's name, or the staff user's e-mail)
    from_percent = NumberAttribute()
    to_percent = NumberAttribute()
    forced = BooleanAttribute(default=False)
    rollback = BooleanAttribute(default=False)
    gates = UnicodeAttribute(default="[]")  # JSON: [{"name", "ok", "detail"}, ...]

    @property
    def gate_results(self):
        return json.loads(self.gates)


class Conflict(TableModel, discriminator="CutoverConflict"):
    """PK `CUTOVER`, SK `CONFLICT#<sortable time>#<id>`."""

    at = UTCDateTimeAttribute()
    kept = UnicodeAttribute()  # "v1" or "app": the side whose change stands
    what = UnicodeAttribute()  # e.g. "game_sessions 0f5c…" / the item's key
    v1_updated = UTCDateTimeAttribute(null=True)
    app_updated = UTCDateTimeAttribute(null=True)
    detail = UnicodeAttribute(default="")


class RecentHistory(TableModel, discriminator="CutoverRecent"):
    """PK `CUTOVER`, SK `RECENT`: the newest shifts and conflicts, each item's attributes as
    stored (JSON of Model.serialize()), newest first. `writes` versions the conditional
    writes. Absent: nothing recorded since issue 17 (the page asks the Queries, once the
    cutover has started; manage.py list_recent_cutover writes it)."""

    shifts = UnicodeAttribute(default="[]")
    conflicts = UnicodeAttribute(default="[]")
    writes = NumberAttribute(default=0)

    def shift_items(self):
        return [TrafficShift.from_raw_data(data) for data in json.loads(self.shifts)]

    def conflict_items(self):
        return [Conflict.from_raw_data(data) for data in json.loads(self.conflicts)]


def get_sync_state():
    """The sync's state (a fresh one before the first pass): one strongly consistent GetItem,
    none when the page's session check read it."""
    state = prefetch.get_item(SyncState, CUTOVER_PK, SYNC_SK)
    return state if state is not None else SyncState(CUTOVER_PK, SYNC_SK)


def save_sync_state(state):
    state.save()


def record_shift(*, by, from_percent, to_percent, gates, forced=False, rollback=False):
    """Write a shift down; `gates` is a list of {"name", "ok", "detail"}."""
    now = timezone.now()
    shift = TrafficShift(
        CUTOVER_PK,
        f"{SHIFT_PREFIX}{sortable_time(now)}#{new_id()}",
        at=now,
        by=by,
        from_percent=from_percent,
        to_percent=to_percent,
        forced=forced,
        rollback=rollback,
        gates=json.dumps(gates),
    )
    _save_with_recent(shift)
    return shift


def list_shifts(*, limit=50):
    """The latest shifts first: one Query."""
    return list(
        TrafficShift.query(CUTOVER_PK, TrafficShift.sk.startswith(SHIFT_PREFIX), scan_index_forward=False, limit=limit)
    )


def record_conflict(*, kept, what, v1_updated, app_updated, detail=""):
    now = timezone.now()
    log.warning("cutover conflict on %s: kept %s (v1.0 %s, here %s) %s", what, kept, v1_updated, app_updated, detail)
    conflict = Conflict(
        CUTOVER_PK,
        f"{CONFLICT_PREFIX}{sortable_time(now)}#{new_id()}",
        at=now,
        kept=kept,
        what=what,
        v1_updated=v1_updated,
        app_updated=app_updated,
        detail=detail,
    )
    _save_with_recent(conflict)
    return conflict


def list_conflicts(*, limit=50):
    return list(
        Conflict.query(CUTOVER_PK, Conflict.sk.startswith(CONFLICT_PREFIX), scan_index_forward=False, limit=limit)
    )


# --- the recent history, written with each shift and conflict -----------------------------------
def recent_history():
    """The RECENT item (None when absent): one strongly consistent GetItem, none when the
    page's session check read it."""
    return prefetch.get_item(RecentHistory, CUTOVER_PK, RECENT_SK)


def _save_with_recent(item):
    """Save a TrafficShift or Conflict and, in the same transaction, RECENT with it on top:
    a GetItem of RECENT (its two Queries when it is absent), then one transaction
    conditioned on the version read; a concurrent record makes it read again. After
    RECENT_ATTEMPTS conflicts RECENT is deleted with the item's write (the page then asks
    the Queries, and the next record makes it again from them)."""
    for _ in range(RECENT_ATTEMPTS):
        recent = recent_history()
        shifts, conflicts = (
            (recent.shift_items(), recent.conflict_items())
            if recent is not None
            else (list_shifts(limit=RECENT_SHOWN), list_conflicts(limit=RECENT_SHOWN))
        )
        if isinstance(item, TrafficShift):
            shifts = [item, *shifts]
        else:
            conflicts = [item, *conflicts]
        transaction = Transaction()
        transaction.put(item)
        transaction.put(
            _recent(shifts, conflicts, writes=(recent.writes if recent else 0) + 1), condition=_as_read(recent)
        )
        try:
            transaction.commit()
            return
        except TransactionCanceled:
            continue
    transaction = Transaction()
    transaction.put(item)
    transaction.delete(CUTOVER_PK, RECENT_SK)
    transaction.commit()


def relist_recent():
    """RECENT made again from the two Queries (manage.py list_recent_cutover): "written",
    "unchanged" (it was right), or "changed meanwhile" (a record came between, and keeps
    it right itself)."""
    recent = recent_history()
    item = _recent(
        list_shifts(limit=RECENT_SHOWN), list_conflicts(limit=RECENT_SHOWN), writes=(recent.writes if recent else 0) + 1
    )
    if recent is not None and (recent.shifts, recent.conflicts) == (item.shifts, item.conflicts):
        return "unchanged"
    transaction = Transaction()
    transaction.put(item, condition=_as_read(recent))
    try:
        transaction.commit()
    except TransactionCanceled:
        return "changed meanwhile"
    return "written"


def _as_read(recent):
    return RecentHistory.sk.does_not_exist() if recent is None else RecentHistory.writes == recent.writes


def _recent(shifts, conflicts, *, writes):
    def newest(items):
        items = sorted(items, key=lambda item: item.sk, reverse=True)[:RECENT_SHOWN]
        return json.dumps([item.serialize() for item in items], separators=(",", ":"))

    return RecentHistory(CUTOVER_PK, RECENT_SK, shifts=newest(shifts), conflicts=newest(conflicts), writes=writes)
