"""The session's transcript upload form: a presigned POST to S3 for a new upload id, signed
here with no request to AWS (the protocol: sessions/transcripts/services.py).

Apart from the services because the session page shows this form on every GET without a
transcript: its first request in a new container loads this module, not the services' checks
and writes (the search index, the stored segments: docs/decisions.md, "Session page cold
start (issue 17, second pass)").
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from campaigns_site import aws
from campaigns_site.table import new_id
from sessions.core import storage_keys

# Every upload is stored as opaque bytes: S3 never serves it as HTML or script, even to
# someone holding a URL. The download sets the real type (download_url).
UPLOAD_CONTENT_TYPE = "application/octet-stream"
# The upload form's "once it is added" choice (x-amz-meta-summarize): which summaries to
# start writing as soon as the transcript is attached.
SUMMARIZE_CHOICES = {"recap": "Write a recap", "all": "Write every kind of summary", "": "Not now"}


@dataclass(frozen=True)
class UploadForm:
    upload_id: str
    url: str  # where the browser POSTs the form: the bucket
    fields: dict  # hidden fields, in order; the file field comes last
    expires_at: int  # epoch seconds: the page's script warns before posting an expired form


def new_upload_id():
    return new_id()


def upload_form(*, sub, session_id, redirect_url, upload_id=None, max_bytes=None):
    """A presigned POST for a new upload of the session's transcript. Signed locally: no
    request to AWS. `redirect_url` is where S3 sends the browser once the file is in.

    The policy pins the key (under the owner's prefix), the size range, the content type
    and a short expiry; the browser may add the file's name and a chosen format as
    metadata (starts-with ""), which the app checks when it attaches the upload.
    """
    upload_id = upload_id or new_id()
    max_bytes = max_bytes or settings.TRANSCRIPT_MAX_BYTES
    expiry = settings.TRANSCRIPT_UPLOAD_EXPIRY_SECONDS
    key = storage_keys.original_key(sub=sub, session_id=session_id, upload_id=upload_id)
    fields = {
        "Content-Type": UPLOAD_CONTENT_TYPE,
        "success_action_redirect": redirect_url,
    }
    conditions = [
        {"Content-Type": UPLOAD_CONTENT_TYPE},
        {"success_action_redirect": redirect_url},
        ["content-length-range", 1, max_bytes],
        ["starts-with", "$x-amz-meta-filename", ""],
        ["starts-with", "$x-amz-meta-format", ""],
        ["starts-with", "$x-amz-meta-summarize", ""],
    ]
    presigned = aws.presigned_post(
        Bucket=settings.TRANSCRIPT_BUCKET, Key=key, Fields=fields, Conditions=conditions, ExpiresIn=expiry
    )
    return UploadForm(
        upload_id=upload_id,
        url=presigned["url"],
        fields=presigned["fields"],
        expires_at=int(timezone.now().timestamp()) + expiry,
    )
