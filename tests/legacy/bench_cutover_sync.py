"""sync_v1's throughput against moto in-process (issue 14, "measured sync throughput"):
not part of the suite (the file name is no test_*.py); run it by name:

    .venv/bin/python -m pytest -n 0 -s tests/legacy/bench_cutover_sync.py

It prints changes per second and AWS requests per change for 1,000 session title
updates and 200 new sessions with small inline transcripts (BENCH_SYNC_UPDATES,
BENCH_SYNC_NEW to change the sizes). moto runs without the costs DynamoDB does not have
(scripts/moto_speedups.py), or the figures would grow with the table; what is left of
moto's time is printed beside the sync's own.
"""

import io
import os
import time
from collections import Counter

import pytest
from django.core.management import call_command
from moto.core.botocore_stubber import BotocoreStubber
from v1_standin import V1Standin

from cutover.apply_v1 import ChangeApplier
from cutover.sync import connect, run_sync_pass

pytestmark = pytest.mark.usefixtures("moto_without_its_own_costs")

UPDATES = int(os.environ.get("BENCH_SYNC_UPDATES", "1000"))
NEW = int(os.environ.get("BENCH_SYNC_NEW", "200"))
TRANSCRIPT = "".join(f"[00:00:{second:02d}] Sam (GM): Line {second} of the evening.\n" for second in range(40))


def measured(conn, aws_calls, moto_seconds, label):
    moto_before = moto_seconds[0]
    with aws_calls() as calls:
        result = run_sync_pass(conn, applier=ChangeApplier(conn))
    per_change = len(calls) / result.applied
    dynamodb = calls.count("dynamodb") / result.applied
    own = (result.seconds - (moto_seconds[0] - moto_before)) / result.applied * 1000
    print(
        f"\n{label}: {result.applied} changes in {result.seconds:.1f}s = {result.rate:.1f} changes/s"
        f" ({moto_seconds[0] - moto_before:.1f}s of it inside moto; the sync's own time {own:.1f} ms per change);"
        f" {per_change:.2f} AWS requests per change (DynamoDB {dynamodb:.2f}); {result.outcomes};"
        f" operations {dict(sorted(Counter(calls.operations()).items()))}"
    )
    return result


@pytest.fixture
def moto_seconds(monkeypatch):
    """Seconds spent answering requests inside moto (in-process: its time is ours)."""
    spent = [0.0]
    answer = BotocoreStubber.process_request

    def timed(self, request):
        started = time.perf_counter()
        try:
            return answer(self, request)
        finally:
            spent[0] += time.perf_counter() - started

    monkeypatch.setattr(BotocoreStubber, "process_request", timed)
    return spent


def test_sync_throughput(v1_database, aws, aws_calls, moto_seconds):
    call_command("v1_capture", "install", "--source", v1_database, stdout=io.StringIO())
    v1 = V1Standin(v1_database)
    user_id = v1.new_user("bench@example.com", "an old v1 password 48")
    campaign = v1.new_campaign(user_id, name="Bench")
    sessions = [v1.new_session(campaign, title=f"Session {number}", number=number) for number in range(1, UPDATES + 1)]
    with connect(v1_database) as conn:
        run_sync_pass(conn)  # the account and its sessions: not measured

        for session in sessions:
            v1.edit_session(session, title="Renamed")
        updates = measured(conn, aws_calls, moto_seconds, f"{UPDATES} session title updates")

        for number in range(NEW):
            v1.new_session(campaign, title=f"New {number}", number=number + 1, transcript_text=TRANSCRIPT)
        created = measured(
            conn, aws_calls, moto_seconds, f"{NEW} new sessions with a {len(TRANSCRIPT)}-byte transcript"
        )
    assert updates.applied == UPDATES and created.applied == NEW
    v1.close()
