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
  counts (see `labels.looks_like_name`). In VTT cues without a voice tag, SRT and Whisper JSON
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

One module a format (webvtt, srt, plain_text, whisper_json), with what they share: cue
timings and text (cues), times (times), speaker labels (labels), line sources
(line_sources), the collector every parser hands its segments to (collector), and
detection. This package is their one public face: import from here.
"""

from sessions.transcripts.parsing.collector import (
    FORMAT_NAMES,
    MAX_SPEAKER_LENGTH,
    MAX_SPEAKERS,
    ParsedTranscript,
    SegmentCollector,
)
from sessions.transcripts.parsing.detection import (
    HEAD_CHARS,
    check_format_name,
    detect_format,
    format_from_filename,
    format_of_content,
)
from sessions.transcripts.parsing.line_sources import lines_of_text
from sessions.transcripts.parsing.plain_text import parse_text
from sessions.transcripts.parsing.srt import parse_srt
from sessions.transcripts.parsing.webvtt import parse_vtt
from sessions.transcripts.parsing.whisper_json import ascii_json_text, column_of, original_column, parse_whisper_json
from sessions.transcripts.text import TranscriptError, iter_transcript_chunks, iter_transcript_lines, sniff_encoding

__all__ = [
    "FORMAT_NAMES",
    "MAX_SPEAKERS",
    "MAX_SPEAKER_LENGTH",
    "ParsedTranscript",
    "TranscriptError",
    "detect_format",
    "format_from_filename",
    "parse_transcript",
    "parse_transcript_bytes",
]


def _parse(*, format, head, lines, json_text, filename_format, encoding, overridden, json_column=column_of):
    segments = SegmentCollector(sort_by_start=format != "text")
    try:
        if format == "whisper_json":
            parse_whisper_json(json_text(), segments, column=json_column)
        elif format == "vtt":
            parse_vtt(lines(), segments)
        elif format == "srt":
            parse_srt(lines(), segments)
        else:
            parse_text(lines, segments)
        return segments.finish(format=format, filename_format=filename_format, encoding=encoding)
    except TranscriptError as error:
        detected = overridden and format_of_content(head)
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
        check_format_name(format)
    chosen = format or detect_format(text, filename=filename)
    return _parse(
        format=chosen,
        head=text[:HEAD_CHARS],
        lines=lambda: lines_of_text(text),
        json_text=lambda: text,
        filename_format=format_from_filename(filename),
        encoding=None,
        overridden=format is not None,
    )


def parse_transcript_bytes(
    data: bytes, *, format: str | None = None, filename: str | None = None, max_bytes: int | None = None
) -> ParsedTranscript:
    """Decode and parse an uploaded file, a line at a time (see sessions/transcripts/text.py).

    This is the upload path: its peak memory stays a small multiple of the file's size.
    """
    if format is not None:
        check_format_name(format)
    encoding = sniff_encoding(data, max_bytes=max_bytes)
    head = next(iter_transcript_chunks(data, encoding=encoding, size=HEAD_CHARS), "")
    chosen = format or detect_format(head, filename=filename)
    return _parse(
        format=chosen,
        head=head,
        lines=lambda: iter_transcript_lines(data, encoding=encoding),
        json_text=lambda: ascii_json_text(data, encoding),
        json_column=original_column(data, encoding),
        filename_format=format_from_filename(filename),
        encoding=encoding.codec,
        overridden=format is not None,
    )
