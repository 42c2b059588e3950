"""Turning an uploaded transcript's bytes into text: encoding, binary files, line ends.

Accepted: UTF-8 with or without a BOM, UTF-16 (LE/BE, with a BOM, or without one when the
NUL pattern of mostly-ASCII text gives it away), UTF-32 with a BOM, and Windows-1252 as
the last resort for bytes that are not UTF-8 but read as plausible 8-bit text. Anything
else is refused with a message a person can act on (`TranscriptError`).

Two ways to read:
- `decode_transcript(data)`: the whole text as one string, line ends normalized to "\\n".
- `sniff_encoding(data)` then `iter_transcript_lines(data, encoding=...)`: the same text a
  line at a time. The parser uses this one. A single `str` holding a 4-hour transcript
  is stored with the width of its widest character, so one emoji makes every character
  of it cost 4 bytes; separate lines are each only as wide as their own characters.
  That is the difference between ~4x and ~1x the file's size in memory.

Both refuse files over the upload's cap, settings.TRANSCRIPT_MAX_BYTES (50 MB by default:
8 hours of WhisperX JSON with word timings is ~15 MB; plain VTT is ~0.2 MB an hour).

Limitations (no chardet, by choice: the standard library's codecs only): 8-bit files in code pages
other than Windows-1252 (Cyrillic cp1251, Mac Roman…) decode as Windows-1252 and come
out garbled rather than refused; UTF-16 without a BOM is recognised only for text that
is mostly ASCII (Latin-script transcripts are).
"""

import codecs
import io
import re
from dataclasses import dataclass

from django.conf import settings

_SNIFF_BYTES = 4096
_CHUNK_CHARS = 1 << 16
# Validating UTF-8 decodes a chunk at a time: a chunk with one emoji costs 4 bytes a character.
_SNIFF_CHUNK_BYTES = 1 << 16


class TranscriptError(ValueError):
    """The upload cannot be read as a transcript. The message is for the person uploading."""


@dataclass(frozen=True, slots=True)
class TextEncoding:
    codec: str  # Python codec name for the bytes after the BOM ("utf-8", "utf-16-le", "cp1252", ...)
    bom_length: int = 0


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str  # line ends normalized to "\n", no BOM
    encoding: str  # a Python codec name, e.g. "utf-8", "utf-16-le", "cp1252"
    bom: bool = False


_BOMS = (
    # UTF-32 LE starts with the UTF-16 LE BOM: test the longer one first.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# What people upload by mistake: the recording, a screenshot, a document. Only prefixes
# that no real transcript starts with (most contain bytes no text has).
_MAGIC_NUMBERS = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Word or Excel document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "a program"),
    (b"OggS", "an Ogg audio file"),
    (b"fLaC", "a FLAC audio file"),
    (b"\x1aE\xdf\xa3", "a Matroska/WebM video"),
    (b"ID3\x02", "an MP3 audio file"),
    (b"ID3\x03", "an MP3 audio file"),
    (b"ID3\x04", "an MP3 audio file"),
    (b"\xff\xfb", "an MP3 audio file"),
    (b"\xff\xf3", "an MP3 audio file"),
    (b"\xff\xf2", "an MP3 audio file"),
)
_RIFF_KINDS = {b"WAVE": "a WAV audio file", b"WEBP": "a WebP image", b"AVI ": "an AVI video"}

# C0 controls other than tab, LF, VT, FF, CR; and DEL. Text has none or a stray one.
_CONTROL_BYTES = re.compile(rb"[\x01-\x08\x0e-\x1f\x7f]")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_NON_SPACE_BYTE = re.compile(rb"[^\s]")
_HIGH_BYTES = re.compile(rb"[\x80-\xff]")
# More than this share of control characters and it is not text.
_CONTROL_SHARE = 0.01
# Windows-1252 text is mostly ASCII; random binary is half high bytes.
_HIGH_BYTE_SHARE = 0.3


def _binary(why):
    return TranscriptError(f"This file looks binary ({why}), not a transcript.")


def _magic_kind(data):
    if data.startswith(b"{\\rtf"):
        raise TranscriptError("This file is an RTF document, not a transcript. Save it as plain text and upload that.")
    if data[:4] == b"RIFF" and data[8:12] in _RIFF_KINDS:
        return _RIFF_KINDS[data[8:12]]
    if data[4:8] == b"ftyp":
        return "an MP4/M4A audio or video file"
    for prefix, kind in _MAGIC_NUMBERS:
        if data.startswith(prefix):
            if kind == "a ZIP archive" and b"word/" in data[:4096]:
                return "a Word document (.docx)"
            return kind
    return None


def _utf16_without_bom(data):
    """'utf-16-le'/'utf-16-be' when NULs sit in every other byte, as mostly-ASCII UTF-16 has."""
    sample = data[:_SNIFF_BYTES]
    if len(sample) < 2:
        return None
    pairs = len(sample) // 2
    even_nuls, odd_nuls = sample[0::2].count(0), sample[1::2].count(0)
    if odd_nuls > 0.3 * pairs and even_nuls < 0.05 * pairs:
        return "utf-16-le"  # "A\x00": the high byte, zero for ASCII, comes second
    if even_nuls > 0.3 * pairs and odd_nuls < 0.05 * pairs:
        return "utf-16-be"
    return None


def _too_many_controls(count, total):
    return count > max(3, _CONTROL_SHARE * total)


def _check_decoded_chunks(data, encoding):
    """Decode in chunks (never the whole text at once): invalid bytes, controls, emptiness."""
    controls = chars = 0
    seen_text = False
    try:
        for chunk in _iter_chunks(data, encoding=encoding, translate_newlines=False):
            chars += len(chunk)
            controls += len(_CONTROL_CHARS.findall(chunk))
            seen_text = seen_text or not chunk.isspace()
    except UnicodeDecodeError as error:
        raise TranscriptError(
            f"This file starts like {encoding.codec.upper()} text but has invalid bytes at byte "
            f"{error.start + encoding.bom_length}. Save it again as UTF-8 and upload that."
        ) from None
    if _too_many_controls(controls, chars):
        raise _binary("it is full of control characters")
    if not seen_text:
        raise TranscriptError("This file has no text in it, only blank space.")


def _is_utf8(data, start):
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for offset in range(start, len(data), _SNIFF_CHUNK_BYTES):
            decoder.decode(view[offset : offset + _SNIFF_CHUNK_BYTES])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def sniff_encoding(data: bytes, *, max_bytes: int | None = None) -> TextEncoding:
    """How to decode `data`, after checking that it is a transcript-sized piece of text
    (at most `max_bytes`, by default the upload's cap: settings.TRANSCRIPT_MAX_BYTES).

    Raises TranscriptError for an empty, oversized or binary file, or one whose encoding
    we cannot tell.
    """
    max_bytes = max_bytes or settings.TRANSCRIPT_MAX_BYTES
    if len(data) > max_bytes:
        raise TranscriptError(
            f"This file is {len(data) / 1024 / 1024:.1f} MB; transcripts can be up to {max_bytes / 1024 / 1024:.0f} MB."
        )
    if not data:
        raise TranscriptError("This file is empty.")
    kind = _magic_kind(data)
    if kind:
        raise _binary(kind)

    for bom, codec in _BOMS:
        if data.startswith(bom):
            encoding = TextEncoding(codec, len(bom))
            _check_decoded_chunks(data, encoding)
            return encoding
    if codec := _utf16_without_bom(data):
        encoding = TextEncoding(codec)
        _check_decoded_chunks(data, encoding)
        return encoding

    # From here on an ASCII-compatible encoding: the checks run on the bytes themselves.
    if b"\x00" in data:
        raise _binary("it contains NUL bytes")
    if _too_many_controls(sum(1 for _ in _CONTROL_BYTES.finditer(data)), len(data)):
        raise _binary("it is full of control characters")
    if not _NON_SPACE_BYTE.search(data):
        raise TranscriptError("This file has no text in it, only blank space.")
    if data.isascii() or _is_utf8(data, 0):
        return TextEncoding("utf-8")

    high_bytes = sum(1 for _ in _HIGH_BYTES.finditer(data))
    if high_bytes > _HIGH_BYTE_SHARE * len(data):
        raise _binary("most of its bytes are not text")
    try:
        for _ in _iter_chunks(data, encoding=TextEncoding("cp1252"), translate_newlines=False):
            pass
    except UnicodeDecodeError as error:
        raise TranscriptError(
            f"We could not tell this file's text encoding: it is not UTF-8, and byte "
            f"{error.start} (0x{data[error.start]:02x}) is not Windows-1252 either. "
            "Save it as UTF-8 and upload it again."
        ) from None
    return TextEncoding("cp1252")


def _text_stream(data, *, encoding, translate_newlines=True):
    buffer = io.BytesIO(data)  # shares `data`'s memory until written to (it never is)
    buffer.seek(encoding.bom_length)
    # newline=None: "\r\n" and a lone "\r" both come out as "\n".
    newline = None if translate_newlines else ""
    return io.TextIOWrapper(buffer, encoding=encoding.codec, errors="strict", newline=newline)


def _iter_chunks(data, *, encoding, size=_CHUNK_CHARS, translate_newlines=True):
    stream = _text_stream(data, encoding=encoding, translate_newlines=translate_newlines)
    while chunk := stream.read(size):
        yield chunk


def iter_transcript_chunks(data: bytes, *, encoding: TextEncoding, size: int = _CHUNK_CHARS):
    """The decoded text in pieces of up to `size` characters, line ends normalized."""
    return _iter_chunks(data, encoding=encoding, size=size)


def iter_transcript_lines(data: bytes, *, encoding: TextEncoding):
    """The decoded text a line at a time, without line ends ("\\r\\n", "\\r" and "\\n" all end a line)."""
    for line in _text_stream(data, encoding=encoding):
        yield line[:-1] if line.endswith("\n") else line


def decode_transcript(data: bytes, *, max_bytes: int | None = None) -> DecodedText:
    """The whole transcript as one string, line ends normalized to "\\n", BOM removed."""
    encoding = sniff_encoding(data, max_bytes=max_bytes)
    text = "".join(iter_transcript_chunks(data, encoding=encoding))
    return DecodedText(text=text, encoding=encoding.codec, bom=bool(encoding.bom_length))
