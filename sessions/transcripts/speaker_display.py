"""How a transcript's raw speaker label is shown, given its campaign's speaker names.

Apart from sessions/transcripts/items.py and repository.py (the item and its repository) so that the reader,
which every transcript page imports, loads no PynamoDB at start-up (campaigns_site.lazy).
"""

import hashlib
import json
import re

NAME_MAX_LENGTH = 60  # a player's or a character's name (sessions/transcripts/speaker_forms.py)
# The fingerprint of "no speaker named" (names_fingerprint): what a summary written before
# any name was given records.
NO_NAMES = "none"


def speaker_display(names, label):
    """How the reader shows a raw label, given a campaign's names ({label: {"player",
    "character"}}): "Character (Player)", or whichever of the two is set, else the label."""
    if label is None:
        return None
    return entry_display(names.get(label)) or label


def entry_display(entry):
    """One label's names ({"player", "character"} or None) as shown: "Character (Player)",
    whichever of the two is set, or "" for neither."""
    entry = entry or {}
    character, player = (entry.get("character") or "").strip(), (entry.get("player") or "").strip()
    if character and player:
        return f"{character} ({player})"
    return character or player


def names_in_use(names, labels):
    """{label: its name as shown} for those of `labels` that have a name in `names`."""
    return {label: shown for label in labels if (shown := entry_display(names.get(label)))}


def names_fingerprint(names, labels):
    """A short digest of the names the labels of a transcript are shown with: a summary
    records the one it was written with (Summary.speaker_names_sha), and the session page
    compares it with today's to say that the summary's names are out of date. NO_NAMES when
    none of the labels has a name. Only the labels given count, so naming the speakers of
    another session of the campaign changes nothing here."""
    in_use = names_in_use(names, labels)
    if not in_use:
        return NO_NAMES
    encoded = json.dumps(sorted(in_use.items()), ensure_ascii=False, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()[:16]


def raw_labels_in(text, labels):
    """The labels that appear in `text` as whole words ("SPEAKER_00:"), in the order given."""
    return [label for label in labels if label and re.search(rf"(?<!\w){re.escape(label)}(?!\w)", text or "")]
