"""Summary jobs across users, for staff (/staff/jobs/): running (queued too), failed with
their reason, and retried, newest first, from the job registry (one Query, no Scan); and
the retry of a failed one (/staff/jobs/retry/: GET asks to confirm, POST starts it as the
job's owner). Ids, times, counts and a short reason only: never a summary's text."""

import logging

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import staff_required
from campaigns_site import audit
from campaigns_site.pagination import InvalidCursor
from campaigns_site.views import start_over
from sessions.summaries import registry
from staff import jobs
from staff.registry_forms import JobRetryForm

log = logging.getLogger(__name__)

SHOWN_LABELS = {"all": "All", "active": "Running", "failed": "Failed", "retried": "Retried"}


@never_cache
@staff_required
@require_GET
def staff_jobs(request):
    """One Query of the registry on LSI1 (newest first; a FilterExpression for a state)."""
    shown = request.GET.get("show", "all")
    if shown not in registry.SHOWN:
        shown = "all"
    cursor = request.GET.get("cursor") or None
    try:
        page = registry.list_jobs(shown=shown, cursor=cursor)
    except InvalidCursor:
        return start_over(request, f"{reverse('staff_jobs')}?show={shown}")
    context = {
        "page": page,
        "shown": shown,
        "filters": [(key, SHOWN_LABELS[key]) for key in registry.SHOWN],
        "is_first_page": cursor is None,
    }
    return render(request, "staff/jobs.html", context)


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def staff_job_retry(request):
    """GET: the failed job, to confirm (one GetItem). POST: start it again as its owner."""
    form = JobRetryForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        raise Http404
    try:
        if request.method == "GET":
            entry = jobs.failed_job_to_retry(**form.job_ids())
            return render(request, "staff/job_retry.html", {"entry": entry, "form": form})
        retry = jobs.retry_failed_job(**form.job_ids())
    except jobs.RetryRefused as refused:
        messages.error(request, str(refused))
        return redirect("staff_jobs")
    audit.record_action(
        by=request.user.email,
        by_sub=request.user.sub,
        action="retry-job",
        target_sub=form.job_ids()["sub"],
        detail=f"job {form.cleaned_data['job']} started again as {retry.job.job_id}",
    )
    left_out = f" Left out, edited by hand since: {', '.join(retry.kept)}." if retry.kept else ""
    messages.success(request, f"Started again as its owner: job {retry.job.job_id} (retry {retry.retried}).{left_out}")
    return redirect("staff_jobs")
