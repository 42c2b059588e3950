"""Export benchmark: one user's account of 500 sessions, each with a four-hour transcript,
six summaries and notes, exported as the zip "Download everything" makes.

    .venv/bin/python scripts/bench_export.py [--sessions 500] [--hours 4] [--rounds 3] [--file my.vtt]

DynamoDB and S3 are a moto server in another process (as `make run` has them), so every
request crosses HTTP and this process's memory holds only the export's own work. The
account is written fast (tests/big_account.py: BatchWriteItem and PutObject; the same
items an upload writes). `--file` exports sessions of your own transcript instead of a
generated VTT. Printed: the zip's size and contents, the median wall time of `--rounds`
exports into a file, sessions per second and MB per second, the peak of Python memory
(tracemalloc, in one more round) and the process's peak RSS, against the Lambda's
330 s timeout and 1,024 MB.
"""

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_support import django_on_moto_server, signed_in_client  # noqa: E402

LAMBDA_TIMEOUT_SECONDS, LAMBDA_MEMORY_MB = 330, 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=500)
    parser.add_argument("--hours", type=float, default=4.0, help="length of each generated transcript")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--file", type=Path, help="a transcript file of yours to use for every session")
    args = parser.parse_args()
    with django_on_moto_server():
        run(args)


def run(args):
    from exports.writer import write_export
    from tests.big_account import build_big_account

    _, sub = signed_in_client()
    original = args.file.read_bytes() if args.file else None
    filename = args.file.name if args.file else "night.vtt"
    started = time.perf_counter()
    _, stored = build_big_account(sub, sessions=args.sessions, hours=args.hours, original=original, filename=filename)
    print(
        f"Python {sys.version.split()[0]}; AWS is a moto server in another process; load average "
        f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )
    source = args.file.name if args.file else f"a generated {args.hours:g}-hour VTT"
    print(
        f"{args.sessions} sessions of {source}, six summaries each: {stored / 2**20:.0f} MB of transcripts "
        f"(original + normalized), written in {time.perf_counter() - started:.0f} s"
    )

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "export.zip"
        seconds = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            with out.open("wb") as stream:
                counts = write_export(stream, sub=sub)
            seconds.append(time.perf_counter() - started)
        with zipfile.ZipFile(out) as archive:
            contents = sum(entry.file_size for entry in archive.infolist())
            entries = len(archive.infolist())
        size = out.stat().st_size
        tracemalloc.start()
        with out.open("wb") as stream:
            write_export(stream, sub=sub)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

    median = statistics.median(seconds)
    print(f"zip: {size / 2**20:.0f} MB, {entries:,} entries, {contents / 2**20:.0f} MB uncompressed; counts {counts}")
    print(
        f"export, median of {args.rounds}: {median:.1f} s ({', '.join(f'{s:.1f}' for s in seconds)}) = "
        f"{args.sessions / median:.0f} sessions/s, {contents / 2**20 / median:.0f} MB/s "
        f"(Lambda timeout {LAMBDA_TIMEOUT_SECONDS} s: {100 * median / LAMBDA_TIMEOUT_SECONDS:.0f} % of it)"
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"peak Python memory (tracemalloc) {peak / 2**20:.1f} MiB; process peak RSS {rss:.0f} MiB "
        f"(Lambda {LAMBDA_MEMORY_MB} MB); load average after {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
