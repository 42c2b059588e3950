"""Export benchmark: one user's account of 500 sessions, each with a four-hour transcript,
six summaries and notes, exported as the zip "Download everything" makes.

    .venv/bin/python scripts/bench_export.py [--sessions 500] [--hours 4] [--rounds 3] [--file my.vtt]

DynamoDB and S3 are the local AWS (moto) in another process, as `make run` has them, with
the two costs DynamoDB does not have taken away as scripts/bench_import.py does (moto
copies the whole table for each transaction and lists it for each Query:
scripts/moto_speedups.py), so every request crosses HTTP, the figures do not grow with
the table, and this process's memory holds only the export's own work. The
account is written fast (tests/big_account.py: BatchWriteItem and PutObject; the same
items an upload writes). `--file` exports sessions of your own transcript instead of a
generated VTT. Printed: the zip's size and contents, the median wall time of `--rounds`
exports into a file, sessions per second and MB per second, the peak of Python memory
(tracemalloc, in one more round) and the process's peak RSS, against the Lambda's
timeout and memory (zappa_settings.json). Then the zip is imported (manage.py import_data's own code)
into another account of the same deployment: its checks and its writes, sessions per
second, peak Python memory; and the import's no-op re-run.
"""

import argparse
import json
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

from bench_import import start_local_aws, stop_local_aws  # noqa: E402
from bench_support import set_up_django, signed_in_client  # noqa: E402

# The deployed function's, as zappa_settings.json sets them.
_STAGE = json.loads((ROOT / "zappa_settings.json").read_text())["dev"]
LAMBDA_TIMEOUT_SECONDS, LAMBDA_MEMORY_MB = _STAGE["timeout_seconds"], _STAGE["memory_size"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=500)
    parser.add_argument("--hours", type=float, default=4.0, help="length of each generated transcript")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--file", type=Path, help="a transcript file of yours to use for every session")
    args = parser.parse_args()
    aws_child, endpoint = start_local_aws()
    try:
        with tempfile.TemporaryDirectory() as workdir:
            set_up_django(endpoint, workdir)
            run(args)
    finally:
        stop_local_aws(aws_child)


def run(args):
    from tests.big_account import build_big_account

    _, sub = signed_in_client()
    original = args.file.read_bytes() if args.file else None
    filename = args.file.name if args.file else "night.vtt"
    started = time.perf_counter()
    _, stored = build_big_account(sub, sessions=args.sessions, hours=args.hours, original=original, filename=filename)
    print(
        f"Python {sys.version.split()[0]}; AWS is the local AWS in another process; load average "
        f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )
    source = args.file.name if args.file else f"a generated {args.hours:g}-hour VTT"
    print(
        f"{args.sessions} sessions of {source}, six summaries each: {stored / 2**20:.0f} MB of transcripts "
        f"(original + normalized), written in {time.perf_counter() - started:.0f} s"
    )

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "export.zip"
        print_export(args, sub, out)
        print_import(args, out)


def print_export(args, sub, out):
    from exports.writer import write_export

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


def print_import(args, out):
    """Import the zip into a second account (ids are per account, so it goes in beside the
    first): once measured with tracemalloc off, then the re-run that finds everything."""
    from accounts import cognito, services
    from exports.import_run import ImportOptions, run_import

    email = "imported@example.com"
    services.sign_up(email=email, password="correct horse 42", display_name="Imported")
    cognito.confirm_sign_up(email=email, code="123456")
    options = ImportOptions(location=str(out), as_email=email)
    with open(os.devnull, "w") as quiet:
        started = time.perf_counter()
        run_import(options=options, progress_file=quiet)
        seconds = time.perf_counter() - started
        tracemalloc.start()
        started = time.perf_counter()
        run_import(options=options, progress_file=quiet)
        rerun = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    print(
        f"import into another account: {seconds:.1f} s = {args.sessions / seconds:.1f} sessions/s; "
        f"the re-run (checks everything, writes nothing) {rerun:.1f} s, peak Python memory {peak / 2**20:.1f} MiB; "
        f"load average {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
