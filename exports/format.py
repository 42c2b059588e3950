"""The export format, version 1: what a line of `data/<kind>.jsonl` holds, and where each
file sits in the zip. docs/export-format.md says it in words and exports/schema/
export-v1.json as a JSON Schema (tests validate every line written against it).

A zip holds one account, or one campaign of it. Ids (campaigns, sessions, uploads) are
kept as they are; the owner's Cognito `sub` is never written: an import maps the account
to a user of the target deployment. Counters the app derives (a campaign's session count
and transcript bytes, usage) and working state (summary jobs, web sessions, search
items, the v1.0 old password) are left out: an import makes them again.

Each `*_record` takes an item as the repositories return it and gives a plain dict whose
values JSON can carry: times as UTC ISO 8601 with microseconds and "Z", dates as
"YYYY-MM-DD", money as a decimal string.
"""

import hashlib
from datetime import UTC, datetime

from campaigns_site.table_keys import SORTABLE_TIME_FORMAT, sortable_time

FORMAT = "campaign-sessions-export"
VERSION = 1
SUPPORTED_VERSIONS = (1,)

MANIFEST = "manifest.json"
README = "README.md"  # for people: what is in the zip and how to open it (never read back)
DATA_DIR = "data/"
TRANSCRIPTS_DIR = "transcripts/"
MARKDOWN_DIR = "markdown/"

# The data files, in the order they are written and read back (each line of a later file
# may name an id of an earlier one).
CAMPAIGNS = "campaigns"
SESSIONS = "sessions"
SPEAKER_NAMES = "speaker_names"
SUMMARIES = "summaries"
SHARE_LINKS = "share_links"
KINDS = (CAMPAIGNS, SESSIONS, SPEAKER_NAMES, SUMMARIES, SHARE_LINKS)

SCOPE_ACCOUNT = "account"
SCOPE_CAMPAIGN = "campaign"


def data_path(kind):
    return f"{DATA_DIR}{kind}.jsonl"


def original_path(*, session_id, file_name):
    """The file as uploaded; `file_name` is already safe (exports.file_names)."""
    return f"{TRANSCRIPTS_DIR}{session_id}/original/{file_name}"


def normalized_path(*, session_id):
    """Its normalized segments, as the app stores them (sessions/transcripts/segments_json.py)."""
    return f"{TRANSCRIPTS_DIR}{session_id}/normalized.json"


# --- values ----------------------------------------------------------------------------------
def moment(value):
    """A datetime as "2024-05-31T18:04:05.000123Z", the table's own sortable form (None stays None)."""
    return None if value is None else sortable_time(value)


def parse_moment(text):
    """The datetime a `moment` string names (None stays None); ValueError otherwise."""
    if text is None:
        return None
    return datetime.strptime(text, SORTABLE_TIME_FORMAT).replace(tzinfo=UTC)


def _number(value):
    """A DynamoDB number (Decimal, or int) as an int; None stays None."""
    return None if value is None else int(value)


# --- records ---------------------------------------------------------------------------------
def account_record(profile):
    """The manifest's `account`: who the data belonged to, and their settings."""
    preferences = profile.preferences.as_dict() if hasattr(profile.preferences, "as_dict") else profile.preferences
    return {
        "email": profile.email,
        "display_name": profile.display_name or "",
        "created": moment(profile.created),
        "preferences": {name: preferences[name] for name in ("theme", "time_zone") if preferences.get(name)},
    }


def campaign_record(campaign):
    return {
        "id": campaign.campaign_id,
        "name": campaign.name,
        "description": campaign.description or "",
        "game_system": campaign.game_system or "",
        "archived": bool(campaign.archived),
        "created": moment(campaign.created),
        "updated": moment(campaign.updated),
        "last_activity": moment(campaign.last_activity),
    }


def session_record(session, *, original_file_name=None):
    """A play session; `original_file_name`: the transcript's safe name in the zip (needed
    when the session has one)."""
    return {
        "id": session.session_id,
        "campaign_id": session.campaign_id,
        "title": session.title,
        "number": _number(session.number),
        "played_on": session.played_on,
        "notes": session.notes or "",
        "created": moment(session.created),
        "updated": moment(session.updated),
        "transcript": transcript_record(session, original_file_name) if session.transcript_upload_id else None,
    }


def transcript_record(session, original_file_name):
    if not original_file_name:
        raise ValueError("a session with a transcript needs its file's name in the zip")
    return {
        "original": original_path(session_id=session.session_id, file_name=original_file_name),
        "normalized": normalized_path(session_id=session.session_id),
        "upload_id": session.transcript_upload_id,
        "filename": session.transcript_filename or "",
        "format": session.transcript_format,
        "encoding": session.transcript_encoding,
        "sha256": session.transcript_sha256,
        "bytes": _number(session.transcript_bytes) or 0,
        "segment_count": _number(session.transcript_segment_count),
        "duration": _number(session.transcript_duration),
        "speaker_count": _number(session.transcript_speaker_count),
        "speakers": list(session.transcript_speakers or []),
        "uploaded": moment(session.transcript_uploaded),
    }


def speaker_names_record(speaker_names):
    return {"campaign_id": speaker_names.campaign_id, "names": speaker_names.as_dict()}


def summary_record(summary):
    """A session's summary of one kind, or the campaign's story so far (`session_id` None)."""
    return {
        "campaign_id": summary.campaign_id,
        "session_id": summary.session_id,
        "kind": summary.kind,
        "length": summary.length or "",
        "text": summary.text or "",
        "text_format": summary.text_format,
        "provider": summary.provider or "",
        "model": summary.model or "",
        "input_tokens": _number(summary.input_tokens) or 0,
        "output_tokens": _number(summary.output_tokens) or 0,
        "tokens_estimated": bool(summary.tokens_estimated),
        "estimated_cost_usd": summary.estimated_cost_text or "0",
        "created": moment(summary.created),
        "updated": moment(summary.updated),
        "edited": bool(summary.edited),
        "source_sha256": summary.source_sha256,
        "source_count": _number(summary.source_count),
        "fallback_reason": summary.fallback_reason,
        "speaker_names_sha": summary.speaker_names_sha,
    }


def share_link_record(pointer, link=None, *, with_token_hash=False):
    """A share link, from the owner's pointer and (when still there) the link's views. Never
    its token: the app never kept it. `id` names the link in the export without being the
    hash the table looks it up by; the hash itself only in an operator's export
    (`with_token_hash`), which moves a deployment and keeps its links working."""
    record = {
        "id": link_id(pointer.token_hash),
        "campaign_id": pointer.campaign_id,
        "session_id": pointer.session_id,
        "scope": pointer.scope,
        "label": pointer.label or "",
        "characters_only": bool(pointer.characters_only),
        "created": moment(pointer.created),
        "expires": moment(pointer.expires),
        "view_limit": _number(pointer.view_limit),
        "views": _number(link.views) if link is not None else 0,
        "last_viewed": moment(link.last_viewed) if link is not None else None,
    }
    if with_token_hash:
        record["token_hash"] = pointer.token_hash
    return record


def link_id(token_hash):
    """A share link's name in an export: 20 hex characters of sha256 over its token's hash."""
    return hashlib.sha256(f"share-link:{token_hash}".encode()).hexdigest()[:20]


def manifest(*, scope, account, counts, exported, campaign_id=None, token_hashes=False, missing_transcripts=()):
    """manifest.json: written last, once the counts are known."""
    document = {
        "format": FORMAT,
        "version": VERSION,
        "exported": moment(exported),
        "scope": scope,
        "account": account,
        "counts": {kind: counts.get(kind, 0) for kind in (*KINDS, "transcripts")},
        "share_link_hashes": bool(token_hashes),
    }
    if campaign_id is not None:
        document["campaign_id"] = campaign_id
    if missing_transcripts:
        document["missing_transcripts"] = sorted(missing_transcripts)
    return document
