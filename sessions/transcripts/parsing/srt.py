"""SubRip (.srt): numbered cues, `hh:mm:ss,mmm` times, formatting tags stripped."""

from sessions.transcripts.parsing.cues import add_cue
from sessions.transcripts.parsing.line_sources import split_blocks
from sessions.transcripts.parsing.times import SRT_TIME_SYNTAX, cue_times
from sessions.transcripts.text import TranscriptError


def parse_srt(lines, segments):
    for block in split_blocks(lines):
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
        start, end = cue_times(timing, line_number=number, syntax=SRT_TIME_SYNTAX)
        add_cue(segments, start=start, end=end, text_lines=block.lines[timing_at + 1 :], line_number=number, vtt=False)
