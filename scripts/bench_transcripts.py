"""Transcript upload benchmark: decode + parse + JSON dump of 1-, 4- and 8-hour transcripts.

    .venv/bin/python scripts/bench_transcripts.py [--rounds 7] [--hours 1 4 8] [--formats vtt srt ...]
                                                  [--file my.vtt | --folder my-transcripts/]

For every format and length (tests/transcript_samples.py makes the files: ~1,300 segments
an hour, unicode and emoji, diarized speakers) each step is timed over several rounds
without tracemalloc and the median printed; then one more round runs under tracemalloc
for the peak of memory allocated during the step. The upload's bytes exist before the
step starts, so they are not in that peak: `peak/size` is what the step adds, and
`(size+peak)/size` is the figure the issue's budget ("peak memory ≤ 5× the file's
size") is about.

`--file`/`--folder` time your own transcripts instead (a row each, named by file; the
format found from the content and the name, as an upload's is; the hours from its last time).

To add a step (say "store + first reader page"): write `def my_step(sample): ...` using
`sample.data` (the upload's bytes), `sample.parsed` or `sample.stored` (the normalized
JSON), both computed once outside the measurement, and append ("name", my_step) to STEPS.
"""

import argparse
import gc
import os
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_support import add_transcript_inputs, load_average, transcript_inputs  # noqa: E402

# The parser reads its size limit from the settings (TRANSCRIPT_MAX_BYTES).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaigns_site.settings")
import django  # noqa: E402

django.setup()

from sessions.transcripts.parsing import parse_transcript_bytes  # noqa: E402
from sessions.transcripts.segments_json import dump_segments  # noqa: E402
from tests.transcript_samples import DISCORD_SPEAKERS, sample_bytes  # noqa: E402

FORMATS = {
    # name: (format, sample options)
    "vtt": ("vtt", {}),
    "vtt-plain": ("vtt", {"speaker_style": None}),  # Whisper's own VTT: no speakers
    "srt": ("srt", {}),
    "text": ("text", {"speakers": DISCORD_SPEAKERS}),
    "whisperx-json": ("whisper_json", {}),
    "whisper-json": ("whisper_json", {"whisperx": False}),  # with tokens and log-probs
}


@dataclass
class Sample:
    name: str
    format: str
    hours: float | None  # None: your file's, read from its times
    data: bytes

    @property
    def filename(self):
        return self.name if self.hours is None else f"session.{self.format}"

    @cached_property
    def parsed(self):
        return parse_transcript_bytes(self.data, filename=self.filename)

    @cached_property
    def stored(self):
        return dump_segments(self.parsed.segments)


def decode_parse_dump(sample):
    """The upload path: bytes → segments → the JSON stored beside the original."""
    parsed = parse_transcript_bytes(sample.data, filename=sample.filename)
    dump_segments(parsed.segments)


STEPS = [("decode+parse+dump", decode_parse_dump)]


def median_seconds(step, sample, rounds):
    times = []
    for _ in range(rounds):
        gc.collect()
        started = time.perf_counter()
        step(sample)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def peak_bytes(step, sample):
    gc.collect()
    tracemalloc.start()
    try:
        step(sample)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--hours", type=float, nargs="+", default=[1, 4, 8])
    parser.add_argument("--formats", nargs="+", choices=list(FORMATS), default=list(FORMATS))
    add_transcript_inputs(parser)
    args = parser.parse_args()

    print(f"Python {sys.version.split()[0]}, {args.rounds} rounds, median wall time; peak by tracemalloc (one round)")
    header = f"{'step':<18} {'format':<14} {'hours':>5} {'size KB':>8} {'segments':>8} {'median ms':>9} "
    header += f"{'peak KB':>8} {'peak/size':>9} {'(size+peak)/size':>16} {'stored KB':>9}"
    print(header)
    print("-" * len(header))
    for sample in samples(args):
        size = len(sample.data)
        hours = sample.hours if sample.hours is not None else (sample.parsed.duration or 0) / 3600
        for step_name, step in STEPS:
            seconds = median_seconds(step, sample, args.rounds)
            peak = peak_bytes(step, sample)
            print(
                f"{step_name:<18} {sample.name:<14} {hours:>5.3g} {size / 1024:>8.0f} {sample.parsed.segment_count:>8} "
                f"{seconds * 1000:>9.1f} {peak / 1024:>8.0f} {peak / size:>9.2f} {(size + peak) / size:>16.2f} "
                f"{len(sample.stored) / 1024:>9.0f}",
                flush=True,
            )
    print(load_average())


def samples(args):
    """Your transcripts (--file, --folder), or the generated ones in every format and length."""
    yours = transcript_inputs(args)
    for name, data in yours:
        yield Sample(name, "", None, data)
    if yours:
        return
    for name in args.formats:
        format, options = FORMATS[name]
        for hours in args.hours:
            yield Sample(name, format, hours, sample_bytes(format, hours=hours, **options))


if __name__ == "__main__":
    main()
