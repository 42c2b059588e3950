"""The transcript reader's logic: which lines a reader page shows, and how.

Pure functions of the stored transcript's bytes (sessions/transcripts/segments_json.py) and the
campaign's speaker names: no request, no AWS. The view (sessions/transcripts/reader_views.py) turns
the query string into arguments and the result into HTML.

A plain page parses only its own PAGE_SIZE lines, so a four-hour session (5,000+
segments) opens as fast as a short one. Filtering by speaker, finding text or jumping to
a time needs every segment, and loads them all: a few milliseconds for four hours.

Lines keep their number in the whole transcript (0-based, as in `?line=n#line-n`)
whatever the filter. A search result lands on a line in its context: the plain page that
holds the line (`?line=n`), with the search's words marked on it (`marks`, not a filter;
first_line_with_words picks the line).
"""

import math
import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass

from sessions.core.segments import format_time  # noqa: F401  (the template's stamps; re-exported)
from sessions.transcripts.segments_json import load_segments, read_segment_page
from sessions.transcripts.speaker_display import speaker_display

PAGE_SIZE = 200  # lines a page: long enough to read on, short enough to render fast
MAX_MARKS = 8  # words a page marks (= sessions.search.services.MAX_WORDS: a search's words)
MIN_MARK_CHARS = 2  # = sessions.search.services.MIN_WORD_CHARS
MARK_TEXT_CHARS = 400  # of the `mark` text read; the rest is ignored
MAX_WORD_CHARS = 40  # = sessions.core.search_terms.MAX_WORD_CHARS: longer words are cut, as the index cuts them
WORD = re.compile(r"[^\W_]+")  # a word: letters and digits (after folding), as search indexes them

TIME_HELP = "Enter a time like 1:23:45, 23:45 or 95 (seconds)."
_CLOCK = re.compile(r"(?:(?:(\d+):)?(\d+):)?(\d+(?:\.\d*)?)")  # [[h:]m:]s
_UNITS = re.compile(r"(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*(?:(\d+(?:\.\d*)?)\s*s)?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ReaderLine:
    number: int  # the segment's index in the whole transcript, from 0
    start: float | None  # seconds; None when the format had no times
    end: float | None
    speaker: str | None  # the raw label, as the transcript has it
    speaker_name: str | None  # as the campaign's speaker names show it (the label if unnamed)
    pieces: list[tuple[str, bool]]  # the text, cut into (text, is_a_match) for <mark>

    @property
    def anchor(self):
        return f"line-{self.number}"

    @property
    def stamp(self):
        return format_time(self.start)

    @property
    def stamp_datetime(self):
        return duration_datetime(self.start)

    @property
    def speaker_is_named(self):
        return self.speaker_name != self.speaker


@dataclass(frozen=True, slots=True)
class ReaderPage:
    lines: list[ReaderLine]
    page: int  # from 1, clamped to the pages there are
    page_count: int  # at least 1, even when nothing matches
    total_lines: int  # segments in the whole transcript
    speakers: list[tuple[str, str]]  # every speaker of the transcript: (label, display name)
    speaker: str | None  # the speaker filter applied
    query: str  # the find text applied ("" for none)
    total_matches: int | None  # lines passing the filters; None when unfiltered
    occurrences: int | None  # times the find text occurs in them; None without a find
    focus_line: int | None  # the line asked for with `line`, when this page shows it
    missing_line: int | None  # a `line` beyond the transcript's end
    marks: tuple[str, ...] = ()  # words marked where they start a word (a search's), not a filter; () under a find

    @property
    def filtered(self):
        return self.total_matches is not None

    @property
    def speaker_name(self):
        """The filtered speaker's display name (the label itself if the transcript has no such speaker)."""
        return next((name for label, name in self.speakers if label == self.speaker), self.speaker)

    @property
    def has_previous(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.page_count


# --- times --------------------------------------------------------------------------------
def duration_datetime(seconds):
    """The time as a duration for <time datetime="...">, e.g. "PT1H2M3S"."""
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"PT{hours}H{minutes}M{seconds}S"


def parse_time(text):
    """Seconds from what someone types to jump to a time: "1:23:45", "23:45", "95",
    "1h 23m", "90s". Raises ValueError with a message for them otherwise."""
    text = (text or "").strip()
    if len(text) > 20:  # no session is that long; and int() refuses very long digit strings
        raise ValueError(f"That is not a time. {TIME_HELP}")
    clock = _CLOCK.fullmatch(text)
    if clock:
        hours, minutes, seconds = clock.groups()
        if hours is not None and int(minutes) >= 60:
            raise ValueError(f"“{text}” has {minutes} minutes; {TIME_HELP}")
        if minutes is not None and float(seconds) >= 60:
            raise ValueError(f"“{text}” has {seconds} seconds; {TIME_HELP}")
        return int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds)
    units = _UNITS.fullmatch(text)
    if text and units and any(units.groups()):
        hours, minutes, seconds = units.groups()
        return int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0)
    raise ValueError(f"“{text}” is not a time. {TIME_HELP}" if text else TIME_HELP)


# --- finding text -------------------------------------------------------------------------
def fold(text):
    """Text as find compares it: case and accents ignored ("Zoë" finds "ZOE", "Café" finds
    "cafe"), compatibility forms unified ("ﬁ" is "fi"). Folding a string gives the same as
    folding each character in turn, which is what lets _pieces map matches back."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def _pieces(text, folded_query):
    """The text as [(part, is_match)]: every occurrence of the (folded) query marked,
    in the original characters. A character that folds to several ("ß" to "ss") is
    marked whole; accents written as separate combining characters stay with their letter."""
    if not folded_query:
        return [(text, False)]
    if text.isascii():
        folded, origin, widths = text.lower(), range(len(text)), [1] * len(text)
    else:
        folded_characters, origin, widths = [], [], []
        for index, character in enumerate(text):
            folded_character = fold(character)
            folded_characters.append(folded_character)
            origin.extend([index] * len(folded_character))
            widths.append(len(folded_character))
        folded = "".join(folded_characters)
    pieces, done = [], 0
    found = folded.find(folded_query)
    while found != -1:
        after = found + len(folded_query)
        start, end = max(origin[found], done), origin[after - 1] + 1
        while end < len(text) and widths[end] == 0:  # a combining accent after the match
            end += 1
        if start < end:
            if start > done:
                pieces.append((text[done:start], False))
            pieces.append((text[start:end], True))
            done = end
        found = folded.find(folded_query, after)
    if done < len(text):
        pieces.append((text[done:], False))
    return pieces


# --- marking a search's words ---------------------------------------------------------------------
def mark_words(text):
    """The words to mark from a `mark` parameter: folded and split as search indexes them
    (sessions.core.search_terms.words), at least MIN_MARK_CHARS long, each once, at most MAX_MARKS."""
    found = (word[:MAX_WORD_CHARS] for word in WORD.findall(fold((text or "")[:MARK_TEXT_CHARS])))
    return tuple(dict.fromkeys(word for word in found if len(word) >= MIN_MARK_CHARS))[:MAX_MARKS]


def word_pieces(text, folded_words):
    """`text` as [(part, is_match)], every word that starts with one of `folded_words`
    marked (its matching start only: "drag" marks "Drag" in "Dragon"), as a search matches
    words. Case and accents fold as find folds them; the parts are the original characters."""
    if not text:
        return []
    if not folded_words:
        return [(text, False)]
    folded, origin = _folded_with_origin(text)
    spans = []
    for match in WORD.finditer(folded):
        word = match.group()
        best = max((found for found in folded_words if word.startswith(found)), key=len, default=None)
        if best:
            start = match.start()
            spans.append((origin[start], origin[start + len(best) - 1] + 1))
    pieces, done = [], 0
    for start, end in spans:
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1  # an accent written as its own character stays with its letter
        start = max(start, done)
        if start >= end:
            continue
        if start > done:
            pieces.append((text[done:start], False))
        pieces.append((text[start:end], True))
        done = end
    if done < len(text):
        pieces.append((text[done:], False))
    return pieces


def _folded_with_origin(text):
    """(the folded text, for each of its characters the index of the original one)."""
    if text.isascii():
        return text.lower(), list(range(len(text)))
    folded, origin = [], []
    for index, character in enumerate(text):
        part = fold(character)
        folded.append(part)
        origin.extend([index] * len(part))
    return "".join(folded), origin


def first_line_with_words(data, folded_words, *, names=None, speaker=None):
    """The number of the line a search result lands on: the first line (by `speaker`, if
    given) whose text has the most of `folded_words` at the start of a word, a word of its
    speaker's name as shown counting too ("mira dragon": where Mira says "dragon"; a raw
    label only when it is unnamed, as a share page would show it); None when no line's
    text has any of them."""
    if not folded_words:
        return None
    names = names or {}
    # Longest first: at a word that starts with both "drag" and "dragon", "dragon" is what matches.
    alternatives = "|".join(re.escape(word) for word in sorted(folded_words, key=len, reverse=True))
    word_start = re.compile(rf"(?<![^\W_])(?:{alternatives})")
    speaker_words = {}  # label: the words its name and label start with
    best, best_count = None, 0
    for number, segment in enumerate(load_segments(data)):
        if speaker and segment.speaker != speaker:
            continue
        said = {
            found
            for match in word_start.finditer(fold(segment.text))
            for found in folded_words
            if match.group().startswith(found)
        }
        if not said:
            continue
        if segment.speaker not in speaker_words:
            shown_as = WORD.findall(fold(speaker_display(names, segment.speaker) or ""))
            speaker_words[segment.speaker] = {
                found for found in folded_words if any(word.startswith(found) for word in shown_as)
            }
        count = len(said | speaker_words[segment.speaker])
        if count > best_count:
            best, best_count = number, count
            if count == len(folded_words):
                break
    return best


# --- pages --------------------------------------------------------------------------------
def read_transcript(data, *, names=None, page=1, line=None, speaker=None, query=None, marks=()):
    """One page of the stored transcript `data` for the reader.

    names: the campaign's speaker names ({label: {"player", "character"}}), applied here
    and never written into the transcript. page: from 1; out of range is clamped. line: a
    line to show (0-based): its page is shown instead of `page`, and the line is marked.
    speaker (a raw label) and query (find text) filter the lines; both may apply at once.
    marks: folded words (mark_words) to mark where they start a word, filtering nothing
    (a search result's landing); a find's matches are marked instead when there is one.
    """
    names = names or {}
    header = read_segment_page(data, offset=0, limit=0)  # the header line only
    speakers = [(label, speaker_display(names, label)) for label in header.speakers]
    folded_query = fold((query or "").strip())
    speaker = speaker or None
    line = line if line is not None and line >= 0 else None
    missing_line = line if line is not None and line >= header.total else None

    if speaker is None and not folded_query:
        page_count = max(1, math.ceil(header.total / PAGE_SIZE))
        if line is not None and line < header.total:
            page = line // PAGE_SIZE + 1
        elif missing_line is not None:
            page = page_count
        page = min(max(page, 1), page_count)
        chunk = read_segment_page(data, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        shown = list(enumerate(chunk.segments, start=chunk.offset))
        total_matches = occurrences = None
    else:
        segments = load_segments(data)
        numbers = _matching(segments, speaker=speaker, folded_query=folded_query)
        page_count = max(1, math.ceil(len(numbers) / PAGE_SIZE))
        if line is not None:
            # The page of the line, or of the first match after it.
            page = bisect_left(numbers, line) // PAGE_SIZE + 1
        page = min(max(page, 1), page_count)
        shown = [(number, segments[number]) for number in numbers[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]]
        total_matches = len(numbers)
        occurrences = (
            sum(fold(segments[number].text).count(folded_query) for number in numbers) if folded_query else None
        )

    marks = () if folded_query else tuple(marks or ())
    lines = [
        ReaderLine(
            number=number,
            start=segment.start,
            end=segment.end,
            speaker=segment.speaker,
            speaker_name=speaker_display(names, segment.speaker),
            pieces=word_pieces(segment.text, marks) if marks else _pieces(segment.text, folded_query),
        )
        for number, segment in shown
    ]
    return ReaderPage(
        lines=lines,
        page=page,
        page_count=page_count,
        total_lines=header.total,
        speakers=speakers,
        speaker=speaker,
        query=(query or "").strip() if folded_query else "",
        total_matches=total_matches,
        occurrences=occurrences,
        focus_line=line if any(shown_line.number == line for shown_line in lines) else None,
        missing_line=missing_line,
        marks=marks,
    )


def line_at(data, seconds, *, speaker=None, query=None):
    """The number of the first line starting at or after `seconds` (among the lines the
    filters let through), or None when none does: a jump past the end, or a transcript
    without times."""
    segments = load_segments(data)
    numbers = _matching(segments, speaker=speaker or None, folded_query=fold((query or "").strip()))
    return next(
        (number for number in numbers if segments[number].start is not None and segments[number].start >= seconds),
        None,
    )


def first_match(data, query, *, speaker=None):
    """The number of the first line (by `speaker`, if given) whose text holds the find text,
    preferring a line where it starts a word ("drag" in "the dragon" before "Ondragh"),
    as a search result links to its first mention; None when no line holds it."""
    folded_query = fold((query or "").strip())
    if not folded_query:
        return None
    segments = load_segments(data)
    numbers = _matching(segments, speaker=speaker or None, folded_query=folded_query)
    word_start = re.compile(r"(?<![^\W_])" + re.escape(folded_query))
    return next(
        (number for number in numbers if word_start.search(fold(segments[number].text))),
        numbers[0] if numbers else None,
    )


def _matching(segments, *, speaker, folded_query):
    """The numbers of the segments by `speaker` (any, if None) whose text contains the query."""
    return [
        number
        for number, segment in enumerate(segments)
        if (speaker is None or segment.speaker == speaker) and (not folded_query or folded_query in fold(segment.text))
    ]
