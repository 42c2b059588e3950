"""Cutover benchmark: the sync's throughput (tests/legacy/bench_cutover_sync.py: 1,000
session edits and 200 new sessions made on v1.0, applied here) and both stacks under a
steady write load (tests/legacy/bench_cutover_load.py: each second RATE changes on each
side, then a sync pass and a drain: throughput while applying and the lag).

    .venv/bin/python scripts/bench_cutover.py [--rate 10] [--seconds 30] [--updates 1000] [--new 200]

They run as pytest files, for the test PostgreSQL and in-process moto the suite's fixtures
give (their names are not test_*.py, so the suite does not collect them). The load
average is printed before and after: the machine may be shared.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=10, help="changes per second on each side (steady load)")
    parser.add_argument("--seconds", type=int, default=30, help="how long the steady load lasts")
    parser.add_argument("--updates", type=int, default=1000, help="session edits on v1.0 (sync throughput)")
    parser.add_argument("--new", type=int, default=200, help="new sessions on v1.0 (sync throughput)")
    options = parser.parse_args()
    env = {
        **os.environ,
        "BENCH_CUTOVER_RATE": str(options.rate),
        "BENCH_CUTOVER_SECONDS": str(options.seconds),
        "BENCH_SYNC_UPDATES": str(options.updates),
        "BENCH_SYNC_NEW": str(options.new),
    }
    print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    files = ["tests/legacy/bench_cutover_sync.py", "tests/legacy/bench_cutover_load.py"]
    command = [sys.executable, "-m", "pytest", "-n", "0", "-s", "-q", "-p", "no:cacheprovider", *files]
    result = subprocess.run(command, cwd=ROOT, env=env)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    sys.exit(result.returncode)


if __name__ == "__main__":
    main()
