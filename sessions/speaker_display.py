"""How a transcript's raw speaker label is shown, given its campaign's speaker names.

Apart from sessions/speaker_names.py (the item and its repository) so that the reader,
which every transcript page imports, loads no PynamoDB at start-up (campaigns_site.lazy).
"""

NAME_MAX_LENGTH = 60  # a player's or a character's name (sessions/speaker_forms.py)


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
