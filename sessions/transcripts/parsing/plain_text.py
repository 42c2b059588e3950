"""Plain text: `Name: words`, with optional stamps (see the package docstring)."""

import re

from sessions.transcripts.parsing.collector import LABELLED_SHARE, WEAK_LABEL_MIN_SEGMENTS
from sessions.transcripts.parsing.labels import MACHINE_LABEL, looks_like_name, unbracket
from sessions.transcripts.parsing.times import time_in_seconds
from sessions.transcripts.text import TranscriptError

_STAMP_TIME = r"(?:\d+:)?\d{1,2}:\d{1,2}(?:[.,]\d{1,3})?"
# "[01:02:03]", "(1:02)", and Whisper's console form "[00:01.000 --> 00:04.000]".
_STAMP = rf"[\[(]{_STAMP_TIME}(?:\s*-->\s*{_STAMP_TIME})?[\])]"
LEADING_STAMP = re.compile(rf"\s*({_STAMP})\s*")
TEXT_LABEL = re.compile(rf"(?P<name>[^\n]{{1,40}}?)\s*(?P<stamp>{_STAMP})?\s*:(?:\s+|$)")


def _stamp_times(stamp, *, line_number):
    """(start, end or None) of a stamp such as "[00:01:02]" or "[00:01.000 --> 00:04.000]"."""
    start, _, end = stamp[1:-1].partition("-->")
    start = time_in_seconds(start.strip(), line_number=line_number)
    if not end:
        return start, None
    end = time_in_seconds(end.strip(), line_number=line_number)
    if end < start:
        raise TranscriptError(f"Line {line_number}: '{stamp}' ends before it starts.")
    return start, end


def _text_label(rest):
    """(name, strong) of the `Name:` label opening a plain-text line (after any stamp), or None."""
    if stamp := LEADING_STAMP.match(rest):
        rest = rest[stamp.end() :]
    if label := TEXT_LABEL.match(rest):
        raw = label.group("name").strip()
        name = unbracket(raw)
        if MACHINE_LABEL.fullmatch(name):
            return name, True
        if looks_like_name(name):
            return name, raw.startswith("[")
    return None


def _prose_labels(lines):
    """The name-like labels that are text, not speakers: those of a file that reads as
    unlabelled prose (Whisper's .txt with a "Note: …" line). That is, its first line has
    no label, fewer than half of its lines open with one, none of them bracketed or a
    machine label, none twice. Anywhere else a plain-text label is a speaker from its
    first line (the empty set)."""
    lines_seen, counts, strong, first_labelled = 0, {}, False, False
    for line in lines:
        rest = line.strip()
        if not rest:
            continue
        lines_seen += 1
        if found := _text_label(rest):
            name, is_strong = found
            strong = strong or is_strong
            counts[name] = counts.get(name, 0) + 1
            first_labelled = first_labelled or lines_seen == 1
    if first_labelled or strong or any(count >= WEAK_LABEL_MIN_SEGMENTS for count in counts.values()):
        return frozenset()
    if sum(counts.values()) >= LABELLED_SHARE * lines_seen:
        return frozenset()
    return frozenset(counts)


def parse_text(lines, segments):
    """`lines`: a function giving the lines afresh (read twice: labels first, see _prose_labels)."""
    not_speakers = _prose_labels(lines())
    # pending: [start, end, speaker, [text parts], line number], added once the next
    # segment starts (its start is the pending one's end when the stamp gave none).
    pending = None
    carried = (None, None)  # a stamp alone on its line belongs to the next segment
    after_blank = True

    def flush(next_start):
        start, end, speaker, parts, number = pending
        if end is None and start is not None and next_start is not None and next_start >= start:
            end = next_start
        segments.add(start=start, end=end, speaker=speaker, text=" ".join(parts), line_number=number)

    for number, line in enumerate(lines(), 1):
        rest = line.strip()
        if not rest:
            after_blank = True
            continue
        start = end = speaker = None
        if stamp := LEADING_STAMP.match(rest):
            (start, end), rest = _stamp_times(stamp.group(1), line_number=number), rest[stamp.end() :]
        if label := TEXT_LABEL.match(rest):
            name = unbracket(label.group("name").strip())
            if (MACHINE_LABEL.fullmatch(name) or looks_like_name(name)) and name not in not_speakers:
                speaker, rest = name, rest[label.end() :]
                if label.group("stamp") and start is None:
                    start, end = _stamp_times(label.group("stamp"), line_number=number)
                if start is None and (stamp := LEADING_STAMP.match(rest)):
                    (start, end), rest = _stamp_times(stamp.group(1), line_number=number), rest[stamp.end() :]
        if start is not None and speaker is None and not rest:
            carried = (start, end)
            after_blank = True
            continue
        if speaker is None and start is None and not after_blank and pending is not None:
            pending[3].append(rest)  # a continuation line
            continue
        if start is None:
            (start, end), carried = carried, (None, None)
        if pending is not None:
            flush(start)
        pending = [start, end, speaker, [rest], number]
        after_blank = False
    if pending is not None:
        flush(None)
