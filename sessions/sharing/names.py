"""What a share link shows of who speaks: the owner's speaker names, or character names only.

A link made with "character names only" shows each speaker by their character's name (or
"Speaker n", their place in the transcript), never by a player's name or the label they
were recorded with, in the transcript and in the summaries alike: summary_replacements
says what each name a summary may hold becomes, replace_names applies it. The share form
warns, for each scope, which names a link with full names would show (names_shown_by_a_link).
Pure functions of the names and texts: no request.
"""

import re
from dataclasses import dataclass

from sessions.sharing.items import SCOPE_KINDS, kinds_shown
from sessions.transcripts.speaker_display import speaker_display


def shared_speaker_names(link, names, labels):
    """The speaker names a link's transcript shows ({label: {"player", "character"}}), for
    the transcript's labels in order: the owner's names, or character_names_only."""
    if not link.characters_only:
        return names
    return character_names_only(names, labels)


def character_names_only(names, labels):
    """What a characters-only link shows for each of `labels` (the transcript's, in order):
    its character name, or "Speaker n" (its place in the transcript) when it has none, so
    neither a player's name nor a recorded label (often somebody's own handle) reaches the
    visitor."""
    return {
        label: {"player": "", "character": (names.get(label) or {}).get("character") or f"Speaker {number}"}
        for number, label in enumerate(labels, 1)
    }


def summary_replacements(names, labels):
    """{what a summary may say: what a characters-only link's transcript shows instead},
    for the transcript's `labels` in order.

    Summaries are written with the names the owner sees ("Grunk (Dev)", "Dev", or the raw
    label "SPEAKER_03" when unnamed); each of these becomes the name character_names_only
    gives that speaker on the shared transcript ("Grunk", or "Speaker 4"). The transcript's
    labels come first, in its order (so "Speaker n" is the same number on both pages); then
    the campaign's other named labels, numbered after them, since a summary written before a
    transcript was replaced, or a hand edit, may name a player of another session. When two
    speakers share a name (one player, two voices), the first speaker's wins."""
    labels = list(labels)
    labels += [label for label in names if label not in set(labels)]
    shown = character_names_only(names, labels)
    replacements = {}
    for label in labels:
        instead = speaker_display(shown, label)
        player = ((names.get(label) or {}).get("player") or "").strip()
        for said in (speaker_display(names, label), player, label):
            # A summary often drops a role after a name ("Sam" for the label "Sam (GM)").
            for name in (said, _before_a_role(said)):
                if name and name != instead:
                    replacements.setdefault(name, instead)
    return replacements


def _before_a_role(name):
    """The name before a trailing parenthesis ("Sam" of "Sam (GM)"), or None."""
    found = re.fullmatch(r"(.*?\w.*?)\s*\([^()]*\)", name or "")
    return found.group(1).strip() if found else None


def names_pattern(names):
    """A pattern matching any of `names` as whole words, case as written, the longest first
    (so "Sam (GM)" wins over "Sam"), or None for no names."""
    if not names:
        return None
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def replace_names(text, replacements):
    """`text` with every name of `replacements` (summary_replacements) replaced, in one pass
    (a name put in is never replaced again). Plain text in, plain text out: the template
    escapes it."""
    pattern = names_pattern(replacements)
    if pattern is None or not text:
        return text
    return pattern.sub(lambda match: replacements[match.group(0)], text)


@dataclass(frozen=True)
class NamesShown:
    """What a link with full names would show of who the players are, for each scope."""

    by_scope: dict  # scope -> [name as shown, ...], in the order the link shows them
    unnamed: list  # raw labels the transcript shows as recorded (naming them hides them)

    def __bool__(self):
        return any(self.by_scope.values())


def names_shown_by_a_link(session, names, summaries):
    """What the share form warns about: for each scope, the names a link without
    "character names only" would show that a characters-only link hides, exactly as shown.

    The transcript shows each speaker as the owner's reader does (speaker_display): listed
    when that includes a player's name or is the recorded label. Summaries show what their
    texts say: any of summary_replacements' names found in the texts of the scope's kinds.
    Labels from the session item (no request; a transcript with more speakers than it lists
    is judged on those it lists); `summaries` as read with the session."""
    labels = list(session.transcript_speakers or []) if session.has_transcript else []
    in_transcript = []
    for label in labels:
        entry = names.get(label) or {}
        if (entry.get("player") or "").strip() or not any((value or "").strip() for value in entry.values()):
            in_transcript.append(speaker_display(names, label))
    unnamed = [
        label
        for label in labels
        if not any(((names.get(label) or {}).get(key) or "").strip() for key in ("player", "character"))
    ]
    pattern = names_pattern(summary_replacements(names, labels))
    texts = {summary.kind: summary.text or "" for summary in summaries}
    by_scope = {}
    for scope in SCOPE_KINDS:
        kinds = kinds_shown(scope, session)
        found = [name for kind in kinds if pattern for name in pattern.findall(texts.get(kind, ""))]
        if scope == "transcript":
            found = in_transcript + found
        by_scope[scope] = list(dict.fromkeys(found))
    return NamesShown(by_scope=by_scope, unnamed=unnamed)
