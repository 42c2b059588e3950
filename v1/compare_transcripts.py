"""One session's transcript: v1.0's bytes against the original stored here.

Compared by SHA-256 of the bytes, which is exact: import_v1 stores v1.0's bytes as they
are (inline text as UTF-8, `transcript_raw` untouched, a bucket object copied), and the
decoded text is a function of those bytes alone (sessions/transcripts/text.py), so equal
bytes are equal text. It is also the cheap way: one streaming read of each side, no
decoding of a several-MB text. Three checks, three kinds of line:

- v1.0's bytes against the session item's `transcript_sha256` (written at import from
  the bytes the pipeline parsed): v1.0 changed since, or the import took other bytes;
- the stored original object against that same `transcript_sha256`: the object here was
  changed or lost since (the item alone could not tell);
- the normalized segments object exists (a HEAD: re-parsing every transcript would cost
  as much as the import itself).

A session with a transcript in v1.0 and none here is left out on purpose when the rule
the importer applied says so, decided again from v1.0's data rather than read from the
import's last report: the report is written only by a completed whole pass (not by a
--user run or a killed one), and an object restored since, or a row edited, must show as
missing here. The rules: v1.0's object is not there (transcript_object_missing), or the
bytes do not parse (transcript_unparseable), with the name the importer uploads them
under (mapping.transcript_filename_for; the upload path only strips control characters
from it, which cannot change its extension's meaning for the parser). Should the two
parses ever disagree, the line is a difference (missing), never a silent pass.
"""

import hashlib

from botocore.exceptions import ClientError
from django.conf import settings

from campaigns_site import aws
from sessions.core import storage_keys
from sessions.transcripts.parsing import TranscriptError, parse_transcript_bytes
from v1 import mapping
from v1 import report as lines
from v1.differences import EXTRA, MISSING, OBJECT_MISSING, TRANSCRIPT

MISSING_CODES = ("NoSuchKey", "404", "NotFound")
CHUNK_BYTES = 1024 * 1024


def _short(digest):
    return f"{digest[:12]}…" if digest else "none"


class TranscriptCheck:
    def __init__(self, *, sub, source, v1_bucket, result):
        self.sub, self.source, self.v1_bucket, self.result = sub, source, v1_bucket, result
        self.s3 = aws.client("s3")

    def compare(self, session, item, *, here):
        """`session`: the live V1Session; `item`: its PlaySession item, as a plain dict."""
        has_source = bool(session.transcript_key or session.has_text or session.has_raw)
        upload_id = item.get("transcript_upload_id")
        if not has_source:
            if upload_id:
                self.result.differ(EXTRA, "game_sessions", session.id, here, "a transcript here, none in v1.0")
            return
        self.result.compared["transcripts"] += 1
        if not upload_id:
            self._none_here(session, here)
            return
        recorded = item.get("transcript_sha256")
        v1_digest = self._v1_digest(session)
        if v1_digest is None:
            what = f"v1.0's object {session.transcript_key} is gone; this app has what was imported from it"
            self.result.differ(TRANSCRIPT, "game_sessions", session.id, here, what)
        elif v1_digest != recorded:
            what = f"bytes differ: v1.0 sha256 {_short(v1_digest)}, imported sha256 {_short(recorded)}"
            self.result.differ(TRANSCRIPT, "game_sessions", session.id, here, what)
        keys = {"sub": self.sub, "session_id": item["SK"].split("#")[2], "upload_id": upload_id}
        original = storage_keys.original_key(**keys)
        stored_digest = self._digest_of_object(settings.TRANSCRIPT_BUCKET, original)
        if stored_digest is None:
            self.result.differ(OBJECT_MISSING, "game_sessions", session.id, here, f"original object {original}")
        elif stored_digest != recorded:
            what = f"stored original's bytes changed: sha256 {_short(stored_digest)}, the item says {_short(recorded)}"
            self.result.differ(TRANSCRIPT, "game_sessions", session.id, here, what)
        segments = storage_keys.segments_key(**keys)
        if not self._exists(settings.TRANSCRIPT_BUCKET, segments):
            self.result.differ(OBJECT_MISSING, "game_sessions", session.id, here, f"segments object {segments}")

    def _none_here(self, session, here):
        """No transcript here: on purpose by the importer's rules, or a difference."""
        data = self._v1_bytes(session)
        if data is None:
            self.result.on_purpose.note("game_sessions", session.id, lines.MISSING_OBJECT, session.transcript_key)
            return
        try:
            parse_transcript_bytes(
                data,
                filename=mapping.transcript_filename_for(session),
                max_bytes=max(settings.TRANSCRIPT_MAX_BYTES, len(data)),  # as import_transcript allows
            )
        except TranscriptError as error:
            self.result.on_purpose.note("game_sessions", session.id, lines.UNPARSEABLE, str(error))
            return
        what = f"transcript: v1.0 has one that parses ({len(data):,} bytes), this app has none"
        self.result.differ(MISSING, "game_sessions", session.id, here, what)

    def _v1_bytes(self, session):
        """v1.0's transcript bytes as import_v1 uploads them; None when its object is missing."""
        if session.transcript_key:
            try:
                found = self.s3.get_object(Bucket=self.v1_bucket, Key=session.transcript_key)
            except ClientError as error:
                if error.response["Error"]["Code"] in MISSING_CODES:
                    return None
                raise
            return found["Body"].read()
        text, raw = self.source.transcript_body(session.id)
        return text.encode("utf-8") if text is not None else raw

    def _v1_digest(self, session):
        if session.transcript_key:
            return self._digest_of_object(self.v1_bucket, session.transcript_key)
        text, raw = self.source.transcript_body(session.id)
        return hashlib.sha256(text.encode("utf-8") if text is not None else raw).hexdigest()

    def _digest_of_object(self, bucket, key):
        """SHA-256 of an object's bytes, read a MB at a time; None when it is missing."""
        try:
            found = self.s3.get_object(Bucket=bucket, Key=key)
        except ClientError as error:
            if error.response["Error"]["Code"] in MISSING_CODES:
                return None
            raise
        digest = hashlib.sha256()
        for chunk in found["Body"].iter_chunks(CHUNK_BYTES):
            digest.update(chunk)
        return digest.hexdigest()

    def _exists(self, bucket, key):
        try:
            self.s3.head_object(Bucket=bucket, Key=key)
        except ClientError as error:
            if error.response["Error"]["Code"] in MISSING_CODES:
                return False
            raise
        return True
