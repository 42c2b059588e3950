"""The user's exports (exports/jobs.py): the page that shows them, starting one, and the
download. Every view acts on the signed-in user's sub; a campaign export is reached
through the owner's campaign (campaigns.lookups.campaign_or_404: 404 for another user's,
a missing or a deleted one), and the download link is made for the requester's own
export only, never a URL that would serve another user's zip.

The page refreshes itself while an export is queued or running (a meta refresh: no
script, allowed by the site's CSP), every REFRESH_SECONDS, SLOW_REFRESH_SECONDS once it runs long.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from campaigns.lookups import campaign_or_404
from campaigns_site.owners import sub
from exports import jobs

REFRESH_SECONDS = 2
SLOW_REFRESH_SECONDS = 5
SLOW_AFTER = timedelta(seconds=30)
STARTED = "Your export has started. This page shows how far it got; the download link appears here when it is ready."


@never_cache
@login_required
@require_GET
def export_list(request):
    """One Query: every export of the user (the account's and each campaign's)."""
    exports = jobs.list_exports(sub=sub(request))
    active = [export for export in exports if export.is_active]
    context = {
        "exports": exports,
        "active": bool(active),
        "refresh_seconds": _refresh_seconds(active),
        "has_account_export": any(export.is_account for export in exports),
    }
    return render(request, "exports/list.html", context)


@login_required
@require_POST
def start_account_export(request):
    return _start(request, campaign=None)


@login_required
@require_POST
def start_campaign_export(request, campaign_id):
    return _start(request, campaign=campaign_or_404(request, campaign_id))


@never_cache
@login_required
@require_GET
def download_account_export(request):
    return _download(request, campaign_id=None)


@never_cache
@login_required
@require_GET
def download_campaign_export(request, campaign_id):
    return _download(request, campaign_id=campaign_id)


def _refresh_seconds(active):
    """Often while an export is young (most end within seconds), less once it runs long."""
    young = any(timezone.now() - export.requested < SLOW_AFTER for export in active)
    return REFRESH_SECONDS if young else SLOW_REFRESH_SECONDS


def _start(request, *, campaign):
    try:
        jobs.start_export(sub=sub(request), campaign=campaign)
    except jobs.ExportAlreadyRunning as running:
        messages.info(request, str(running))
    else:
        messages.success(request, STARTED)
    return redirect("exports:list")


def _download(request, *, campaign_id):
    """A redirect to a presigned link to the requester's own zip (a few minutes long): one GetItem."""
    export = jobs.get_export(sub=sub(request), campaign_id=campaign_id)
    if export is None or not export.is_done:
        raise Http404("No export ready to download.")
    return redirect(jobs.download_url(export))
