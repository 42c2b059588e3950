"""Import benchmark: a generated v1.0 database imported by `manage.py import_v1`, then
verified, then imported again (the no-op pass).

    .venv/bin/python scripts/bench_import.py [--rows 100000] [--tracemalloc] [--profile 25]

v1.0's database is Debian's PostgreSQL in a temporary directory (tests/legacy/pg_harness.py),
filled with tests/legacy/v1_data.py's data set (every awkward case, then ordinary users of
~200 rows each up to `--rows`: 100,000 rows is ~530 users). DynamoDB, S3 and Cognito are
the embedded local AWS of `make run` (devtools.localaws.LocalAws), provisioned as `make
run` provisions it, in a process of its own, so every request crosses HTTP and this
process's memory holds only the import. Its snapshot file is off: saving the whole state
after each change would measure pickling, not the import. The data set is built and
written (rows by COPY, objects into v1.0's bucket) in another process too, so its
hundreds of MB are not in the import's peak memory.

Printed: the data set; the import's wall time, rows per second, CPU seconds of this
process and of the local AWS, AWS requests (recorded with campaigns_site.aws.record_aws_calls)
in all and per v1.0 row, by service and operation; peak memory (ru_maxrss, and with
--tracemalloc the peak of Python's allocations during the import, which slows it down);
verify_v1's time, when the command exists; the re-run's time and requests. The load
average is printed beside the figures: the machine may be shared. --profile N prints the
import's N most expensive functions (cProfile, by own time).
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests" / "legacy"))  # the generator's modules import each other plainly

V1_BUCKET = "campaign-sessions-v1"
SEED = 13


def load_average():
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (5 min: {five:.1f}) on {os.cpu_count()} CPUs"


def cpu_seconds_of(pid):
    """User + system CPU seconds of another process so far (Linux's /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


# --- the local AWS, in a process of its own ---------------------------------------------


def serve_local_aws(more_speedups=()):
    """The child's side: LocalAws on a free port, without its snapshot file and with cheap
    transactions, and `more_speedups` (moto_speedups' functions) applied after those;
    prints the endpoint, then serves until the benchmark closes stdin."""
    import logging

    from moto_speedups import back_up_only_the_items_a_transaction_names, query_only_the_partition

    from devtools.localaws import LocalAws

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # not a line per request
    for speed_up in (back_up_only_the_items_a_transaction_names, query_only_the_partition, *more_speedups):
        speed_up()

    class LocalAwsWithoutSnapshots(LocalAws):
        def save(self):
            pass  # the benchmark's state is thrown away; pickling it would be most of the work

    with tempfile.TemporaryDirectory() as workdir:
        server = LocalAwsWithoutSnapshots(state_path=Path(workdir) / "unused.pickle", port=0)
        server.start()
        print(server.endpoint_url, flush=True)
        sys.stdin.read()
        server.stop()


def start_local_aws(script=__file__):
    """(the child process, its endpoint URL): `script --serve-local-aws` (this one's, or a
    benchmark's own that applies more speed-ups)."""
    child = subprocess.Popen(
        [sys.executable, script, "--serve-local-aws"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    endpoint = child.stdout.readline().strip()
    if not endpoint.startswith("http"):
        child.kill()
        raise SystemExit("the local AWS did not start")
    return child, endpoint


def stop_local_aws(child):
    child.stdin.close()
    try:
        child.wait(timeout=30)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


# --- v1.0's data, made in a process of its own ------------------------------------------


def prepare_v1(dsn, endpoint, rows):
    """Build the data set, write it to `dsn`, put its objects in v1.0's bucket; returns what
    was made (runs in a child process: the data set's memory goes with it)."""
    import boto3
    import psycopg
    from botocore.config import Config
    from v1_data import build_v1_dataset, create_v1_schema, put_v1_objects, write_v1_dataset

    started = time.perf_counter()
    dataset = build_v1_dataset(seed=SEED, target_rows=rows)
    built = time.perf_counter()
    with psycopg.connect(dsn) as conn:
        create_v1_schema(conn)
        write_v1_dataset(conn, dataset)
    written = time.perf_counter()
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(s3={"addressing_style": "path"}),
    )
    put_v1_objects(s3, bucket=V1_BUCKET, dataset=dataset)
    return {
        "counts": dataset.counts(),
        "rows": dataset.row_count(),
        "objects": len(dataset.objects),
        "object_bytes": sum(len(body) for body in dataset.objects.values()),
        "build_s": built - started,
        "write_s": written - built,
        "put_s": time.perf_counter() - written,
    }


def prepare_in_child(dsn, endpoint, rows):
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(prepare_v1, dsn, endpoint, rows).result()


# --- the runs ---------------------------------------------------------------------------


class Measured:
    """One command's run: wall and CPU seconds (here and in the local AWS), AWS requests."""

    def __init__(self, aws_pid):
        self.aws_pid = aws_pid
        self.calls = Counter()
        self.wall = self.cpu = self.aws_cpu = 0.0
        self.exit_status = 0
        self.output = ""

    def run(self, step):
        from campaigns_site.aws import record_aws_calls

        cpu, aws_cpu = own_cpu_seconds(), cpu_seconds_of(self.aws_pid)
        started = time.perf_counter()
        with record_aws_calls() as log:
            try:
                step()
            except SystemExit as exit:
                self.exit_status = exit.code
        self.wall = time.perf_counter() - started
        self.cpu, self.aws_cpu = own_cpu_seconds() - cpu, cpu_seconds_of(self.aws_pid) - aws_cpu
        self.calls = Counter(f"{service}.{operation}" for service, operation in log)
        return self

    def requests(self, service):
        return sum(count for name, count in self.calls.items() if name.startswith(service + "."))


def import_v1(dsn, report_path, *, profile=None):
    """A step: manage.py import_v1 as an operator runs it (progress on stderr)."""
    from django.core.management import call_command

    def step():
        out = io.StringIO()
        arguments = ["import_v1", "--source", dsn, "--v1-bucket", V1_BUCKET, "--report", str(report_path)]
        if profile is not None:
            profile.runcall(call_command, *arguments, stdout=out)
        else:
            call_command(*arguments, stdout=out)

    return step


def verify_v1(dsn, measured, report_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    def step():
        out = io.StringIO()
        try:
            arguments = ["--source", dsn, "--v1-bucket", V1_BUCKET, "--report", str(report_path)]
            call_command("verify_v1", *arguments, stdout=out, stderr=out)
        except CommandError as error:
            measured.exit_status = f"CommandError: {error}"
        measured.output = out.getvalue()

    return step


# --- printing ---------------------------------------------------------------------------


def print_data_set(made):
    counts = ", ".join(f"{table} {count:,}" for table, count in made["counts"].items())
    print(f"v1.0 data set (seed {SEED}): {made['rows']:,} rows: {counts}")
    print(
        f"  bucket: {made['objects']:,} objects, {made['object_bytes'] / 2**20:.1f} MiB; built in "
        f"{made['build_s']:.1f} s, written (COPY) in {made['write_s']:.1f} s, objects put in {made['put_s']:.1f} s"
    )


def print_run(title, measured, rows):
    print(
        f"{title}: {measured.wall:.1f} s wall, {rows / measured.wall:,.0f} v1.0 rows/s; CPU: this process "
        f"{measured.cpu:.1f} s, local AWS {measured.aws_cpu:.1f} s; {load_average()}"
    )
    total = sum(measured.calls.values())
    print(
        f"  AWS requests: {total:,} ({total / rows:.2f} per v1.0 row); DynamoDB {measured.requests('dynamodb'):,} "
        f"({measured.requests('dynamodb') / rows:.2f} per row), S3 {measured.requests('s3'):,}, "
        f"Cognito {measured.requests('cognito-idp'):,}"
    )
    for name, count in measured.calls.most_common():
        print(f"    {name:<40} {count:>9,}  {count / rows:>7.3f} per row")


def print_import_report(report_path):
    report = json.loads(Path(report_path).read_text())
    imported = ", ".join(f"{what} {count:,}" for what, count in sorted(report["imported"].items()))
    present = ", ".join(f"{what} {count:,}" for what, count in sorted(report["present"].items()))
    reasons = ", ".join(f"{reason} {count:,}" for reason, count in sorted(report["reasons"].items()))
    print(f"  report: wrote {imported or 'nothing'}; already there: {present or 'nothing'}")
    print(f"  transcript bytes written: {report['transcript_bytes']:,}; report lines: {reasons or 'none'}")


def print_profile(profile, limit):
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats("tottime").print_stats(limit)
    print(f"  profile of the import, the {limit} functions with the most own time:")
    print(text.getvalue())


# --- the benchmark ----------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="v1.0 rows to generate (all tables)")
    parser.add_argument("--tracemalloc", action="store_true", help="trace Python's allocations during the import")
    parser.add_argument("--profile", type=int, metavar="N", help="print the import's N costliest functions")
    parser.add_argument("--serve-local-aws", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_local_aws:
        return serve_local_aws()

    from pg_harness import PostgresServer, find_postgres_bin

    postgres = PostgresServer(find_postgres_bin())
    postgres.start()
    aws_child, endpoint = start_local_aws()
    try:
        with tempfile.TemporaryDirectory() as workdir:
            run(args, postgres, aws_child, endpoint, Path(workdir))
    finally:
        stop_local_aws(aws_child)
        postgres.stop()


def run(args, postgres, aws_child, endpoint, workdir):
    import psycopg
    from bench_support import set_up_django

    with psycopg.connect(postgres.url(), autocommit=True) as admin:
        admin.execute("CREATE DATABASE v1 ENCODING 'UTF8'")
    dsn = postgres.url("v1")
    set_up_django(endpoint, workdir)  # provisions the table, bucket and user pool
    from django.core.management import get_commands

    from v1.source import COUNTED_TABLES

    print(f"Python {sys.version.split()[0]}; v1.0 on PostgreSQL ({postgres.bin_dir}); AWS: the local AWS at {endpoint}")
    print(f"before: {load_average()}")
    made = prepare_in_child(dsn, endpoint, args.rows)
    print_data_set(made)
    rows = sum(made["counts"].get(table, 0) for table in COUNTED_TABLES)
    print()

    rss_before = peak_rss_mb()
    profile = cProfile.Profile() if args.profile else None
    if args.tracemalloc:
        tracemalloc.start()
    first = Measured(aws_child.pid).run(import_v1(dsn, workdir / "first.json", profile=profile))
    traced_peak = tracemalloc.get_traced_memory()[1] if args.tracemalloc else None
    tracemalloc.stop()
    print_run("import_v1", first, rows)
    print_import_report(workdir / "first.json")
    memory = f"  peak memory: ru_maxrss {peak_rss_mb():.0f} MB (Django set up, before the import: {rss_before:.0f} MB)"
    if traced_peak is not None:
        memory += f"; tracemalloc peak during the import {traced_peak / 2**20:.1f} MB"
    print(memory)
    if profile:
        print_profile(profile, args.profile)
    print()

    if "verify_v1" in get_commands():
        verify = Measured(aws_child.pid)
        verify.run(verify_v1(dsn, verify, workdir / "verify.json"))
        print_run(f"verify_v1 (exit status {verify.exit_status})", verify, rows)
        print("  " + "\n  ".join(verify.output.strip().splitlines()[-5:]))
    else:
        print("verify_v1: not available (no `manage.py verify_v1` in this checkout)")
    print()

    again = Measured(aws_child.pid).run(import_v1(dsn, workdir / "again.json"))
    print_run("import_v1 again (the no-op pass)", again, rows)
    print_import_report(workdir / "again.json")


if __name__ == "__main__":
    main()
