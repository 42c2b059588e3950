"""A session's transcript for v1.0: the original upload, copied into v1.0's bucket.

v1.0 reads a transcript from `transcript_key` in its own bucket (settings.V1_BUCKET).
The mirror copies this app's original object there, server-side (CopyObject: the bytes
never pass through the mirror), under `mirror/<session uuid>/<upload id>/<file name>`:
a new upload gets a new key, and a key already in the row is not copied again.
"""

from django.conf import settings

from campaigns_site import aws
from v1.mapping import derived_id

MIRROR_PREFIX = "mirror/"


class MirrorMisconfigured(Exception):
    """Something the mirror needs is not set (the entry waits, with this as its last error)."""


def transcript_columns(session, session_uuid, created_at, transcript_key):
    """The transcript columns v1.0's row must get, or None to leave them as they are:

    - the session has no transcript: left as they are, unless the mirror put it there
      (then cleared). A session imported without its transcript (one the import could
      not read) has none here, and v1.0's must not be lost; so a transcript imported
      and then removed here is still on v1.0 after a rollback (docs/cutover.md);
    - the transcript is the one imported from this very row (its upload id is the one
      v1.mapping.upload_id_for gives the row): left as it is (text, raw bytes or key);
    - else: the original copied into v1.0's bucket, and the row names it.
    """
    if not session.transcript_upload_id:
        if transcript_key and transcript_key.startswith(MIRROR_PREFIX):
            return {"transcript_key": None, "transcript_filename": None}
        return None
    if session.transcript_upload_id == derived_id("transcript", session_uuid, created_at):
        return None
    key = mirror_key(session_uuid, session.transcript_upload_id, session.transcript_filename)
    if key != transcript_key:
        copy_original(session, key)
    return {
        "transcript_key": key,
        "transcript_filename": session.transcript_filename or None,
        "transcript_text": None,
        "transcript_raw": None,
    }


def mirror_key(session_uuid, upload_id, filename):
    name = (filename or "").replace("/", "_").replace("\\", "_").strip()[:200] or "transcript.txt"
    return f"{MIRROR_PREFIX}{session_uuid}/{upload_id}/{name}"


def copy_original(session, key):
    if not settings.V1_BUCKET:
        raise MirrorMisconfigured("V1_BUCKET is not set: transcripts cannot be copied into v1.0's bucket")
    aws.client("s3").copy_object(
        Bucket=settings.V1_BUCKET,
        Key=key,
        CopySource={"Bucket": settings.TRANSCRIPT_BUCKET, "Key": session.transcript_original_key},
    )
