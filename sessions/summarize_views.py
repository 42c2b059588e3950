"""Asking for a session's summaries: the Summarize form of the session page.

On top of sessions/ because a refused form shows again on the session page
(sessions.views.render_session_page), which composes every capability. A valid request
starts a job (sessions.summaries.jobs) and goes back to the page, which follows it. Asking
again while a job runs starts no second one. A summary the user edited by hand is never
replaced without asking: the job's start refuses (EditedSummaries) and the confirmation
page posts the same request again with replace_edits.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from campaigns_site.errors import StillChanging
from campaigns_site.owners import sub
from campaigns_site.refusals import still_changing_message
from sessions.core.kinds import KINDS
from sessions.core.lookups import session_or_404
from sessions.core.repository import SessionNotFound
from sessions.summaries.forms import SummarizeForm
from sessions.summaries.jobs import EditedSummaries, JobAlreadyRunning, NoTranscript, start_summary_job
from sessions.summaries.presentation import and_list, short_label
from sessions.summaries.views import session_url
from sessions.views import render_session_page

# Flash messages are read a moment after they are made (the job may have ended by then):
# they say what happened when asked, never "writing now"; the status line under
# Summaries, computed as the page renders, says where the job is.
ALREADY_RUNNING = "Summaries were already being written for this session when you asked, so nothing new was started."
NO_TRANSCRIPT = "Upload a transcript first: summaries are written from it."


@login_required
@require_POST
def summarize(request, campaign_id, session_id):
    """Start a job writing the chosen summaries, then back to the session page, which follows
    it. No read first: the job's start refuses another user's ids (SessionNotFound)."""
    form = SummarizeForm(request.POST)
    if not form.is_valid():
        return render_session_page(request, campaign_id, session_id, summarize_form=form)
    kinds, length = form.cleaned_data["kinds"], form.cleaned_data["length"]
    try:
        start_summary_job(
            sub=sub(request),
            campaign_id=campaign_id,
            session_id=session_id,
            kinds=kinds,
            length=length,
            replace_edits=form.cleaned_data["replace_edits"],
        )
    except SessionNotFound:
        raise Http404 from None  # not the user's (or deleted meanwhile): nothing was written
    except NoTranscript:
        messages.error(request, NO_TRANSCRIPT)
    except JobAlreadyRunning:
        messages.info(request, ALREADY_RUNNING)
    except StillChanging:
        messages.error(request, still_changing_message("session"))
    except EditedSummaries as edited:
        return _confirm_replace(request, campaign_id, session_id, kinds=kinds, length=length, edited=edited.kinds)
    return redirect(session_url(campaign_id, session_id))


def _confirm_replace(request, campaign_id, session_id, *, kinds, length, edited):
    """The page that asks before replacing hand edits (`edited`: in KINDS order, as
    start_summary_job checked them), and offers to write only the others."""
    campaign, session = session_or_404(request, campaign_id, session_id)
    others = [kind for kind in kinds if kind not in edited]
    return render(
        request,
        "sessions/summaries_confirm.html",
        {
            "campaign": campaign,
            "session": session,
            "kinds": kinds,
            "length": length,
            "edited": [(kind, KINDS[kind]) for kind in edited],
            "others": others,
            "other_labels": and_list(short_label(KINDS[kind]) for kind in others),
        },
    )
