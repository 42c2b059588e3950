"""What the schema cannot say about an export: that its ids tie up (every session's campaign,
every summary's and link's session are in the zip, no id twice), that each transcript is in
the zip with the bytes its line promises and that the app's parser reads it, and that the
speaker names fit a campaign's caps. Read-only: run on every zip before anything is written.
"""

import hashlib
import zipfile
from collections import Counter

from django.conf import settings

from exports import format as export_format
from sessions.core.kinds import STORY_SO_FAR
from sessions.summaries.items import is_storable_kind
from sessions.transcripts.items import SpeakerNamesFull, merged_names
from sessions.transcripts.parsing import TranscriptError, parse_transcript_bytes

C, S = export_format.CAMPAIGNS, export_format.SESSIONS


def check_export(archive, contents, *, on_session=None, attached=None):
    """Add to `contents` (reader.ExportContents) every problem of its ids and transcripts.
    `on_session()` is called after each session is checked (progress). `attached`: {session
    id: upload id} of the transcripts the target account holds already: those are found,
    not written, so they are not parsed again (a re-run checks in seconds, not minutes)."""
    if contents.manifest is None:
        return
    campaigns = _unique(contents, C, key=lambda record: record["id"], owner=lambda record: (record["id"], None))
    sessions = _unique(contents, S, key=lambda record: record["id"], owner=lambda record: (None, record["id"]))
    _check_scope(contents)
    _check_sessions(contents, campaigns)
    _check_speaker_names(contents, campaigns)
    _check_summaries(contents, campaigns, sessions)
    _check_share_links(contents, sessions)
    missing = set(contents.manifest.get("missing_transcripts", ()))
    attached = attached or {}
    for session in contents.records(S):
        transcript = session["transcript"]
        if transcript and session["id"] not in missing and attached.get(session["id"]) != transcript["upload_id"]:
            _check_transcript(archive, contents, session)
        if on_session:
            on_session()


def _unique(contents, kind, *, key, owner):
    """{key: record} of a file's lines; a key on two lines is a problem of its owner."""
    seen, found = {}, {}
    for number, record in contents.lines[kind]:
        value = key(record)
        if value in seen:
            campaign_id, session_id = owner(record)
            contents.problem(
                f"{export_format.data_path(kind)} line {number}",
                f"{_name(value)} is on line {seen[value]} too",
                campaign_id=campaign_id,
                session_id=session_id,
            )
            continue
        seen[value], found[value] = number, record
    return found


def _name(value):
    return " / ".join(str(part) for part in value) if isinstance(value, tuple) else f"id {value}"


def _check_scope(contents):
    """A campaign's export holds that campaign only."""
    if contents.manifest["scope"] != export_format.SCOPE_CAMPAIGN:
        return
    for number, record in contents.lines[C]:
        if record["id"] != contents.manifest["campaign_id"]:
            contents.problem(
                f"{export_format.data_path(C)} line {number}",
                f"campaign {record['id']} in the export of campaign {contents.manifest['campaign_id']}",
                campaign_id=record["id"],
            )


def _check_sessions(contents, campaigns):
    path = export_format.data_path(S)
    for number, record in contents.lines[S]:
        where, session_id = f"{path} line {number}", record["id"]
        if record["campaign_id"] not in campaigns:
            contents.problem(where, f"its campaign {record['campaign_id']} is not in the zip", session_id=session_id)
        transcript = record["transcript"]
        if transcript is None:
            continue
        prefix = f"{export_format.TRANSCRIPTS_DIR}{session_id}/original/"
        if not transcript["original"].startswith(prefix) or len(transcript["original"]) == len(prefix):
            contents.problem(where, f"its transcript is not under {prefix}", session_id=session_id)


def _check_speaker_names(contents, campaigns):
    path = export_format.data_path(export_format.SPEAKER_NAMES)
    counts = Counter(record["campaign_id"] for record in contents.records(export_format.SPEAKER_NAMES))
    for number, record in contents.lines[export_format.SPEAKER_NAMES]:
        where, campaign_id = f"{path} line {number}", record["campaign_id"]
        if campaign_id not in campaigns:
            contents.problem(where, f"names of campaign {campaign_id}, not in the zip", campaign_id=campaign_id)
        elif counts[campaign_id] > 1:
            contents.problem(where, f"campaign {campaign_id} has {counts[campaign_id]} lines", campaign_id=campaign_id)
        try:
            merged_names({}, record["names"])
        except (SpeakerNamesFull, ValueError) as error:
            contents.problem(where, f"names this app cannot keep ({error})", campaign_id=campaign_id)


def _check_summaries(contents, campaigns, sessions):
    path = export_format.data_path(export_format.SUMMARIES)
    seen = {}
    for number, record in contents.lines[export_format.SUMMARIES]:
        where = f"{path} line {number}"
        campaign_id, session_id, kind = record["campaign_id"], record["session_id"], record["kind"]
        key = (campaign_id, session_id, kind)
        owner = {"campaign_id": campaign_id, "session_id": session_id}
        if key in seen:
            contents.problem(where, f"a second {kind} (line {seen[key]} has one)", **owner)
        seen.setdefault(key, number)
        if session_id is None:
            if campaign_id not in campaigns:
                contents.problem(where, f"the story of campaign {campaign_id}, not in the zip", **owner)
            continue
        session = sessions.get(session_id)
        if session is None:
            contents.problem(where, f"a summary of session {session_id}, which is not in the zip", **owner)
        elif session["campaign_id"] != campaign_id:
            contents.problem(where, f"its campaign is not its session's ({session['campaign_id']})", **owner)
        if kind == STORY_SO_FAR or not is_storable_kind(kind):
            contents.problem(where, f"a session's summary cannot be of kind {kind!r}", **owner)


def _check_share_links(contents, sessions):
    path = export_format.data_path(export_format.SHARE_LINKS)
    ids, hashes = {}, {}
    for number, record in contents.lines[export_format.SHARE_LINKS]:
        where, session_id = f"{path} line {number}", record["session_id"]
        owner = {"campaign_id": record["campaign_id"], "session_id": session_id}
        session = sessions.get(session_id)
        if session is None:
            contents.problem(where, f"a link to session {session_id}, which is not in the zip", **owner)
        elif session["campaign_id"] != record["campaign_id"]:
            contents.problem(where, f"its campaign is not its session's ({session['campaign_id']})", **owner)
        for value, first in ((record["id"], ids), (record.get("token_hash"), hashes)):
            if value is not None and value in first:
                contents.problem(where, f"the same link as line {first[value]}", **owner)
            if value is not None:
                first.setdefault(value, number)


def _check_transcript(archive, contents, session):
    """The original is in the zip, has the sha256 its line says, and parses as the app would."""
    transcript, session_id = session["transcript"], session["id"]
    where = transcript["original"]
    try:
        data = archive.read(where)
    except KeyError:
        contents.problem(where, f"session {session_id}'s transcript is missing from the zip", session_id=session_id)
        return
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        contents.problem(where, f"cannot be read ({error})", session_id=session_id)
        return
    if hashlib.sha256(data).hexdigest() != transcript["sha256"]:
        contents.problem(where, "its sha256 is not the one data/sessions.jsonl gives", session_id=session_id)
        return
    try:
        parse_transcript_bytes(
            data,
            format=transcript["format"],
            filename=transcript["filename"] or None,
            max_bytes=max(settings.TRANSCRIPT_MAX_BYTES, len(data)),
        )
    except TranscriptError as error:
        contents.problem(where, f"does not parse as {transcript['format']}: {error}", session_id=session_id)
