"""Speaker names, one item per campaign: raw transcript labels ("SPEAKER_00", a Discord
name) mapped to a player and a character. Applied when a transcript is read; the stored
transcript is never rewritten, so a name can be changed or removed at any time.

PK `USER#<sub>`, SK `SPEAKERS#<campaign_id>`. One map for the whole campaign, so names
given on one session's speakers page are reused by every later session whose transcript
uses the same labels (the same Discord names, or WhisperX's SPEAKER_00... for a group
that always sits in the same order).

Access (docs/data-model.md):
- Read with the session and its campaign in one BatchGetItem
  (sessions.core.repository.get_session_with_campaign_and_speaker_names), or GetItem
  (get_speaker_names).
- Save (save_speaker_names): merge this transcript's labels into the stored map (the
  labels of other sessions stay) and write it back in one TransactWriteItems: a Put
  conditioned on the version the form started from (`attribute_not_exists` for the
  first save), with a ConditionCheck that the campaign exists and is not being deleted,
  so a save racing the campaign's delete cascade cannot leave an orphan. Someone else's
  save in between raises StaleEdit(current); nothing is overwritten unseen.
- Deleted by the campaign's cascade (sessions.core.campaign_deletion) and with the whole partition by
  account deletion.

Item size: at most MAX_SPEAKER_NAMES (200) labels a campaign, each label at most
MAX_LABEL_LENGTH (100) characters (the parser refuses longer ones) and each name at most
NAME_MAX_LENGTH (60): 200 × (100 + 60 + 60) = 44,000 characters. That is about 49 KB
with the map's own keys for plain ASCII, but UTF-8 takes up to 4 bytes a character, so
a map of long emoji names could pass 64 KB. The encoded map is therefore also capped at
NAMES_MAX_BYTES (32,000 bytes, counted as DynamoDB counts them), half the project's
64 KB item budget (docs/data-model.md, rule 8). Real campaigns come nowhere near: ten
speakers with short names take well under 1 KB.
"""

import hashlib
import json

from pynamodb.attributes import MapAttribute, VersionAttribute

from campaigns_site.table import TableModel
from campaigns_site.table_keys import campaign_sk, speaker_names_sk, user_pk
from sessions.transcripts.speaker_display import NAME_MAX_LENGTH, speaker_display  # noqa: F401  (re-exported)

MAX_SPEAKER_NAMES = 200  # labels named a campaign
MAX_LABEL_LENGTH = 100  # = transcript_parsing.MAX_SPEAKER_LENGTH: longer labels never reach here
NAMES_MAX_BYTES = 32_000  # the encoded map; see the module docstring
FIELDS = ("player", "character")


class SpeakerNames(TableModel, discriminator="SpeakerNames"):
    # {raw label: {"player": str, "character": str}}; a raw (untyped) map, since its keys
    # are the transcripts' own labels.
    names = MapAttribute(default=dict)
    version = VersionAttribute()

    def as_dict(self):
        return self.names.as_dict() if isinstance(self.names, MapAttribute) else dict(self.names or {})


class SpeakerNamesFull(Exception):
    """The merged map would pass a cap; nothing was written."""


class TooManySpeakerNames(SpeakerNamesFull):
    """More than MAX_SPEAKER_NAMES labels would be named. `count`: how many."""

    def __init__(self, count):
        super().__init__(f"{count} speaker names; at most {MAX_SPEAKER_NAMES} a campaign")
        self.count = count


class SpeakerNamesTooLarge(SpeakerNamesFull):
    """The names would take more than NAMES_MAX_BYTES. `size`: how many bytes."""

    def __init__(self, size):
        super().__init__(f"speaker names of {size} bytes; at most {NAMES_MAX_BYTES} a campaign")
        self.size = size


# --- reads ----------------------------------------------------------------------------
def get_speaker_names(*, sub, campaign_id):
    """The campaign's SpeakerNames item, or None when no name is set (or no such campaign)."""
    model = SpeakerNames
    try:
        return model.get(user_pk(sub), speaker_names_sk(campaign_id), consistent_read=True)
    except model.DoesNotExist:
        return None


def stored_names(item):
    """{label: {"player", "character"}} of a SpeakerNames item, or {} for None."""
    return {} if item is None else item.as_dict()


def stored_version(item):
    """The item's version, 0 when there is no item yet (what a form carries)."""
    return 0 if item is None or item.version is None else int(item.version)


def speaker_labels(session):
    """Every speaker label of the session's transcript, in order of first appearance.

    The item lists the first labels (as many as fit its budget) and counts them all; when
    it lists them all, that is the answer and S3 is not asked. Otherwise the labels come
    from the stored transcript's header: one S3 GetObject, or none when this process read
    it lately (sessions.transcripts.services.load_stored_segments)."""
    if not session.has_transcript:
        return []
    listed = list(session.transcript_speakers or [])
    if session.transcript_speaker_count is not None and len(listed) == session.transcript_speaker_count:
        return listed
    from sessions.transcripts.segments_json import read_segment_page
    from sessions.transcripts.services import load_stored_segments

    return list(read_segment_page(load_stored_segments(session), offset=0, limit=0).speakers)


def labels_fingerprint(labels):
    """A short digest of a label list: a form numbers its fields by position in this list,
    so a save must map them back through the very same list."""
    encoded = json.dumps(list(labels), ensure_ascii=False, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()[:32]


# --- merging and caps ---------------------------------------------------------------------
def entry(player="", character=""):
    """A map entry, or None when both names are blank (the label is then forgotten)."""
    player, character = (player or "").strip(), (character or "").strip()
    if not player and not character:
        return None
    return {"player": player, "character": character}


def merged_names(stored, changes):
    """The stored map with `changes` ({label: entry or None}) applied: a label whose
    names are both blank is removed, every label not in `changes` stays as it is.

    Raises TooManySpeakerNames or SpeakerNamesTooLarge beyond the caps, and ValueError for
    a label or a name no form lets through (too long, empty)."""
    merged = dict(stored)
    for label, names in changes.items():
        if not isinstance(label, str) or not label or len(label) > MAX_LABEL_LENGTH:
            raise ValueError(f"not a speaker label: {label!r:.120}")
        cleaned = entry(**names) if names else None
        if cleaned is None:
            merged.pop(label, None)
            continue
        if any(len(cleaned[field]) > NAME_MAX_LENGTH for field in FIELDS):
            raise ValueError(f"a name of {label!r:.120} is longer than {NAME_MAX_LENGTH} characters")
        merged[label] = cleaned
    if len(merged) > MAX_SPEAKER_NAMES:
        raise TooManySpeakerNames(len(merged))
    size = encoded_size(merged)
    if size > NAMES_MAX_BYTES:
        raise SpeakerNamesTooLarge(size)
    return merged


def encoded_size(names):
    """The map's size as DynamoDB counts it (UTF-8 names and values, a few bytes of
    overhead for each element and each map), rounded up a little."""
    size = 3
    for label, names_of_label in names.items():
        size += len(label.encode()) + 1 + 3
        for field in FIELDS:
            size += len(field) + len((names_of_label.get(field) or "").encode()) + 1
    return size


# --- changes --------------------------------------------------------------------------
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
    from campaigns.items import Campaign
    from campaigns.repository import CampaignNotFound
    from campaigns_site.errors import StaleEdit
    from campaigns_site.transactions import Transaction, TransactionCanceled

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
        condition=Campaign.sk.exists() & Campaign.deleting_since.does_not_exist(),
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
