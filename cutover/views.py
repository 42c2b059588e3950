"""The cutover at a glance, for staff (/staff/cutover/): the traffic split, its shifts, the
sync, the outbox and the latest conflicts. Metadata only: no user's text reaches it."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.decorators import staff_required
from campaigns_site import outbox
from cutover import state, traffic

SHIFTS_SHOWN = 20
CONFLICTS_SHOWN = 20


@never_cache
@staff_required
@require_GET
def cutover_status(request):
    """Two GetItem (the split's item, the sync state) and three Query (shifts, conflicts,
    the outbox's keys), no Scan. The split is the table's copy, which shift_traffic writes
    with each change of the KeyValueStore: the page needs no CloudFront permission."""
    split = traffic.stored_split()
    context = {
        "percent": int(split.percent) if split else 0,
        "split": split,
        "kvs_arn": settings.CUTOVER_KVS_ARN,
        "shifts": state.list_shifts(limit=SHIFTS_SHOWN),
        "sync": state.get_sync_state(),
        "pending": outbox.count_pending(),
        "conflicts": state.list_conflicts(limit=CONFLICTS_SHOWN),
    }
    context["v1_percent"] = 100 - context["percent"]
    return render(request, "cutover/staff.html", context)
