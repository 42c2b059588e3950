"""The offline summarizer: extractive and heuristic, standard library only.

It needs no network and no model, so local runs and tests get real summaries. It picks
sentences from the transcript rather than writing new ones:

- recap: the best sentence of each stretch of the session, in story order, so the
  recap covers the whole evening rather than its busiest ten minutes;
- key events: the best-scoring sentences that describe something happening;
- NPCs and locations: capitalized names with cues around them (titles like "Lord",
  "<Name> says", "in the <Place>", place words like "Temple");
- loot: sentences with coins, items and finding words;
- open threads: questions and plans ("we need to", "next time"), later ones first in weight.

Scoring is term frequency over the whole transcript (stopwords removed: an English list
plus the words most sentences share, so it works for other languages too), weighted by
sentence length and position. Every step is one pass over the sentences, so a four-hour
transcript takes a fraction of a second (scripts/bench_summaries.py).

Deterministic: ties fall to the earlier sentence.
"""

import math
import re
from collections import Counter
from dataclasses import dataclass

from sessions.core.kinds import STORY_SO_FAR
from sessions.summaries.summarizers.base import (
    SummaryInputError,
    SummaryResult,
    character_part,
    estimate_tokens,
    format_time,
    round_cost,
)

MODEL = "extractive-1"  # bump when the heuristics change, so stored summaries say which made them

# How many lines each kind gets, by length.
ITEMS = {
    "recap": {"brief": 4, "standard": 8, "detailed": 14},
    "key_events": {"brief": 5, "standard": 10, "detailed": 20},
    "npcs": {"brief": 3, "standard": 8, "detailed": 15},
    "locations": {"brief": 3, "standard": 8, "detailed": 15},
    "loot": {"brief": 4, "standard": 8, "detailed": 15},
    "open_threads": {"brief": 3, "standard": 6, "detailed": 12},
    STORY_SO_FAR: {"brief": 5, "standard": 10, "detailed": 20},
}
# Quotes in lists are cut to this many words, by length.
QUOTE_WORDS = {"brief": 20, "standard": 30, "detailed": 45}
MIN_WORDS = 4  # below this there is nothing to summarize

NOTHING_FOUND = {
    "npcs": "No named NPCs stood out in this session.",
    "locations": "No named places stood out in this session.",
    "loot": "No loot or items came up in this session.",
    "open_threads": "No open questions or plans for next time came up in this session.",
}
# Kinds that rely on English cue words; other languages get a clear message instead of noise
# (German capitalizes every noun, so "capitalized = name" fails there).
ENGLISH_ONLY = {"npcs": "NPCs", "locations": "locations", "loot": "loot and items"}

STOPWORDS = frozenset(
    """
    a about above after again against ah all also am an and any are aren't as at be because been before
    being below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't
    down during each few for from further had hadn't has hasn't have haven't having he he'd he'll he's her
    here here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its
    itself let's me more most mustn't my myself no nor not of off on once only or other ought our ours
    ourselves out over own same shan't she she'd she'll she's should shouldn't so some such than that
    that's the their theirs them themselves then there there's these they they'd they'll they're they've
    this those through to too under until up very was wasn't we we'd we'll we're we've were weren't what
    what's when when's where where's which while who who's whom why why's with won't would wouldn't you
    you'd you'll you're you've your yours yourself yourselves
    yeah yes yep nope okay ok alright um uh umm uhh hmm huh oh ooh wow like just really gonna gotta wanna
    kinda sorta actually basically literally right well sure cool nice wait now get got go going goes
    went want wants know think thought mean say says said thing things stuff guys hey lot maybe also
    still even one two three let lets us will shall may might much many way back see look looks come
    comes okay anyway though thats dont im ive youre
    """.split()
)
# Table talk: rules, dice, snacks. Sentences full of these are not the story.
TABLE_TALK = frozenset(
    """
    roll rolls rolled rolling d4 d6 d8 d10 d12 d20 d100 dice die initiative modifier modifiers advantage
    disadvantage nat natural crit crits critical damage hp ac dc check checks save saves saving throw
    spell slot slots bonus action actions reaction turn turns round rounds rule rules rulebook sheet
    level xp pizza snack snacks drinks bathroom break mic microphone audio recording discord zoom
    phone muted mute lag
    """.split()
)
EVENT_WORDS = (
    frozenset(
        """
    attack attacks attacked kill kills killed slay slays slew slain defeat defeats defeated die dies
    died dead escape escapes escaped arrive arrives arrived discover discovers discovered find finds
    found reveal reveals revealed betray betrays betrayed agree agrees agreed decide decides decided
    steal steals stole stolen rescue rescues rescued capture captures captured fight fights fought
    ambush ambushes ambushed flee flees fled destroy destroys destroyed open opens opened enter enters
    entered meet meets met kidnap kidnapped curse cursed summon summons summoned sneak sneaks snuck
    travel travels traveled travelled reach reaches reached leave leaves left explode explodes exploded
    collapse collapses collapsed burn burns burned burnt wake wakes woke awaken awakens awakened return
    returns returned win wins won lose loses lost save saves saved appear appears appeared vanish
    vanishes vanished break breaks broke broken trap trapped poison poisoned sacrifice sacrificed
    transform transformed sign signed hire hired swear swore sworn
    """.split()
    )
    - TABLE_TALK
)
TITLES = frozenset(
    """
    lord lady sir dame king queen prince princess duke duchess baron baroness count countess earl
    captain capt commander general sergeant lieutenant admiral marshal master mistress father mother
    brother sister elder abbot bishop priest priestess cardinal doctor dr professor archmage magister
    mayor chief chieftain warden sheriff constable mr mrs ms madam madame old uncle aunt granny grandma
    emperor empress guildmaster headmaster inquisitor regent jarl thane
    """.split()
)
PLACE_WORDS = frozenset(
    """
    tavern inn keep castle palace temple church chapel cathedral shrine abbey monastery forest wood woods
    grove jungle mountain mountains mount peak peaks hills hill river lake sea ocean bay coast shore city
    town village hamlet port harbor harbour docks tower spire cave caves cavern caverns mine mines crypt
    tomb catacombs dungeon ruins gate gates market bazaar road pass valley vale marsh swamp bog fen desert
    wastes plains isle island islands library hall halls fortress fort citadel sanctum vault bridge
    district quarter ward square plaza manor estate farm mill lighthouse prison barracks academy
    guildhall arena sewers underdark realm kingdom empire canyon falls springs glacier highlands
    lowlands reach hollow ridge cliffs outpost camp encampment garrison stronghold lair hold barrow
    barrows observatory
    """.split()
)
SPEECH_VERBS = frozenset(
    """
    says said asks asked tells told replies replied answers answered shouts shouted yells yelled whispers
    whispered mutters muttered nods nodded smiles smiled laughs laughed grins grinned frowns frowned sighs
    sighed explains explained warns warned offers offered agrees agreed refuses refused insists insisted
    promises promised hands handed gives gave wants wanted walks walked screams screamed growls growled
    sneers sneered bows bowed thanks thanked pleads pleaded begs begged orders ordered demands demanded
    """.split()
)
PERSON_OBJECT_VERBS = frozenset(
    """
    ask asks asked tell tells told meet meets met named thank thanked kill killed attack attacked follow
    followed hire hired help helped pay paid bribe bribed question questioned interrogate interrogated
    greet greeted rescue rescued save saved trust trusted betrayed
    """.split()
)
TALK_VERBS = frozenset("talk talks talked talking speak speaks spoke speaking report reported listen listened".split())
PLACE_PREPOSITIONS = frozenset(
    """
    in at into inside from toward towards near through across enter entered entering reach reached
    visit visited leave left arrive arrived outside beneath under above
    """.split()
)
# Capitalized words that are rarely names at a game table.
NOT_NAMES = frozenset(
    """
    perception stealth insight investigation athletics acrobatics arcana history religion nature survival
    medicine deception intimidation persuasion performance sleight strength dexterity constitution
    intelligence wisdom charisma initiative advantage disadvantage dungeons dragons discord roll20 foundry
    zoom monday tuesday wednesday thursday friday saturday sunday january february march april june july
    august september october november december english god gods hello hi thanks please sorry session
    speaker mister everyone anyone someone nobody nothing something everything
    """.split()
)
CONNECTORS = frozenset("of the de du von van al el".split())
LOOT_WORDS = frozenset(
    """
    gold silver copper platinum coin coins gp sp cp pp gem gems jewel jewels sword swords dagger daggers
    axe bow arrows shield armor armour potion potions scroll scrolls ring rings amulet wand staff key keys
    map chest treasure hoard loot looted reward rewards necklace cloak boots gauntlets helm helmet crown
    relic artifact artefact tome book orb bag pouch purse jewelry jewellery trinket weapon weapons blade
    """.split()
)
GETTING_WORDS = frozenset(
    """
    found find finds loot looted take took takes grab grabbed pick picked reward rewarded receive received
    give gives gave hand hands handed buy bought sell sold pocket pocketed claim claimed inherit stash
    stashed carry carrying keep kept split share owe owes paid pay
    """.split()
)
THREAD_PHRASES = (
    "we need to",
    "we have to",
    "we should",
    "we must",
    "we still",
    "need to find",
    "next time",
    "next session",
    "find out",
    "figure out",
    "don't know",
    "do not know",
    "not sure",
    "who is",
    "who was",
    "where is",
    "what happened",
    "why did",
    "quest",
    "mission",
    "task",
    "bounty",
    "promise",
    "deadline",
    "tomorrow",
    "later",
    "mystery",
    "rumor",
    "rumour",
    "track down",
    "go back",
    "come back",
    "return to",
    "meet us",
    "owe",
    "owes",
    "have until",
    "haven't",
    "hasn't",
    "unless",
)
# Questions and remarks about the game night itself, not the story.
TABLE_PHRASES = (
    "what do you do",
    "what do you want to do",
    "what would you like to do",
    "who's next",
    "whose turn",
    "same time",
    "next week",
    "great session",
    "good session",
    "good game",
    "anyone want",
)

_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])\s+|(?<=[。！？])")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞ"
_CURRENCY = re.compile(r"\b\d[\d,]*\s*(?:gp|sp|cp|pp|gold|silver|copper|platinum|coins?)\b", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’]s$")
_EDGE_PUNCTUATION = "\"'“”‘’()[]{}.,;:!?…-–—*"


@dataclass(slots=True)
class Sentence:
    index: int
    speaker: str  # character name, or "" when the format has no speakers
    start: float | None
    text: str
    words: list  # lower-case words as written (for cues)
    terms: frozenset  # content terms (for scoring)


class OfflineSummarizer:
    provider = "offline"
    model = MODEL

    def summarize(self, request):
        request.require_text()
        transcript = _Transcript.from_request(request)
        if transcript.word_count < MIN_WORDS:
            raise SummaryInputError(f"The transcript is too short to summarize ({transcript.word_count} words).")
        if request.kind in ENGLISH_ONLY and not transcript.english:
            raise SummaryInputError(
                f"The offline summarizer finds {ENGLISH_ONLY[request.kind]} only in English transcripts. "
                "A recap, key events or open threads work in any language; the Bedrock provider does all kinds."
            )
        build = {
            "recap": _recap,
            "key_events": _key_events,
            "npcs": _npcs,
            "locations": _locations,
            "loot": _loot,
            "open_threads": _open_threads,
        }[request.kind]
        text = build(transcript, length=request.length, title=request.campaign_name or request.session_title)
        return self._result(text=text, kind=request.kind, length=request.length, source_text=transcript.rendered())

    def summarize_story(self, request):
        text, source_text = _story_so_far(request)
        return self._result(text=text, kind=STORY_SO_FAR, length=request.length, source_text=source_text)

    def _result(self, *, text, kind, length, source_text):
        return SummaryResult(
            text=text,
            kind=kind,
            length=length,
            provider=self.provider,
            model=self.model,
            input_tokens=estimate_tokens(source_text),
            output_tokens=estimate_tokens(text),
            estimated_cost_usd=round_cost(0),
            tokens_estimated=True,
        )


# --- Reading the transcript ---------------------------------------------------------------


class _Transcript:
    def __init__(self, sentences, *, excluded_names=frozenset()):
        self.sentences = sentences
        self.excluded_names = excluded_names  # speakers' own names: never NPCs
        self.word_count = sum(len(sentence.words) for sentence in sentences)
        self.english = _looks_english(sentences)
        self.weights = _term_weights(sentences)

    @classmethod
    def from_request(cls, request):
        sentences = []
        for segment in request.segments:
            text = " ".join((segment.text or "").split())
            if not text:
                continue
            speaker = request.character_name(segment.speaker)
            for piece in _split_sentences(text):
                sentences.append(_sentence(len(sentences), speaker=speaker, start=segment.start, text=piece))
        excluded = set()
        for label in {segment.speaker for segment in request.segments if segment.speaker}:
            display = request.display_name(label)
            for name in (display, character_part(display), *re.findall(r"\(([^)]*)\)", display)):
                name = name.strip().lower()
                if name:
                    excluded.add(name)
                    excluded.update(name.split())
        return cls(sentences, excluded_names=frozenset(excluded))

    def rendered(self):
        return "\n".join(f"{s.speaker}: {s.text}" if s.speaker else s.text for s in self.sentences)

    def score(self, sentence):
        """How much a sentence says about this session: its rare-but-recurring words, by length."""
        if not sentence.terms:
            return 0.0
        content = sum(self.weights.get(term, 0.0) for term in sentence.terms)
        score = content / math.sqrt(len(sentence.terms) + 1)
        n_words = len(sentence.words)
        if n_words < 5:
            score *= 0.3
        elif n_words < 8:
            score *= 0.7
        elif n_words > 60:
            score *= 0.5
        elif n_words > 35:
            score *= 0.8
        relative = sentence.index / max(len(self.sentences) - 1, 1)
        if relative < 0.05 or relative > 0.9:
            score *= 1.2  # the opening situation and the cliffhanger
        talk = sum(1 for word in sentence.words if word in TABLE_TALK)
        if talk:
            score *= 0.4 if talk == 1 else 0.2
        return score


def _split_sentences(text):
    pieces = [piece.strip() for piece in _SENTENCE_BREAK.split(text) if piece and piece.strip()]
    merged = []
    carry = ""
    for piece in pieces:
        # "Mr." or "St." alone is an abbreviation, not a sentence: keep it with what follows.
        if len(piece.split()) == 1 and piece.endswith(".") and not _CJK.search(piece):
            carry = f"{carry} {piece}".strip()
            continue
        merged.append(f"{carry} {piece}".strip() if carry else piece)
        carry = ""
    if carry:
        merged.append(carry)
    return merged


def _sentence(index, *, speaker, start, text):
    words = _WORD.findall(text.lower())
    terms = {word for word in set(words) if len(word) > 2 and not word[0].isdigit()} - STOPWORDS
    if not text.isascii() and _CJK.search(text):
        # Languages written without spaces: character pairs stand in for words.
        for word in [word for word in terms if _CJK.search(word)]:
            terms.discard(word)
            terms.update(word[i : i + 2] for i in range(max(len(word) - 1, 1)))
    return Sentence(index=index, speaker=speaker, start=start, text=text, words=words, terms=frozenset(terms))


def _looks_english(sentences):
    total = english = 0
    for sentence in sentences:
        for word in sentence.words:
            total += 1
            english += word in STOPWORDS
    if not total:
        return False
    cjk = sum(1 for sentence in sentences if _CJK.search(sentence.text))
    return english / total >= 0.15 and cjk <= len(sentences) * 0.2


def _term_weights(sentences):
    """Weight of each term: grows with how often it recurs, but words in most sentences count for nothing."""
    frequency = Counter()
    document_frequency = Counter()
    for sentence in sentences:
        document_frequency.update(sentence.terms)
        frequency.update(term for term in sentence.terms)
    # Words shared by many sentences are this transcript's own stopwords, in any language.
    too_common = max(len(sentences) * 0.04, 3) if len(sentences) >= 50 else math.inf
    return {
        term: math.log1p(count) * (1.0 if count > 1 else 0.5)
        for term, count in frequency.items()
        if document_frequency[term] <= too_common
    }


# --- Picking and writing -------------------------------------------------------------------


def _pick(candidates, *, limit, scored):
    """The best `limit` sentences (scored: sentence -> score), skipping near-duplicates, in story order."""
    ranked = sorted(candidates, key=lambda sentence: (-scored[sentence.index], sentence.index))
    chosen = []
    for sentence in ranked:
        if len(chosen) == limit:
            break
        if scored[sentence.index] <= 0:
            break
        if any(_similar(sentence, other) for other in chosen):
            continue
        chosen.append(sentence)
    return sorted(chosen, key=lambda sentence: sentence.index)


def _similar(one, other):
    if not one.terms or not other.terms:
        return one.text.lower() == other.text.lower()
    overlap = len(one.terms & other.terms)
    return overlap / len(one.terms | other.terms) > 0.6


def _quote(text, *, words):
    parts = text.split()
    if len(parts) <= words:
        return text
    return " ".join(parts[:words]).rstrip(_EDGE_PUNCTUATION) + "…"


def _line(sentence, *, length, with_time):
    stamp = format_time(sentence.start) if with_time else ""
    who = f"{sentence.speaker}: " if sentence.speaker else ""
    when = f"[{stamp}] " if stamp else ""
    return f"- {when}{who}{_quote(sentence.text, words=QUOTE_WORDS[length])}"


def _recap(transcript, *, length, title):
    limit = ITEMS["recap"][length]
    sentences = transcript.sentences
    scores = {sentence.index: transcript.score(sentence) for sentence in sentences}
    chosen = []
    if len(sentences) <= limit:
        chosen = list(sentences)
    else:
        # One sentence from each stretch of the session, so the recap follows the whole story.
        size = len(sentences) / limit
        for bucket in range(limit):
            stretch = sentences[round(bucket * size) : round((bucket + 1) * size)]
            for best in sorted(stretch, key=lambda s: (-scores[s.index], s.index)):
                if not any(_similar(best, other) for other in chosen):
                    chosen.append(best)
                    break
    opener = f"Previously on {title}…" if title else "Previously…"
    lines = [_line(sentence, length=length, with_time=False) for sentence in chosen]
    return "\n".join([opener, *lines])


def _key_events(transcript, *, length, title):
    limit = ITEMS["key_events"][length]
    scores = {}
    for sentence in transcript.sentences:
        score = transcript.score(sentence)
        events = sum(1 for word in sentence.words if word in EVENT_WORDS)
        if events:
            score *= 1.0 + 0.5 * min(events, 3)
        elif transcript.english:
            score *= 0.5
        scores[sentence.index] = score
    chosen = _pick(transcript.sentences, limit=limit, scored=scores)
    if not chosen:
        chosen = _first_and_last(transcript.sentences, limit=limit)
    return "\n".join(_line(sentence, length=length, with_time=True) for sentence in chosen)


def _first_and_last(sentences, *, limit):
    """When nothing scores (tiny or odd input), the opening and closing lines still tell something."""
    if len(sentences) <= limit:
        return list(sentences)
    head = limit // 2 + limit % 2
    return list(sentences[:head]) + list(sentences[len(sentences) - (limit - head) :])


def _loot(transcript, *, length, title):
    limit = ITEMS["loot"][length]
    scores = {}
    candidates = []
    for sentence in transcript.sentences:
        items = sum(1 for word in sentence.words if word in LOOT_WORDS)
        coins = len(_CURRENCY.findall(sentence.text))
        if not items and not coins:
            continue
        getting = sum(1 for word in sentence.words if word in GETTING_WORDS)
        if "find out" in sentence.text.lower():
            getting -= 1  # a plan to learn something, not a find
        score = 3.0 * min(coins, 2) + min(items, 3) + min(getting, 2)
        if score < 2:
            continue
        scores[sentence.index] = score + 0.1 * transcript.score(sentence)
        candidates.append(sentence)
    chosen = _pick(candidates, limit=limit, scored=scores)
    if not chosen:
        return NOTHING_FOUND["loot"]
    return "\n".join(_line(sentence, length=length, with_time=length == "detailed") for sentence in chosen)


def _open_threads(transcript, *, length, title):
    limit = ITEMS["open_threads"][length]
    count = max(len(transcript.sentences) - 1, 1)
    scores = {}
    candidates = []
    for sentence in transcript.sentences:
        # Phrases match whole words: "welcome back" is not "come back", "lower" is not "owe".
        lowered = f" {' '.join(sentence.words)} "
        question = sentence.text.rstrip("\"'”’)] ").endswith(("?", "？"))
        cues = sum(1 for phrase in THREAD_PHRASES if f" {phrase} " in lowered) if transcript.english else 0
        # Short English questions are mostly table talk ("What do we find?"); other languages
        # have no cue phrases, so their questions are all there is to go on.
        if question and len(sentence.words) >= (5 if transcript.english else 3) and not _CJK.search(sentence.text):
            cues += 1.5
        elif question and _CJK.search(sentence.text) and len(sentence.text) >= 8:
            cues += 1.5
        if not cues or any(f" {phrase} " in lowered for phrase in TABLE_PHRASES):
            continue
        score = min(cues, 3.0) * (0.6 + 0.8 * sentence.index / count)  # later threads are likelier still open
        if any(word in TABLE_TALK for word in sentence.words):
            score *= 0.2  # "can I roll for that?" is a rules question, not a quest
        scores[sentence.index] = score + 0.1 * transcript.score(sentence)
        candidates.append(sentence)
    chosen = _pick(candidates, limit=limit, scored=scores)
    if not chosen:
        return NOTHING_FOUND["open_threads"]
    return "\n".join(_line(sentence, length=length, with_time=length == "detailed") for sentence in chosen)


# --- Names: NPCs and locations ---------------------------------------------------------------


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
    words = [token.strip(_EDGE_PUNCTUATION) for token in tokens]
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
        line = f"- {display} ({mentions}): “{_quote(context.text, words=words)}”"
        if length == "detailed":
            stamp = format_time(context.start)
            if stamp:
                line = f"- {display} ({mentions}, first at {stamp}): “{_quote(context.text, words=words)}”"
            if entry.last is not None and entry.last is not context:
                line += f" Last: “{_quote(entry.last.text, words=words)}”"
        lines.append(line)
    return "\n".join(lines)


def _npcs(transcript, *, length, title):
    return _name_list(transcript, length=length, want="npcs")


def _locations(transcript, *, length, title):
    return _name_list(transcript, length=length, want="locations")


# --- The story so far --------------------------------------------------------------------------


def _story_so_far(request):
    """A few sentences from each session's summary, sessions in order, under their titles."""
    limit = ITEMS[STORY_SO_FAR][request.length]
    sessions = []  # (heading, [Sentence])
    index = 0
    for number, (title, text) in enumerate(request.session_summaries, start=1):
        sentences = []
        for raw in text.splitlines():
            line = raw.strip().lstrip("-*•").strip()
            if not line or (line.startswith("Previously") and line.endswith("…")):
                continue  # the recap's own opener says nothing about the story
            for piece in _split_sentences(line):
                sentences.append(_sentence(index, speaker="", start=None, text=piece))
                index += 1
        if sentences:
            sessions.append((title or f"Session {number}", sentences))
    if not sessions:
        raise SummaryInputError("The sessions' summaries have no text to build the story so far from.")
    everything = [sentence for _, sentences in sessions for sentence in sentences]
    transcript = _Transcript(everything)
    scores = {sentence.index: transcript.score(sentence) or 0.001 for sentence in everything}

    # Each session gets a share of the lines; with more sessions than lines, neighbours share one.
    # The latest sessions get any remainder: they matter most to the next game.
    groups = _spread(len(sessions), limit)
    opener = f"The story so far in {request.campaign_name}…" if request.campaign_name else "The story so far…"
    lines = [opener]
    for first, last, quota in groups:
        group = sessions[first : last + 1]
        candidates = [sentence for _, sentences in group for sentence in sentences]
        chosen = _pick(candidates, limit=quota, scored=scores)
        heading = group[0][0] if len(group) == 1 else f"{group[0][0]} to {group[-1][0]}"
        lines.append(heading)
        lines.extend(f"- {_quote(sentence.text, words=QUOTE_WORDS[request.length])}" for sentence in chosen)
    source = "\n".join(f"{heading}\n{text}" for heading, text in request.session_summaries)
    return "\n".join(lines), source


def _spread(count, limit):
    """(first session, last session, lines) groups covering `count` sessions with `limit` lines in all."""
    if count <= limit:
        base, extra = divmod(limit, count)
        return [(i, i, base + (1 if i >= count - extra else 0)) for i in range(count)]
    size = count / limit
    return [(round(i * size), round((i + 1) * size) - 1, 1) for i in range(limit)]
