"""Both stacks under a steady write load (issue 14: "the measured sync and drain throughput
and lag under a steady write load"). Not part of the suite (no test_*.py name); `make
bench-cutover` runs it:

    .venv/bin/python -m pytest -n 0 -s -p no:cacheprovider tests/legacy/bench_cutover_load.py

Each second, v1.0 (the stand-in, with the real capture triggers) makes RATE changes (session
title edits) and this app RATE changes (new sessions, mirrored through the outbox), then
one sync pass and one drain run, as the scheduled functions would, and the loop sleeps out
the rest of the second. Printed: each side's throughput while applying (changes per
second of work), the lag (age of the oldest change not yet on the other side) before and
after each round, medians and maxima, and whether each round fitted in its second.
BENCH_CUTOVER_RATE (default 10) and BENCH_CUTOVER_SECONDS (default 30) change the load.
moto runs in-process (its time counts as the app's), without the costs DynamoDB does not
have (scripts/moto_speedups.py: a whole-table copy per transaction, a whole-table listing
per Query), or it would measure moto.
"""

import io
import os
import statistics
import time

import pytest
from django.core.management import call_command
from django.utils import timezone
from mirror_world import start_mirroring
from v1_standin import V1Standin

from campaigns import repository as campaigns
from campaigns_site import outbox
from cutover.changes import oldest_unread_change_time
from cutover.mirror_drain import drain_outbox
from cutover.state import get_sync_state
from cutover.sync import connect, run_sync_pass
from sessions.core.repository import create_session

pytestmark = pytest.mark.usefixtures("moto_without_its_own_costs")

RATE = int(os.environ.get("BENCH_CUTOVER_RATE", "10"))
SECONDS = int(os.environ.get("BENCH_CUTOVER_SECONDS", "30"))


def oldest_outbox_age():
    ages = [(timezone.now() - entry.created).total_seconds() for entry in outbox.OutboxEntry.query("OUTBOX")]
    return max(ages, default=0.0)


def unsynced_age(conn):
    oldest = oldest_unread_change_time(conn, after=get_sync_state().watermark)
    return 0.0 if oldest is None else (timezone.now() - oldest).total_seconds()


def summary(name, values, unit):
    return f"{name}: median {statistics.median(values):.2f} {unit}, max {max(values):.2f} {unit}"


def test_steady_load(v1_database, aws, settings, make_user):
    dsn = v1_database
    call_command("v1_capture", "install", "--source", dsn, stdout=io.StringIO())
    start_mirroring(settings, dsn)
    settings.V1_SOURCE_DSN = dsn
    ada = make_user("ada@example.com")
    heist = campaigns.create_campaign(sub=ada, name="Dragon Heist")
    with V1Standin(dsn) as on_v1, connect(dsn) as conn:
        bea = on_v1.new_user("bea@example.com", "bea's old secret 1")
        tomb = on_v1.new_campaign(bea, name="Tomb of Annihilation")
        sessions = [on_v1.new_session(tomb, title=f"Session {n}") for n in range(RATE)]
        run_sync_pass(conn)
        drain_outbox(dsn=dsn)

        sync_rates, drain_rates, lags_before, lags_after, rounds = [], [], [], [], []
        load = os.getloadavg()
        for second in range(SECONDS):
            started = time.monotonic()
            for n, session_id in enumerate(sessions):
                on_v1.edit_session(session_id, title=f"Round {second} #{n}")
            for n in range(RATE):
                create_session(sub=ada, campaign_id=heist.campaign_id, title=f"Round {second} #{n}")
            lags_before.append(max(unsynced_age(conn), oldest_outbox_age()))
            synced = run_sync_pass(conn)
            drain_started = time.monotonic()
            drained = drain_outbox(dsn=dsn)
            drain_seconds = time.monotonic() - drain_started
            assert not drained.errors, drained.errors
            sync_rates.append(synced.rate)
            drain_rates.append(drained.applied / drain_seconds if drain_seconds else 0.0)
            lags_after.append(max(unsynced_age(conn), oldest_outbox_age()))
            rounds.append(time.monotonic() - started)
            time.sleep(max(0.0, 1.0 - rounds[-1]))
        load = f"{load[0]:.2f} → {os.getloadavg()[0]:.2f}"

    fitted = sum(1 for seconds in rounds if seconds <= 1.0)
    print(
        f"\nSteady load: {RATE} changes/s on v1.0 and {RATE}/s here for {SECONDS} s (load average {load})"
        f"\n  {summary('sync throughput while applying', sync_rates, 'changes/s')}"
        f"\n  {summary('drain throughput while applying', drain_rates, 'entries/s')}"
        f"\n  {summary('lag before a round (oldest change not yet on the other side)', lags_before, 's')}"
        f"\n  {summary('lag after a round', lags_after, 's')}"
        f"\n  {summary('a round (writes, sync, drain)', rounds, 's')}; {fitted} of {SECONDS} fitted in their second"
    )
