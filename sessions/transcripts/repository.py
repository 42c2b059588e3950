"""The transcript's DynamoDB side: the session item's transcript fields, and the
campaign's speaker names (sessions/transcripts/items.py). Every function takes the
owner's Cognito `sub` or an item read through it.

The transcript's objects live in S3 (sessions/transcripts/storage.py); these writes
name them only once they exist (sessions/transcripts/services.py says why).
"""

from dataclasses import dataclass
from datetime import datetime

from campaigns.items import Campaign
from campaigns.repository import CampaignChange, CampaignNotFound, write_with_campaign_changes
from campaigns_site.dynamodb import first_of, read_items, set_or_remove
from campaigns_site.errors import StaleEdit
from campaigns_site.table_keys import campaign_sk, session_sk, speaker_names_sk, user_pk
from campaigns_site.transactions import Transaction, TransactionCanceled
from sessions.core import search_index
from sessions.core.items import PlaySession
from sessions.core.repository import live_campaign
from sessions.transcripts.items import SpeakerNames, merged_names, stored_names, stored_version


# --- speaker names: reads ----------------------------------------------------------------------------
def get_speaker_names(*, sub, campaign_id):
    """The campaign's SpeakerNames item, or None when no name is set (or no such campaign)."""
    model = SpeakerNames
    try:
        return model.get(user_pk(sub), speaker_names_sk(campaign_id), consistent_read=True)
    except model.DoesNotExist:
        return None


def get_session_with_campaign_and_speaker_names(*, sub, campaign_id, session_id):
    """(campaign, session, speaker_names) in one strongly consistent BatchGetItem, for the
    pages that show a transcript: get_session_with_campaign plus the campaign's
    SpeakerNames item (None when no name is set yet)."""
    found = read_items(
        [
            (user_pk(sub), campaign_sk(campaign_id)),
            (user_pk(sub), session_sk(campaign_id, session_id)),
            (user_pk(sub), speaker_names_sk(campaign_id)),
        ]
    )
    campaign = live_campaign(found)
    if campaign is None:
        return None, None, None
    return campaign, first_of(found, PlaySession), first_of(found, SpeakerNames)


# --- speaker names: changes --------------------------------------------------------------------------
_UNREAD = object()


def save_speaker_names(*, sub, campaign_id, expected_version, names, current=_UNREAD):
    """Merge `names` ({label: {"player", "character"}}, the labels of one transcript; both
    blank forgets the label) into the campaign's map, if the map is still at
    expected_version (0 or None: no names saved yet). Returns the saved SpeakerNames.

    `current`: the item as the caller just read it (None: there is none), which saves a
    GetItem; the write's version condition makes sure it is still what is stored.

    One TransactWriteItems: the Put, conditioned on the version, and a ConditionCheck that
    the campaign exists and is not being deleted. Raises StaleEdit (with the stored item;
    an empty one, version None, if it is gone) when someone saved in between,
    CampaignNotFound when the campaign is not the user's or is being deleted, and
    SpeakerNamesFull past the caps. Nothing is written then.
    """
    model = SpeakerNames
    expected_version = int(expected_version or 0)
    if current is _UNREAD:
        current = get_speaker_names(sub=sub, campaign_id=campaign_id)
    if stored_version(current) != expected_version:
        raise StaleEdit(current if current is not None else _empty(sub, campaign_id))
    merged = merged_names(stored_names(current), names)

    item = model(user_pk(sub), speaker_names_sk(campaign_id), names=merged, version=expected_version + 1)
    transaction = Transaction()
    transaction.check(
        user_pk(sub),
        campaign_sk(campaign_id),
        condition=Campaign.live_condition(),
    )
    unchanged = model.version == expected_version if expected_version else model.sk.does_not_exist()
    transaction.put(item, condition=unchanged)
    try:
        transaction.commit()
    except TransactionCanceled as canceled:
        if canceled.failed(0):
            raise CampaignNotFound(campaign_id) from None
        if not canceled.failed(1):
            raise
        now = get_speaker_names(sub=sub, campaign_id=campaign_id)
        raise StaleEdit(now if now is not None else _empty(sub, campaign_id)) from None
    return item


def _empty(sub, campaign_id):
    return SpeakerNames(user_pk(sub), speaker_names_sk(campaign_id), names={})


# --- the session's transcript fields ------------------------------------------------------
# The item's transcript fields, set and removed together (sessions/core/items.py); not
# transcript_bytes, which a delete sets to 0.
_TRANSCRIPT_FIELDS = [
    PlaySession.transcript_upload_id,
    PlaySession.transcript_filename,
    PlaySession.transcript_format,
    PlaySession.transcript_encoding,
    PlaySession.transcript_sha256,
    PlaySession.transcript_segment_count,
    PlaySession.transcript_duration,
    PlaySession.transcript_speaker_count,
    PlaySession.transcript_speakers,
    PlaySession.transcript_uploaded,
]


@dataclass(frozen=True)
class TranscriptFields:
    """What the session item records of its transcript (sessions/core/items.py)."""

    upload_id: str
    filename: str
    format: str
    encoding: str | None
    sha256: str
    segment_count: int
    duration: float | None
    speaker_count: int
    speakers: list
    uploaded: datetime
    size: int
    # The search item's transcript part: its words and speakers, written with the fields.
    search: search_index.Part | None = None

    def actions(self):
        # Each of _TRANSCRIPT_FIELDS is `transcript_<name>` for this class's `<name>`.
        return [
            set_or_remove(attribute, getattr(self, attribute.attr_name.removeprefix("transcript_")))
            for attribute in _TRANSCRIPT_FIELDS
        ] + [PlaySession.transcript_bytes.set(self.size)]


def record_transcript(session, *, fields):
    """Set the transcript fields and the campaign's transcript_bytes, in one transaction,
    if the session still has the transcript we read (its bytes are what the campaign loses)."""
    same_transcript = (
        PlaySession.transcript_upload_id == session.transcript_upload_id
        if session.transcript_upload_id
        else PlaySession.transcript_upload_id.does_not_exist()
    )

    def write_session(transaction):
        transaction.update(
            session.pk,
            session.sk,
            actions=fields.actions() + [PlaySession.updated.set(fields.uploaded), PlaySession.children_version.add(1)],
            condition=PlaySession.sk.exists() & same_transcript,
        )
        if fields.search is not None:
            # A first transcript (the condition above says there is none) has no words to remove.
            part = fields.search if session.transcript_upload_id else search_index.first_words_only(fields.search)
            search_index.write_part(
                transaction,
                sub=session.owner_sub,
                campaign_id=session.campaign_id,
                session_id=session.session_id,
                part=part,
            )

    change = CampaignChange(session.campaign_id, transcript_bytes=fields.size - (session.transcript_bytes or 0))
    write_with_campaign_changes(
        sub=session.owner_sub, changes=[change], add_own_actions=write_session, now=fields.uploaded
    )


def remove_transcript(session):
    """Remove the transcript fields (with the campaign's transcript_bytes) and the search
    item's transcript part, if the session still has the transcript we read. Raises
    TransactionCanceled when it was replaced or deleted meanwhile."""
    sub, campaign_id, session_id = session.owner_sub, session.campaign_id, session.session_id

    def clear_fields(transaction):
        transaction.update(
            session.pk,
            session.sk,
            actions=[attribute.remove() for attribute in _TRANSCRIPT_FIELDS]
            + [PlaySession.transcript_bytes.set(0), PlaySession.children_version.add(1)],
            condition=PlaySession.sk.exists() & (PlaySession.transcript_upload_id == session.transcript_upload_id),
        )
        search_index.write_part(
            transaction,
            sub=sub,
            campaign_id=campaign_id,
            session_id=session_id,
            part=search_index.no_transcript_part(),
        )

    change = CampaignChange(campaign_id, transcript_bytes=-(session.transcript_bytes or 0))
    write_with_campaign_changes(sub=sub, changes=[change], add_own_actions=clear_fields)
