"""The normalized segment list as stored in S3 beside the original upload.

Compact JSON, one segment a line, so that a reader page can be cut out without parsing
the rest:

    {"version":1,"segment_count":3,"speakers":["SPEAKER_00","Mira"],"segments":[
    [0,3200,0,"Hello there."],
    [3200,5100,1,"Roll for initiative 🎲"],
    [null,null,null,"A line with no time and no speaker."]
    ]}

A segment is `[start_ms, end_ms, speaker_index, text]`: times in whole milliseconds (the
precision the parser keeps; shorter than seconds with decimals), the speaker as an index
into "speakers" (a label repeated 10,000 times costs a digit or two each time), null
where the format had no time or speaker. Text is UTF-8, not \\u-escaped. JSON escapes
every control character inside strings, so a raw newline only ever ends a segment line.
"""

import io
import json
from collections.abc import Iterable
from dataclasses import dataclass

from sessions.core.segments import Segment

FORMAT_VERSION = 1

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


@dataclass(frozen=True, slots=True)
class SegmentPage:
    segments: list[Segment]
    offset: int
    total: int  # segments in the whole transcript
    speakers: list[str]  # every speaker of the transcript, in order of first appearance

    @property
    def has_more(self):
        return self.offset + len(self.segments) < self.total


def _millis(seconds):
    return None if seconds is None else round(seconds * 1000)


def _seconds(millis):
    return None if millis is None else millis / 1000


def dump_segments(segments: Iterable[Segment]) -> bytes:
    """The stored form of `segments` (bytes, UTF-8), in the order given."""
    segments = segments if isinstance(segments, (list, tuple)) else list(segments)
    speakers = {}
    for segment in segments:
        if segment.speaker is not None:
            speakers.setdefault(segment.speaker, len(speakers))
    # Written as bytes, row by row, into one buffer: a str of all rows would take the
    # width of its widest character (a single emoji makes every character 4 bytes), and
    # a list of rows plus their join would hold the output twice.
    out = io.BytesIO()
    out.write(
        f'{{"version":{FORMAT_VERSION},"segment_count":{len(segments)},'
        f'"speakers":{_encode(list(speakers))},"segments":['.encode()
    )
    for number, segment in enumerate(segments):
        index = None if segment.speaker is None else speakers[segment.speaker]
        out.write(b",\n" if number else b"\n")
        out.write(_encode([_millis(segment.start), _millis(segment.end), index, segment.text]).encode())
    out.write(b"\n]}" if segments else b"]}")
    return out.getvalue()


def _check_version(document):
    # Written by this code only, so another version is a deployment problem, not the user's.
    if document.get("version") != FORMAT_VERSION:
        version = document.get("version")
        raise ValueError(f"Stored transcript has version {version!r}; this code reads {FORMAT_VERSION}.")


def _header(data):
    end = data.find(b"\n")
    if end == -1:  # no segments: the whole document is one line
        end = len(data)
    header = json.loads(data[:end] + (b"]}" if data[end - 1 : end] == b"[" else b""))
    _check_version(header)
    return header, end + 1


def _segment(row, speakers):
    start, end, index, text = row
    speaker = None if index is None else speakers[index]
    return Segment(start=_seconds(start), end=_seconds(end), speaker=speaker, text=text)


def load_segments(data: bytes) -> list[Segment]:
    """All the segments of a stored transcript."""
    document = json.loads(data)
    _check_version(document)
    speakers = document["speakers"]
    return [_segment(row, speakers) for row in document["segments"]]


def read_segment_page(data: bytes, *, offset: int, limit: int) -> SegmentPage:
    """Segments offset..offset+limit of a stored transcript, parsing only those lines."""
    if offset < 0 or limit < 0:
        raise ValueError(f"offset and limit must not be negative (offset={offset}, limit={limit}).")
    header, position = _header(data)
    total, speakers = header["segment_count"], header["speakers"]
    segments = []
    if offset < total:
        for _ in range(offset):
            position = data.index(b"\n", position) + 1
        for _ in range(min(limit, total - offset)):
            end = data.index(b"\n", position)
            segments.append(_segment(json.loads(data[position:end].rstrip(b",")), speakers))
            position = end + 1
    return SegmentPage(segments=segments, offset=offset, total=total, speakers=speakers)
