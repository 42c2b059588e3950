import codecs
import random

import pytest

from sessions.transcripts.text import (
    DecodedText,
    TranscriptError,
    decode_transcript,
    iter_transcript_lines,
    sniff_encoding,
)

TEXT = "[00:00:01] Zoë: “Hello” — café, naïve 🐉\n[00:00:05] Mira (GM): Roll for initiative.\n"


@pytest.mark.parametrize(
    "data, encoding, bom",
    [
        (TEXT.encode("utf-8"), "utf-8", False),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8", True),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16-le", True),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16-be", True),
        (TEXT.encode("utf-16-le"), "utf-16-le", False),
        (TEXT.encode("utf-16-be"), "utf-16-be", False),
        (codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"), "utf-32-le", True),
        (codecs.BOM_UTF32_BE + TEXT.encode("utf-32-be"), "utf-32-be", True),
        (TEXT.encode("utf-16"), "utf-16-le", True),  # Python's own "utf-16" writes a BOM
    ],
)
def test_unicode_encodings_with_and_without_bom(data, encoding, bom):
    assert decode_transcript(data) == DecodedText(text=TEXT, encoding=encoding, bom=bom)


def test_windows_1252_fallback_keeps_curly_quotes_and_accents():
    text = "Zoë: He said “never trust a naïve paladin” – it’s café time… €5\n"
    data = text.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert decode_transcript(data) == DecodedText(text=text, encoding="cp1252")


def test_utf8_wins_over_windows_1252_when_the_bytes_are_valid_utf8():
    assert decode_transcript("café".encode()).text == "café"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le", "cp1252"])
def test_crlf_and_lone_cr_become_lf(encoding):
    data = "WEBVTT\r\n\r\n1\r\n00:00:01.000 --> 00:00:02.000\rHi é\r\n".encode(encoding)
    decoded = decode_transcript(data)
    assert decoded.text == "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nHi é\n"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + b"a\r\nb\rc\n\nd",
        codecs.BOM_UTF16_BE + "a\r\nb\rc\n\nd\n".encode("utf-16-be"),
        "x\r\n" * 70_000 + "y",  # lines across the reader's chunk boundaries
    ],
)
def test_lines_read_a_line_at_a_time_match_the_whole_text(data):
    data = data.encode() if isinstance(data, str) else data
    decoded = decode_transcript(data)
    encoding = sniff_encoding(data)
    lines = list(iter_transcript_lines(data, encoding=encoding))
    expected = decoded.text.split("\n")
    if expected[-1] == "":
        expected.pop()  # a final line end ends the last line, it does not start a new one
    assert lines == expected


def test_a_stray_control_character_is_still_text():
    assert decode_transcript(b"Alice: hi\x1a\n").text == "Alice: hi\x1a\n"


@pytest.mark.parametrize(
    "data, kind",
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "a PNG image"),
        (b"\xff\xd8\xff\xe0" + bytes(100), "a JPEG image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "a PDF document"),
        (b"PK\x03\x04" + bytes(30) + b"word/document.xml", "a Word document (.docx)"),
        (b"PK\x03\x04" + bytes(30) + b"notes.txt", "a ZIP archive"),
        (b"ID3\x04" + bytes(100), "an MP3 audio file"),
        (b"RIFF\x24\x08\x00\x00WAVEfmt ", "a WAV audio file"),
        (b"\x00\x00\x00\x20ftypM4A " + bytes(20), "an MP4/M4A audio or video file"),
        (b"OggS" + bytes(20), "an Ogg audio file"),
        (b"Alice: hi\x00\x00\x00\x00 there", "it contains NUL bytes"),
    ],
)
def test_binary_files_are_named(data, kind):
    with pytest.raises(TranscriptError) as error:
        decode_transcript(data)
    assert str(error.value) == f"This file looks binary ({kind}), not a transcript."


def test_random_bytes_are_binary():
    data = random.Random(7).randbytes(20_000)
    with pytest.raises(TranscriptError, match=r"^This file looks binary \(.+\), not a transcript\.$"):
        decode_transcript(data)


def test_control_characters_without_nuls_are_binary():
    data = bytes(range(1, 9)) * 500 + b"Alice: hi\n" * 10
    with pytest.raises(TranscriptError, match="full of control characters"):
        decode_transcript(data)


def test_mostly_high_bytes_are_binary():
    data = bytes(b for b in range(0xA0, 0x100)) * 100
    with pytest.raises(TranscriptError, match="most of its bytes are not text"):
        decode_transcript(data)


def test_rtf_is_refused_with_advice():
    with pytest.raises(TranscriptError, match="RTF document.*Save it as plain text"):
        decode_transcript(b"{\\rtf1\\ansi Alice: hi}")


def test_bytes_that_are_neither_utf8_nor_windows_1252():
    data = "Zoë: hi\n".encode("cp1252") + b"\x81\x8d\n"
    with pytest.raises(TranscriptError) as error:
        decode_transcript(data)
    assert "not UTF-8" in str(error.value) and "0x81" in str(error.value) and "Save it as UTF-8" in str(error.value)


def test_broken_utf16_says_so():
    data = codecs.BOM_UTF16_LE + "Alice: hi".encode("utf-16-le") + b"\x00\xd8A\x00"  # a lone surrogate
    with pytest.raises(TranscriptError, match="starts like UTF-16-LE text but has invalid bytes"):
        decode_transcript(data)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "This file is empty."),
        (b"  \r\n\t \n", "This file has no text in it, only blank space."),
        (codecs.BOM_UTF8 + b"\n\n", "This file has no text in it, only blank space."),
        (codecs.BOM_UTF16_LE + " \r\n".encode("utf-16-le"), "This file has no text in it, only blank space."),
    ],
)
def test_empty_and_blank_files(data, message):
    with pytest.raises(TranscriptError) as error:
        decode_transcript(data)
    assert str(error.value) == message


def test_over_the_cap():
    with pytest.raises(TranscriptError, match=r"^This file is 3\.0 MB; transcripts can be up to 2 MB\.$"):
        decode_transcript(b"a" * 3 * 1024 * 1024, max_bytes=2 * 1024 * 1024)
