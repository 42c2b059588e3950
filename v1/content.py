"""One account's campaigns, sessions, transcripts, summaries and share links, written
through the app's own repositories and transcript pipeline, so an imported session is one
like any other (search item, counters, play order, speaker labels, reader, summaries).

Idempotent by construction: every id is derived from its v1.0 row (v1/mapping.py), one
Query of the user's partition says what is there already, and only what is missing is
written. A re-run writes nothing; a run killed half-way through an account writes the rest.
"""

from botocore.exceptions import ClientError
from django.utils import timezone

from campaigns.items import Campaign
from campaigns.repository import create_campaign, set_campaign_activity
from campaigns_site import aws
from campaigns_site.dynamodb import query_pages
from campaigns_site.table_keys import campaign_sk, session_sk, share_pointer_sk, summary_sk, user_pk
from sessions.core.repository import create_session, get_session
from sessions.sharing.items import hash_token, is_well_formed
from sessions.sharing.repository import create_share_link
from sessions.summaries.imported import imported_summary, save_imported_summaries, save_imported_summary
from sessions.transcripts.parsing import TranscriptError
from sessions.transcripts.services import import_transcript
from v1 import mapping
from v1 import report as lines

V1_LINK_LABEL = "v1.0 link"  # what the owner sees beside an imported link on the session page
V1_LINK_SCOPE = "summaries"  # v1.0's share page showed the recap and the other summaries
DRY_RUN_SUB = "dry-run"  # the owner of the items a dry run builds and never writes


class AccountContent:
    """Import `rows` (source.V1Rows) into the partition of `sub` (None: a dry run for an
    account with no user yet, where everything counts as missing)."""

    def __init__(self, rows, *, sub, source, v1_bucket, report, dry_run):
        self.rows, self.sub, self.source, self.v1_bucket = rows, sub, source, v1_bucket
        self.report, self.dry_run = report, dry_run
        self.zone, zone_note = mapping.time_zone_for(rows.user.time_zone)
        if zone_note:
            report.note("user_settings", rows.user.id, lines.UNKNOWN_TIME_ZONE, zone_note)
        self.existing = self._existing_items()

    def _existing_items(self):
        """{SK: the item's attributes the import looks at} of every item in the user's partition."""
        if self.sub is None:
            return {}
        existing = {}
        for page in query_pages(user_pk(self.sub), attributes=["SK", "transcript_upload_id", "last_activity"]):
            existing.update((item["SK"], item) for item in page)
        return existing

    def run(self):
        sessions_of = {}
        for session in self.rows.sessions:
            sessions_of.setdefault(session.campaign_id, []).append(session)
        summaries_of = {}
        for summary in self.rows.summaries:
            summaries_of.setdefault(summary.session_id, []).append(summary)
        for campaign in self.rows.campaigns:
            sessions = sessions_of.get(campaign.id, [])
            if campaign.deleted_at is not None:
                self.report.skip(
                    "campaigns", campaign.id, lines.SOFT_DELETED, f"deleted {campaign.deleted_at:%Y-%m-%d}"
                )
                for session in sessions:
                    self._skip_session(session, lines.IN_DELETED_CAMPAIGN, summaries_of)
                continue
            self._campaign(campaign, sessions, summaries_of)

    def _skip_session(self, session, reason, summaries_of):
        self.report.skip("game_sessions", session.id, reason)
        for summary in summaries_of.get(session.id, []):
            self.report.skip("summaries", summary.id, lines.OF_SKIPPED_SESSION, f"of game_session {session.id}")

    def _campaign(self, campaign, sessions, summaries_of):
        campaign_id = mapping.campaign_id_for(campaign)
        live = [session for session in sessions if session.deleted_at is None]
        wrote_before = sum(self.report.imported.values())
        if campaign_sk(campaign_id) in self.existing:
            self.report.found("campaigns")
        else:
            self._write(
                "campaigns",
                create_campaign,
                sub=self.sub,
                campaign_id=campaign_id,
                **self._texts("campaigns", campaign, "name", "description", "game_system"),
                archived=campaign.archived,
                created=campaign.created_at,
                updated=campaign.updated_at,
            )
        for session in sorted(sessions, key=lambda session: session.updated_at):
            if session.deleted_at is not None:
                self._skip_session(session, lines.SOFT_DELETED, summaries_of)
            else:
                self._session(campaign_id, session, summaries_of.get(session.id, []))
        # Each session's write set the campaign's activity to its own time: the campaign's
        # latest is the latest of it and its sessions', as in the app (or the later
        # activity it had before this run: a user's own, never moved back). Checked on
        # every run, so a run killed just before this write sets it on the next.
        latest = max([campaign.updated_at, *(session.updated_at for session in live)])
        stored = self.existing.get(campaign_sk(campaign_id), {}).get("last_activity")
        if stored is not None:
            latest = max(latest, Campaign.last_activity.deserialize(stored))
        wrote = sum(self.report.imported.values()) != wrote_before
        if not self.dry_run and (wrote or stored != Campaign.last_activity.serialize(latest)):
            set_campaign_activity(sub=self.sub, campaign_id=campaign_id, moment=latest)

    def _session(self, campaign_id, session, summaries):
        session_id = mapping.session_id_for(session)
        number, number_note = mapping.session_number_for(session.session_number)
        if number_note:
            self.report.note("game_sessions", session.id, lines.NUMBER_DROPPED, number_note)
        sk = session_sk(campaign_id, session_id)
        created = None
        if sk in self.existing:
            self.report.found("sessions")
        else:
            created = self._write(
                "sessions",
                create_session,
                sub=self.sub,
                campaign_id=campaign_id,
                session_id=session_id,
                number=number,
                played_on=mapping.played_on_for(session.played_at, self.zone),
                **self._texts("game_sessions", session, "title", "notes"),
                created=session.created_at,
                updated=session.updated_at,
            )
        if session.transcript_key or session.has_text or session.has_raw:
            if self.existing.get(sk, {}).get("transcript_upload_id"):
                self.report.found("transcripts")
            else:
                self._transcript(campaign_id, session_id, session, created)
        missing = [item for item in (self._summary(campaign_id, session_id, summary) for summary in summaries) if item]
        if missing and not self.dry_run and not save_imported_summaries(summaries=missing):
            for item in missing:  # one of them is there already (written meanwhile): one at a time
                save_imported_summary(summary=item)
        if session.share_token:
            self._share_link(campaign_id, session_id, session)

    def _transcript(self, campaign_id, session_id, session, created):
        if self.dry_run:
            if session.transcript_key and not self._object_exists(session.transcript_key):
                self.report.note("game_sessions", session.id, lines.MISSING_OBJECT, session.transcript_key)
            else:
                self.report.wrote("transcripts")
            return
        stored = created or get_session(sub=self.sub, campaign_id=campaign_id, session_id=session_id)
        arguments = {"session": stored, "upload_id": mapping.upload_id_for(session), "uploaded": session.updated_at}
        if session.transcript_key:
            arguments["copy_from"] = {"Bucket": self.v1_bucket, "Key": session.transcript_key}
        else:
            text, raw = self.source.transcript_body(session.id)
            arguments["data"] = text.encode("utf-8") if text is not None else raw
            del text, raw
        try:
            attached = import_transcript(filename=mapping.transcript_filename_for(session), **arguments)
        except TranscriptError as error:
            self.report.note("game_sessions", session.id, lines.UNPARSEABLE, str(error))
            return
        except ClientError as error:
            if error.response["Error"]["Code"] not in ("NoSuchKey", "404", "NotFound"):
                raise
            self.report.note("game_sessions", session.id, lines.MISSING_OBJECT, session.transcript_key)
            return
        self.report.wrote("transcripts")
        self.report.transcript_bytes += attached.session.transcript_bytes or 0

    def _object_exists(self, key):
        try:
            aws.client("s3").head_object(Bucket=self.v1_bucket, Key=key)
        except ClientError:
            return False
        return True

    def _summary(self, campaign_id, session_id, summary):
        """The summary's item if it is missing (None if the session has it), counted."""
        kind = mapping.summary_kind_for(summary.kind)
        if kind != mapping.KIND_RENAMES.get(summary.kind, summary.kind):
            self.report.note("summaries", summary.id, lines.KIND_RENAMED, f"kind {summary.kind!r} kept as {kind!r}")
        if summary_sk(campaign_id, session_id, kind) in self.existing:
            self.report.found("summaries")
            return None
        self.report.wrote("summaries")
        return imported_summary(
            sub=self.sub or DRY_RUN_SUB,
            campaign_id=campaign_id,
            session_id=session_id,
            kind=kind,
            text=self._texts("summaries", summary, "content")["content"],
            model=summary.model,
            input_tokens=summary.prompt_tokens,
            output_tokens=summary.completion_tokens,
            created=summary.created_at,
        )

    def _share_link(self, campaign_id, session_id, session):
        expires = session.share_expires_at
        if not is_well_formed(session.share_token):
            self.report.skip("game_sessions", session.id, lines.SHARE_MALFORMED, "no link can carry this token")
            return
        if expires is not None and expires <= timezone.now():
            self.report.skip("game_sessions", session.id, lines.SHARE_EXPIRED, f"expired {expires:%Y-%m-%d %H:%M} UTC")
            return
        if share_pointer_sk(hash_token(session.share_token)) in self.existing:
            self.report.found("share_links")
            return
        self._write(
            "share_links",
            create_share_link,
            sub=self.sub,
            campaign_id=campaign_id,
            session_id=session_id,
            scope=V1_LINK_SCOPE,
            expires=expires,
            label=V1_LINK_LABEL,
            token=session.share_token,
            now=session.updated_at,  # v1.0 kept no time of sharing: the session's last change
        )

    def _texts(self, table, row, *fields):
        """{field: its text as imported}; a text cut to its budget is reported."""
        return mapping.texts_as_imported(
            row, fields, on_cut=lambda note: self.report.note(table, row.id, lines.TEXT_CUT, note)
        )

    def _write(self, what, write, **arguments):
        """The write's result (None in a dry run), counted."""
        self.report.wrote(what)
        return None if self.dry_run else write(**arguments)
