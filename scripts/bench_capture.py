"""Change capture's cost on v1.0's writes (cutover/capture.py): the same single-row
UPDATEs of game_sessions, each its own transaction as v1.0 makes them, without and with
the triggers, in alternating rounds (the machine may be shared); then the reading side.

    .venv/bin/python scripts/bench_capture.py [--writes 2000] [--rounds 4]

v1.0's database is Debian's PostgreSQL in a temporary directory (tests/legacy/pg_harness.py,
tuned as for the tests: fsync off, so the figures are the triggers' CPU, not the disk's;
with fsync on, each commit costs more and the relative overhead is smaller).

Printed: median and 95th percentile ms per write, without and with capture, and the
difference; the same for a session with a 3 MB inline transcript (the trigger blanks it
before making JSON, so it costs what a small row costs); INSERTs of sessions; and
read_changes' throughput over the log the run made, in batches of 500.
"""

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "legacy"))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaigns_site.settings")
import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from pg_harness import PostgresServer, find_postgres_bin  # noqa: E402
from v1_data import create_v1_schema  # noqa: E402

from cutover import capture  # noqa: E402
from cutover.changes import read_changes  # noqa: E402


def timed(conn, statements):
    """ms per statement, each in its own (autocommit) transaction."""
    times = []
    for query, params in statements:
        started = time.perf_counter()
        conn.execute(query, params)
        times.append((time.perf_counter() - started) * 1000)
    return times


def fill(conn, *, sessions):
    owner = conn.execute("INSERT INTO users (email) VALUES ('bench@example.com') RETURNING id").fetchone()[0]
    campaign = uuid.uuid4()
    conn.execute(
        "INSERT INTO campaigns (id, owner_id, name, created_at, updated_at) VALUES (%s, %s, 'Bench', now(), now())",
        [campaign, owner],
    )
    conn.execute(
        "INSERT INTO game_sessions (id, campaign_id, title, notes, created_at, updated_at)"
        " SELECT gen_random_uuid(), %s, 'Night ' || g, repeat('note ', 40), now(), now() FROM generate_series(1, %s) g",
        [campaign, sessions],
    )
    big = uuid.uuid4()
    conn.execute(
        "INSERT INTO game_sessions (id, campaign_id, title, transcript_text, created_at, updated_at)"
        " VALUES (%s, %s, 'Long night', repeat('DM: the rain does not stop. ', 110000), now(), now())",
        [big, campaign],
    )
    ids = [row[0] for row in conn.execute("SELECT id FROM game_sessions WHERE id <> %s", [big])]
    conn.execute("VACUUM ANALYZE")
    return campaign, ids, big


def updates(ids, writes, tag):
    return [
        ("UPDATE game_sessions SET title = %s, updated_at = now() WHERE id = %s", [f"{tag} {n}", ids[n % len(ids)]])
        for n in range(writes)
    ]


def summary(label, times):
    ordered = sorted(times)
    p95 = ordered[int(len(ordered) * 0.95)]
    print(f"  {label:<44} median {statistics.median(times):.3f} ms   p95 {p95:.3f} ms   ({len(times)} writes)")
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--writes", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    one, five, _ = os.getloadavg()
    print(f"load average {one:.1f} (5 min: {five:.1f}) on {os.cpu_count()} CPUs")
    server = PostgresServer(find_postgres_bin())
    server.start()
    try:
        with psycopg.connect(server.url(), autocommit=True) as admin:
            admin.execute("CREATE DATABASE bench_capture")
        with psycopg.connect(server.url("bench_capture"), autocommit=True) as conn:
            run(conn, args)
    finally:
        server.stop()


def run(conn, args):
    create_v1_schema(conn)
    campaign, ids, big = fill(conn, sessions=2000)
    per_round = args.writes // args.rounds
    results = {"off": [], "on": [], "big off": [], "big on": [], "insert off": [], "insert on": []}
    for round_number in range(args.rounds):
        for state in ("off", "on"):
            if state == "on":
                capture.install(conn, user_pairs=[])
            else:
                capture.uninstall(conn)
            tag = f"r{round_number}{state}"
            results[state] += timed(conn, updates(ids, per_round, tag))
            results[f"big {state}"] += timed(conn, updates([big], per_round // 10, tag))
            inserts = [
                (
                    "INSERT INTO game_sessions (id, campaign_id, title, created_at, updated_at)"
                    " VALUES (%s, %s, 'New', now(), now())",
                    [uuid.uuid4(), campaign],
                )
                for _ in range(per_round // 4)
            ]
            results[f"insert {state}"] += timed(conn, inserts)
    print("UPDATE game_sessions SET title, updated_at (one row, autocommit):")
    off, on = summary("without capture", results["off"]), summary("with capture", results["on"])
    print(f"  capture adds {on - off:.3f} ms per write ({(on - off) / off:.0%})")
    print("The same on a session with a 3 MB inline transcript:")
    off, on = summary("without capture", results["big off"]), summary("with capture", results["big on"])
    print(f"  capture adds {on - off:.3f} ms per write")
    print("INSERT INTO game_sessions (one row, autocommit):")
    off, on = summary("without capture", results["insert off"]), summary("with capture", results["insert on"])
    print(f"  capture adds {on - off:.3f} ms per write ({(on - off) / off:.0%})")
    logged, size = conn.execute(
        "SELECT count(*), pg_total_relation_size('cutover_changes') FROM cutover_changes"
    ).fetchone()
    print(f"Log: {logged} changes, {size / logged:.0f} bytes each on disk with its indexes")
    started, after, read = time.perf_counter(), (0, 0), 0
    while batch := read_changes(conn, after=after, limit=500):
        after, read = batch[-1].position, read + len(batch)
    elapsed = time.perf_counter() - started
    print(f"read_changes: {read} changes in {elapsed:.2f} s ({read / elapsed:,.0f} changes/s, batches of 500)")


if __name__ == "__main__":
    main()
