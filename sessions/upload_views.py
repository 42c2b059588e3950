"""The page S3 sends the browser back to after a transcript upload: it attaches the
upload (sessions.transcripts) and starts the summaries the form asked for
(sessions.summaries). It composes the two capabilities, so it sits with the session
pages; the upload form and its token are in sessions/transcripts/upload_pages.py.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from campaigns_site.errors import NotFound, StillChanging
from campaigns_site.owners import sub
from campaigns_site.refusals import still_changing_message
from sessions.core.kinds import KINDS
from sessions.core.lookups import session_or_404
from sessions.summaries.jobs import EditedSummaries, JobRefused, start_summary_job
from sessions.summaries.presentation import asked_message
from sessions.transcripts.services import UploadRefused, attach_uploaded_transcript, discard_upload
from sessions.transcripts.upload_pages import attached_message, read_upload_token, render_upload_page


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def transcript_uploaded(request, campaign_id, session_id):
    """Where S3 sends the browser after an upload. GET shows "checking your file" with a
    form that the page's script submits at once (a button without script); POST checks
    the upload and attaches it."""
    if request.method == "GET":  # changes nothing, whatever the token: the POST decides
        token = request.GET.get("upload")
        read_upload_token(request, token, campaign_id, session_id)
        campaign, session = session_or_404(request, campaign_id, session_id)
        return render(
            request, "sessions/transcript_check.html", {"campaign": campaign, "session": session, "token": token}
        )
    upload_id, expired = read_upload_token(request, request.POST.get("upload"), campaign_id, session_id)
    # An expired token is refused, and its upload deleted; unless that upload is the
    # transcript already (a confirmation repeated long after), which attaching leaves be.
    if expired and discard_upload(
        sub=sub(request), campaign_id=campaign_id, session_id=session_id, upload_id=upload_id
    ):
        campaign, session = session_or_404(request, campaign_id, session_id)
        error = "That upload was not confirmed in time, so we did not keep it. Upload the file again."
        return render_upload_page(request, campaign, session, error=error, status=400)
    try:
        attached = attach_uploaded_transcript(
            sub=sub(request), campaign_id=campaign_id, session_id=session_id, upload_id=upload_id
        )
    except UploadRefused as refused:
        campaign, session = session_or_404(request, campaign_id, session_id)
        return render_upload_page(request, campaign, session, error=str(refused), status=400)
    except NotFound:
        raise Http404 from None  # deleted (or moved) while the file was on its way
    except StillChanging:
        campaign, session = session_or_404(request, campaign_id, session_id)
        error = still_changing_message("session")
        return render_upload_page(request, campaign, session, error=error, status=409)
    if not attached.already_attached:
        messages.success(request, attached_message(attached.session))
        if attached.note:
            messages.info(request, attached.note)
        if attached.summarize:
            _summarize_after_upload(request, attached)
    return redirect("sessions:detail", campaign_id=campaign_id, session_id=session_id)


def _summarize_after_upload(request, attached):
    """Start the summaries the upload form asked for. Nothing here may fail the upload:
    a refusal (hand-edited summaries, a job already running) only says why."""
    session = attached.session
    kinds = ["recap"] if attached.summarize == "recap" else list(KINDS)
    try:
        start_summary_job(sub=sub(request), campaign_id=session.campaign_id, session_id=session.session_id, kinds=kinds)
    except EditedSummaries as edited:
        left, them = ("it as it is", "it") if len(edited.kinds) == 1 else ("them as they are", "them")
        messages.info(request, f"{edited} So we left {left}: summarize again below to replace {them}.")
    except JobRefused as refused:
        messages.info(request, str(refused))
    else:
        # Not "writing now": the job may be done by the time the page shows
        # (sessions.summaries.presentation.asked_message).
        messages.info(request, asked_message(kinds))
