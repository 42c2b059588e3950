"""WebVTT, as Whisper writes it (voice tags `<v Speaker>` when diarized)."""

from sessions.transcripts.parsing.cues import VTT_HEADER, add_cue
from sessions.transcripts.parsing.line_sources import split_blocks
from sessions.transcripts.parsing.times import VTT_TIME_SYNTAX, cue_times
from sessions.transcripts.text import TranscriptError


def _is_keyword_block(first_line):
    word = first_line.split(None, 1)[0] if first_line.strip() else ""
    return word in ("NOTE", "STYLE", "REGION") and "-->" not in first_line


def parse_vtt(lines, segments):
    blocks = split_blocks(lines)
    header = next(blocks, None)
    if header is None or header.line_number != 1 or not VTT_HEADER.match(header.lines[0]):
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
    start, end = cue_times(lines[0], line_number=line_number, syntax=VTT_TIME_SYNTAX)
    add_cue(segments, start=start, end=end, text_lines=lines[1:], line_number=line_number, vtt=True)
