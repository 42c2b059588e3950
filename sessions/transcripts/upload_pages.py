"""The upload form and its round trip through S3, for every page that carries the form
(the session page, the upload page) and the confirmation S3 sends the browser back to.

The upload form posts to S3, not to us (sessions/transcripts/services.py says why). S3 then
sends the browser back to the confirmation page (sessions/upload_views.py) with the signed
upload token we put in the redirect URL; that page posts it back (CSRF-protected) and the
upload is checked and attached. The token binds the upload to its user and session, so a
token from another account or session, or a forged one, is a 404.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from campaigns_site.converters import is_item_id
from campaigns_site.csp import allow_form_posts_to
from campaigns_site.owners import sub
from sessions.core.transcript_formats import FORMAT_NAMES
from sessions.transcripts.signed_upload import SUMMARIZE_CHOICES, new_upload_id, upload_form

_TOKEN_SALT = "sessions.transcript-upload"
# The token only has to outlive the upload itself: it starts within the form's expiry,
# and a big file on a slow line takes a while.
_TOKEN_EXTRA_SECONDS = 60 * 60


def upload_context(request, session):
    """What templates/sessions/_upload_form.html needs: a freshly signed S3 form (no AWS
    request) whose success redirect carries the upload's token."""
    upload_id = new_upload_id()
    token = signing.dumps(
        {"sub": sub(request), "campaign": session.campaign_id, "session": session.session_id, "upload": upload_id},
        salt=_TOKEN_SALT,
    )
    path = reverse("sessions:transcript_uploaded", args=[session.campaign_id, session.session_id])
    redirect_url = request.build_absolute_uri(path) + "?" + urlencode({"upload": token})
    form = upload_form(sub=sub(request), session_id=session.session_id, redirect_url=redirect_url, upload_id=upload_id)
    return {
        "upload": form,
        "formats": list(FORMAT_NAMES.items()),
        "summarize_choices": list(SUMMARIZE_CHOICES.items()),
        "max_bytes": settings.TRANSCRIPT_MAX_BYTES,
    }


def read_upload_token(request, token, campaign_id, session_id):
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
    expected = {"sub": sub(request), "campaign": campaign_id, "session": session_id}
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


def render_upload_page(request, campaign, session, *, error=None, status=200):
    context = {"campaign": campaign, "session": session, "error": error, **upload_context(request, session)}
    return render_with_upload_form(request, "sessions/transcript_upload.html", context, status=status)


def render_with_upload_form(request, template_name, context, *, status=200):
    """render(), and when the page carries the upload form (context["upload"]), a policy
    that lets it post to the bucket it was signed for."""
    response = render(request, template_name, context, status=status)
    if "upload" in context:
        allow_form_posts_to(response, context["upload"].url)
    return response


def attached_message(session):
    lines = session.transcript_segment_count
    speakers = session.transcript_speaker_count
    parts = [f"{lines:,} line{'s' if lines != 1 else ''}"]
    if speakers:
        parts.append(f"{speakers} speaker{'s' if speakers != 1 else ''}")
    return f"Transcript added ({FORMAT_NAMES[session.transcript_format]}): {', '.join(parts)}."
