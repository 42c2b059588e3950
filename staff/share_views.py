"""Share links across users, for staff (/staff/shares/): the counts (live, expired, used
up, revoked, total views) and the most viewed as the hourly count saved them, and every
link newest first with its live views, last view and expiry, from the share registry
(sessions/sharing/registry.py: one BatchGetItem after the session check, no Scan); and
revoking one (/staff/shares/revoke/: GET asks to confirm, POST revokes it through the
owner's own service, as its owner). Ids, dates and counts only:
never the token, the owner's label, nor anything of the session."""

import logging

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import staff_required
from campaigns_site import audit
from campaigns_site.pagination import InvalidCursor
from campaigns_site.prefetch import reads
from campaigns_site.views import start_over
from sessions.sharing import registry
from sessions.sharing import repository as share_links
from staff.registry_forms import ShareRevokeForm

log = logging.getLogger(__name__)


@reads(registry.page_keys)
@never_cache
@staff_required
@require_GET
def staff_shares(request):
    """Two requests (issue 17): the saved counts and the newest list with the session check
    (campaigns_site.prefetch), then one BatchGetItem of the first page's entries and links
    (registry.list_links; later pages: a Query and a BatchGetItem). The counts are the
    hourly event's: never counted here; the page says when they are late."""
    cursor = request.GET.get("cursor") or None
    try:
        rows, next_cursor, stats = registry.list_links(cursor=cursor)
    except InvalidCursor:
        return start_over(request, reverse("staff_shares"))
    context = {
        "rows": rows,
        "next_cursor": next_cursor,
        "is_first_page": cursor is None,
        "first_page_url": reverse("staff_shares"),
        "stats": stats,
        "stats_late": registry.is_late(stats),
        "most_viewed": [_top_row(row) for row in (stats.top if stats else None) or []],
        "stats_bound": registry.STATS_BOUND,
    }
    return render(request, "staff/shares.html", context)


def _top_row(row):
    row = row.as_dict() if hasattr(row, "as_dict") else dict(row)
    row["short_id"] = row["token_hash"][:10]
    row["last_viewed"] = parse_datetime(row.get("last_viewed") or "")
    return row


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def staff_share_revoke(request):
    """GET: the link, to confirm (one GetItem of its registry entry). POST: revoke it as its
    owner (sessions.sharing.repository.revoke_share_link: the link, its pointer and the
    registry's mark in one transaction); it stops working at once."""
    form = ShareRevokeForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        raise Http404
    entry = registry.get_entry(token_hash=form.cleaned_data["link"])
    if entry is None or entry.revoked is not None:
        messages.error(request, "That link is revoked or gone already: nothing to revoke.")
        return redirect("staff_shares")
    if request.method == "GET":
        return render(request, "staff/share_revoke.html", {"entry": entry, "form": form})
    revoked = share_links.revoke_share_link(
        sub=entry.owner_sub, campaign_id=entry.campaign_id, session_id=entry.session_id, token_hash=entry.token_hash
    )
    if not revoked:
        messages.error(request, "That link was revoked or deleted meanwhile: nothing to revoke.")
        return redirect("staff_shares")
    audit.record_action(
        by=request.user.email,
        by_sub=request.user.sub,
        action="revoke-share",
        target_sub=entry.owner_sub,
        detail=f"link {entry.short_id}",
    )
    messages.success(request, f"Link {entry.short_id} is revoked: it stopped working at once.")
    return redirect("staff_shares")
