"""One account's campaigns, sessions, summaries and share links: v1.0's rows, as import_v1
would write them, against what the owner's partition holds (docs/migration.md, "verify_v1").

What v1.0 should have given is decided by the importer's own rules (v1/content.py): the
same derived ids, kinds, days and numbers (v1/mapping.py), the same rows left out. This
app's side is one Query of the owner's partition, plus one BatchGetItem of the public
share-link items the partition's pointers name: no Scan.
"""

from django.utils import timezone
from pynamodb.attributes import UTCDateTimeAttribute

from campaigns_site.dynamodb import query_pages, read_items
from campaigns_site.table_keys import (
    CAMPAIGN_PREFIX,
    SESSION_PREFIX,
    SHARE_POINTER_PREFIX,
    SHARE_SK,
    STORY,
    campaign_sk,
    session_sk,
    share_pk,
    share_pointer_sk,
    summary_sk,
    user_pk,
)
from sessions.sharing.items import ShareLink, hash_token
from v1 import mapping
from v1 import report as lines
from v1.compare_transcripts import TranscriptCheck
from v1.differences import CHANGED, EXTRA, MISSING, field_differences

SUMMARY_PREFIX = "SUMMARY#"
_MOMENT = UTCDateTimeAttribute()


def moment(value):
    """A time as an item stores it (UTCDateTimeAttribute's text) → an aware datetime."""
    return None if value is None else _MOMENT.deserialize(value)


class AccountComparison:
    """Compare `rows` (source.V1Rows) with the partition of `sub`; findings go to `result`
    (differences.Verification)."""

    def __init__(self, rows, *, sub, source, v1_bucket, result):
        self.rows, self.sub, self.result = rows, sub, result
        self.transcripts = TranscriptCheck(sub=sub, source=source, v1_bucket=v1_bucket, result=result)
        self.zone, zone_note = mapping.time_zone_for(rows.user.time_zone)
        if zone_note:
            result.on_purpose.note("user_settings", rows.user.id, lines.UNKNOWN_TIME_ZONE, zone_note)
        # {table: {this app's key: v1.0 row}} and {table: {key: item}}
        self.expected = {"campaigns": {}, "sessions": {}, "summaries": {}, "share_links": {}}
        self.found = {"campaigns": {}, "sessions": {}, "summaries": {}, "share_links": {}}

    def run(self):
        self._read_partition()
        self._expect()
        for campaign_key, campaign in self.expected["campaigns"].items():
            self._campaign(campaign_key, campaign)
        for key, session in self.expected["sessions"].items():
            self._session(key, session)
        for key, summary in self.expected["summaries"].items():
            self._summary(key, summary)
        self._share_links()
        self._extras()
        expected = {table: len(rows) for table, rows in self.expected.items()}
        found = {table: len(items) for table, items in self.found.items()}
        self.result.count(self.rows.user.email, v1_id=self.rows.user.id, here=self.sub, expected=expected, found=found)

    # --- this app's side ---------------------------------------------------------------
    def _read_partition(self):
        for page in query_pages(user_pk(self.sub)):
            for item in page:
                sk = item["SK"]
                if sk.startswith(CAMPAIGN_PREFIX):
                    self.found["campaigns"][sk] = item
                elif sk.startswith(SESSION_PREFIX):
                    self.found["sessions"][sk] = item
                elif sk.startswith(SUMMARY_PREFIX) and sk.split("#")[2] != STORY:
                    # The story so far is this app's own, made from the recaps: v1.0 had none.
                    self.found["summaries"][sk] = item
                elif sk.startswith(SHARE_POINTER_PREFIX):
                    self.found["share_links"][sk] = item

    # --- v1.0's side, by the importer's rules -------------------------------------------
    def _expect(self):
        sessions_of, summaries_of = {}, {}
        for session in self.rows.sessions:
            sessions_of.setdefault(session.campaign_id, []).append(session)
        for summary in self.rows.summaries:
            summaries_of.setdefault(summary.session_id, []).append(summary)
        for campaign in self.rows.campaigns:
            sessions = sessions_of.get(campaign.id, [])
            if campaign.deleted_at is not None:
                deleted = f"deleted {campaign.deleted_at:%Y-%m-%d}"
                self.result.on_purpose.skip("campaigns", campaign.id, lines.SOFT_DELETED, deleted)
                for session in sessions:
                    self._skip_session(session, lines.IN_DELETED_CAMPAIGN, summaries_of)
                continue
            campaign_id = mapping.campaign_id_for(campaign)
            self.expected["campaigns"][campaign_sk(campaign_id)] = campaign
            for session in sessions:
                if session.deleted_at is not None:
                    self._skip_session(session, lines.SOFT_DELETED, summaries_of)
                else:
                    self._expect_session(campaign_id, session, summaries_of.get(session.id, []))

    def _skip_session(self, session, reason, summaries_of):
        self.result.on_purpose.skip("game_sessions", session.id, reason)
        for summary in summaries_of.get(session.id, []):
            self.result.on_purpose.skip(
                "summaries", summary.id, lines.OF_SKIPPED_SESSION, f"of game_session {session.id}"
            )

    def _expect_session(self, campaign_id, session, summaries):
        session_id = mapping.session_id_for(session)
        self.expected["sessions"][session_sk(campaign_id, session_id)] = (campaign_id, session)
        if note := mapping.session_number_for(session.session_number)[1]:
            self.result.on_purpose.note("game_sessions", session.id, lines.NUMBER_DROPPED, note)
        for summary in summaries:
            key = summary_sk(campaign_id, session_id, mapping.summary_kind_for(summary.kind))
            self.expected["summaries"][key] = summary
        if session.share_token:
            pointer = share_pointer_sk(hash_token(session.share_token))
            expires = session.share_expires_at
            # import_v1 leaves out a token expired when it ran; one that expired since was
            # imported, and is compared like any other.
            if expires is not None and expires <= timezone.now() and pointer not in self.found["share_links"]:
                self.result.on_purpose.skip(
                    "game_sessions", session.id, lines.SHARE_EXPIRED, f"expired {expires:%Y-%m-%d %H:%M} UTC"
                )
            else:
                self.expected["share_links"][pointer] = (campaign_id, session_id, session)

    # --- row by row -----------------------------------------------------------------------
    def _campaign(self, key, campaign):
        here = f"{self.sub} {key.removeprefix(CAMPAIGN_PREFIX)}"
        item = self.found["campaigns"].get(key)
        self.result.compared["campaigns"] += 1
        if item is None:
            self.result.differ(MISSING, "campaigns", campaign.id, here, f"campaign {campaign.name[:40]!r} is not here")
            return
        expected = {
            **self._texts("campaigns", campaign, "name", "description", "game_system"),
            "archived": campaign.archived,
            "created": campaign.created_at,
            "updated": campaign.updated_at,
        }
        stored = {**item, "created": moment(item.get("created")), "updated": moment(item.get("updated"))}
        if what := field_differences(expected, stored):
            self.result.differ(CHANGED, "campaigns", campaign.id, here, what)

    def _session(self, key, campaign_and_session):
        campaign_id, session = campaign_and_session
        here = f"{self.sub} {key.removeprefix(SESSION_PREFIX).replace('#', '/')}"
        item = self.found["sessions"].get(key)
        self.result.compared["sessions"] += 1
        if item is None:
            self.result.differ(
                MISSING, "game_sessions", session.id, here, f"session {session.title[:40]!r} is not here"
            )
            return
        played_on = mapping.played_on_for(session.played_at, self.zone)
        expected = {
            **self._texts("game_sessions", session, "title", "notes"),
            "number": mapping.session_number_for(session.session_number)[0],
            "played_on": played_on.isoformat() if played_on else None,
            "created": session.created_at,
            "updated": session.updated_at,
        }
        stored = {**item, "created": moment(item.get("created")), "updated": moment(item.get("updated"))}
        if what := field_differences(expected, stored):
            self.result.differ(CHANGED, "game_sessions", session.id, here, what)
        self.transcripts.compare(session, item, here=here)

    def _summary(self, key, summary):
        here = f"{self.sub} {key.removeprefix(SUMMARY_PREFIX).replace('#', '/')}"
        item = self.found["summaries"].get(key)
        self.result.compared["summaries"] += 1
        if item is None:
            self.result.differ(MISSING, "summaries", summary.id, here, f"{summary.kind} summary is not here")
            return
        expected = {
            "kind": mapping.summary_kind_for(summary.kind),
            "text": self._texts("summaries", summary, "content")["content"],
            "model": summary.model or "",
            "input_tokens": summary.prompt_tokens or 0,
            "output_tokens": summary.completion_tokens or 0,
        }
        if what := field_differences(expected, item):
            self.result.differ(CHANGED, "summaries", summary.id, here, what)

    def _texts(self, table, row, *fields):
        """The row's texts as the import writes them; one cut on purpose is listed as such."""
        return mapping.texts_as_imported(
            row, fields, on_cut=lambda note: self.result.on_purpose.note(table, row.id, lines.TEXT_CUT, note)
        )

    def _share_links(self):
        """Each token by its hash: the owner's pointer and the public link item exist, name
        the session (and the link its owner), and expire at v1.0's instant."""
        expected = self.expected["share_links"]
        found = read_items([(share_pk(key.removeprefix(SHARE_POINTER_PREFIX)), SHARE_SK) for key in expected])
        links = {link.token_hash: link for link in found if isinstance(link, ShareLink)}
        for key, (campaign_id, session_id, session) in expected.items():
            token_hash = key.removeprefix(SHARE_POINTER_PREFIX)
            here = f"{self.sub} SHARELINK#{token_hash[:12]}…"
            self.result.compared["share_links"] += 1
            pointer, link = self.found["share_links"].get(key), links.get(token_hash)
            absent = [name for name, item in (("the owner's pointer", pointer), ("the link", link)) if item is None]
            if absent:
                what = f"share token: {' and '.join(absent)} not here"
                self.result.differ(MISSING, "game_sessions", session.id, here, what)
                continue
            want = {"campaign_id": campaign_id, "session_id": session_id, "expires": session.share_expires_at}
            of_pointer = field_differences(want, {**pointer, "expires": moment(pointer.get("expires"))})
            of_link = field_differences(
                {**want, "owner_sub": self.sub},
                {
                    "campaign_id": link.campaign_id,
                    "session_id": link.session_id,
                    "expires": link.expires,
                    "owner_sub": link.owner_sub,
                },
            )
            what = "; ".join(
                f"{name}: {differs}" for name, differs in (("pointer", of_pointer), ("link", of_link)) if differs
            )
            if what:
                self.result.differ(CHANGED, "game_sessions", session.id, here, f"share token: {what}")

    def _extras(self):
        """What the partition has and v1.0 does not: made here since, or not v1.0's."""
        for table, v1_table in (("campaigns", "campaigns"), ("sessions", "game_sessions"), ("summaries", "summaries")):
            for key in self.found[table].keys() - self.expected[table].keys():
                self.result.differ(EXTRA, v1_table, "-", f"{self.sub} {key}", "here, with no v1.0 row to import")
        for key in self.found["share_links"].keys() - self.expected["share_links"].keys():
            self.result.differ(
                EXTRA, "game_sessions", "-", f"{self.sub} {key[:22]}…", "a share link no v1.0 token names"
            )
