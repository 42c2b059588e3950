"""Write one account (or one campaign of it) as an export zip (docs/export-format.md).

The zip is written entry by entry into any writable binary stream, seekable or not (a
file, an S3 multipart upload: exports/s3_object.py), from Query pages and streaming S3
GETs: what is held at a time is one page of items, one campaign's session headers and a
chunk of a transcript, never the account. The data files come first, then the
transcripts, then the Markdown vault, then manifest.json with the counts.
"""

import itertools
import json
import zipfile
from collections import Counter
from datetime import UTC
from pathlib import Path

from botocore.exceptions import ClientError
from django.conf import settings
from django.utils import timezone

from accounts.profiles import get_profile
from campaigns_site import aws
from exports import account_items
from exports import format as export_format
from exports.file_names import safe_file_name
from exports.markdown_vault import VaultPaths, campaign_note, index_note, session_note
from sessions.core import storage_keys

CHUNK_BYTES = 1024 * 1024  # a transcript is copied in pieces of this size
# Deflate's levels, measured on four-hour VTT files here: level 6 compresses to 12.8 % at
# 19 MB/s, level 1 to 15.8 % at 52 MB/s. The transcripts are nearly all of a zip's bytes
# and of its time (on Lambda at 1,024 MB, ~0.6 of a CPU), so they take level 1: a 500-
# session export is ~20 % larger and finishes in about half the time. The data and the
# notes are small and take the default.
TEXT_LEVEL, TRANSCRIPT_LEVEL = 6, 1
TRANSCRIPT_EXTENSIONS = {"text": "txt", "vtt": "vtt", "srt": "srt", "whisper_json": "json"}
MISSING_OBJECT_CODES = ("NoSuchKey", "404", "NotFound")
README = Path(__file__).resolve().parent / "zip_readme.md"


class NothingToExport(Exception):
    """The account, or the campaign asked for, is not there (or is being deleted)."""


def write_export(stream, *, sub, campaign_id=None, with_token_hashes=False, progress=None):
    """Write the export zip of `sub` (only `campaign_id` when given) into `stream`; returns
    the manifest's counts. `with_token_hashes`: share links carry the hash they are found
    by (an operator's export, moving a deployment). `progress(step, done, total)`: called
    as sessions are written (step "data", "transcripts" or "notes")."""
    profile = get_profile(sub=sub)
    campaigns = account_items.list_campaigns_to_export(sub=sub, campaign_id=campaign_id)
    if profile is None or (campaign_id is not None and not campaigns):
        raise NothingToExport(campaign_id or sub)
    export = _Export(
        sub=sub, campaign_id=campaign_id, campaigns=campaigns, progress=progress or (lambda step, done, total: None)
    )
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        export.archive = _Archive(archive, moment=timezone.now())
        export.archive.writestr(export_format.README, readme_text())
        export.write_data(with_token_hashes=with_token_hashes)
        export.write_transcripts()
        export.write_vault(profile)
        manifest = export_format.manifest(
            scope=export_format.SCOPE_CAMPAIGN if campaign_id else export_format.SCOPE_ACCOUNT,
            campaign_id=campaign_id,
            account=export_format.account_record(profile),
            counts=export.counts,
            exported=timezone.now(),
            token_hashes=with_token_hashes,
            missing_transcripts=export.missing,
        )
        export.archive.writestr(export_format.MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return dict(manifest["counts"])


class _Archive:
    """The zip being written: every entry dated when the export began (zipfile's default for
    an entry opened by name is 1980-01-01, which is what an unzipped file would show) and
    readable by everyone who can read the folder it is unzipped into."""

    def __init__(self, archive, *, moment):
        self.archive = archive
        self.date_time = moment.astimezone(UTC).timetuple()[:6]

    def _info(self, name, level=TEXT_LEVEL):
        info = zipfile.ZipInfo(name, date_time=self.date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.compress_level = level
        info.external_attr = 0o644 << 16
        return info

    def open(self, name, mode, *, level=TEXT_LEVEL, **options):
        return self.archive.open(self._info(name, level), mode, **options)

    def writestr(self, name, data):
        self.archive.writestr(self._info(name), data)


def readme_text():
    """README.md at the zip's root: what the folders are, how to open them."""
    return README.read_text(encoding="utf-8")


class _Export:
    def __init__(self, *, sub, campaign_id, campaigns, progress):
        self.sub, self.campaigns, self.progress = sub, campaigns, progress
        self.campaign_id = campaign_id  # the one asked for, or None: the whole account
        self.archive = None
        self.counts = Counter()
        self.transcripts = []  # (session id, upload id, file name in the zip): small, one per session
        self.missing = []  # sessions whose transcript object was not found
        self.notes_done = 0
        self.total_sessions = sum(int(campaign.session_count or 0) for campaign in campaigns)

    # --- data/*.jsonl ------------------------------------------------------------------------
    def write_data(self, *, with_token_hashes):
        self._lines(export_format.CAMPAIGNS, (export_format.campaign_record(c) for c in self.campaigns))
        self._lines(export_format.SESSIONS, self._session_records())
        self.total_sessions = self.counts[export_format.SESSIONS]
        names = self._speaker_names()
        self._lines(export_format.SPEAKER_NAMES, (export_format.speaker_names_record(n) for n in names.values()))
        self._lines(export_format.SUMMARIES, self._summary_records())
        links = account_items.iter_share_links(sub=self.sub, campaign_id=self.campaign_id)
        live_campaigns = {campaign.campaign_id for campaign in self.campaigns}
        self._lines(
            export_format.SHARE_LINKS,
            (
                export_format.share_link_record(pointer, link, with_token_hash=with_token_hashes)
                for pointer, link in links
                if pointer.campaign_id in live_campaigns
            ),
        )

    def _lines(self, kind, records):
        with self.archive.open(export_format.data_path(kind), "w") as entry:
            for record in records:
                entry.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
                self.counts[kind] += 1

    def _session_records(self):
        done = 0
        for campaign in self.campaigns:
            for session in account_items.iter_sessions_in_play_order(sub=self.sub, campaign_id=campaign.campaign_id):
                file_name = None
                if session.transcript_upload_id:
                    file_name = transcript_file_name(session)
                    self.transcripts.append((session.session_id, session.transcript_upload_id, file_name))
                yield export_format.session_record(session, original_file_name=file_name)
                done += 1
                self.progress("data", done, max(done, self.total_sessions))

    def _speaker_names(self):
        names = account_items.speaker_names_by_campaign(sub=self.sub, campaign_id=self.campaign_id)
        self.speaker_names = {cid: names[cid] for cid in (c.campaign_id for c in self.campaigns) if cid in names}
        return self.speaker_names

    def _summary_records(self):
        for campaign in self.campaigns:
            for summary in account_items.iter_summaries_of_campaign(sub=self.sub, campaign_id=campaign.campaign_id):
                yield export_format.summary_record(summary)

    # --- transcripts/ ---------------------------------------------------------------------------
    def write_transcripts(self):
        s3 = aws.client("s3")
        for done, (session_id, upload_id, file_name) in enumerate(self.transcripts, start=1):
            keys = {
                export_format.original_path(session_id=session_id, file_name=file_name): storage_keys.original_key(
                    sub=self.sub, session_id=session_id, upload_id=upload_id
                ),
                export_format.normalized_path(session_id=session_id): storage_keys.segments_key(
                    sub=self.sub, session_id=session_id, upload_id=upload_id
                ),
            }
            if all(self._copy_object(s3, key, path) for path, key in keys.items()):
                self.counts["transcripts"] += 1
            else:
                self.missing.append(session_id)
            self.progress("transcripts", done, len(self.transcripts))

    def _copy_object(self, s3, key, path):
        """Copy one object into the zip, a chunk at a time; False when it is not there."""
        try:
            body = s3.get_object(Bucket=settings.TRANSCRIPT_BUCKET, Key=key)["Body"]
        except ClientError as error:
            if error.response["Error"]["Code"] in MISSING_OBJECT_CODES:
                return False
            raise
        with body, self.archive.open(path, "w", level=TRANSCRIPT_LEVEL, force_zip64=True) as entry:
            for chunk in body.iter_chunks(CHUNK_BYTES):
                entry.write(chunk)
        return True

    # --- markdown/ ------------------------------------------------------------------------------
    def write_vault(self, profile):
        paths = VaultPaths()
        for campaign in self.campaigns:
            self._campaign_notes(campaign, paths)
        records = [export_format.campaign_record(campaign) for campaign in self.campaigns]
        account = export_format.account_record(profile)
        self.archive.writestr(paths.index_note(), index_note(account, campaigns=records, paths=paths))

    def _campaign_notes(self, campaign, paths):
        """The campaign's session notes, then its own note. Its session headers (small items)
        are read first, in play order, so that every note's name is known before a note
        links to it; the summaries then come in one paged Query of the campaign, in key
        order (by session id), and the notes are written in that order too: a merge of two
        sorted streams, one session's summaries in memory at a time, no Query per session."""
        cid = campaign.campaign_id
        campaign_record = export_format.campaign_record(campaign)
        names = self.speaker_names.get(cid)
        names_record = export_format.speaker_names_record(names) if names else None
        in_play_order = [
            export_format.session_record(session, original_file_name=_name_if_any(session))
            for session in account_items.iter_sessions_in_play_order(sub=self.sub, campaign_id=cid)
        ]
        neighbours = {}
        for index, session in enumerate(in_play_order):
            paths.session_note(campaign_record, session)
            before = in_play_order[index - 1] if index > 0 else None
            after = in_play_order[index + 1] if index + 1 < len(in_play_order) else None
            neighbours[session["id"]] = (before, after)
        story = None
        summaries = _grouped_by_session(account_items.iter_summaries_of_campaign(sub=self.sub, campaign_id=cid))
        pending = next(summaries, None)
        for session in sorted(in_play_order, key=lambda record: record["id"]):
            of_session = []
            while pending is not None and (pending[0] is None or pending[0] <= session["id"]):
                session_id, group = pending
                if session_id is None:
                    story = group[0]
                elif session_id == session["id"]:
                    of_session = group
                pending = next(summaries, None)
            before, after = neighbours[session["id"]]
            note = session_note(
                session,
                campaign=campaign_record,
                summaries=[export_format.summary_record(summary) for summary in of_session],
                speaker_names=names_record,
                paths=paths,
                previous=before,
                following=after,
                transcript_in_zip=session["id"] not in self.missing,
            )
            self.archive.writestr(paths.session_note(campaign_record, session), note)
            self.notes_done += 1
            self.progress("notes", self.notes_done, self.total_sessions)
        rest = itertools.chain([pending] if pending is not None else [], summaries)
        story = next((group[0] for session_id, group in rest if session_id is None), story)
        note = campaign_note(
            campaign_record,
            sessions=in_play_order,
            story=export_format.summary_record(story) if story else None,
            speaker_names=names_record,
            paths=paths,
        )
        self.archive.writestr(paths.campaign_note(campaign_record), note)


def _grouped_by_session(summaries):
    """(session id or None for the story, [its summaries]) from summaries in key order."""
    for session_id, group in itertools.groupby(summaries, key=lambda summary: summary.session_id):
        yield session_id, list(group)


def transcript_file_name(session):
    """The original's name in the zip: the uploader's, made safe, with the format's extension
    when it had none ("transcript.vtt" when the browser gave no name)."""
    extension = TRANSCRIPT_EXTENSIONS.get(session.transcript_format, "txt")
    name = (session.transcript_filename or "").strip()
    if name and "." not in name.strip("."):
        name = f"{name}.{extension}"
    return safe_file_name(name, fallback=f"transcript.{extension}")


def _name_if_any(session):
    return transcript_file_name(session) if session.transcript_upload_id else None
