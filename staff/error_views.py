"""/staff/errors/: the last errors of the app's Lambda (staff/last_errors.py), and the
button that asks Logs Insights again now. Metadata only: time, request id, path, status,
the error's type and first line."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import staff_required
from staff.last_errors import (
    DEFAULT_WINDOW,
    INSIGHTS_USD_PER_GB,
    QUERY,
    REFRESH_EVERY,
    WINDOWS,
    console_url,
    last_errors,
)

WINDOW_LABELS = {"24h": "Last 24 hours", "7d": "Last 7 days"}


class RefreshForm(forms.Form):
    window = forms.ChoiceField(choices=[(window, WINDOW_LABELS[window]) for window in WINDOWS])


def _window(request):
    window = request.GET.get("window", DEFAULT_WINDOW)
    return window if window in WINDOWS else DEFAULT_WINDOW


def _errors_url(window):
    url = reverse("staff_errors")
    return url if window == DEFAULT_WINDOW else f"{url}?window={window}"


@never_cache
@staff_required
@require_GET
def errors_page(request):
    """One GetItem; with the answer older than REFRESH_EVERY, a Logs Insights query too
    (StartQuery, GetQueryResults) and a PutItem keeping its answer."""
    window = _window(request)
    context = {
        "page": last_errors(window=window),
        "windows": [(key, WINDOW_LABELS[key], _errors_url(key)) for key in WINDOWS],
        "refresh_minutes": int(REFRESH_EVERY.total_seconds() // 60),
        "usd_per_gb": INSIGHTS_USD_PER_GB,
        "query": QUERY,
        "console_url": console_url(),
    }
    return render(request, "staff/errors.html", context)


@never_cache
@staff_required
@require_POST
def refresh_errors(request):
    """Ask Logs Insights now (once a minute at most), then show the page again."""
    form = RefreshForm(request.POST)
    if not form.is_valid():
        return redirect("staff_errors")
    window = form.cleaned_data["window"]
    page = last_errors(window=window, refresh=True)
    if page.asked and not page.failure:
        messages.success(request, "Asked CloudWatch Logs Insights again.")
    elif page.function and not page.asked:
        messages.info(request, "Asked less than a minute ago (or still running): this is that answer.")
    return redirect(_errors_url(window))
