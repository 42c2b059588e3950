"""A transcript's objects in S3: the original as uploaded, and the normalized segments
(sessions/transcripts/segments_json.py) beside it, under
`transcripts/<sub>/<session_id>/<upload_id>/` (sessions.core.storage_keys).

Objects never change once written (each upload has its own key), so the segments this
process read lately are kept in memory (TRANSCRIPT_CACHE_BYTES) and a cached copy is
never stale. The download is a presigned GET, signed locally: no request to AWS.
"""

import threading
from collections import OrderedDict

from django.conf import settings
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from campaigns_site import aws
from sessions.core import storage_keys
from sessions.transcripts.segments_json import read_segment_page

_DOWNLOAD_TYPES = {
    "text": "text/plain",
    "vtt": "text/vtt",
    "srt": "application/x-subrip",
    "whisper_json": "application/json",
}
_EXTENSIONS = {"text": "txt", "vtt": "vtt", "srt": "srt", "whisper_json": "json"}
# Python codec names as IANA charsets, for the download's Content-Type.
_CHARSETS = {
    "utf-8": "utf-8",
    "cp1252": "windows-1252",
    "utf-16-le": "utf-16le",
    "utf-16-be": "utf-16be",
    "utf-32-le": "utf-32le",
    "utf-32-be": "utf-32be",
}


# --- download --------------------------------------------------------------------
def download_url(session, *, expires_in=60):
    """A short-lived presigned GET of the original, as an attachment with its name and
    the content type of its format. Signed locally: no request to AWS. The file goes from
    S3 to the browser directly (Lambda could not return 50 MB)."""
    name = (
        session.transcript_filename
        or f"{slugify(session.title) or 'transcript'}.{_EXTENSIONS[session.transcript_format]}"
    )
    content_type = _DOWNLOAD_TYPES[session.transcript_format]
    charset = _CHARSETS.get(session.transcript_encoding)
    if charset and session.transcript_format != "whisper_json":
        content_type += f"; charset={charset}"
    return aws.client("s3").generate_presigned_url(
        "get_object",
        Params={
            "Bucket": settings.TRANSCRIPT_BUCKET,
            "Key": session.transcript_original_key,
            "ResponseContentDisposition": content_disposition_header(as_attachment=True, filename=name),
            "ResponseContentType": content_type,
        },
        ExpiresIn=expires_in,
    )


# --- the normalized segments -----------------------------------------------------------
def store_segments(*, sub, session_id, upload_id, segments):
    """Put the normalized transcript (segments_json.dump_segments) beside its original;
    kept in this process's cache too, since the reader opens it next."""
    key = storage_keys.segments_key(sub=sub, session_id=session_id, upload_id=upload_id)
    aws.client("s3").put_object(
        Bucket=settings.TRANSCRIPT_BUCKET, Key=key, Body=segments, ContentType="application/json"
    )
    _remember(key, segments)


def load_stored_segments(session):
    """The normalized transcript (sessions/transcripts/segments_json.py) of a session that has one:
    one S3 GetObject, or none when this process read it lately. Objects never change once
    written (each upload has its own key), so a cached copy is never stale."""
    key = session.transcript_segments_key
    cached = _cache_get(key)
    if cached is not None:
        return cached
    data = aws.client("s3").get_object(Bucket=settings.TRANSCRIPT_BUCKET, Key=key)["Body"].read()
    _remember(key, data)
    return data


_cache = OrderedDict()  # key -> bytes, least recently used first
_cache_size = 0  # bytes held
_cache_lock = threading.Lock()  # runserver serves requests in threads


def _cache_get(key):
    with _cache_lock:
        data = _cache.get(key)
        if data is not None:
            _cache.move_to_end(key)
        return data


def _remember(key, data):
    global _cache_size
    limit = settings.TRANSCRIPT_CACHE_BYTES
    if len(data) > limit:
        return
    with _cache_lock:
        if key not in _cache:
            _cache[key] = data
            _cache_size += len(data)
        _cache.move_to_end(key)
        while _cache_size > limit:
            _cache_size -= len(_cache.popitem(last=False)[1])


def clear_cache():
    global _cache_size
    with _cache_lock:
        _cache.clear()
        _cache_size = 0


def speaker_labels(session):
    """Every speaker label of the session's transcript, in order of first appearance.

    The item lists the first labels (as many as fit its budget) and counts them all; when
    it lists them all, that is the answer and S3 is not asked. Otherwise the labels come
    from the stored transcript's header: one S3 GetObject, or none when this process read
    it lately (load_stored_segments)."""
    if not session.has_transcript:
        return []
    listed = list(session.transcript_speakers or [])
    if session.transcript_speaker_count is not None and len(listed) == session.transcript_speaker_count:
        return listed
    return list(read_segment_page(load_stored_segments(session), offset=0, limit=0).speakers)
