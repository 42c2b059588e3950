"""The mirror: apply this app's changes to v1.0, one outbox entry at a time (docs/cutover.md).

An entry (campaigns_site.outbox) names the keys a change wrote. Applying it reads those
items as they are now (one BatchGetItem, with the owner's profile and the search item of
each session named: where the session lives now), makes v1.0's rows match them in ONE
PostgreSQL transaction marked as the mirror's (`SET LOCAL cutover.origin = 'mirror'`:
the capture triggers log nothing, so nothing echoes back), then deletes the entry if it
is unchanged. Applying an entry twice, or an old one after a newer, writes the same rows:
the items' state, not the change, is what is applied.

The entries a request wrote are applied when it finishes (cutover/apps.py); the rest by
the drain (cutover/mirror_drain.py, `manage.py drain_outbox`).
"""

import logging
from dataclasses import dataclass, field

import psycopg
from django.utils import timezone
from pynamodb.exceptions import DeleteError

from accounts.items import Profile
from campaigns.items import Campaign
from campaigns_site import dynamodb
from campaigns_site.outbox import OutboxEntry
from campaigns_site.table_keys import (
    CAMPAIGN_PREFIX,
    PROFILE_SK,
    SESSION_PREFIX,
    SHARE_POINTER_PREFIX,
    STORY,
    campaign_sk,
    search_sk,
    session_sk,
    user_pk,
)
from cutover import ids, mirror_rows, state
from cutover.changes import MIRROR_ORIGIN, MIRROR_SETTING
from cutover.mirror_transcripts import transcript_columns
from sessions.core.items import PlaySession
from sessions.core.search_index import SearchItem
from sessions.sharing.items import ShareLinkPointer
from sessions.summaries.items import Summary

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 2  # after a response, on Lambda before it returns: fail fast
STATEMENT_TIMEOUT_MS = 10_000


def connect(dsn, *, connect_timeout=CONNECT_TIMEOUT_SECONDS):
    """A connection to v1.0's database for the mirror (autocommit: each entry is its own
    `with conn.transaction()`), with the pairs table ready."""
    conn = psycopg.connect(
        dsn,
        autocommit=True,
        connect_timeout=connect_timeout,
        options=f"-c statement_timeout={STATEMENT_TIMEOUT_MS}",
    )
    ids.ensure_ids_table(conn)
    return conn


@dataclass
class EntryItems:
    """An entry's items as they are now, by key (None: gone)."""

    sub: str
    keys: list
    found: dict = field(default_factory=dict)  # (pk, sk) -> item

    def get(self, pk, sk):
        return self.found.get((pk, sk))

    @property
    def profile(self):
        return self.get(user_pk(self.sub), PROFILE_SK)

    def current_campaign_of(self, session_id):
        """The campaign the session is in now (its search item says), or None if it is gone."""
        search = self.get(user_pk(self.sub), search_sk(session_id))
        return search.campaign_id if search is not None else None


def read_entry_items(entry):
    """One BatchGetItem (two past 100 keys): the entry's keys, the profile, and the search
    item of each session named."""
    keys = entry.key_pairs
    wanted = set(keys) | {(user_pk(entry.sub), PROFILE_SK)}
    for _, sk in keys:
        if sk.startswith((SESSION_PREFIX, "SUMMARY#")) and sk.split("#")[2] != STORY:
            wanted.add((user_pk(entry.sub), search_sk(sk.split("#")[2])))
    found = {(item.pk, item.sk): item for item in dynamodb.read_items(sorted(wanted))}
    return EntryItems(sub=entry.sub, keys=keys, found=found)


def apply_entry(conn, entry):
    """Make v1.0 match the entry's items, in one transaction, then delete the entry.
    Raises what PostgreSQL (or S3) raised: the entry then stays for the drain."""
    items = read_entry_items(entry)
    rows = mirror_rows.Rows(conn=conn, now=timezone.now(), entry_created=entry.created)
    with conn.transaction():
        conn.execute(f"SET LOCAL {MIRROR_SETTING} = '{MIRROR_ORIGIN}'")  # the capture triggers skip it
        _apply_items(rows, items)
    for conflict in rows.conflicts:
        state.record_conflict(**conflict)
    try:
        entry.delete(condition=OutboxEntry.sk.exists() & (OutboxEntry.attempts == entry.attempts))
    except DeleteError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        # Applied by another runner meanwhile, or its attempts counted: it is applied again, harmlessly.


def _apply_items(rows, items):
    profile = items.profile
    if profile is None:
        if (user_pk(items.sub), PROFILE_SK) in items.keys:
            mirror_rows.delete_user(rows, sub=items.sub)
        return  # the account is gone (or going): its deletion's entry removes v1.0's user
    writer = _Writer(rows=rows, items=items)
    writer.user_id = (
        mirror_rows.write_user(rows, profile)
        if (profile.pk, PROFILE_SK) in items.keys
        else mirror_rows.user_id_for(rows, profile)
    )
    for pk, sk in items.keys:
        writer.apply(pk, sk)


@dataclass
class _Writer:
    rows: object
    items: EntryItems
    user_id: int | None = None

    def apply(self, pk, sk):
        item = self.items.get(pk, sk)
        if sk.startswith(CAMPAIGN_PREFIX):
            self.campaign(sk.split("#")[1], item)
        elif sk.startswith(SESSION_PREFIX):
            _, campaign_id, session_id = sk.split("#")
            self.session(campaign_id, session_id, item)
        elif sk.startswith("SUMMARY#"):
            _, campaign_id, session_id, kind = sk.split("#", 3)
            self.summary(campaign_id, session_id, kind, item)
        elif sk.startswith(SHARE_POINTER_PREFIX):
            token_hash = sk.removeprefix(SHARE_POINTER_PREFIX)
            mirror_rows.write_share_token(self.rows, user_id=self.user_id, token_hash=token_hash, pointer=item)

    def campaign(self, campaign_id, campaign):
        if campaign is None or not campaign.is_live:
            mirror_rows.soft_delete(self.rows, "campaigns", ids.CAMPAIGN, campaign_id)
            return None
        return mirror_rows.write_campaign(self.rows, campaign, owner_id=self.user_id)

    def session(self, campaign_id, session_id, session):
        if session is None:
            if self.items.current_campaign_of(session_id) not in (None, campaign_id):
                return  # moved to another campaign: the same row, written from its new key
            mirror_rows.soft_delete(self.rows, "game_sessions", ids.SESSION, session_id)
            return
        self.write_session(session)

    def write_session(self, session):
        campaign_uuid = self.campaign_row(session.campaign_id)
        if campaign_uuid is None:
            return None
        return mirror_rows.write_session(
            self.rows,
            session,
            campaign_uuid=campaign_uuid,
            zone=mirror_rows.zone_of(self.items.profile),
            transcript=transcript_columns,
        )

    def summary(self, campaign_id, session_id, kind, summary):
        if session_id == STORY:
            return  # the story so far: v1.0 has no such summary
        if self.items.current_campaign_of(session_id) not in (None, campaign_id):
            return  # the session moved: its summaries are written from their new keys
        if summary is None:
            mirror_rows.delete_summary(self.rows, session_id=session_id, kind=kind)
            return
        session_uuid = self.session_row(campaign_id, session_id)
        if session_uuid is not None:
            mirror_rows.write_summary(self.rows, summary, session_uuid=session_uuid)

    # Parents written before: a row v1.0 lacks (its own entry not applied yet, or written
    # before the mirror began) is written from its item now.
    def campaign_row(self, campaign_id):
        found = mirror_rows.paired_row_id(self.rows, ids.CAMPAIGN, campaign_id)
        if found is not None:
            return found
        campaign = _get(Campaign, user_pk(self.items.sub), campaign_sk(campaign_id))
        return self.campaign(campaign_id, campaign) if campaign is not None and campaign.is_live else None

    def session_row(self, campaign_id, session_id):
        found = mirror_rows.paired_row_id(self.rows, ids.SESSION, session_id)
        if found is not None:
            return found
        session = _get(PlaySession, user_pk(self.items.sub), session_sk(campaign_id, session_id))
        return self.write_session(session) if session is not None else None


def _get(model, pk, sk):
    try:
        return model.get(pk, sk, consistent_read=True)
    except model.DoesNotExist:
        return None


# Item types a BatchGetItem of an entry may return (their discriminators are registered
# by importing them): named here so that a linter keeps the imports.
ITEM_TYPES = (Profile, Campaign, PlaySession, Summary, ShareLinkPointer, SearchItem)
