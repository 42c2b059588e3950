"""Speaker names, one item per campaign: raw transcript labels ("SPEAKER_00", a Discord
name) mapped to a player and a character. Applied when a transcript is read; the stored
transcript is never rewritten, so a name can be changed or removed at any time.

PK `USER#<sub>`, SK `SPEAKERS#<campaign_id>`. One map for the whole campaign, so names
given on one session's speakers page are reused by every later session whose transcript
uses the same labels (the same Discord names, or WhisperX's SPEAKER_00... for a group
that always sits in the same order).

Access (docs/data-model.md, sessions/transcripts/repository.py): read with the session
and its campaign in one BatchGetItem (get_session_with_campaign_and_speaker_names) or
GetItem (get_speaker_names); saved by save_speaker_names, merged (merged_names, below)
into the stored map in one TransactWriteItems conditioned on the version the form
started from; deleted by the campaign's cascade (sessions.core.campaign_deletion) and with the whole
partition by account deletion.

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
from campaigns_site.table_keys import SPEAKER_NAMES_PREFIX
from sessions.transcripts.speaker_display import NAME_MAX_LENGTH

MAX_SPEAKER_NAMES = 200  # labels named a campaign
MAX_LABEL_LENGTH = 100  # = parsing.MAX_SPEAKER_LENGTH: longer labels never reach here
NAMES_MAX_BYTES = 32_000  # the encoded map; see the module docstring
FIELDS = ("player", "character")


class SpeakerNames(TableModel, discriminator="SpeakerNames"):
    # {raw label: {"player": str, "character": str}}; a raw (untyped) map, since its keys
    # are the transcripts' own labels.
    names = MapAttribute(default=dict)
    version = VersionAttribute()

    @property
    def campaign_id(self):
        return self.sk.removeprefix(SPEAKER_NAMES_PREFIX)

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


# --- what a form carries ------------------------------------------------------------
def stored_names(item):
    """{label: {"player", "character"}} of a SpeakerNames item, or {} for None."""
    return {} if item is None else item.as_dict()


def stored_version(item):
    """The item's version, 0 when there is no item yet (what a form carries)."""
    return 0 if item is None or item.version is None else int(item.version)


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
