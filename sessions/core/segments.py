"""A transcript's normalized form: the list of segments every format parses into.

Stored as JSON in S3 beside the original file; the reader, the summarizers and search all
work from it, never from the original format.
"""

from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class Segment:
    start: float | None  # seconds from the start of the recording, when the format has times
    end: float | None
    speaker: str | None  # the raw label as the file has it ("SPEAKER_00", a Discord name)
    text: str

    def to_json(self):
        return asdict(self)

    @classmethod
    def from_json(cls, data):
        return cls(start=data.get("start"), end=data.get("end"), speaker=data.get("speaker"), text=data["text"])


def format_time(seconds, *, fixed_width=False):
    """A time into the recording: "1:02:03" from an hour on, "02:03" below it; "" for no
    time. Whole seconds, rounded down, so a jump to the time shown lands on that line or
    an earlier one. fixed_width: always "hh:mm:ss" (the summarizers' stamps, so that a
    model reads one shape of time)."""
    if seconds is None:
        return ""
    hours, rest = divmod(max(0, int(seconds)), 3600)
    minutes, seconds = divmod(rest, 60)
    if fixed_width:
        return f"{hours:02d}:{minutes:02d}:{seconds:02d}"
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"
