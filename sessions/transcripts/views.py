"""A session's transcript file: upload (straight to S3), confirm, download, delete.

The upload form posts to S3, not to us (sessions/transcripts/services.py says why). S3 then sends
the browser back to `transcript_uploaded` with the signed upload token we put in the
redirect URL; that page posts it back (CSRF-protected) and the upload is checked and
attached. The token binds the upload to its user and session, so a token from another
account or session, or a forged one, is a 404.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from campaigns_site.converters import is_item_id
from campaigns_site.csp import allow_form_posts_to
from campaigns_site.lazy import lazy_import
from sessions.core.kinds import KINDS
from sessions.summaries.presentation import asked_message

repository = lazy_import("sessions.core.repository")
transcripts = lazy_import("sessions.transcripts.services")
summary_jobs = lazy_import("sessions.summaries.jobs")
transcript_parsing = lazy_import("sessions.transcripts.parsing")

_TOKEN_SALT = "sessions.transcript-upload"
# The token only has to outlive the upload itself: it starts within the form's expiry,
# and a big file on a slow line takes a while.
_TOKEN_EXTRA_SECONDS = 60 * 60


def _sub(request):
    return request.user.pk


def _get_session_for_user(request, campaign_id, session_id):
    campaign, session = repository.get_session_with_campaign(
        sub=_sub(request), campaign_id=campaign_id, session_id=session_id
    )
    if session is None:
        raise Http404
    return campaign, session


def _get_transcript_session_for_user(request, campaign_id, session_id):
    campaign, session = _get_session_for_user(request, campaign_id, session_id)
    if not session.has_transcript:
        raise Http404
    return campaign, session


def upload_context(request, session):
    """What templates/sessions/_upload_form.html needs: a freshly signed S3 form (no AWS
    request) whose success redirect carries the upload's token."""
    upload_id = transcripts.new_upload_id()
    token = signing.dumps(
        {"sub": _sub(request), "campaign": session.campaign_id, "session": session.session_id, "upload": upload_id},
        salt=_TOKEN_SALT,
    )
    path = reverse("sessions:transcript_uploaded", args=[session.campaign_id, session.session_id])
    redirect_url = request.build_absolute_uri(path) + "?" + urlencode({"upload": token})
    form = transcripts.upload_form(
        sub=_sub(request), session_id=session.session_id, redirect_url=redirect_url, upload_id=upload_id
    )
    return {
        "upload": form,
        "formats": list(transcript_parsing.FORMAT_NAMES.items()),
        "summarize_choices": list(transcripts.SUMMARIZE_CHOICES.items()),
        "max_bytes": settings.TRANSCRIPT_MAX_BYTES,
    }


def _read_token(request, token, campaign_id, session_id):
    """(upload id, expired) of a token that is this user's for this session; else 404.

    An expired token still names its upload, so that its object can be deleted."""
    try:
        payload = signing.loads(
            token or "", salt=_TOKEN_SALT, max_age=settings.TRANSCRIPT_UPLOAD_EXPIRY_SECONDS + _TOKEN_EXTRA_SECONDS
        )
        expired = False
    except signing.SignatureExpired:
        payload, expired = signing.loads(token, salt=_TOKEN_SALT), True
    except signing.BadSignature:
        raise Http404 from None
    if not _is_upload_token_payload(payload):
        raise Http404  # signed with our key, but not as upload_context makes them
    expected = {"sub": _sub(request), "campaign": campaign_id, "session": session_id}
    if {name: payload[name] for name in expected} != expected:
        raise Http404  # another user's or another session's upload
    return payload["upload"], expired


def _is_upload_token_payload(payload):
    """The payload's shape, checked before any of it is used: a dict of exactly the four
    strings upload_context signs, with ids as new_id() makes them. Whatever else a token
    could carry (a list, a missing key, an upload id with "/" or "#" reaching into
    another object's key, an empty or huge one) is refused like a forged token."""
    return (
        isinstance(payload, dict)
        and set(payload) == {"sub", "campaign", "session", "upload"}
        and all(isinstance(value, str) for value in payload.values())
        and all(is_item_id(payload[name]) for name in ("campaign", "session", "upload"))
    )


def _render_upload_page(request, campaign, session, *, error=None, status=200):
    context = {"campaign": campaign, "session": session, "error": error, **upload_context(request, session)}
    return render_with_upload_form(request, "sessions/transcript_upload.html", context, status=status)


def render_with_upload_form(request, template_name, context, *, status=200):
    """render(), and when the page carries the upload form (context["upload"]), a policy
    that lets it post to the bucket it was signed for."""
    response = render(request, template_name, context, status=status)
    if "upload" in context:
        allow_form_posts_to(response, context["upload"].url)
    return response


@login_required
@require_GET
@never_cache  # each rendering signs a new form with a short expiry
def transcript_upload(request, campaign_id, session_id):
    """The upload form on its own page: to replace a transcript, or after a refused upload."""
    campaign, session = _get_session_for_user(request, campaign_id, session_id)
    return _render_upload_page(request, campaign, session)


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def transcript_uploaded(request, campaign_id, session_id):
    """Where S3 sends the browser after an upload. GET shows "checking your file" with a
    form that the page's script submits at once (a button without script); POST checks
    the upload and attaches it."""
    if request.method == "GET":  # changes nothing, whatever the token: the POST decides
        token = request.GET.get("upload")
        _read_token(request, token, campaign_id, session_id)
        campaign, session = _get_session_for_user(request, campaign_id, session_id)
        return render(
            request, "sessions/transcript_check.html", {"campaign": campaign, "session": session, "token": token}
        )
    upload_id, expired = _read_token(request, request.POST.get("upload"), campaign_id, session_id)
    # An expired token is refused, and its upload deleted; unless that upload is the
    # transcript already (a confirmation repeated long after), which attaching leaves be.
    if expired and transcripts.discard_upload(
        sub=_sub(request), campaign_id=campaign_id, session_id=session_id, upload_id=upload_id
    ):
        campaign, session = _get_session_for_user(request, campaign_id, session_id)
        error = "That upload was not confirmed in time, so we did not keep it. Upload the file again."
        return _render_upload_page(request, campaign, session, error=error, status=400)
    try:
        attached = transcripts.attach_uploaded_transcript(
            sub=_sub(request), campaign_id=campaign_id, session_id=session_id, upload_id=upload_id
        )
    except transcripts.UploadRefused as refused:
        campaign, session = _get_session_for_user(request, campaign_id, session_id)
        return _render_upload_page(request, campaign, session, error=str(refused), status=400)
    except repository.NotFound:
        raise Http404 from None  # deleted (or moved) while the file was on its way
    except repository.StillChanging:
        campaign, session = _get_session_for_user(request, campaign_id, session_id)
        error = "The session was changing while we checked your file. Upload it again."
        return _render_upload_page(request, campaign, session, error=error, status=409)
    if not attached.already_attached:
        messages.success(request, _attached_message(attached.session))
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
        summary_jobs.start_summary_job(
            sub=_sub(request), campaign_id=session.campaign_id, session_id=session.session_id, kinds=kinds
        )
    except summary_jobs.EditedSummaries as edited:
        left, them = ("it as it is", "it") if len(edited.kinds) == 1 else ("them as they are", "them")
        messages.info(request, f"{edited} So we left {left}: summarize again below to replace {them}.")
    except summary_jobs.JobRefused as refused:
        messages.info(request, str(refused))
    else:
        # Not "writing now": the job may be done by the time the page shows (summary_views.asked_message).
        messages.info(request, asked_message(kinds))


def _attached_message(session):
    lines = session.transcript_segment_count
    speakers = session.transcript_speaker_count
    parts = [f"{lines:,} line{'s' if lines != 1 else ''}"]
    if speakers:
        parts.append(f"{speakers} speaker{'s' if speakers != 1 else ''}")
    return f"Transcript added ({transcript_parsing.FORMAT_NAMES[session.transcript_format]}): {', '.join(parts)}."


@login_required
@require_GET
@never_cache  # the redirect carries a URL that is valid for a minute
def transcript_download(request, campaign_id, session_id):
    """A redirect to a short-lived presigned S3 URL: the original comes straight from S3,
    as an attachment with its name and type (Lambda could not return 50 MB)."""
    _, session = _get_transcript_session_for_user(request, campaign_id, session_id)
    return redirect(transcripts.download_url(session))


@login_required
@require_http_methods(["GET", "POST"])
def transcript_delete(request, campaign_id, session_id):
    """GET asks for confirmation; POST deletes the transcript (not the session)."""
    if request.method == "GET":
        campaign, session = _get_transcript_session_for_user(request, campaign_id, session_id)
        return render(request, "sessions/transcript_delete.html", {"campaign": campaign, "session": session})
    try:
        deleted = transcripts.delete_transcript(sub=_sub(request), campaign_id=campaign_id, session_id=session_id)
    except repository.NotFound:
        raise Http404 from None
    except repository.StillChanging:
        messages.error(request, "The transcript is changing right now. Try again in a moment.")
        return redirect("sessions:transcript_delete", campaign_id=campaign_id, session_id=session_id)
    if deleted:
        messages.success(request, "Transcript deleted.")
    return redirect("sessions:detail", campaign_id=campaign_id, session_id=session_id)
