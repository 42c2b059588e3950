"""Write one account (or one campaign of it) as an export zip (docs/export-format.md).

The zip is written entry by entry into any writable binary stream, seekable or not (a
file, an S3 multipart upload: exports/s3_object.py), from Query pages and streaming S3
GETs: what is held at a time is one page of items, one campaign's session headers and a
chunk of a transcript, never the account. The data files come first, then the
transcripts, then the Markdown vault, then manifest.json with the counts.
"""

import json
import zipfile
from collections import Counter

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
TRANSCRIPT_EXTENSIONS = {"text": "txt", "vtt": "vtt", "srt": "srt", "whisper_json": "json"}
MISSING_OBJECT_CODES = ("NoSuchKey", "404", "NotFound")


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
    export = _Export(sub=sub, campaigns=campaigns, progress=progress or (lambda step, done, total: None))
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        export.archive = archive
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
        archive.writestr(export_format.MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return dict(manifest["counts"])


class _Export:
    def __init__(self, *, sub, campaigns, progress):
        self.sub, self.campaigns, self.progress = sub, campaigns, progress
        self.archive = None
        self.counts = Counter()
        self.transcripts = []  # (session id, upload id, file name in the zip): small, one per session
        self.missing = []  # sessions whose transcript object was not found
        self.total_sessions = sum(int(campaign.session_count or 0) for campaign in campaigns)

    # --- data/*.jsonl ------------------------------------------------------------------------
    def write_data(self, *, with_token_hashes):
        self._lines(export_format.CAMPAIGNS, (export_format.campaign_record(c) for c in self.campaigns))
        self._lines(export_format.SESSIONS, self._session_records())
        self.total_sessions = self.counts[export_format.SESSIONS]
        names = self._speaker_names()
        self._lines(export_format.SPEAKER_NAMES, (export_format.speaker_names_record(n) for n in names.values()))
        self._lines(export_format.SUMMARIES, self._summary_records())
        campaign_id = self.campaigns[0].campaign_id if self._one_campaign else None
        links = account_items.iter_share_links(sub=self.sub, campaign_id=campaign_id)
        live_campaigns = {campaign.campaign_id for campaign in self.campaigns}
        self._lines(
            export_format.SHARE_LINKS,
            (
                export_format.share_link_record(pointer, link, with_token_hash=with_token_hashes)
                for pointer, link in links
                if pointer.campaign_id in live_campaigns
            ),
        )

    @property
    def _one_campaign(self):
        return len(self.campaigns) == 1

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
        campaign_id = self.campaigns[0].campaign_id if self._one_campaign else None
        names = account_items.speaker_names_by_campaign(sub=self.sub, campaign_id=campaign_id)
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
        with body, self.archive.open(path, "w", force_zip64=True) as entry:
            for chunk in body.iter_chunks(CHUNK_BYTES):
                entry.write(chunk)
        return True

    # --- markdown/ ------------------------------------------------------------------------------
    def write_vault(self, profile):
        paths = VaultPaths()
        done = 0
        for campaign in self.campaigns:
            cid = campaign.campaign_id
            campaign_record = export_format.campaign_record(campaign)
            names = self.speaker_names.get(cid)
            names_record = export_format.speaker_names_record(names) if names else None
            # One campaign's session headers (small items, no text beyond the notes): every
            # note's name is known before the first note links to the next one.
            sessions = [
                export_format.session_record(session, original_file_name=_name_if_any(session))
                for session in account_items.iter_sessions_in_play_order(sub=self.sub, campaign_id=cid)
            ]
            for session in sessions:
                paths.session_note(campaign_record, session)
            for index, session in enumerate(sessions):
                summaries = account_items.list_summaries_of_session(
                    sub=self.sub, campaign_id=cid, session_id=session["id"]
                )
                note = session_note(
                    session,
                    campaign=campaign_record,
                    summaries=[export_format.summary_record(summary) for summary in summaries],
                    speaker_names=names_record,
                    paths=paths,
                    previous=sessions[index - 1] if index > 0 else None,
                    following=sessions[index + 1] if index + 1 < len(sessions) else None,
                )
                self.archive.writestr(paths.session_note(campaign_record, session), note)
                done += 1
                self.progress("notes", done, self.total_sessions)
            story = account_items.get_story_so_far(sub=self.sub, campaign_id=cid)
            note = campaign_note(
                campaign_record,
                sessions=sessions,
                story=export_format.summary_record(story) if story else None,
                speaker_names=names_record,
                paths=paths,
            )
            self.archive.writestr(paths.campaign_note(campaign_record), note)
        records = [export_format.campaign_record(campaign) for campaign in self.campaigns]
        account = export_format.account_record(profile)
        self.archive.writestr(paths.index_note(), index_note(account, campaigns=records, paths=paths))


def transcript_file_name(session):
    """The original's name in the zip: the uploader's, made safe, with the format's extension
    when it had none ("transcript.vtt" when the browser gave no name)."""
    extension = TRANSCRIPT_EXTENSIONS.get(session.transcript_format, "txt")
    name = safe_file_name(session.transcript_filename or "", fallback=f"transcript.{extension}")
    return name if "." in name.strip(".") else f"{name}.{extension}"


def _name_if_any(session):
    return transcript_file_name(session) if session.transcript_upload_id else None
