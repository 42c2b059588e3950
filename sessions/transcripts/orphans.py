"""Transcript objects that no session names, and sessions that name a missing object.

An upload's objects live under `transcripts/<sub>/<session_id>/<upload_id>/`
(sessions.core.storage_keys) and belong to the session only while its item's
`transcript_upload_id` names that upload. The app removes an upload's objects whenever
it knows they are no longer wanted (a refused upload, a replaced or deleted transcript),
but an upload the browser sent and nobody attached, or a crash between the item write
and the delete, leaves objects that nothing names. `manage.py sweep_orphans` finds them
here and, when asked, deletes them.

Two phases, so a caller (and the tests) can look before deleting:
- find_orphans() lists the bucket's `transcripts/` prefix once and, user by user, reads
  that user's sessions with one Query, then Scans the table for the sessions with a
  transcript whose owner had no object at all. It deletes nothing.
- delete_orphans() reads each user's sessions again right before deleting, so an upload
  attached since the listing is never deleted.

Not orphans, whatever their key says:
- objects younger than the grace period (`min_age`): an upload in progress is in S3
  a little while before its item names it;
- keys this scheme did not make (storage_keys.parse_key cannot read them, or their name
  is neither "original" nor "segments.json"): reported, never deleted, since we cannot
  tell whose they are.

Items are never changed: a session naming a missing object is only reported.

Memory: S3 lists keys in order, so all of a user's objects arrive together and are held
one user at a time (key, size, LastModified). Beyond that it holds the orphans found
(the same three facts each; deleted in the second phase), the unknown keys, the sessions
naming a missing object, and the set of subs that have objects (for the Scan). The
table is never held: the Scan is read a page at a time.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import groupby
from operator import attrgetter

from botocore.exceptions import ClientError
from django.conf import settings
from django.utils import timezone

from campaigns_site import aws, dynamodb
from campaigns_site.table_keys import SESSION_PREFIX, InvalidKeyPart, sub_of_user_pk, user_pk
from sessions.core import storage_keys
from sessions.core.object_store import S3_BATCH_SIZE
from sessions.core.repository import get_session

DEFAULT_MIN_AGE = timedelta(hours=24)
OBJECT_NAMES = (storage_keys.ORIGINAL_NAME, storage_keys.SEGMENTS_NAME)


@dataclass(frozen=True, slots=True)
class StoredObject:
    """One listed transcript object whose key this scheme made."""

    key: str
    size: int
    last_modified: datetime
    sub: str
    session_id: str
    upload_id: str


@dataclass(frozen=True)
class MissingObject:
    """A session whose item names an object that S3 does not have."""

    sub: str
    campaign_id: str
    session_id: str
    upload_id: str
    name: str  # "original" or "segments.json"

    def describe(self):
        return (
            f"user {self.sub}, campaign {self.campaign_id}, session {self.session_id}: "
            f"{self.name} of upload {self.upload_id} is missing"
        )


@dataclass
class DeletionResult:
    """What delete_orphans did. `kept` are orphans that a session named when read again."""

    deleted: int = 0
    deleted_bytes: int = 0
    kept: int = 0
    errors: list = field(default_factory=list)  # "key: Code" lines from DeleteObjects


@dataclass
class SweepReport:
    """What find_orphans saw; `deletion` is filled in by sweep_orphans(delete=True)."""

    min_age: timedelta
    objects_seen: int = 0
    attached: int = 0  # named by their session: kept
    young: int = 0  # named by no session yet, but within the grace period: kept
    orphans: list = field(default_factory=list)  # StoredObject, in key order
    unknown_keys: list = field(default_factory=list)
    missing: list = field(default_factory=list)  # MissingObject
    sessions_scanned: int = 0  # sessions with a transcript that the Scan returned
    deletion: DeletionResult | None = None

    @property
    def orphan_bytes(self):
        return sum(orphan.size for orphan in self.orphans)


# --- the whole sweep ----------------------------------------------------------------
def sweep_orphans(*, delete=False, min_age=DEFAULT_MIN_AGE, now=None, progress=None, page_size=S3_BATCH_SIZE):
    """Find the orphans and, if delete, delete them; returns a SweepReport. (The command
    runs the two phases itself, to list the orphans before deleting them.)"""
    report = find_orphans(min_age=min_age, now=now, progress=progress, page_size=page_size)
    if delete:
        report.deletion = delete_orphans(orphans=report.orphans, progress=progress)
    return report


# --- phase 1: look -------------------------------------------------------------------
def find_orphans(*, min_age=DEFAULT_MIN_AGE, now=None, progress=None, page_size=S3_BATCH_SIZE):
    """Compare the bucket with the table; deletes nothing. Returns a SweepReport.

    An object is an orphan when its session does not exist or names another upload,
    and its LastModified is at least min_age before now. Calls progress(line) after
    each page of the listing and of the Scan.
    """
    say = progress or (lambda line: None)
    cutoff = (now or timezone.now()) - min_age
    report = SweepReport(min_age=min_age)
    subs_with_objects = set()

    objects = _understood_objects(_listed_objects(page_size=page_size, say=say, report=report), report=report)
    for sub, users_objects in groupby(objects, key=attrgetter("sub")):
        _check_user(sub, list(users_objects), cutoff=cutoff, report=report)
        subs_with_objects.add(sub)
    say(f"listing done: {report.objects_seen:,} objects of {len(subs_with_objects):,} users")

    _check_sessions_without_objects(subs_with_objects, report=report, say=say)
    return report


def _listed_objects(*, page_size, say, report):
    """Every object under transcripts/, in key order, as S3's listing dicts."""
    pages = (
        aws.client("s3")
        .get_paginator("list_objects_v2")
        .paginate(
            Bucket=settings.TRANSCRIPT_BUCKET,
            Prefix=storage_keys.TRANSCRIPTS_PREFIX,
            PaginationConfig={"PageSize": page_size},
        )
    )
    for page in pages:
        contents = page.get("Contents", [])
        report.objects_seen += len(contents)
        say(f"listed {report.objects_seen:,} objects…")
        yield from contents


def _understood_objects(listed, *, report):
    """The listed objects as StoredObjects; keys we cannot read go to report.unknown_keys."""
    for found in listed:
        parsed = _parse(found["Key"])
        if parsed is None:
            report.unknown_keys.append(found["Key"])
            continue
        yield StoredObject(found["Key"], found["Size"], found["LastModified"], *parsed[:3])


def _parse(key):
    """(sub, session_id, upload_id, name) if the key is exactly one the app makes.

    Stricter than parse_key: the name must be one of ours and the parts valid key parts
    (no "#", not too long), so that nothing we might misread as an upload is deleted.
    """
    parsed = storage_keys.parse_key(key)
    if parsed is None or parsed[3] not in OBJECT_NAMES:
        return None
    sub, session_id, upload_id, _ = parsed
    try:
        storage_keys.upload_prefix(sub=sub, session_id=session_id, upload_id=upload_id)
    except InvalidKeyPart:
        return None
    return parsed


def _check_user(sub, objects, *, cutoff, report):
    """Sort one user's objects into attached, young and orphans, and report the user's
    sessions that name an object not among them."""
    uploads = current_uploads(sub=sub)
    for stored in objects:
        named = uploads.get(stored.session_id)
        if named is not None and named[1] == stored.upload_id:
            report.attached += 1
        elif stored.last_modified > cutoff:
            report.young += 1
        else:
            report.orphans.append(stored)

    listed = {stored.key for stored in objects}
    for session_id, (campaign_id, upload_id) in uploads.items():
        keys = _keys(sub=sub, session_id=session_id, upload_id=upload_id)
        if not all(key in listed for key in keys):
            report.missing += confirmed_missing(sub=sub, campaign_id=campaign_id, session_id=session_id)


def _check_sessions_without_objects(subs_with_objects, *, report, say):
    """Scan for the sessions with a transcript whose owner had no object at all: both of
    their objects are missing. (The other owners' sessions were checked with the listing.)
    An operations command may Scan; a request path never does."""
    with_transcript = (dynamodb.attribute("entity") == "PlaySession") & dynamodb.attribute(
        "transcript_upload_id"
    ).exists()
    for page in dynamodb.scan_pages(where=with_transcript, attributes=["PK", "SK", "transcript_upload_id"]):
        for item in page:
            sub = sub_of_user_pk(item["PK"])
            if sub not in subs_with_objects:
                campaign_id, session_id = _ids_of(item["SK"])
                report.missing += confirmed_missing(sub=sub, campaign_id=campaign_id, session_id=session_id)
        report.sessions_scanned += len(page)
        say(f"scanned {report.sessions_scanned:,} sessions with a transcript…")


def current_uploads(*, sub):
    """{session_id: (campaign_id, upload_id)} of the user's sessions that have a
    transcript, read now: one strongly consistent Query of the partition, paged."""
    uploads = {}
    for item in dynamodb.query(user_pk(sub), sk_prefix=SESSION_PREFIX, attributes=["SK", "transcript_upload_id"]):
        if "transcript_upload_id" in item:
            campaign_id, session_id = _ids_of(item["SK"])
            uploads[session_id] = (campaign_id, item["transcript_upload_id"])
    return uploads


def confirmed_missing(*, sub, campaign_id, session_id):
    """The session's missing objects as MissingObjects, checked again now.

    The listing and the reads of the table happen at different moments: a transcript
    attached or replaced in between would look like a missing object. Missing objects
    are rare, so each suspect costs a consistent GetItem and a HeadObject per object.
    """
    session = get_session(sub=sub, campaign_id=campaign_id, session_id=session_id)
    if session is None or not session.has_transcript:
        return []
    upload_id = session.transcript_upload_id
    keys = _keys(sub=sub, session_id=session_id, upload_id=upload_id)
    return [
        MissingObject(sub, campaign_id, session_id, upload_id, name)
        for name, key in zip(OBJECT_NAMES, keys, strict=False)
        if not _exists(key)
    ]


def _keys(*, sub, session_id, upload_id):
    """The upload's two keys, in the order of OBJECT_NAMES."""
    return (
        storage_keys.original_key(sub=sub, session_id=session_id, upload_id=upload_id),
        storage_keys.segments_key(sub=sub, session_id=session_id, upload_id=upload_id),
    )


def _exists(key):
    try:
        aws.client("s3").head_object(Bucket=settings.TRANSCRIPT_BUCKET, Key=key)
    except ClientError as error:
        if error.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True


def _ids_of(session_sk):
    """(campaign_id, session_id) of `SESSION#<campaign_id>#<session_id>`."""
    _, campaign_id, session_id = session_sk.split("#")
    return campaign_id, session_id


# --- phase 2: delete -----------------------------------------------------------------
def delete_orphans(*, orphans, progress=None):
    """Delete the orphans that are still orphans; returns a DeletionResult.

    Each user's sessions are read again (current_uploads) right before their orphans
    are deleted, so an upload attached since find_orphans is kept. The window left is
    that one Query and the DeleteObjects after it; and only objects older than the grace
    period get here, while an upload is attached minutes after it arrives.

    DeleteObjects reports per-object failures in its answer rather than raising; they
    are collected in `errors` (the objects stay, and a re-run tries them again).
    """
    say = progress or (lambda line: None)
    result = DeletionResult()
    s3 = aws.client("s3")
    for sub, users_orphans in groupby(sorted(orphans, key=attrgetter("key")), key=attrgetter("sub")):
        uploads = current_uploads(sub=sub)
        deletable = []
        for orphan in users_orphans:
            named = uploads.get(orphan.session_id)
            if named is not None and named[1] == orphan.upload_id:
                result.kept += 1
                say(f"kept {orphan.key}: its session names it now")
            else:
                deletable.append(orphan)
        for start in range(0, len(deletable), S3_BATCH_SIZE):
            batch = deletable[start : start + S3_BATCH_SIZE]
            answer = s3.delete_objects(
                Bucket=settings.TRANSCRIPT_BUCKET,
                Delete={"Objects": [{"Key": orphan.key} for orphan in batch], "Quiet": True},
            )
            failed = {error["Key"]: error["Code"] for error in answer.get("Errors", [])}
            result.errors += [f"{key}: {code}" for key, code in failed.items()]
            done = [orphan for orphan in batch if orphan.key not in failed]
            result.deleted += len(done)
            result.deleted_bytes += sum(orphan.size for orphan in done)
            say(f"deleted {result.deleted:,} orphans…")
    return result
