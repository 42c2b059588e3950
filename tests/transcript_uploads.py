"""Attaching a transcript in tests (and scripts/bench_reader.py) the way an upload does:
the object the upload form would have posted to S3, then the confirmation's server side
(sessions.transcripts.services.attach_uploaded_transcript)."""

from urllib.parse import quote

from django.conf import settings
from django.template.defaultfilters import filesizeformat

from campaigns_site import aws
from sessions.core import storage_keys
from sessions.core.repository import SessionNotFound, get_session
from sessions.transcripts.services import UploadRefused, attach_uploaded_transcript
from sessions.transcripts.signed_upload import UPLOAD_CONTENT_TYPE, new_upload_id


def store_transcript(*, sub, campaign_id, session_id, data, filename="", format=None, max_bytes=None):
    """Attach `data` as the session's transcript: the same checks and writes as an upload,
    without the browser's part. Returns the AttachedTranscript."""
    max_bytes = max_bytes or settings.TRANSCRIPT_MAX_BYTES
    if get_session(sub=sub, campaign_id=campaign_id, session_id=session_id) is None:
        raise SessionNotFound(session_id)
    if len(data) > max_bytes:  # S3's upload policy refuses it before anything is stored
        raise UploadRefused(
            f"This file is {filesizeformat(len(data))}; transcripts can be up to {filesizeformat(max_bytes)}."
        )
    upload_id = new_upload_id()
    aws.client("s3").put_object(
        Bucket=settings.TRANSCRIPT_BUCKET,
        Key=storage_keys.original_key(sub=sub, session_id=session_id, upload_id=upload_id),
        Body=data,
        ContentType=UPLOAD_CONTENT_TYPE,
        # As the page's script sends them: the name percent-encoded (S3 metadata is ASCII).
        Metadata={"filename": quote(filename, safe=""), "format": format or ""},
    )
    return attach_uploaded_transcript(
        sub=sub, campaign_id=campaign_id, session_id=session_id, upload_id=upload_id, max_bytes=max_bytes
    )
