"""What every format's parser hands its segments to: `SegmentCollector` settles the
speaker labels found in text, the order and the totals into a `ParsedTranscript`
(the rules are in the package docstring, sessions/transcripts/parsing/__init__.py)."""

from dataclasses import dataclass

from sessions.core.segments import Segment
from sessions.core.transcript_formats import FORMAT_NAMES  # noqa: E402,F401  (the item names its format too)
from sessions.transcripts.parsing.labels import leading_label
from sessions.transcripts.text import TranscriptError

# The item keeps the speaker list: keep it bounded (data-model.md's item size budget).
MAX_SPEAKERS = 200
MAX_SPEAKER_LENGTH = 100


WEAK_LABEL_MIN_SEGMENTS = 2
LABELLED_SHARE = 0.5
_NEARLY_ALL_LABELLED = 0.9  # then a name-like label seen once is a speaker too


@dataclass(frozen=True)
class ParsedTranscript:
    format: str
    segments: list[Segment]
    duration: float | None  # seconds: the latest end (or start) time; None without times
    speakers: list[str]  # raw labels in order of first appearance
    encoding: str | None = None  # set by parse_transcript_bytes
    filename_format: str | None = None  # what the file name suggested, if anything

    @property
    def segment_count(self):
        return len(self.segments)

    @property
    def name_disagrees(self):
        return self.filename_format is not None and self.filename_format != self.format

    @property
    def note(self):
        """A remark for the person who uploaded, or None: the file name said another format."""
        if not self.name_disagrees:
            return None
        return (
            f"The file's name says {FORMAT_NAMES[self.filename_format]}, but its content is "
            f"{FORMAT_NAMES[self.format]}: we read it as {FORMAT_NAMES[self.format]}."
        )


def collapse(text):
    return " ".join(text.split())


class SegmentCollector:
    """Collects segments as a parser finds them; `finish` settles labels, order and totals."""

    def __init__(self, *, sort_by_start):
        self.segments = []
        self._sort_by_start = sort_by_start
        self._weak_labels = {}  # label -> [(segment index, offset of the text after it)]
        self._strong_labels = 0
        self._label_candidates = 0  # segments that might have opened with a label
        self._speaker_names = {}  # one str per speaker, not one per segment

    def add(self, *, start, end, speaker, text, line_number, find_label=False):
        text = collapse(text)
        if not text:
            return
        if speaker is None and find_label:
            self._label_candidates += 1
            found = ":" in text and leading_label(text)
            if found:
                label, strong, offset = found
                if strong:
                    speaker, text = label, text[offset:]
                    self._strong_labels += 1
                else:
                    self._weak_labels.setdefault(label, []).append((len(self.segments), offset))
        if speaker is not None and len(speaker) > MAX_SPEAKER_LENGTH:
            if callable(line_number):  # JSON finds its line numbers only when needed
                line_number = line_number()
            raise TranscriptError(
                f"Line {line_number}: the speaker name '{speaker[:40]}…' is longer than "
                f"{MAX_SPEAKER_LENGTH} characters."
            )
        if text:
            if speaker is not None:
                speaker = self._speaker_names.setdefault(speaker, speaker)
            self.segments.append(Segment(start=start, end=end, speaker=speaker, text=text))

    def finish(self, *, format, filename_format=None, encoding=None):
        segments = self.segments
        recurring = {
            label: places for label, places in self._weak_labels.items() if len(places) >= WEAK_LABEL_MIN_SEGMENTS
        }
        labelled = self._strong_labels + sum(map(len, recurring.values()))
        labelled_throughout = (
            labelled >= WEAK_LABEL_MIN_SEGMENTS and labelled >= LABELLED_SHARE * self._label_candidates
        )
        taken = recurring if labelled_throughout else {}
        all_labelled = self._strong_labels + sum(map(len, self._weak_labels.values()))
        if labelled_throughout and all_labelled >= _NEARLY_ALL_LABELLED * self._label_candidates:
            taken = self._weak_labels  # nearly every segment opens with a label: once is enough
        if taken:
            for label, places in taken.items():
                for index, offset in places:
                    old = segments[index]
                    if old.text[offset:]:  # "Label:" and nothing after it stays as it was
                        segments[index] = Segment(start=old.start, end=old.end, speaker=label, text=old.text[offset:])
        pairs = zip(segments, segments[1:], strict=False)
        if self._sort_by_start and any(
            later.start < earlier.start for earlier, later in pairs if later.start is not None
        ):
            segments.sort(key=lambda segment: segment.start)
        if not segments:
            raise TranscriptError("We found nothing said in this file: it has no segments with text.")

        speakers, duration = {}, None
        for segment in segments:
            if segment.speaker is not None and segment.speaker not in speakers:
                speakers[segment.speaker] = None
            last = segment.end if segment.end is not None else segment.start
            if last is not None and (duration is None or last > duration):
                duration = last
        if len(speakers) > MAX_SPEAKERS:
            raise TranscriptError(
                f"This transcript names {len(speakers)} different speakers; we accept up to {MAX_SPEAKERS}."
            )
        return ParsedTranscript(
            format=format,
            segments=segments,
            duration=duration,
            speakers=list(speakers),
            encoding=encoding,
            filename_format=filename_format,
        )
