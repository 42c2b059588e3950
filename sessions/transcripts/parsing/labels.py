"""Speaker labels as people write them: which leading `Label:` names a speaker."""

import re

MACHINE_LABEL = re.compile(r"(?:speaker|spk)[ _-]?\d{1,3}", re.IGNORECASE)
_NAME_CHARS = re.compile(r"[\w .'’@#&()+\[\]-]+")
_NAME_PARTICLES = frozenset({"van", "von", "de", "da", "del", "der", "di", "du", "la", "le", "of", "the"})
_LABEL_PREFIX = re.compile(r"\s*(\[[^\]\n]{1,40}\]|[^:\n]{1,40}?)\s*:(?:\s+|$)")


def looks_like_name(label, *, max_words=4):
    """A speaker label as people write one: 'Mira (GM)', 'SPEAKER_01', 'xX_Drake_Xx', 'Zoë'.

    At most `max_words` words and 40 characters, no sentence punctuation, not a number;
    several words must each start with a capital, a digit or a bracket ('Dungeon Master',
    'Speaker 2'), particles aside ('Jan van Dijk'), so 'He said: …' stays text.
    """
    if not label or len(label) > 40 or not _NAME_CHARS.fullmatch(label) or label.isdigit():
        return False
    words = label.split()
    if len(words) > max_words or not (words[0][0].isalnum() or words[0][0] in "@[(_"):
        return False
    if len(words) == 1:
        return True
    return all(
        word[0].isupper() or word[0].isdigit() or word[0] in "[(" or (index and word in _NAME_PARTICLES)
        for index, word in enumerate(words)
    )


def unbracket(label):
    return label[1:-1].strip() if label.startswith("[") and label.endswith("]") else label


def leading_label(text):
    """(label, strong, rest_offset) for a leading 'Label: ' in cue text, or None.

    Strong labels (bracketed, or machine labels like SPEAKER_00) count at once; a weak,
    merely name-like one only if it recurs (see the module docstring).
    """
    match = _LABEL_PREFIX.match(text)
    if not match:
        return None
    raw = match.group(1).strip()
    label = unbracket(raw)
    if MACHINE_LABEL.fullmatch(label):
        return label, True, match.end()
    if raw.startswith("[") and looks_like_name(label):
        return label, True, match.end()
    if looks_like_name(label, max_words=3):
        return label, False, match.end()
    return None
