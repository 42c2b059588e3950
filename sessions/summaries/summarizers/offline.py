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

Deterministic: ties fall to the earlier sentence. Beside this module: offline_reading.py
(sentences, their scores, picking), offline_names.py (NPCs and locations) and
offline_words.py (the cue words and how many lines each kind keeps).
"""

import re

from sessions.core.kinds import STORY_SO_FAR
from sessions.core.segments import format_time
from sessions.summaries.summarizers.base import (
    SummaryInputError,
    SummaryResult,
    estimate_tokens,
    round_cost,
)
from sessions.summaries.summarizers.offline_names import locations, npcs
from sessions.summaries.summarizers.offline_reading import (
    CJK,
    Transcript,
    pick,
    quote,
    sentence_of,
    similar,
    split_sentences,
)
from sessions.summaries.summarizers.offline_words import (
    ENGLISH_ONLY,
    EVENT_WORDS,
    GETTING_WORDS,
    ITEMS,
    LOOT_WORDS,
    MIN_WORDS,
    NOTHING_FOUND,
    QUOTE_WORDS,
    TABLE_PHRASES,
    TABLE_TALK,
    THREAD_PHRASES,
)

MODEL = "extractive-1"  # bump when the heuristics change, so stored summaries say which made them
_CURRENCY = re.compile(r"\b\d[\d,]*\s*(?:gp|sp|cp|pp|gold|silver|copper|platinum|coins?)\b", re.IGNORECASE)


class OfflineSummarizer:
    provider = "offline"
    model = MODEL

    def summarize(self, request):
        request.require_text()
        transcript = Transcript.from_request(request)
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
            "npcs": npcs,
            "locations": locations,
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


# --- Writing each kind -------------------------------------------------------------------


def _line(sentence, *, length, with_time):
    stamp = format_time(sentence.start, fixed_width=True) if with_time else ""
    who = f"{sentence.speaker}: " if sentence.speaker else ""
    when = f"[{stamp}] " if stamp else ""
    return f"- {when}{who}{quote(sentence.text, words=QUOTE_WORDS[length])}"


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
                if not any(similar(best, other) for other in chosen):
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
    chosen = pick(transcript.sentences, limit=limit, scored=scores)
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
    chosen = pick(candidates, limit=limit, scored=scores)
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
        if question and len(sentence.words) >= (5 if transcript.english else 3) and not CJK.search(sentence.text):
            cues += 1.5
        elif question and CJK.search(sentence.text) and len(sentence.text) >= 8:
            cues += 1.5
        if not cues or any(f" {phrase} " in lowered for phrase in TABLE_PHRASES):
            continue
        score = min(cues, 3.0) * (0.6 + 0.8 * sentence.index / count)  # later threads are likelier still open
        if any(word in TABLE_TALK for word in sentence.words):
            score *= 0.2  # "can I roll for that?" is a rules question, not a quest
        scores[sentence.index] = score + 0.1 * transcript.score(sentence)
        candidates.append(sentence)
    chosen = pick(candidates, limit=limit, scored=scores)
    if not chosen:
        return NOTHING_FOUND["open_threads"]
    return "\n".join(_line(sentence, length=length, with_time=length == "detailed") for sentence in chosen)


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
            for piece in split_sentences(line):
                sentences.append(sentence_of(index, speaker="", start=None, text=piece))
                index += 1
        if sentences:
            sessions.append((title or f"Session {number}", sentences))
    if not sessions:
        raise SummaryInputError("The sessions' summaries have no text to build the story so far from.")
    everything = [sentence for _, sentences in sessions for sentence in sentences]
    transcript = Transcript(everything)
    scores = {sentence.index: transcript.score(sentence) or 0.001 for sentence in everything}

    # Each session gets a share of the lines; with more sessions than lines, neighbours share one.
    # The latest sessions get any remainder: they matter most to the next game.
    groups = _spread(len(sessions), limit)
    opener = f"The story so far in {request.campaign_name}…" if request.campaign_name else "The story so far…"
    lines = [opener]
    for first, last, quota in groups:
        group = sessions[first : last + 1]
        candidates = [sentence for _, sentences in group for sentence in sentences]
        chosen = pick(candidates, limit=quota, scored=scores)
        heading = group[0][0] if len(group) == 1 else f"{group[0][0]} to {group[-1][0]}"
        lines.append(heading)
        lines.extend(f"- {quote(sentence.text, words=QUOTE_WORDS[request.length])}" for sentence in chosen)
    source = "\n".join(f"{heading}\n{text}" for heading, text in request.session_summaries)
    return "\n".join(lines), source


def _spread(count, limit):
    """(first session, last session, lines) groups covering `count` sessions with `limit` lines in all."""
    if count <= limit:
        base, extra = divmod(limit, count)
        return [(i, i, base + (1 if i >= count - extra else 0)) for i in range(count)]
    size = count / limit
    return [(round(i * size), round((i + 1) * size) - 1, 1) for i in range(limit)]
