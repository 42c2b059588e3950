"""A session's transcript, the upload protocol: upload straight to S3, verify, attach, delete.

The file never passes through Lambda (6 MB payload limit) and never sits in DynamoDB:
1. `upload_form` (sessions/transcripts/signed_upload.py) signs a presigned POST for a new
   upload id. The browser sends the file to S3 under
   `transcripts/<sub>/<session_id>/<upload_id>/original`.
2. `attach_uploaded_transcript` then checks what arrived: S3 enforces the POST policy,
   but moto does not, and the app trusts neither blindly. It checks the size, the
   content type it signed, that the bytes parse as a transcript; it stores the
   normalized segments beside the original and records both on the session item, with
   the campaign's transcript_bytes, in one transaction. A refused upload's object is
   deleted at once; an abandoned one is left for `manage.py sweep_orphans`.
3. The previous transcript's objects go only after the new one is recorded, so a
   session always names objects that exist.

Nothing is half written: objects are put before the item names them, and removed only
after the item no longer does. A crash between the two leaves objects no item names,
which sweep_orphans finds; never an item naming a missing object.

The objects are read, cached and downloaded in storage.py; the item's fields are written
in repository.py.
"""

import hashlib
import logging
from dataclasses import dataclass, replace
from urllib.parse import unquote

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from campaigns_site import aws
from campaigns_site.errors import StillChanging
from campaigns_site.transactions import TransactionCanceled
from sessions.core import search_index, storage_keys
from sessions.core.items import PlaySession
from sessions.core.object_store import delete_objects_under
from sessions.core.repository import SessionNotFound, get_session
from sessions.core.transcript_formats import FORMAT_NAMES
from sessions.transcripts.repository import TranscriptFields, record_transcript, remove_transcript
from sessions.transcripts.segments_json import dump_segments
from sessions.transcripts.signed_upload import SUMMARIZE_CHOICES, UPLOAD_CONTENT_TYPE
from sessions.transcripts.storage import store_segments
from sessions.transcripts.text import TranscriptError

logger = logging.getLogger(__name__)

FILENAME_MAX_LENGTH = 200
# The item lists the first speakers that fit this many bytes (of their UTF-8 labels), so
# the item stays far below 4 KB whatever the file (tests/test_transcripts.py).
TRANSCRIPT_SPEAKERS_BUDGET = 1000
ATTACH_ATTEMPTS = 3


class UploadRefused(TranscriptError):
    """The upload cannot become the session's transcript; the message is for the uploader.
    Nothing of it is kept."""


@dataclass(frozen=True)
class AttachedTranscript:
    session: PlaySession  # as stored now
    note: str | None = None  # e.g. "the file's name says VTT, but its content is SRT"
    already_attached: bool = False  # the same upload confirmed twice (a reload): nothing done
    summarize: str = ""  # what the uploader asked to have summarized once it is added: a key of SUMMARIZE_CHOICES


def attach_uploaded_transcript(*, sub, campaign_id, session_id, upload_id, max_bytes=None):
    """Check the object the browser uploaded and make it the session's transcript.

    Raises UploadRefused (the object is deleted) when it is missing, empty, too big, of
    another content type, or does not parse; SessionNotFound or CampaignNotFound when the
    session or its campaign is gone (the objects are deleted too).
    """
    max_bytes = max_bytes or settings.TRANSCRIPT_MAX_BYTES
    session = get_session(sub=sub, campaign_id=campaign_id, session_id=session_id)
    if session is not None and session.transcript_upload_id == upload_id:
        return AttachedTranscript(session=session, already_attached=True)
    prefix = storage_keys.upload_prefix(sub=sub, session_id=session_id, upload_id=upload_id)
    if session is None:
        delete_objects_under(prefix=prefix)
        raise SessionNotFound(session_id)
    try:
        uploaded = _read_upload(
            storage_keys.original_key(sub=sub, session_id=session_id, upload_id=upload_id), max_bytes=max_bytes
        )
    except BaseException:
        # Unless another request confirming this same upload (a double submit) attached it
        # meanwhile: then it is the transcript, and its objects stay.
        discard_upload(sub=sub, campaign_id=campaign_id, session_id=session_id, upload_id=upload_id)
        raise
    attached = _attach(
        session,
        data=uploaded.data,
        upload_id=upload_id,
        filename=uploaded.filename,
        format=uploaded.format,
        max_bytes=max_bytes,
    )
    return replace(attached, summarize=uploaded.summarize)


def discard_upload(*, sub, campaign_id, session_id, upload_id):
    """Delete the objects of an upload that will not be attached; returns False, deleting
    nothing, when it is the session's transcript already (a confirmation page reloaded
    long after it did its job)."""
    session = get_session(sub=sub, campaign_id=campaign_id, session_id=session_id)
    if session is not None and session.transcript_upload_id == upload_id:
        return False
    delete_objects_under(prefix=storage_keys.upload_prefix(sub=sub, session_id=session_id, upload_id=upload_id))
    return True


@dataclass(frozen=True)
class _Upload:
    data: bytes
    filename: str
    format: str | None  # None: detect it
    summarize: str  # a key of SUMMARIZE_CHOICES


def _read_upload(key, *, max_bytes):
    """An uploaded object and what the form sent with it, after the checks S3's policy
    would have made: it exists, its size is in range, its content type is ours."""
    s3 = aws.client("s3")
    try:
        found = s3.get_object(Bucket=settings.TRANSCRIPT_BUCKET, Key=key)
    except s3.exceptions.NoSuchKey:
        raise UploadRefused("Your file did not reach us. Upload it again.") from None
    except s3.exceptions.ClientError as error:
        # S3 tells a missing key (404) from a refused one (403) only to a caller that may
        # list the bucket; the Lambda role may list under transcripts/ only (s3:prefix,
        # deploy/iam-policy.json), which may not count. It may read every key it signs
        # uploads for, so a 403 here means the browser never sent the file.
        if error.response["Error"]["Code"] != "AccessDenied":
            raise
        logger.warning("upload %s: S3 answered AccessDenied, read as not uploaded", key)
        raise UploadRefused("Your file did not reach us. Upload it again.") from None
    size = found["ContentLength"]
    if size == 0:
        found["Body"].close()
        raise UploadRefused("This file is empty.")
    if size > max_bytes:
        found["Body"].close()
        raise UploadRefused(_too_big(size, max_bytes))
    if found.get("ContentType") != UPLOAD_CONTENT_TYPE:
        found["Body"].close()
        raise UploadRefused(
            "This upload did not come from our upload form. Upload the file again from the session page."
        )
    data = found["Body"].read()
    metadata = found.get("Metadata", {})
    chosen = metadata.get("format") or None
    if chosen is not None and chosen not in FORMAT_NAMES:
        chosen = None  # not one of the form's choices: detect it, as "automatic" would
    # The page's script percent-encodes the name: S3 metadata is ASCII, and S3 would
    # otherwise hand a non-ASCII name back MIME-encoded ("=?UTF-8?B?...?=").
    summarize = metadata.get("summarize", "")
    return _Upload(
        data=data,
        filename=_clean_filename(unquote(metadata.get("filename", ""))),
        format=chosen,
        summarize=summarize if summarize in SUMMARIZE_CHOICES else "",
    )


def _too_big(size, max_bytes):
    return f"This file is {filesizeformat(size)}; transcripts can be up to {filesizeformat(max_bytes)}."


def _clean_filename(filename):
    # Browsers send the base name only, but a form can send anything: keep the last path
    # part, no control characters, bounded. It is shown escaped and sent back only in a
    # Content-Disposition that Django builds.
    name = str(filename).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(character for character in name if character.isprintable())
    return name.strip()[:FILENAME_MAX_LENGTH]


def _attach(session, *, data, upload_id, filename, format, max_bytes, uploaded=None):
    """Parse, store the segments, record both on the item; the upload's objects are
    deleted if anything fails before the item names them."""
    sub, campaign_id, session_id = session.owner_sub, session.campaign_id, session.session_id
    try:
        parsed, fields = _parse_and_store(
            data,
            sub=sub,
            session_id=session_id,
            upload_id=upload_id,
            filename=filename,
            format=format,
            max_bytes=max_bytes,
            uploaded=uploaded,
        )
        del data  # the caller's reference goes when it returns; the parse is done
        previous = _record_with_retries(session, fields=fields)
    except BaseException:
        # (see attach_uploaded_transcript: a double submit may have attached this upload)
        discard_upload(sub=sub, campaign_id=campaign_id, session_id=session_id, upload_id=upload_id)
        raise
    if previous == upload_id:
        # Recorded meanwhile by another request confirming this same upload (a double
        # submit): it is the transcript already, and nothing of it may be deleted.
        return AttachedTranscript(
            session=get_session(sub=sub, campaign_id=campaign_id, session_id=session_id), already_attached=True
        )
    if previous:
        # Only now: until the new one was recorded, the old one was the transcript.
        delete_objects_under(prefix=storage_keys.upload_prefix(sub=sub, session_id=session_id, upload_id=previous))
    stored = get_session(sub=sub, campaign_id=campaign_id, session_id=session_id)
    return AttachedTranscript(session=stored, note=parsed.note)


def _parse_and_store(data, *, sub, session_id, upload_id, filename, format, max_bytes, uploaded):
    """(parsed, the item's new transcript fields) once the segments are in S3."""
    # The parsers load here, not with this module: the session page signs its upload form
    # through this module, and a new container's first session page need not compile
    # the parsers' patterns (docs/decisions.md, issue 17).
    from sessions.transcripts.parsing import parse_transcript_bytes

    sha256 = hashlib.sha256(data).hexdigest()
    size = len(data)
    try:
        parsed = parse_transcript_bytes(data, format=format, filename=filename or None, max_bytes=max_bytes)
    except TranscriptError as error:
        raise UploadRefused(str(error)) from None
    store_segments(sub=sub, session_id=session_id, upload_id=upload_id, segments=dump_segments(parsed.segments))
    fields = TranscriptFields(
        upload_id=upload_id,
        filename=filename,
        format=parsed.format,
        encoding=parsed.encoding,
        sha256=sha256,
        segment_count=parsed.segment_count,
        duration=parsed.duration,
        speaker_count=len(parsed.speakers),
        speakers=_speakers_within_budget(parsed.speakers),
        uploaded=uploaded or timezone.now(),
        size=size,
        search=search_index.transcript_part(parsed.segments),
    )
    return parsed, fields


def _record_with_retries(session, *, fields):
    """Record the fields; returns the upload id they replaced (None if there was none), or
    their own upload id when another request recorded this same upload meanwhile."""
    for _ in range(ATTACH_ATTEMPTS):
        try:
            record_transcript(session, fields=fields)
            return session.transcript_upload_id
        except TransactionCanceled:
            # Replaced or deleted in another tab meanwhile: count from what is there now.
            session = get_session(sub=session.owner_sub, campaign_id=session.campaign_id, session_id=session.session_id)
            if session is None:
                raise SessionNotFound("session") from None
            if session.transcript_upload_id == fields.upload_id:
                return fields.upload_id  # this very upload, recorded by another request (see _attach)
    raise StillChanging(session.session_id)


def _speakers_within_budget(speakers):
    kept, used = [], 0
    for speaker in speakers:
        used += len(speaker.encode()) + 3  # DynamoDB's per-element overhead, roughly
        if used > TRANSCRIPT_SPEAKERS_BUDGET:
            break
        kept.append(speaker)
    return kept


# --- import (v1/) -----------------------------------------------------------------------
def import_transcript(*, session, upload_id, filename, uploaded, data=None, copy_from=None, format=None):
    """Make `data` (bytes), or the object `copy_from` ({"Bucket", "Key"}: a server-side
    copy), the session's transcript, as if uploaded at `uploaded`: the same checks, parse
    and records as an upload. Returns the AttachedTranscript. `format`: the one its
    uploader chose (an export says it), else detected.

    Raises UploadRefused (nothing kept) when it does not parse, and the S3 client's
    NoSuchKey when `copy_from` names no object. `upload_id` is the caller's, the same on
    every attempt: a retry after a crash overwrites the objects it left, never adds more.
    """
    sub, session_id = session.owner_sub, session.session_id
    key = storage_keys.original_key(sub=sub, session_id=session_id, upload_id=upload_id)
    s3 = aws.client("s3")
    if copy_from is not None:
        s3.copy_object(
            Bucket=settings.TRANSCRIPT_BUCKET,
            Key=key,
            CopySource=copy_from,
            ContentType=UPLOAD_CONTENT_TYPE,
            MetadataDirective="REPLACE",
        )
        data = s3.get_object(Bucket=settings.TRANSCRIPT_BUCKET, Key=key)["Body"].read()
    else:
        s3.put_object(Bucket=settings.TRANSCRIPT_BUCKET, Key=key, Body=data, ContentType=UPLOAD_CONTENT_TYPE)
    return _attach(
        session,
        data=data,
        upload_id=upload_id,
        filename=_clean_filename(filename),
        format=format,
        max_bytes=max(settings.TRANSCRIPT_MAX_BYTES, len(data)),
        uploaded=uploaded,
    )


# --- delete -----------------------------------------------------------------------------
def delete_transcript(*, sub, campaign_id, session_id):
    """Remove the session's transcript: the item's fields first (with the campaign's
    transcript_bytes), then its objects. Returns False when there was none."""
    for _ in range(ATTACH_ATTEMPTS):
        session = get_session(sub=sub, campaign_id=campaign_id, session_id=session_id)
        if session is None:
            raise SessionNotFound(session_id)
        if not session.has_transcript:
            return False
        upload_id = session.transcript_upload_id
        try:
            remove_transcript(session)
        except TransactionCanceled:
            continue  # replaced meanwhile: delete what is there now
        delete_objects_under(prefix=storage_keys.upload_prefix(sub=sub, session_id=session_id, upload_id=upload_id))
        return True
    raise StillChanging(session_id)
