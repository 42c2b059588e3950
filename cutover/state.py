"""The cutover's own items, in the partition CUTOVER (no user's sub can name it):

- `SYNC`: the sync's watermark, the position (xid, id) in v1.0's change log up to which
  every change is applied here, with the time of the last pass and its lag;
- `SHIFT#<time>`: one per traffic shift (who, when, from, to, the gates and whether it
  was forced), the staff page's history and retire_v1's proof that 100 % has held;
- `CONFLICT#<time>#<id>`: one per row changed on both stacks within one sync interval,
  with which side was kept (the later `updated_at`) and why: never resolved silently.
"""

import json
import logging

from django.utils import timezone
from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from campaigns_site.table import TableModel
from campaigns_site.table_keys import CUTOVER_PK, new_id, sortable_time

log = logging.getLogger(__name__)

SYNC_SK = "SYNC"
SHIFT_PREFIX = "SHIFT#"
CONFLICT_PREFIX = "CONFLICT#"


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


def get_sync_state():
    try:
        return SyncState.get(CUTOVER_PK, SYNC_SK, consistent_read=True)
    except SyncState.DoesNotExist:
        return SyncState(CUTOVER_PK, SYNC_SK)


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
    shift.save()
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
    conflict.save()
    return conflict


def list_conflicts(*, limit=50):
    return list(
        Conflict.query(CUTOVER_PK, Conflict.sk.startswith(CONFLICT_PREFIX), scan_index_forward=False, limit=limit)
    )
