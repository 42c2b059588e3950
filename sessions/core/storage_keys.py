"""S3 object keys for transcripts.

Every object of a user lives under `transcripts/<sub>/`: the Lambda role may touch only
`transcripts/*` (deploy/iam-policy.json), and deleting an account removes the whole prefix.
"""

from campaigns_site.table_keys import InvalidKeyPart


def _part(name, value):
    value = str(value)
    # A "/" would reach into another prefix, just as "#" would in a table key.
    if not value or "/" in value or "#" in value or len(value) > 200:
        raise InvalidKeyPart(f"invalid {name} for an object key: {value!r}")
    return value


TRANSCRIPTS_PREFIX = "transcripts/"  # every user's objects (the Lambda role's `transcripts/*`)


def user_transcripts_prefix(*, sub):
    """The prefix of all the user's objects; it ends in "/", so user "a" never matches "ab"."""
    return f"{TRANSCRIPTS_PREFIX}{_part('sub', sub)}/"


def session_transcripts_prefix(*, sub, session_id):
    """The prefix of one session's objects: `transcripts/<sub>/<session_id>/`.

    No campaign id in it: a session moved to another campaign keeps its objects where
    they are, and its item keeps naming the right keys.
    """
    return f"{user_transcripts_prefix(sub=sub)}{_part('session id', session_id)}/"


def transcript_key(*, sub, session_id, name):
    """One object of the session, e.g. name="01J...-transcript.json" (an upload's own id)."""
    return f"{session_transcripts_prefix(sub=sub, session_id=session_id)}{_part('object name', name)}"


# One upload's objects share a prefix named by the upload's id (a ULID), so a replaced
# transcript's objects are told from the current ones, and an upload that never got
# attached (abandoned, refused) is found by `manage.py sweep_orphans`.
ORIGINAL_NAME = "original"  # the file exactly as uploaded
SEGMENTS_NAME = "segments.json"  # its normalized segments (sessions/transcripts/segments_json.py)


def upload_prefix(*, sub, session_id, upload_id):
    """`transcripts/<sub>/<session_id>/<upload_id>/`."""
    return f"{session_transcripts_prefix(sub=sub, session_id=session_id)}{_part('upload id', upload_id)}/"


def original_key(*, sub, session_id, upload_id):
    return f"{upload_prefix(sub=sub, session_id=session_id, upload_id=upload_id)}{ORIGINAL_NAME}"


def segments_key(*, sub, session_id, upload_id):
    return f"{upload_prefix(sub=sub, session_id=session_id, upload_id=upload_id)}{SEGMENTS_NAME}"


def parse_key(key):
    """(sub, session_id, upload_id, name) of a transcript object's key, or None for a key
    this scheme did not make (sweep_orphans reports those rather than guessing)."""
    parts = key.split("/")
    if len(parts) != 5 or parts[0] != "transcripts" or not all(parts[1:]):
        return None
    return parts[1], parts[2], parts[3], parts[4]
