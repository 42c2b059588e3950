"""/staff/migration/: the v1.0 import's state and report, verify_v1's last result, and the
way to the cutover's page (sync lag, outbox, traffic split). Metadata only."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.decorators import staff_required
from campaigns_site.prefetch import reads
from campaigns_site.table_keys import V1_IMPORT_PK, V1_IMPORT_RUN_SK, V1_VERIFY_SK
from staff.migration import migration_status


def _migration_keys(sub, **_):
    return [(V1_IMPORT_PK, V1_IMPORT_RUN_SK), (V1_IMPORT_PK, V1_VERIFY_SK)]


@reads(_migration_keys)
@never_cache
@staff_required
@require_GET
def migration_page(request):
    """The import's checkpoint (with its report) and verify_v1's last result, both read with
    the session check (campaigns_site.prefetch): no request of their own."""
    return render(request, "staff/migration.html", {"status": migration_status()})
