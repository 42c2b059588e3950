"""/staff/audit/: the audit log of actions on users, newest first (campaigns_site.audit)."""

from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.decorators import staff_required
from campaigns_site import audit
from campaigns_site.pagination import InvalidCursor


@never_cache
@staff_required
@require_GET
def audit_log(request):
    """One Query, a page of audit.PAGE_SIZE entries; "Older →" carries a signed cursor. A
    cursor that is not this list's (forged, from another list) starts again at the newest."""
    cursor = request.GET.get("cursor") or None
    try:
        page = audit.list_actions(cursor=cursor, limit=audit.PAGE_SIZE)
    except InvalidCursor:
        return redirect("staff_audit")
    return render(request, "staff/audit.html", {"page": page, "is_first_page": cursor is None})
