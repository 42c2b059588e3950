"""Reading a transcript in any supported format into the normalized segment list.

Formats ("format" values, also the manual override):
- "text": plain text, `Name: words`, with an optional `[hh:mm:ss]`, `[mm:ss]` or
  `(hh:mm:ss)` stamp before the name, between name and colon, or after the colon; also
  Whisper's console form `[00:01.000 --> 00:04.000]  words` (a stamp with its end).
- "vtt": WebVTT, as Whisper writes it (voice tags `<v Speaker>` when diarized).
- "srt": SubRip.
- "whisper_json": Whisper's / WhisperX's JSON, `{"segments": [...]}` or a bare list.

The content decides the format; the file name is a hint only (a `.vtt` holding SRT is
read as SRT, and `ParsedTranscript.note` says the name disagreed). The name decides only
when the content fits no format and the name says `.txt`: prose without speaker labels
(Whisper's own .txt output) is plain text with no speakers.

Decisions, so that every format reads alike:
- Text is whitespace-collapsed: line breaks inside a cue or a plain-text segment become
  spaces (captions wrap lines for the screen, not for meaning; the reader reflows).
- WebVTT cue text loses all tags and has its entities decoded (`&amp;` → `&`), as the
  spec defines cue text. SRT loses only its formatting tags (<i>, <b>, <u>, <s>, <font>,
  <c>, <v>) and `{\\an8}`-style codes: other `<...>` text stays, to be escaped on output.
  Plain text and JSON keep their text as is.
- Timed formats (vtt, srt, whisper_json) come out sorted by start time (a stable sort,
  only when the file is out of order). Plain text keeps the file's order, since its
  stamps are typed by people; there a segment ends where the next one starts, if that
  one has a stamp at or after its own.
- Speaker labels are the raw labels (a bracketed `[SPEAKER_00]` becomes `SPEAKER_00`).
  In plain text, `Name:` at the start of a line is the format, so any name-like label
  counts (see `_looks_like_name`). In VTT cues without a voice tag, SRT and Whisper JSON
  segments without a "speaker", a leading `Label:` is a speaker only when it is
  bracketed (`[Mira]:`), a machine label (`SPEAKER_00:`, `Speaker 2:`), or a name-like
  label of at most 3 words when the file is labelled throughout: the name-like labels
  that open 2 or more segments, with the bracketed and machine ones, open at least half
  of its segments. So "Note: the dragon…" in an unlabelled Whisper file stays text, however
  often it occurs. In a file so labelled where labels open nearly every segment (90%,
  counting the name-like labels seen once), a label seen once is a speaker too: the
  player who spoke a single line keeps their name (and in such a file a lone "Note:"
  is taken as a speaker: nothing tells the two apart). A segment without a label does
  not inherit the previous speaker. Voice tags (`<v Mira>`), JSON "speaker" fields and
  plain text's `Name:` lines are speakers from their first occurrence, except in plain
  text that reads as unlabelled prose (its first line unlabelled, fewer than half of its
  lines labelled, no label bracketed, a machine label or seen twice): there "Note: …"
  stays text.
- Times are rounded to the millisecond. A cue ending before it starts is an error; cues
  out of order are sorted (above). A time that does not parse is refused with its line
  and the format's own syntax (SRT `hh:mm:ss,mmm`, WebVTT `hh:mm:ss.mmm` or `mm:ss.mmm`).
- A file whose structure is clearly SRT or WebVTT (a `WEBVTT` header, numbered cues, a
  line that starts with a time and an arrow, a `-->` line in a file named .srt/.vtt) is
  read as that format even when a time in it is malformed, so the mistake is refused with
  its line number instead of the file being read as plain text. JSON (a file starting
  with `{`, or `[` then `{`) is refused with the line and column of its first error.
"""

import html
import itertools
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from sessions.core.segments import Segment
from sessions.core.transcript_formats import FORMAT_NAMES
from sessions.transcripts.text import (
    MAX_TRANSCRIPT_BYTES,
    TranscriptError,
    iter_transcript_chunks,
    iter_transcript_lines,
    sniff_encoding,
)

__all__ = [
    "FORMAT_NAMES",
    "ParsedTranscript",
    "TranscriptError",
    "detect_format",
    "format_from_filename",
    "parse_transcript",
    "parse_transcript_bytes",
]

_EXTENSIONS = {".txt": "text", ".text": "text", ".vtt": "vtt", ".webvtt": "vtt", ".srt": "srt", ".json": "whisper_json"}

# The item keeps the speaker list: keep it bounded (data-model.md's item size budget).
MAX_SPEAKERS = 200
MAX_SPEAKER_LENGTH = 100

_HEAD_CHARS = 8192  # enough of the file to tell its format (kept during the parse: keep it small)
_HEAD_LINES = 30
_WEAK_LABEL_MIN_SEGMENTS = 2
_LABELLED_SHARE = 0.5
_NEARLY_ALL_LABELLED = 0.9  # then a name-like label seen once is a speaker too


@dataclass(frozen=True)
class ParsedTranscript:
    format: str
    segments: list[Segment]
    duration: float | None  # seconds: the latest end (or start) time; None without times
    speakers: list[str]  # raw labels in order of first appearance
    encoding: str | None = None  # set by parse_transcript_bytes
    filename_format: str | None = None  # what the file name suggested, if anything

    @property
    def segment_count(self):
        return len(self.segments)

    @property
    def name_disagrees(self):
        return self.filename_format is not None and self.filename_format != self.format

    @property
    def note(self):
        """A remark for the person who uploaded, or None: the file name said another format."""
        if not self.name_disagrees:
            return None
        return (
            f"The file's name says {FORMAT_NAMES[self.filename_format]}, but its content is "
            f"{FORMAT_NAMES[self.format]}: we read it as {FORMAT_NAMES[self.format]}."
        )


# --- times ----------------------------------------------------------------------------

_TIME = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,9}))?")
# Each format's time as its error messages spell it (the parser accepts a little more).
SRT_TIME_SYNTAX = "hh:mm:ss,mmm"
VTT_TIME_SYNTAX = "hh:mm:ss.mmm or mm:ss.mmm"
_CUE_TIMING_EXAMPLE = {
    SRT_TIME_SYNTAX: "00:00:01,000 --> 00:00:04,000",
    VTT_TIME_SYNTAX: "00:00:01.000 --> 00:00:04.000",
}


def _seconds(token, *, line_number, syntax=VTT_TIME_SYNTAX):
    """'01:02:03.456', '02:03.456', '1:02:03,4' → seconds, rounded to the millisecond."""
    match = _TIME.fullmatch(token)
    if not match:
        raise TranscriptError(f"Line {line_number}: '{token}' is not a valid time (expected {syntax}).")
    hours, minutes, seconds, fraction = match.groups()
    if int(minutes) > 59:
        raise TranscriptError(f"Line {line_number}: '{token}' is not a valid time: minutes go up to 59.")
    if int(seconds) > 59:
        raise TranscriptError(f"Line {line_number}: '{token}' is not a valid time: seconds go up to 59.")
    millis = round(int(fraction) * 1000 / 10 ** len(fraction)) if fraction else 0
    total = (int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)) * 1000 + millis
    return total / 1000


def _cue_times(line, *, line_number, syntax):
    """The start and end of a '<start> --> <end> [settings]' line."""
    start_token, _, rest = line.partition("-->")
    start_token, end_tokens = start_token.strip(), rest.split()
    if not start_token or not end_tokens:
        raise TranscriptError(
            f"Line {line_number}: '{line.strip()[:60]}' is not a valid cue timing "
            f"(expected '{_CUE_TIMING_EXAMPLE[syntax]}', times as {syntax})."
        )
    start = _seconds(start_token, line_number=line_number, syntax=syntax)
    end = _seconds(end_tokens[0], line_number=line_number, syntax=syntax)
    if end < start:
        raise TranscriptError(f"Line {line_number}: the cue ends ({end_tokens[0]}) before it starts ({start_token}).")
    return start, end


# --- speaker labels -------------------------------------------------------------------

_MACHINE_LABEL = re.compile(r"(?:speaker|spk)[ _-]?\d{1,3}", re.IGNORECASE)
_NAME_CHARS = re.compile(r"[\w .'’@#&()+\[\]-]+")
_NAME_PARTICLES = frozenset({"van", "von", "de", "da", "del", "der", "di", "du", "la", "le", "of", "the"})
_LABEL_PREFIX = re.compile(r"\s*(\[[^\]\n]{1,40}\]|[^:\n]{1,40}?)\s*:(?:\s+|$)")


def _looks_like_name(label, *, max_words=4):
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


def _unbracket(label):
    return label[1:-1].strip() if label.startswith("[") and label.endswith("]") else label


def _leading_label(text):
    """(label, strong, rest_offset) for a leading 'Label: ' in cue text, or None.

    Strong labels (bracketed, or machine labels like SPEAKER_00) count at once; a weak,
    merely name-like one only if it recurs (see the module docstring).
    """
    match = _LABEL_PREFIX.match(text)
    if not match:
        return None
    raw = match.group(1).strip()
    label = _unbracket(raw)
    if _MACHINE_LABEL.fullmatch(label):
        return label, True, match.end()
    if raw.startswith("[") and _looks_like_name(label):
        return label, True, match.end()
    if _looks_like_name(label, max_words=3):
        return label, False, match.end()
    return None


def _collapse(text):
    return " ".join(text.split())


class _Segments:
    """Collects segments as a parser finds them; `finish` settles labels, order and totals."""

    def __init__(self, *, sort_by_start):
        self.segments = []
        self._sort_by_start = sort_by_start
        self._weak_labels = {}  # label -> [(segment index, offset of the text after it)]
        self._strong_labels = 0
        self._label_candidates = 0  # segments that might have opened with a label
        self._speaker_names = {}  # one str per speaker, not one per segment

    def add(self, *, start, end, speaker, text, line_number, find_label=False):
        text = _collapse(text)
        if not text:
            return
        if speaker is None and find_label:
            self._label_candidates += 1
            found = ":" in text and _leading_label(text)
            if found:
                label, strong, offset = found
                if strong:
                    speaker, text = label, text[offset:]
                    self._strong_labels += 1
                else:
                    self._weak_labels.setdefault(label, []).append((len(self.segments), offset))
        if speaker is not None and len(speaker) > MAX_SPEAKER_LENGTH:
            if callable(line_number):  # JSON finds its line numbers only when needed
                line_number = line_number()
            raise TranscriptError(
                f"Line {line_number}: the speaker name '{speaker[:40]}…' is longer than "
                f"{MAX_SPEAKER_LENGTH} characters."
            )
        if text:
            if speaker is not None:
                speaker = self._speaker_names.setdefault(speaker, speaker)
            self.segments.append(Segment(start=start, end=end, speaker=speaker, text=text))

    def finish(self, *, format, filename_format=None, encoding=None):
        segments = self.segments
        recurring = {
            label: places for label, places in self._weak_labels.items() if len(places) >= _WEAK_LABEL_MIN_SEGMENTS
        }
        labelled = self._strong_labels + sum(map(len, recurring.values()))
        labelled_throughout = (
            labelled >= _WEAK_LABEL_MIN_SEGMENTS and labelled >= _LABELLED_SHARE * self._label_candidates
        )
        taken = recurring if labelled_throughout else {}
        all_labelled = self._strong_labels + sum(map(len, self._weak_labels.values()))
        if labelled_throughout and all_labelled >= _NEARLY_ALL_LABELLED * self._label_candidates:
            taken = self._weak_labels  # nearly every segment opens with a label: once is enough
        if taken:
            for label, places in taken.items():
                for index, offset in places:
                    old = segments[index]
                    if old.text[offset:]:  # "Label:" and nothing after it stays as it was
                        segments[index] = Segment(start=old.start, end=old.end, speaker=label, text=old.text[offset:])
        pairs = zip(segments, segments[1:], strict=False)
        if self._sort_by_start and any(
            later.start < earlier.start for earlier, later in pairs if later.start is not None
        ):
            segments.sort(key=lambda segment: segment.start)
        if not segments:
            raise TranscriptError("We found nothing said in this file: it has no segments with text.")

        speakers, duration = {}, None
        for segment in segments:
            if segment.speaker is not None and segment.speaker not in speakers:
                speakers[segment.speaker] = None
            last = segment.end if segment.end is not None else segment.start
            if last is not None and (duration is None or last > duration):
                duration = last
        if len(speakers) > MAX_SPEAKERS:
            raise TranscriptError(
                f"This transcript names {len(speakers)} different speakers; we accept up to {MAX_SPEAKERS}."
            )
        return ParsedTranscript(
            format=format,
            segments=segments,
            duration=duration,
            speakers=list(speakers),
            encoding=encoding,
            filename_format=filename_format,
        )


# --- line sources ---------------------------------------------------------------------


def _lines_of_text(text):
    """The lines of a string without building a list of them; "\\r\\n" and "\\r" end lines too."""
    has_cr = "\r" in text
    start, length = 0, len(text)
    if text.startswith("\ufeff"):
        start = 1
    while start < length:
        end = text.find("\n", start)
        if end == -1:
            end = length
        line = text[start:end]
        start = end + 1
        if has_cr and "\r" in line:
            yield from line.removesuffix("\r").split("\r")
        else:
            yield line


@dataclass(frozen=True, slots=True)
class _Block:
    line_number: int  # of its first line
    lines: list[str] = field(default_factory=list)


def _blocks(lines):
    """Groups of non-blank lines, split at blank (or whitespace-only) lines."""
    block = None
    for number, line in enumerate(lines, 1):
        if line.strip():
            if block is None:
                block = _Block(number)
            block.lines.append(line)
        elif block is not None:
            yield block
            block = None
    if block is not None:
        yield block


# --- WebVTT and SRT ---------------------------------------------------------------------

_VTT_HEADER = re.compile(r"\ufeff?WEBVTT(?=[ \t\r\n]|\Z)")
_VOICE_TAG = re.compile(r"<v(?:\.[^\s>]*)?(?:[ \t]+([^>]*))?>")
_ANY_TAG = re.compile(r"<[^>]*>")
_SRT_FORMATTING = re.compile(r"</?(?:i|b|u|s|font|c|v)(?:[.\s][^>]*)?>|\{\\[^}]*\}", re.IGNORECASE)
_TIMING_LIKE = re.compile(r"\s*[\d:.,]+\s*-->")
# Cue structure that survives a malformed time ("00:00:xx,000 -->", "--> 00:00:02,000",
# "00:00:01,000 -> 00:00:02,000"), so such a file is refused as SRT, not read as text.
_BROKEN_TIMING = re.compile(r"\d\S*\s*-->|-->\s*\d|\d{1,2}:\d\S*\s*(?:[-–—=]+\s*>|→)")
_STARTS_WITH_TIME = re.compile(r"\d+:\d")
_ARROW_BY_A_NUMBER = re.compile(r"\d\S*\s*-->|-->\s*\S*\d")


def _cue_pieces(text, *, vtt):
    """[(voice or None, text)] of one cue: a `<v Name>` tag starts a new speaker's piece."""
    if "<" not in text and "&" not in text and "{" not in text:
        return [(None, text)]
    parts = _VOICE_TAG.split(text)
    voices = [None] + [html.unescape(name).strip() or None if name else None for name in parts[1::2]]
    pieces = []
    for voice, piece in zip(voices, parts[0::2], strict=False):
        if vtt:
            piece = html.unescape(_ANY_TAG.sub("", piece))
        else:
            piece = _SRT_FORMATTING.sub("", piece)
        if piece and not piece.isspace():  # e.g. the nothing before a cue's first voice tag
            pieces.append((voice, piece))
    return pieces


def _add_cue(segments, *, start, end, text_lines, line_number, vtt):
    for voice, text in _cue_pieces(" ".join(text_lines), vtt=vtt):
        segments.add(start=start, end=end, speaker=voice, text=text, line_number=line_number, find_label=voice is None)


def _is_keyword_block(first_line):
    word = first_line.split(None, 1)[0] if first_line.strip() else ""
    return word in ("NOTE", "STYLE", "REGION") and "-->" not in first_line


def _parse_vtt(lines, segments):
    blocks = _blocks(lines)
    header = next(blocks, None)
    if header is None or header.line_number != 1 or not _VTT_HEADER.match(header.lines[0]):
        found = header.lines[0].strip()[:40] if header else ""
        raise TranscriptError(f"Line 1: a WebVTT file starts with 'WEBVTT'; this one starts with '{found}'.")
    # The header block ends at the first blank line; a file missing that blank line has
    # its first cue inside it.
    cue_at = next((index for index, line in enumerate(header.lines) if "-->" in line), None)
    if cue_at is not None:
        _parse_vtt_cue(header.lines[cue_at:], header.line_number + cue_at, segments)
    for block in blocks:
        if _is_keyword_block(block.lines[0]):
            continue
        if "-->" in block.lines[0]:
            _parse_vtt_cue(block.lines, block.line_number, segments)
        elif len(block.lines) > 1 and "-->" in block.lines[1]:
            _parse_vtt_cue(block.lines[1:], block.line_number + 1, segments)  # after a cue identifier
        else:
            raise TranscriptError(
                f"Line {block.line_number}: expected a cue timing like '00:00:01.000 --> 00:00:04.000' "
                f"(times as {VTT_TIME_SYNTAX}), found '{block.lines[0].strip()[:60]}'."
            )


def _parse_vtt_cue(lines, line_number, segments):
    start, end = _cue_times(lines[0], line_number=line_number, syntax=VTT_TIME_SYNTAX)
    _add_cue(segments, start=start, end=end, text_lines=lines[1:], line_number=line_number, vtt=True)


def _parse_srt(lines, segments):
    for block in _blocks(lines):
        first = block.lines[0].strip()
        timing_at = 1 if first.isdigit() else 0  # the subtitle number is optional
        if timing_at >= len(block.lines):
            continue  # a number alone: nothing to show
        timing = block.lines[timing_at]
        number = block.line_number + timing_at
        if "-->" not in timing:
            what = f"subtitle {first} has no timing" if timing_at else "expected a subtitle number or a timing"
            raise TranscriptError(
                f"Line {number}: {what} like '00:00:01,000 --> 00:00:04,000' (times as {SRT_TIME_SYNTAX}); "
                f"found '{timing.strip()[:60]}'."
            )
        start, end = _cue_times(timing, line_number=number, syntax=SRT_TIME_SYNTAX)
        _add_cue(segments, start=start, end=end, text_lines=block.lines[timing_at + 1 :], line_number=number, vtt=False)


# --- plain text -----------------------------------------------------------------------

_STAMP_TIME = r"(?:\d+:)?\d{1,2}:\d{1,2}(?:[.,]\d{1,3})?"
# "[01:02:03]", "(1:02)", and Whisper's console form "[00:01.000 --> 00:04.000]".
_STAMP = rf"[\[(]{_STAMP_TIME}(?:\s*-->\s*{_STAMP_TIME})?[\])]"
_LEADING_STAMP = re.compile(rf"\s*({_STAMP})\s*")
_TEXT_LABEL = re.compile(rf"(?P<name>[^\n]{{1,40}}?)\s*(?P<stamp>{_STAMP})?\s*:(?:\s+|$)")


def _stamp_times(stamp, *, line_number):
    """(start, end or None) of a stamp such as "[00:01:02]" or "[00:01.000 --> 00:04.000]"."""
    start, _, end = stamp[1:-1].partition("-->")
    start = _seconds(start.strip(), line_number=line_number)
    if not end:
        return start, None
    end = _seconds(end.strip(), line_number=line_number)
    if end < start:
        raise TranscriptError(f"Line {line_number}: '{stamp}' ends before it starts.")
    return start, end


def _text_label(rest):
    """(name, strong) of the `Name:` label opening a plain-text line (after any stamp), or None."""
    if stamp := _LEADING_STAMP.match(rest):
        rest = rest[stamp.end() :]
    if label := _TEXT_LABEL.match(rest):
        raw = label.group("name").strip()
        name = _unbracket(raw)
        if _MACHINE_LABEL.fullmatch(name):
            return name, True
        if _looks_like_name(name):
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
    if first_labelled or strong or any(count >= _WEAK_LABEL_MIN_SEGMENTS for count in counts.values()):
        return frozenset()
    if sum(counts.values()) >= _LABELLED_SHARE * lines_seen:
        return frozenset()
    return frozenset(counts)


def _parse_text(lines, segments):
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
        if stamp := _LEADING_STAMP.match(rest):
            (start, end), rest = _stamp_times(stamp.group(1), line_number=number), rest[stamp.end() :]
        if label := _TEXT_LABEL.match(rest):
            name = _unbracket(label.group("name").strip())
            if (_MACHINE_LABEL.fullmatch(name) or _looks_like_name(name)) and name not in not_speakers:
                speaker, rest = name, rest[label.end() :]
                if label.group("stamp") and start is None:
                    start, end = _stamp_times(label.group("stamp"), line_number=number)
                if start is None and (stamp := _LEADING_STAMP.match(rest)):
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


# --- Whisper JSON -----------------------------------------------------------------------

_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_JSON_CHUNK_CHARS = 8192  # a decoded chunk with an emoji costs 4 bytes a character: keep it small


def _line_of(text, position):
    return text.count("\n", 0, position) + 1


def _column_of(text, position):
    return position - text.rfind("\n", 0, position)


def _json_error(error, column):
    return TranscriptError(
        f"Line {error.lineno}: this is not valid JSON ({error.msg}, column {column(error.doc, error.pos)})."
    )


def _parse_whisper_json(text, segments, *, column=_column_of):
    """`column(text, position)`: the column a person's editor shows for `position` (the
    upload path reads an escaped copy of the file, whose columns differ; see
    _original_column)."""
    decoder = json.JSONDecoder()
    position = _JSON_SPACE.match(text, 1 if text.startswith("\ufeff") else 0).end()
    try:
        if text.startswith("[", position):
            position = _read_json_segments(text, position, decoder, segments, column=column)
        elif text.startswith("{", position):
            position = _read_json_object(text, position, decoder, segments, column=column)
        else:
            raise TranscriptError(
                f"Line {_line_of(text, position)}: this is not Whisper JSON: it should start with '{{' or '['."
            )
    except json.JSONDecodeError as error:
        raise _json_error(error, column) from None
    position = _JSON_SPACE.match(text, position).end()
    if position != len(text):
        raise TranscriptError(
            f"Line {_line_of(text, position)}: unexpected text after the end of the JSON "
            f"(column {column(text, position)})."
        )


def _expect(text, position, character, *, column):
    position = _JSON_SPACE.match(text, position).end()
    if not text.startswith(character, position):
        found = text[position : position + 1] or "the end of the file"
        raise TranscriptError(
            f"Line {_line_of(text, position)}: this is not valid JSON (expected '{character}', found '{found}', "
            f"column {column(text, position)})."
        )
    return position + 1


def _read_json_object(text, position, decoder, segments, *, column):
    """Walks the top-level object member by member: only "segments" is kept, one element at a time."""
    position = _JSON_SPACE.match(text, position + 1).end()
    found_segments = False
    if text.startswith("}", position):
        position += 1
    else:
        while True:
            key, position = decoder.raw_decode(text, position)
            position = _JSON_SPACE.match(text, _expect(text, position, ":", column=column)).end()
            if key == "segments" and text.startswith("[", position):
                if found_segments:
                    raise TranscriptError(f'Line {_line_of(text, position)}: this JSON has two "segments" lists.')
                found_segments = True
                position = _read_json_segments(text, position, decoder, segments, column=column)
            else:
                _, position = decoder.raw_decode(text, position)  # "text", "language", ...: not needed
            position = _JSON_SPACE.match(text, position).end()
            if text.startswith(",", position):
                position = _JSON_SPACE.match(text, position + 1).end()
                continue
            position = _expect(text, position, "}", column=column)
            break
    if not found_segments:
        raise TranscriptError(
            'This JSON has no "segments" list, so it is not Whisper\'s output. We read JSON shaped like '
            '{"segments": [{"start": 0.0, "end": 2.5, "text": "…", "speaker": "SPEAKER_00"}]}.'
        )
    return position


def _read_json_segments(text, position, decoder, segments, *, column):
    position = _JSON_SPACE.match(text, position + 1).end()
    if text.startswith("]", position):
        return position + 1
    index = 0
    while True:
        element_at = position
        element, position = decoder.raw_decode(text, position)
        _add_json_segment(element, index=index, segments=segments, line_number=lambda: _line_of(text, element_at))
        index += 1
        position = _JSON_SPACE.match(text, position).end()
        if text.startswith(",", position):
            position = _JSON_SPACE.match(text, position + 1).end()
            continue
        return _expect(text, position, "]", column=column)


def _json_time(value, *, name, index, line_number):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise TranscriptError(
            f'Line {line_number()}: segment {index + 1} has no valid "{name}" '
            f"(expected seconds as a number, found {json.dumps(value)[:40]})."
        )
    return float(round(value, 3))


def _without_lone_surrogates(text):
    """JSON may escape half an emoji ("\\ud83d"); such a string cannot be stored as UTF-8."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def _add_json_segment(element, *, index, segments, line_number):
    if not isinstance(element, dict):
        raise TranscriptError(f"Line {line_number()}: segment {index + 1} is not an object with start, end and text.")
    start = _json_time(element.get("start"), name="start", index=index, line_number=line_number)
    end = _json_time(element.get("end"), name="end", index=index, line_number=line_number)
    if end < start:
        raise TranscriptError(f"Line {line_number()}: segment {index + 1} ends ({end}) before it starts ({start}).")
    text = element.get("text")
    if not isinstance(text, str):
        raise TranscriptError(f'Line {line_number()}: segment {index + 1} has no "text".')
    speaker = element.get("speaker")
    if speaker is not None:
        speaker = _without_lone_surrogates(_collapse(str(speaker))) or None
    text = _without_lone_surrogates(text)
    segments.add(start=start, end=end, speaker=speaker, text=text, line_number=line_number, find_label=speaker is None)


def _json_escape(match):
    return json.dumps(match.group())[1:-1]  # "\u00e9", surrogate pairs for emoji


def _ascii_json_text(data, encoding):
    """The JSON document as an ASCII string: non-ASCII characters become \\u escapes.

    JSON allows non-ASCII characters only inside strings, where the escape means the
    same. An ASCII string costs one byte a character, where the plain decode of a file
    with a single emoji costs four.
    """
    return "".join(
        chunk if chunk.isascii() else _NON_ASCII.sub(_json_escape, chunk)
        for chunk in iter_transcript_chunks(data, encoding=encoding, size=_JSON_CHUNK_CHARS)
    )


def _original_column(data, encoding):
    """column(text, position) for the escaped copy of `data` (_ascii_json_text): each
    non-ASCII character of the file is one column, not the 6 or 12 of its escape. Used
    only for an error message, so it decodes the file again up to that line."""

    def column(text, position):
        escaped_width = position - (text.rfind("\n", 0, position) + 1)
        line_number = _line_of(text, position)
        lines = iter_transcript_lines(data, encoding=encoding)
        line = next(itertools.islice(lines, line_number - 1, None), "")
        width = 0
        for count, character in enumerate(line):
            if width >= escaped_width:
                return count + 1
            width += 1 if character.isascii() else len(json.dumps(character)) - 2
        return len(line) + 1

    return column


# --- detection and the entry points ---------------------------------------------------


def format_from_filename(filename):
    """The format a file's name suggests ("notes.vtt" → "vtt"), or None."""
    if not filename:
        return None
    return _EXTENSIONS.get(PurePosixPath(str(filename).replace("\\", "/")).suffix.lower())


def _format_of_content(head):
    head = head.lstrip("\ufeff \t\r\n")
    if not head:
        return None
    if _VTT_HEADER.match(head):
        return "vtt"
    if head[0] == "{" or (head[0] == "[" and head[1:].lstrip()[:1] in ("{", "]")):
        return "whisper_json"
    if head[0] == "<":
        return None  # HTML, XML: not a transcript we know
    lines = [line.strip() for line in head.split("\n", 4 * _HEAD_LINES)[: 4 * _HEAD_LINES] if line.strip()]
    lines = lines[:_HEAD_LINES]
    if any(_TIMING_LIKE.match(line) for line in lines[:3]) or _has_cue_structure(lines):
        return "srt"
    for line in lines:
        if _LEADING_STAMP.match(line):
            return "text"
        if label := _TEXT_LABEL.match(line):
            name = _unbracket(label.group("name").strip())
            if _MACHINE_LABEL.fullmatch(name) or _looks_like_name(name):
                return "text"
    return None


def _has_cue_structure(lines):
    """Numbered cues ("1" then a time) or a time-and-arrow line, however malformed its times."""
    if len(lines) > 1 and lines[0].isdigit() and (_STARTS_WITH_TIME.match(lines[1]) or "-->" in lines[1]):
        return True
    return any(_BROKEN_TIMING.match(line) for line in lines)


def _has_cue_arrow(head):
    """A '-->' by a number, outside a plain-text stamp ('[00:01.000 --> 00:04.000]' is
    Whisper's console form; "go --> left" is words)."""
    return any(
        _ARROW_BY_A_NUMBER.search(line) and not line.lstrip().startswith(("[", "(")) for line in head.split("\n")
    )


def _unknown_format():
    supported = ", ".join(FORMAT_NAMES.values())
    return TranscriptError(
        f"We could not recognise this format. Supported: {supported}. "
        "Plain text without speaker names is read as such when the file's name ends in .txt, "
        "or when you choose that format."
    )


def detect_format(text: str, *, filename: str | None = None) -> str:
    """The format of `text`, by its content; the file name only breaks a tie (see the module docstring)."""
    head = text[:_HEAD_CHARS]
    found = _format_of_content(head)
    named = format_from_filename(filename)
    if named in ("srt", "vtt") and found in (None, "text") and _has_cue_arrow(head):
        return named  # a caption file the content alone did not make out: its parser says what is wrong
    if found:
        return found
    if format_from_filename(filename) == "text" and not text.lstrip("\ufeff \t\r\n").startswith("<"):
        return "text"
    raise _unknown_format()


def _check_format_name(format):
    if format not in FORMAT_NAMES:
        raise TranscriptError(f"Unknown format '{format}': choose one of {', '.join(FORMAT_NAMES)}.")


def _parse(*, format, head, lines, json_text, filename_format, encoding, overridden, json_column=_column_of):
    segments = _Segments(sort_by_start=format != "text")
    try:
        if format == "whisper_json":
            _parse_whisper_json(json_text(), segments, column=json_column)
        elif format == "vtt":
            _parse_vtt(lines(), segments)
        elif format == "srt":
            _parse_srt(lines(), segments)
        else:
            _parse_text(lines, segments)
        return segments.finish(format=format, filename_format=filename_format, encoding=encoding)
    except TranscriptError as error:
        detected = overridden and _format_of_content(head)
        if detected and detected != format:
            raise TranscriptError(
                f"{error} It looks like {FORMAT_NAMES[detected]}: choose that format, or let us detect it."
            ) from None
        raise


def parse_transcript(text: str, *, format: str | None = None, filename: str | None = None) -> ParsedTranscript:
    """Parse a transcript already decoded to text. `format` overrides detection.

    Raises TranscriptError with a message for the uploader (line numbers where they help).
    """
    if format is not None:
        _check_format_name(format)
    chosen = format or detect_format(text, filename=filename)
    return _parse(
        format=chosen,
        head=text[:_HEAD_CHARS],
        lines=lambda: _lines_of_text(text),
        json_text=lambda: text,
        filename_format=format_from_filename(filename),
        encoding=None,
        overridden=format is not None,
    )


def parse_transcript_bytes(
    data: bytes, *, format: str | None = None, filename: str | None = None, max_bytes: int = MAX_TRANSCRIPT_BYTES
) -> ParsedTranscript:
    """Decode and parse an uploaded file, a line at a time (see transcript_text's docstring).

    This is the upload path: its peak memory stays a small multiple of the file's size.
    """
    if format is not None:
        _check_format_name(format)
    encoding = sniff_encoding(data, max_bytes=max_bytes)
    head = next(iter_transcript_chunks(data, encoding=encoding, size=_HEAD_CHARS), "")
    chosen = format or detect_format(head, filename=filename)
    return _parse(
        format=chosen,
        head=head,
        lines=lambda: iter_transcript_lines(data, encoding=encoding),
        json_text=lambda: _ascii_json_text(data, encoding),
        json_column=_original_column(data, encoding),
        filename_format=format_from_filename(filename),
        encoding=encoding.codec,
        overridden=format is not None,
    )
