"""What WebVTT and SubRip share: cue timings and cue text (voice tags, formatting tags),
and the patterns that tell a caption file from plain text."""

import html
import re

VTT_HEADER = re.compile(r"\ufeff?WEBVTT(?=[ \t\r\n]|\Z)")
_VOICE_TAG = re.compile(r"<v(?:\.[^\s>]*)?(?:[ \t]+([^>]*))?>")
_ANY_TAG = re.compile(r"<[^>]*>")
_SRT_FORMATTING = re.compile(r"</?(?:i|b|u|s|font|c|v)(?:[.\s][^>]*)?>|\{\\[^}]*\}", re.IGNORECASE)
TIMING_LIKE = re.compile(r"\s*[\d:.,]+\s*-->")
# Cue structure that survives a malformed time ("00:00:xx,000 -->", "--> 00:00:02,000",
# "00:00:01,000 -> 00:00:02,000"), so such a file is refused as SRT, not read as text.
BROKEN_TIMING = re.compile(r"\d\S*\s*-->|-->\s*\d|\d{1,2}:\d\S*\s*(?:[-–—=]+\s*>|→)")
STARTS_WITH_TIME = re.compile(r"\d+:\d")
ARROW_BY_A_NUMBER = re.compile(r"\d\S*\s*-->|-->\s*\S*\d")


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


def add_cue(segments, *, start, end, text_lines, line_number, vtt):
    for voice, text in _cue_pieces(" ".join(text_lines), vtt=vtt):
        segments.add(start=start, end=end, speaker=voice, text=text, line_number=line_number, find_label=voice is None)
