"""Which format a transcript is in: its content decides, its file name breaks a tie."""

from pathlib import PurePosixPath

from sessions.transcripts.parsing.collector import FORMAT_NAMES
from sessions.transcripts.parsing.cues import (
    ARROW_BY_A_NUMBER,
    BROKEN_TIMING,
    STARTS_WITH_TIME,
    TIMING_LIKE,
    VTT_HEADER,
)
from sessions.transcripts.parsing.labels import MACHINE_LABEL, looks_like_name, unbracket
from sessions.transcripts.parsing.plain_text import LEADING_STAMP, TEXT_LABEL
from sessions.transcripts.text import TranscriptError

_EXTENSIONS = {".txt": "text", ".text": "text", ".vtt": "vtt", ".webvtt": "vtt", ".srt": "srt", ".json": "whisper_json"}


HEAD_CHARS = 8192  # enough of the file to tell its format (kept during the parse: keep it small)
_HEAD_LINES = 30


def format_from_filename(filename):
    """The format a file's name suggests ("notes.vtt" → "vtt"), or None."""
    if not filename:
        return None
    return _EXTENSIONS.get(PurePosixPath(str(filename).replace("\\", "/")).suffix.lower())


def format_of_content(head):
    head = head.lstrip("\ufeff \t\r\n")
    if not head:
        return None
    if VTT_HEADER.match(head):
        return "vtt"
    if head[0] == "{" or (head[0] == "[" and head[1:].lstrip()[:1] in ("{", "]")):
        return "whisper_json"
    if head[0] == "<":
        return None  # HTML, XML: not a transcript we know
    lines = [line.strip() for line in head.split("\n", 4 * _HEAD_LINES)[: 4 * _HEAD_LINES] if line.strip()]
    lines = lines[:_HEAD_LINES]
    if any(TIMING_LIKE.match(line) for line in lines[:3]) or _has_cue_structure(lines):
        return "srt"
    for line in lines:
        if LEADING_STAMP.match(line):
            return "text"
        if label := TEXT_LABEL.match(line):
            name = unbracket(label.group("name").strip())
            if MACHINE_LABEL.fullmatch(name) or looks_like_name(name):
                return "text"
    return None


def _has_cue_structure(lines):
    """Numbered cues ("1" then a time) or a time-and-arrow line, however malformed its times."""
    if len(lines) > 1 and lines[0].isdigit() and (STARTS_WITH_TIME.match(lines[1]) or "-->" in lines[1]):
        return True
    return any(BROKEN_TIMING.match(line) for line in lines)


def _has_cue_arrow(head):
    """A '-->' by a number, outside a plain-text stamp ('[00:01.000 --> 00:04.000]' is
    Whisper's console form; "go --> left" is words)."""
    return any(ARROW_BY_A_NUMBER.search(line) and not line.lstrip().startswith(("[", "(")) for line in head.split("\n"))


def _unknown_format():
    supported = ", ".join(FORMAT_NAMES.values())
    return TranscriptError(
        f"We could not recognise this format. Supported: {supported}. "
        "Plain text without speaker names is read as such when the file's name ends in .txt, "
        "or when you choose that format."
    )


def detect_format(text: str, *, filename: str | None = None) -> str:
    """The format of `text`, by its content; the file name only breaks a tie (see the module docstring)."""
    head = text[:HEAD_CHARS]
    found = format_of_content(head)
    named = format_from_filename(filename)
    if named in ("srt", "vtt") and found in (None, "text") and _has_cue_arrow(head):
        return named  # a caption file the content alone did not make out: its parser says what is wrong
    if found:
        return found
    if format_from_filename(filename) == "text" and not text.lstrip("\ufeff \t\r\n").startswith("<"):
        return "text"
    raise _unknown_format()


def check_format_name(format):
    if format not in FORMAT_NAMES:
        raise TranscriptError(f"Unknown format '{format}': choose one of {', '.join(FORMAT_NAMES)}.")
