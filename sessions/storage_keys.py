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


def user_transcripts_prefix(*, sub):
    """The prefix of all the user's objects; it ends in "/", so user "a" never matches "ab"."""
    return f"transcripts/{_part('sub', sub)}/"


def session_transcripts_prefix(*, sub, session_id):
    """The prefix of one session's objects: `transcripts/<sub>/<session_id>/`.

    No campaign id in it: a session moved to another campaign keeps its objects where
    they are, and its item keeps naming the right keys.
    """
    return f"{user_transcripts_prefix(sub=sub)}{_part('session id', session_id)}/"


def transcript_key(*, sub, session_id, name):
    """One object of the session, e.g. name="01J...-transcript.json" (an upload's own id)."""
    return f"{session_transcripts_prefix(sub=sub, session_id=session_id)}{_part('object name', name)}"
