"""A session's transcript file: the upload page, download, delete.

The upload form posts to S3, not to us (sessions/transcripts/upload_pages.py); the page S3
sends the browser back to, which attaches the upload and may start its summaries,
composes two capabilities and lives with the session pages (sessions/upload_views.py).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from campaigns_site.errors import NotFound, StillChanging
from campaigns_site.owners import sub
from campaigns_site.refusals import still_changing_message
from sessions.core.lookups import session_or_404
from sessions.transcripts.services import delete_transcript
from sessions.transcripts.storage import download_url
from sessions.transcripts.upload_pages import render_upload_page


def _transcript_session_or_404(request, campaign_id, session_id):
    campaign, session = session_or_404(request, campaign_id, session_id)
    if not session.has_transcript:
        raise Http404
    return campaign, session


@login_required
@require_GET
@never_cache  # each rendering signs a new form with a short expiry
def transcript_upload(request, campaign_id, session_id):
    """The upload form on its own page: to replace a transcript, or after a refused upload."""
    campaign, session = session_or_404(request, campaign_id, session_id)
    return render_upload_page(request, campaign, session)


@login_required
@require_GET
@never_cache  # the redirect carries a URL that is valid for a minute
def transcript_download(request, campaign_id, session_id):
    """A redirect to a short-lived presigned S3 URL: the original comes straight from S3,
    as an attachment with its name and type (Lambda could not return 50 MB)."""
    _, session = _transcript_session_or_404(request, campaign_id, session_id)
    return redirect(download_url(session))


@login_required
@require_http_methods(["GET", "POST"])
def transcript_delete(request, campaign_id, session_id):
    """GET asks for confirmation; POST deletes the transcript (not the session)."""
    if request.method == "GET":
        campaign, session = _transcript_session_or_404(request, campaign_id, session_id)
        return render(request, "sessions/transcript_delete.html", {"campaign": campaign, "session": session})
    try:
        deleted = delete_transcript(sub=sub(request), campaign_id=campaign_id, session_id=session_id)
    except NotFound:
        raise Http404 from None
    except StillChanging:
        messages.error(request, still_changing_message("transcript"))
        return redirect("sessions:transcript_delete", campaign_id=campaign_id, session_id=session_id)
    if deleted:
        messages.success(request, "Transcript deleted.")
    return redirect("sessions:detail", campaign_id=campaign_id, session_id=session_id)
