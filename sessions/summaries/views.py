"""A session's AI summaries: show them on the session page, follow the job, edit one by hand.

The summaries show on the session page (sessions.views.session_detail, through
summaries_context). Asking (sessions/summarize_views.py) starts a job
(sessions.summaries.jobs) and comes back to the page, which shows the job's status and,
while it is queued or running, polls `summary_status` (a small JSON answer) from
static/js/site.js; without JavaScript the page refreshes itself. How summaries and jobs
read is in sessions/summaries/presentation.py.

Costs (tests/test_summary_views.py), after the sign-in BatchGetItem: the session page adds
one Query (the summaries) to its BatchGetItem, which also reads the job (no Query for a
session nothing was ever written under, see summaries_context); the status is one GetItem
of the job; an edit form is the session's BatchGetItem and one GetItem of the summary.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from campaigns_site.errors import StaleEdit
from campaigns_site.forms import refused_form_notice
from campaigns_site.owners import sub
from campaigns_site.prefetch import reads
from campaigns_site.table_keys import summary_sk, user_pk
from sessions.core.lookups import session_keys, session_or_404
from sessions.core.repository import SessionNotFound
from sessions.summaries import repository as summaries
from sessions.summaries.forms import SummarizeForm, SummaryEditForm
from sessions.summaries.items import SummaryTextInvalid, is_storable_kind
from sessions.summaries.presentation import (
    ShownSummary,
    job_status_label,
    job_status_response,
    poll_delays_attribute,
    refresh_seconds,
    refresh_url,
    status_worth_showing,
)


def session_url(campaign_id, session_id, anchor="summaries"):
    """The session page, at its summaries (or at `anchor`)."""
    return reverse("sessions:detail", args=[campaign_id, session_id]) + f"#{anchor}"


def summaries_context(campaign, session, job, *, stored, form=None, names=None):
    """What templates/sessions/_summaries.html needs: the session's summaries (`stored`, as
    the page read them by key: sessions.summaries.repository.get_session_page), the job's
    status, and the form to ask for more (`form` when a POST was refused). `names`: the
    campaign's speaker names as the page read them (its BatchGetItem), to say which
    summaries were written with other names."""
    active = job is not None and bool(job.is_active)
    return {
        "summaries": [ShownSummary.of(item, session=session, names=names) for item in stored],
        # Without a transcript, whether some were written from one (since deleted); v1.0's were not.
        "summaries_outlived_transcript": any(not item.is_imported for item in stored),
        "summary_job": job,
        "summary_status": job.effective_status if job else None,
        "summary_status_label": job_status_label(job) if job else "",
        "summary_active": active,
        "summary_show_status": status_worth_showing(job),
        "summary_status_url": reverse("sessions:summary_status", args=[campaign.campaign_id, session.session_id]),
        "summary_poll_ms": poll_delays_attribute(),
        "summary_refresh_seconds": refresh_seconds(job) if active else None,
        "summary_refresh_url": refresh_url(
            reverse("sessions:detail", args=[campaign.campaign_id, session.session_id]), "summaries"
        ),
        "summarize_form": form or SummarizeForm(),
        # The form is below every summary: a refusal is said at the top too, with a link to it.
        **({"refused_form": refused_form_notice(form, anchor="summarize")} if form is not None and form.errors else {}),
    }


# --- views ----------------------------------------------------------------------------------------
@login_required
@require_GET
@never_cache
def summary_status(request, campaign_id, session_id):
    """The job's status for the page's script: {"status", "label", "active"}. One GetItem."""
    return job_status_response(
        summaries.get_summary_job(sub=sub(request), campaign_id=campaign_id, session_id=session_id)
    )


def _summary_edit_keys(sub, campaign_id, session_id, kind):
    if not is_storable_kind(kind):
        return []  # the view answers 404 before any read
    return [*session_keys(sub, campaign_id, session_id), (user_pk(sub), summary_sk(campaign_id, session_id, kind))]


@reads(_summary_edit_keys)
@login_required
@require_http_methods(["GET", "POST"])
def summary_edit(request, campaign_id, session_id, kind):
    """Edit one summary's text by hand. The form carries the version it started from; a save
    over a newer version (a regenerated summary, another tab) is refused and shows what
    differs. A saved edit is marked, and regenerating asks before replacing it."""
    if not is_storable_kind(kind):
        raise Http404  # before any request (a kind kept from v1.0 under its own name is one)
    differences = None
    summary = None
    if request.method == "POST":
        form = SummaryEditForm(request.POST)
        if form.is_valid():
            try:
                summaries.edit_summary(
                    sub=sub(request),
                    campaign_id=campaign_id,
                    session_id=session_id,
                    kind=kind,
                    expected_version=form.cleaned_data["version"],
                    text=form.cleaned_data["text"],
                )
            except (summaries.SummaryNotFound, SessionNotFound):
                raise Http404 from None  # not the user's, or deleted meanwhile: nothing was written
            except SummaryTextInvalid as invalid:
                form.add_error("text", str(invalid))  # the form checks the same rules: not expected
            except StaleEdit as stale:
                differences = form.differences(stale.current)
                form = form.restarted_from(stale.current)
                summary = stale.current
            else:
                messages.success(request, "Summary saved.")
                return redirect(session_url(campaign_id, session_id, anchor=f"summary-{kind}"))
        campaign, session = session_or_404(request, campaign_id, session_id)
        stored = summary or summaries.get_summary(
            sub=sub(request), campaign_id=campaign_id, session_id=session_id, kind=kind
        )
        if stored is None:
            raise Http404  # a refused form for a summary that is not there: no page to show it on
    else:
        campaign, session = session_or_404(request, campaign_id, session_id)
        summary = stored = summaries.get_summary(
            sub=sub(request), campaign_id=campaign_id, session_id=session_id, kind=kind
        )
        if summary is None:
            raise Http404
        form = SummaryEditForm.for_item(summary)
    return _edit_page(request, campaign, session, stored, form, shown=summary, differences=differences)


def _edit_page(request, campaign, session, stored, form, *, shown, differences):
    """The edit page of the summary `stored`; `shown`: the version whose figures it shows (None: none)."""
    if stored.is_markdown:
        form.written_in_markdown()  # an edit keeps it Markdown (the item's text_format stays)
    return render(
        request,
        "sessions/summary_edit.html",
        {
            "campaign": campaign,
            "session": session,
            "kind": stored.kind,
            "kind_label": stored.kind_label,
            "is_markdown": stored.is_markdown,
            "can_be_regenerated": stored.can_be_regenerated,
            "summary": ShownSummary.of(shown, session=session) if shown else None,
            "form": form,
            "differences": differences,
        },
    )
