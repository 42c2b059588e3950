"""Whisper's and WhisperX's JSON, `{"segments": [...]}` or a bare list, read one segment
at a time (a four-hour file with word timings is tens of megabytes)."""

import itertools
import json
import math
import re

from sessions.transcripts.parsing.collector import collapse
from sessions.transcripts.text import (
    TranscriptError,
    iter_transcript_chunks,
    iter_transcript_lines,
)

_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_JSON_CHUNK_CHARS = 8192  # a decoded chunk with an emoji costs 4 bytes a character: keep it small


def _line_of(text, position):
    return text.count("\n", 0, position) + 1


def column_of(text, position):
    return position - text.rfind("\n", 0, position)


def _json_error(error, column):
    return TranscriptError(
        f"Line {error.lineno}: this is not valid JSON ({error.msg}, column {column(error.doc, error.pos)})."
    )


def parse_whisper_json(text, segments, *, column=column_of):
    """`column(text, position)`: the column a person's editor shows for `position` (the
    upload path reads an escaped copy of the file, whose columns differ; see
    original_column)."""
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
        speaker = _without_lone_surrogates(collapse(str(speaker))) or None
    text = _without_lone_surrogates(text)
    segments.add(start=start, end=end, speaker=speaker, text=text, line_number=line_number, find_label=speaker is None)


def _json_escape(match):
    return json.dumps(match.group())[1:-1]  # "\u00e9", surrogate pairs for emoji


def ascii_json_text(data, encoding):
    """The JSON document as an ASCII string: non-ASCII characters become \\u escapes.

    JSON allows non-ASCII characters only inside strings, where the escape means the
    same. An ASCII string costs one byte a character, where the plain decode of a file
    with a single emoji costs four.
    """
    return "".join(
        chunk if chunk.isascii() else _NON_ASCII.sub(_json_escape, chunk)
        for chunk in iter_transcript_chunks(data, encoding=encoding, size=_JSON_CHUNK_CHARS)
    )


def original_column(data, encoding):
    """column(text, position) for the escaped copy of `data` (ascii_json_text): each
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
