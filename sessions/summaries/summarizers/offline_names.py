"""Names in a transcript, for the offline summarizer's NPCs and locations
(sessions/summaries/summarizers/offline.py): capitalized runs of words, with the cues
around them that say person ("Lord", "<Name> says", "met <Name>") or place ("in the
<Place>", place words like "Temple"); the speakers' own names are never NPCs.
"""

import re
from dataclasses import dataclass

from sessions.core.segments import format_time
from sessions.summaries.summarizers.offline_reading import EDGE_PUNCTUATION, Sentence, quote
from sessions.summaries.summarizers.offline_words import (
    CONNECTORS,
    ITEMS,
    NOT_NAMES,
    NOTHING_FOUND,
    PERSON_OBJECT_VERBS,
    PLACE_PREPOSITIONS,
    PLACE_WORDS,
    QUOTE_WORDS,
    SPEECH_VERBS,
    STOPWORDS,
    TALK_VERBS,
    TITLES,
)

_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞ"
_POSSESSIVE = re.compile(r"['’]s$")


@dataclass(slots=True)
class _Name:
    text: str
    mentions: int = 0
    person: float = 0.0
    place: float = 0.0
    with_article: int = 0  # mentions written "the <name>"
    first: Sentence | None = None  # first mention
    cued: Sentence | None = None  # first mention with a cue: the best context
    last: Sentence | None = None


def _names(transcript):
    names = {}
    for sentence in transcript.sentences:
        for name, initial, before, after in _capitalized_names(sentence.text):
            key = name.lower()
            if key in transcript.excluded_names or all(part in transcript.excluded_names for part in key.split()):
                continue
            entry = names.get(key)
            if entry is None:
                entry = names[key] = _Name(text=name)
            entry.mentions += 1
            entry.with_article += bool(before) and before[-1] == "the"
            entry.first = entry.first or sentence
            entry.last = sentence
            person, place = _cues(name, before=before, after=after, initial=initial)
            entry.person += person
            entry.place += place
            if (person or place) and entry.cued is None:
                entry.cued = sentence
            if not initial and not person and not place:
                entry.person += 0.2  # a capitalized word mid-sentence, over and over, is likely someone
    _merge_titled(names)
    return names


def _capitalized_names(text):
    """(name, sentence-initial?, two words before, word after) for each run of capitalized words."""
    tokens = text.split()
    words = [token.strip(EDGE_PUNCTUATION) for token in tokens]
    run = []  # indexes into words
    for index, word in enumerate(words):
        if _name_word(word) or (run and word in CONNECTORS and _connects(words, index)):
            run.append(index)
            if tokens[index] != tokens[index].rstrip(',.;:!?…)"”'):
                yield _candidate(words, run)  # punctuation ends a name: "Varis, Mira and Tom"
                run = []
        elif run:
            yield _candidate(words, run)
            run = []
    if run:
        yield _candidate(words, run)


def _name_word(word):
    if not word or word[0] not in _UPPER:
        return False
    lowered = word.lower()
    return (
        lowered not in STOPWORDS
        and lowered not in NOT_NAMES
        and not any(char.isdigit() or char == "_" for char in word)
        and not (word.isupper() and len(word) <= 3)  # GM, DM, HP, AC
    )


def _connects(words, index):
    """Whether a lower-case "of"/"the" at index sits inside a name: "Temple of the Moon"."""
    following = words[index + 1 : index + 3]
    if following and _name_word(following[0]):
        return True
    return len(following) == 2 and following[0] in CONNECTORS and _name_word(following[1])


def _candidate(words, run):
    while len(run) > 1 and words[run[-1]] in CONNECTORS:
        run = run[:-1]
    first, last = run[0], run[-1]
    name = " ".join(_POSSESSIVE.sub("", words[i]) for i in run)  # "Varis's" is Varis
    before = [word.lower() for word in words[max(first - 2, 0) : first]]
    after = words[last + 1].lower() if last + 1 < len(words) else ""
    return name, not any(words[:first]), before, after


def _cues(name, *, before, after, initial):
    words = name.lower().split()
    person = place = 0.0
    if words[0] in TITLES and len(words) > 1:
        person += 2
    if after in SPEECH_VERBS:
        person += 1.5
    previous = before[-1] if before else ""
    earlier = before[-2] if len(before) > 1 else ""
    if previous in PERSON_OBJECT_VERBS or (previous in ("to", "with") and earlier in TALK_VERBS):
        person += 1
    if words[-1] in PLACE_WORDS and len(words) > 1:  # "Greymoor Keep", not "Hold on"
        place += 2
    if previous == "the" and earlier in PLACE_PREPOSITIONS | {"to"}:
        place += 1.5
    elif previous in PLACE_PREPOSITIONS:
        place += 1
    elif previous == "to" and not person:
        place += 0.5
    if previous == "the" and len(words) == 1 and not place:
        person -= 0.5  # "the Harpers", "the Zhentarim": a group or a thing, not someone
    if initial and not (person or place):
        return 0.0, 0.0
    return person, place


def _merge_titled(names):
    """ "Varis" and "Lord Varis" are one person: fold the bare name into the titled one."""
    for key in sorted(names, key=lambda k: (-len(k.split()), k)):
        parts = key.split()
        if len(parts) < 2 or parts[0] not in TITLES or key not in names:
            continue
        core = " ".join(parts[1:])
        for alias in (core, parts[1]):
            other = names.pop(alias, None) if alias != key else None
            if other is None:
                continue
            entry = names[key]
            entry.mentions += other.mentions
            entry.with_article += other.with_article
            entry.person += max(other.person, 0)
            if other.first and (entry.first is None or other.first.index < entry.first.index):
                entry.first = other.first
            if other.last and (entry.last is None or other.last.index > entry.last.index):
                entry.last = other.last
            entry.cued = entry.cued or other.cued


def _name_list(transcript, *, length, want):
    limit = ITEMS[want][length]
    entries = []
    for entry in _names(transcript).values():
        if want == "npcs" and entry.person > entry.place and entry.person >= 0.5:
            entries.append(entry)
        elif want == "locations" and entry.place > entry.person and entry.place >= 1:
            entries.append(entry)
    entries.sort(key=lambda e: (-(e.mentions + (e.person if want == "npcs" else e.place)), e.first.index))
    entries = entries[:limit]
    if not entries:
        return NOTHING_FOUND[want]
    lines = []
    words = QUOTE_WORDS[length]
    for entry in entries:
        # As the table says it: "the Sunken Temple", but "Phandalin".
        display = f"The {entry.text}" if entry.with_article * 2 > entry.mentions else entry.text
        if length == "brief":
            lines.append(f"- {display}")
            continue
        context = entry.cued or entry.first
        mentions = "1 mention" if entry.mentions == 1 else f"{entry.mentions} mentions"
        line = f"- {display} ({mentions}): “{quote(context.text, words=words)}”"
        if length == "detailed":
            stamp = format_time(context.start, fixed_width=True)
            if stamp:
                line = f"- {display} ({mentions}, first at {stamp}): “{quote(context.text, words=words)}”"
            if entry.last is not None and entry.last is not context:
                line += f" Last: “{quote(entry.last.text, words=words)}”"
        lines.append(line)
    return "\n".join(lines)


def npcs(transcript, *, length, title):
    return _name_list(transcript, length=length, want="npcs")


def locations(transcript, *, length, title):
    return _name_list(transcript, length=length, want="locations")
