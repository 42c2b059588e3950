"""Times in captions and stamps, read to the millisecond, refused with the format's own syntax."""

import re

from sessions.transcripts.text import TranscriptError

_TIME = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,9}))?")
# Each format's time as its error messages spell it (the parser accepts a little more).
SRT_TIME_SYNTAX = "hh:mm:ss,mmm"
VTT_TIME_SYNTAX = "hh:mm:ss.mmm or mm:ss.mmm"
_CUE_TIMING_EXAMPLE = {
    SRT_TIME_SYNTAX: "00:00:01,000 --> 00:00:04,000",
    VTT_TIME_SYNTAX: "00:00:01.000 --> 00:00:04.000",
}


def time_in_seconds(token, *, line_number, syntax=VTT_TIME_SYNTAX):
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


def cue_times(line, *, line_number, syntax):
    """The start and end of a '<start> --> <end> [settings]' line."""
    start_token, _, rest = line.partition("-->")
    start_token, end_tokens = start_token.strip(), rest.split()
    if not start_token or not end_tokens:
        raise TranscriptError(
            f"Line {line_number}: '{line.strip()[:60]}' is not a valid cue timing "
            f"(expected '{_CUE_TIMING_EXAMPLE[syntax]}', times as {syntax})."
        )
    start = time_in_seconds(start_token, line_number=line_number, syntax=syntax)
    end = time_in_seconds(end_tokens[0], line_number=line_number, syntax=syntax)
    if end < start:
        raise TranscriptError(f"Line {line_number}: the cue ends ({end_tokens[0]}) before it starts ({start_token}).")
    return start, end
