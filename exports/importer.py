"""One checked export written into one account, through the app's own repositories and
transcript pipeline, as v1/content.py writes v1.0's rows: a session imported is one like any
other (its search item, its campaign's counters and activity, the usage counters, the share
link registry).

Idempotent: ids are kept, one Query of the account's partition says what is there already,
and only what is missing is written. A re-run writes nothing; a run killed half-way through
writes the rest. A campaign or session with a problem (exports/reader.py) is left out whole.
"""

from pynamodb.exceptions import PutError

from campaigns.items import Campaign
from campaigns.repository import CampaignNotFound, create_campaign, set_campaign_activity
from campaigns_site.dynamodb import query_pages, read_plain_item
from campaigns_site.errors import StaleEdit
from campaigns_site.table_keys import (
    SESSION_PREFIX,
    campaign_sk,
    session_sk,
    share_pointer_sk,
    speaker_names_sk,
    story_summary_sk,
    user_pk,
)
from campaigns_site.transactions import TransactionCanceled
from exports import format as export_format
from exports.import_items import campaign_arguments, session_arguments, share_link_arguments, summary_item
from sessions.core.items import PlaySession
from sessions.core.repository import create_session, get_session, update_session
from sessions.sharing.imported import ShareLinkTaken, import_share_link
from sessions.summaries.imported import save_imported_story, save_imported_summaries, save_imported_summary
from sessions.transcripts.repository import save_speaker_names
from sessions.transcripts.services import import_transcript


def attached_transcripts(*, sub):
    """{session id: upload id} of the account's sessions with a transcript: one Query of its
    sessions (`begins_with(SK, "SESSION#")`, two attributes)."""
    found = {}
    for page in query_pages(user_pk(sub), sk_prefix=SESSION_PREFIX, attributes=["SK", "transcript_upload_id"]):
        found.update(
            (item["SK"].split("#")[2], item["transcript_upload_id"])
            for item in page
            if item.get("transcript_upload_id")
        )
    return found


class AccountImport:
    """Write `contents` (reader.ExportContents, checked) from the open zip `archive` into
    the partition of `sub`, leaving out its bad campaigns and sessions; counts in `report`."""

    def __init__(self, contents, archive, *, sub, report, on_session=None):
        self.contents, self.archive, self.sub, self.report = contents, archive, sub, report
        self.on_session = on_session or (lambda: None)
        self.name = contents.name
        self.missing = set(contents.manifest.get("missing_transcripts", ()))
        self.existing = self._existing_items()
        self.session_campaign = {
            sk.split("#")[2]: sk.split("#")[1] for sk in self.existing if sk.startswith("SESSION#")
        }

    def _existing_items(self):
        """{SK: the attributes the import looks at} of every item in the account's partition."""
        existing = {}
        attributes = ["SK", "transcript_upload_id", "last_activity", "updated"]
        for page in query_pages(user_pk(self.sub), attributes=attributes):
            existing.update((item["SK"], item) for item in page)
        return existing

    def run(self):
        records = {kind: self.contents.records(kind) for kind in export_format.KINDS}
        bad_campaigns, bad_sessions = self.contents.bad_campaigns, self.contents.bad_sessions
        children = {kind: _by_session(records[kind]) for kind in (export_format.SUMMARIES, export_format.SHARE_LINKS)}
        sessions_of, names_of = {}, {}
        for session in records[export_format.SESSIONS]:
            sessions_of.setdefault(session["campaign_id"], []).append(session)
        for names in records[export_format.SPEAKER_NAMES]:
            names_of.setdefault(names["campaign_id"], []).append(names)
        for campaign in records[export_format.CAMPAIGNS]:
            sessions = sessions_of.get(campaign["id"], [])
            if campaign["id"] in bad_campaigns:  # (named in the report with its problems)
                for _ in sessions:
                    self.on_session()
                continue
            try:
                self._campaign(campaign, names_of.get(campaign["id"], []), sessions, children, bad_sessions)
            except CampaignNotFound:
                self.report.skip(self.name, f"campaign {campaign['id']}", "being deleted in this account")

    def _campaign(self, campaign, names, sessions, children, bad_sessions):
        campaign_id = campaign["id"]
        wrote_before = sum(self.report.written.values())
        self._write_once("campaigns", campaign_sk(campaign_id), create_campaign, **campaign_arguments(campaign))
        for record in names:
            self._speaker_names(campaign_id, record)
        for session in sessions:
            if session["id"] not in bad_sessions:  # (a bad one is named in the report with its problems)
                self._session(session, children)
            self.on_session()
        for story in children[export_format.SUMMARIES].get((campaign_id, None), []):
            item = summary_item(story, sub=self.sub)
            self._summary_once(story_summary_sk(campaign_id), lambda item=item: save_imported_story(summary=item))
        self._activity(campaign, wrote=sum(self.report.written.values()) != wrote_before)

    def _activity(self, campaign, *, wrote):
        """The campaign's latest activity as exported (each write above set its own time),
        or a later one it had here already: a user's own, never moved back. Checked on every
        run, so a run killed just before this write sets it on the next."""
        latest = export_format.parse_moment(campaign["last_activity"])
        stored = self.existing.get(campaign_sk(campaign["id"]), {}).get("last_activity")
        if stored is not None:
            latest = max(latest, Campaign.last_activity.deserialize(stored))
        if wrote or stored != Campaign.last_activity.serialize(latest):
            set_campaign_activity(sub=self.sub, campaign_id=campaign["id"], moment=latest)

    def _speaker_names(self, campaign_id, record):
        if speaker_names_sk(campaign_id) in self.existing:
            self.report.found("speaker_names")
            return
        try:
            save_speaker_names(sub=self.sub, campaign_id=campaign_id, expected_version=0, names=record["names"])
        except StaleEdit:  # saved meanwhile
            self.report.found("speaker_names")
            return
        self.report.wrote("speaker_names")

    def _session(self, record, children):
        session_id, campaign_id = record["id"], record["campaign_id"]
        elsewhere = self.session_campaign.get(session_id)
        if elsewhere and elsewhere != campaign_id:
            self.report.skip(self.name, f"session {session_id}", f"this account has it in campaign {elsewhere}")
            return
        sk = session_sk(campaign_id, session_id)
        self._write_once("sessions", sk, create_session, **session_arguments(record))
        if record["transcript"] is not None:
            self._transcript(record, self.existing.get(sk, {}))
        summaries = [summary_item(s, sub=self.sub) for s in children[export_format.SUMMARIES].get(session_id, [])]
        missing = [item for item in summaries if not self._present("summaries", item.sk)]
        if missing and not save_imported_summaries(summaries=missing):
            for item in missing:  # one of them is there already (written meanwhile): one at a time
                self._count("summaries", save_imported_summary(summary=item))
        elif missing:
            self.report.wrote("summaries", len(missing))
        for link in children[export_format.SHARE_LINKS].get(session_id, []):
            self._share_link(link)

    def _transcript(self, record, stored):
        session_id, transcript = record["id"], record["transcript"]
        if session_id in self.missing:
            self.report.note(self.name, f"session {session_id}", "its transcript was not in the export")
            return
        uploaded = export_format.parse_moment(transcript["uploaded"] or record["updated"])
        updated = PlaySession.updated.deserialize(stored["updated"]) if stored.get("updated") else None
        if stored.get("transcript_upload_id"):
            self.report.found("transcripts")
        else:
            updated = self._attach(record, uploaded)
        # Attaching it set the session's `updated` to the upload's time; an edit after the
        # upload had moved it on: put back (after a run killed between the two too).
        if updated == uploaded != export_format.parse_moment(record["updated"]):
            self._put_back_updated(record)

    def _attach(self, record, uploaded):
        """Attach the transcript unless it was attached since the partition was read; the
        session's `updated` after."""
        transcript = record["transcript"]
        session = get_session(sub=self.sub, campaign_id=record["campaign_id"], session_id=record["id"])
        if session.transcript_upload_id:
            self.report.found("transcripts")
            return session.updated
        import_transcript(
            session=session,
            upload_id=transcript["upload_id"],
            filename=transcript["filename"],
            uploaded=uploaded,
            data=self.archive.read(transcript["original"]),
            format=transcript["format"],
        )
        self.report.wrote("transcripts")
        return uploaded

    def _put_back_updated(self, record):
        session = get_session(sub=self.sub, campaign_id=record["campaign_id"], session_id=record["id"])
        arguments = session_arguments(record)
        for name in ("session_id", "campaign_id", "created"):
            del arguments[name]
        update_session(
            sub=self.sub,
            campaign_id=record["campaign_id"],
            session_id=record["id"],
            expected_version=session.version,
            **arguments,
        )

    def _share_link(self, record):
        what = f"share link {record['id']}"
        if "token_hash" not in record:
            reason = f"not made: the export has no token hash (a new link is made on session {record['session_id']})"
            self.report.skip(self.name, what, reason)
            return
        if self._present("share_links", share_pointer_sk(record["token_hash"])):
            return
        try:
            self._count("share_links", import_share_link(sub=self.sub, **share_link_arguments(record)))
        except ShareLinkTaken:
            self.report.skip(self.name, what, "another account of this deployment has a link with this token")

    def _write_once(self, what, sk, write, **arguments):
        """write(sub=..., **arguments) unless the item is there; one made meanwhile counts as there."""
        if self._present(what, sk):
            return
        try:
            write(sub=self.sub, **arguments)
        except (PutError, TransactionCanceled):
            if read_plain_item(user_pk(self.sub), sk, attributes=["SK"]) is None:
                raise  # refused for another reason than the item being there
            self.report.found(what)  # written meanwhile (or by a killed run's last request)
            return
        self.existing[sk] = {}
        self.report.wrote(what)

    def _summary_once(self, sk, save):
        if not self._present("summaries", sk):
            self._count("summaries", save())

    def _present(self, what, sk):
        if sk in self.existing:
            self.report.found(what)
            return True
        return False

    def _count(self, what, written):
        self.report.wrote(what) if written else self.report.found(what)


def _by_session(records):
    """{session id (the story: (campaign id, None)): [records]} of summaries or share links."""
    grouped = {}
    for record in records:
        key = record["session_id"] if record["session_id"] is not None else (record["campaign_id"], None)
        grouped.setdefault(key, []).append(record)
    return grouped
