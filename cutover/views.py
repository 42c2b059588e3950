"""The cutover at a glance, for staff (/staff/cutover/): the traffic split, its shifts, the
sync, the outbox and the latest conflicts. Metadata only: no user's text reaches it."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.decorators import staff_required
from campaigns_site import outbox
from campaigns_site.prefetch import reads
from campaigns_site.table_keys import CUTOVER_PK
from cutover import state, traffic

SHIFTS_SHOWN = state.RECENT_SHOWN
CONFLICTS_SHOWN = state.RECENT_SHOWN


def _page_keys(sub, **_):
    """What the page reads first, with the session check (campaigns_site.prefetch)."""
    return [(CUTOVER_PK, traffic.SPLIT_SK), (CUTOVER_PK, state.SYNC_SK), (CUTOVER_PK, state.RECENT_SK)]


@reads(_page_keys)
@never_cache
@staff_required
@require_GET
def cutover_status(request):
    """The split's item, the sync state and the recent shifts and conflicts (cutover.state's
    RECENT) read with the session check (campaigns_site.prefetch), then one Query (the
    outbox's keys), no Scan. The split is the table's copy, which shift_traffic writes
    with each change of the KeyValueStore: the page needs no CloudFront permission."""
    split = traffic.stored_split()
    sync = state.get_sync_state()
    shifts, conflicts = _history(started=split is not None or sync.last_pass is not None)
    context = {
        "percent": int(split.percent) if split else 0,
        "split": split,
        "kvs_arn": settings.CUTOVER_KVS_ARN,
        "shifts": shifts,
        "sync": sync,
        "pending": outbox.count_pending(),
        "conflicts": conflicts,
    }
    context["v1_percent"] = 100 - context["percent"]
    return render(request, "cutover/staff.html", context)


def _history(*, started):
    """(shifts, conflicts), newest first: RECENT's; without it, the two Queries once the
    cutover has started (a shift writes the split, a sync pass its state: what was recorded
    before RECENT existed), else none (nothing can have been recorded)."""
    recent = state.recent_history()
    if recent is not None:
        return recent.shift_items()[:SHIFTS_SHOWN], recent.conflict_items()[:CONFLICTS_SHOWN]
    if not started:
        return [], []
    return state.list_shifts(limit=SHIFTS_SHOWN), state.list_conflicts(limit=CONFLICTS_SHOWN)
