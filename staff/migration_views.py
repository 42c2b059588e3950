"""/staff/migration/: the v1.0 import's state and report, verify_v1's last result, and the
way to the cutover's page (sync lag, outbox, traffic split). Metadata only."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.decorators import staff_required
from staff.migration import migration_status


@never_cache
@staff_required
@require_GET
def migration_page(request):
    """Two GetItem: the import's checkpoint (with its report) and verify_v1's last result."""
    return render(request, "staff/migration.html", {"status": migration_status()})
