"""The rule for a row changed on both stacks within one sync interval.

The sync writes v1.0's `updated_at` into the item it changes (`updated`), and the mirror
writes the item's `updated` into v1.0's row, so after every change that crossed over the
two times agree. An update from v1.0 therefore meets a change made here in between when
the item's `updated` is later than the change's old row's `updated_at` (what they last
agreed on) and is neither the change's new `updated_at` nor the row's current one (which
the sync wrote itself, applying this or a later change before).

Then the later time wins: `updated` later than v1.0's current `updated_at` keeps this
app's item as it is, otherwise v1.0's row is applied. Either way a Conflict item records
it (cutover.state.record_conflict), once: applying the same change again (a pass killed
before its watermark was saved) finds it recorded and records nothing more.
"""

from cutover.state import list_conflicts, record_conflict
from cutover.v1_rows import row_time

V1, APP = "v1", "app"


def changed_on_both_sides(change, *, app_updated, v1_updated):
    """True when the item here changed since the stacks last agreed on it."""
    agreed = row_time(change.old_row, "updated_at")
    if agreed is None or app_updated is None:
        return False  # an insert, or an item without a time: nothing to compare
    return app_updated > agreed and app_updated not in (row_time(change.new_row, "updated_at"), v1_updated)


def settle(change, *, what, app_updated, v1_updated):
    """The side whose change stands (V1 or APP), recorded once."""
    kept = APP if app_updated > v1_updated else V1
    record_once(
        kept=kept,
        what=what,
        v1_updated=v1_updated,
        app_updated=app_updated,
        detail=f"change {change.id} ({change.operation}): both changed since {change.old_row.get('updated_at')}",
    )
    return kept


def record_once(*, kept, what, v1_updated, app_updated, detail):
    """record_conflict, unless this very conflict is recorded already (a change applied again)."""
    recorded = any(
        conflict.what == what and conflict.v1_updated == v1_updated and conflict.app_updated == app_updated
        for conflict in list_conflicts(limit=100)
    )
    if not recorded:
        record_conflict(kept=kept, what=what, v1_updated=v1_updated, app_updated=app_updated, detail=detail)
