"""The cutover's RECENT item (issue 17): the newest shifts and conflicts, written in the same
transaction as each, so /staff/cutover/ reads them with its session check and makes two
requests in all. Every write path (record_shift, record_conflict), the fallback to the
Queries, and its repair (`manage.py list_recent_cutover`)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from campaigns_site.table_keys import CUTOVER_PK
from cutover import state
from cutover.state import RECENT_SK, SYNC_SK, RecentHistory, SyncState, record_conflict, record_shift
from cutover.traffic import read_split, write_split
from tests.web_clients import signed_in

PAGE = "/staff/cutover/"
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TWO = ["dynamodb.BatchGetItem", "dynamodb.Query"]  # with the session check; the outbox's keys


def shift(n, **fields):
    with time_machine.travel(START + timedelta(minutes=n), tick=False):
        return record_shift(by=f"op-{n}", from_percent=n, to_percent=n + 1, gates=[], **fields)


def conflict(n):
    with time_machine.travel(START + timedelta(minutes=n), tick=False):
        return record_conflict(kept="v1", what=f"row {n}", v1_updated=START, app_updated=START, detail="")


def kept():
    recent = state.recent_history()
    if recent is None:
        return None
    return [item.sk for item in recent.shift_items()], [item.sk for item in recent.conflict_items()]


def queried():
    shown = state.RECENT_SHOWN
    return [i.sk for i in state.list_shifts(limit=shown)], [i.sk for i in state.list_conflicts(limit=shown)]


def forget_recent():
    RecentHistory(CUTOVER_PK, RECENT_SK).delete()


def page(aws_calls):
    client = signed_in("ada@example.com")
    client.get("/")
    with aws_calls() as calls:
        html = client.get(PAGE).content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", html), calls.operations()


def test_each_shift_and_conflict_is_kept_newest_first_twenty_of_each(staff, aws_calls):
    for n in range(22):
        shift(n, forced=n == 5)
        conflict(100 + n)
    assert kept() == queried() and [len(sks) for sks in kept()] == [20, 20]
    write_split(percent=22, read=read_split())
    sections, operations = page(aws_calls)
    assert operations == TWO
    forget_recent()  # the same page from the two Queries
    from_queries, operations = page(aws_calls)
    assert operations == [*TWO, "dynamodb.Query", "dynamodb.Query"]
    assert from_queries == sections
    assert "by op-21" in sections and "by op-1<" not in sections


def test_before_the_cutover_starts_the_page_asks_nothing_more(staff, aws_calls):
    _, operations = page(aws_calls)
    assert operations == TWO


def test_a_record_without_recent_starts_it_from_the_queries(staff):
    shift(1)
    conflict(2)
    forget_recent()
    conflict(3)
    assert kept() == queried() and [len(sks) for sks in kept()] == [1, 2]


def test_a_started_cutover_without_recent_asks_the_queries(staff, aws_calls):
    shift(1)
    forget_recent()
    SyncState(CUTOVER_PK, SYNC_SK, last_pass=START).save()
    sections, operations = page(aws_calls)
    assert operations == [*TWO, "dynamodb.Query", "dynamodb.Query"] and "by op-1" in sections


def test_a_concurrent_record_is_read_again(staff, monkeypatch):
    shift(1)
    real = state.recent_history
    interrupted = []

    def read_then_someone_records():
        found = real()
        if not interrupted:
            interrupted.append(True)
            conflict(2)  # lands between this read and its write
        return found

    monkeypatch.setattr(state, "recent_history", read_then_someone_records)
    shift(3)
    monkeypatch.undo()
    assert kept() == queried() and [len(sks) for sks in kept()] == [2, 1]


def test_after_too_many_conflicts_recent_is_dropped_and_the_page_asks_the_queries(staff, monkeypatch):
    shift(1)
    monkeypatch.setattr(state, "_as_read", lambda recent: RecentHistory.writes == -1)
    shift(2)
    monkeypatch.undo()
    assert kept() is None and len(queried()[0]) == 2


def test_the_command_makes_recent_from_the_items_and_a_rerun_writes_nothing(staff, capsys):
    shift(1)
    conflict(2)
    forget_recent()
    call_command("list_recent_cutover")
    assert "written" in capsys.readouterr().out
    assert kept() == queried() and [len(sks) for sks in kept()] == [1, 1]
    call_command("list_recent_cutover")
    assert "right already: nothing written" in capsys.readouterr().out


def test_the_command_says_so_when_a_record_came_between(staff, monkeypatch):
    shift(1)
    forget_recent()
    monkeypatch.setattr(state, "_as_read", lambda recent: RecentHistory.writes == -1)
    with pytest.raises(CommandError, match="recorded meanwhile: run it again"):
        call_command("list_recent_cutover")
    assert kept() is None
