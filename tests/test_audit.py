"""The audit log (campaigns_site/audit.py): one item per action on a user in the partition
AUDIT, newest first a page at a time, and one user's actions through LSI1."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command

from campaigns_site import audit
from campaigns_site.pagination import InvalidCursor
from campaigns_site.table_keys import AUDIT_PK, audit_sk, audit_target_key

START = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def record(n, *, target="sub-a", **fields):
    with time_machine.travel(START + timedelta(minutes=n), tick=False):
        return audit.record_action(
            by="ada@example.com", by_sub="sub-ada", action="disable", target_sub=target, **fields
        )


def test_keys_sort_by_time_and_name_the_target():
    at = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert audit_sk(at, "01J") == "2026-01-02T03:04:05.000006Z#01J"
    assert audit_target_key(sub="s-1", at=at, entry_id="01J") == "TARGET#s-1#2026-01-02T03:04:05.000006Z#01J"


def test_an_entry_holds_who_what_whom_when_and_the_outcome(aws, aws_calls):
    with aws_calls() as calls:
        entry = record(1, target_email="bo@example.com")
    # The target's directory entry (none here: no list to keep on it), then the entry.
    assert calls.operations() == ["dynamodb.GetItem", "dynamodb.PutItem"]
    (stored,) = audit.list_actions().items
    assert stored.pk == AUDIT_PK and stored.sk == entry.sk
    assert (stored.by, stored.by_sub, stored.action, stored.target_sub, stored.target_email) == (
        "ada@example.com",
        "sub-ada",
        "disable",
        "sub-a",
        "bo@example.com",
    )
    assert stored.at == START + timedelta(minutes=1)
    assert stored.outcome == "done" and not stored.failed and stored.reason == ""
    assert stored.action_label == "disabled sign-in"


def test_a_failure_keeps_its_reason(aws):
    record(1, outcome=audit.FAILED, reason="UserNotFoundException")
    (stored,) = audit.list_actions().items
    assert stored.failed and stored.reason == "UserNotFoundException"


def test_unknown_actions_and_outcomes_are_refused(aws):
    with pytest.raises(ValueError, match="Unknown action"):
        audit.record_action(by="x", action="promote", target_sub="s")
    with pytest.raises(ValueError, match="Unknown outcome"):
        audit.record_action(by="x", action="enable", target_sub="s", outcome="maybe")
    assert audit.list_actions().items == []


def test_the_log_reads_newest_first_a_page_at_a_time_with_one_query_each(aws, aws_calls):
    for n in range(5):
        record(n, target=f"sub-{n}")
    with aws_calls() as calls:
        first = audit.list_actions(limit=2)
    assert calls.operations() == ["dynamodb.Query"]
    second = audit.list_actions(limit=2, cursor=first.next_cursor)
    third = audit.list_actions(limit=2, cursor=second.next_cursor)
    targets = [entry.target_sub for page in (first, second, third) for entry in page.items]
    assert targets == ["sub-4", "sub-3", "sub-2", "sub-1", "sub-0"]
    assert third.next_cursor is None


def test_one_user_s_actions_come_from_lsi1(aws, aws_calls):
    record(1, target="sub-a")
    record(2, target="sub-b")
    record(3, target="sub-a")
    with aws_calls() as calls:
        page = audit.list_actions_for(sub="sub-a")
    assert calls.operations() == ["dynamodb.Query"]
    assert [entry.at for entry in page.items] == [START + timedelta(minutes=3), START + timedelta(minutes=1)]
    assert {entry.target_sub for entry in page.items} == {"sub-a"}


def test_a_cursor_of_one_list_is_refused_by_the_other(aws):
    for n in range(3):
        record(n, target="sub-a")
    whole_log = audit.list_actions(limit=1).next_cursor
    with pytest.raises(InvalidCursor):
        audit.list_actions_for(sub="sub-a", cursor=whole_log)
    one_user = audit.list_actions_for(sub="sub-a", limit=1).next_cursor
    with pytest.raises(InvalidCursor):
        audit.list_actions(cursor=one_user)


# --- manage.py staff records its changes -----------------------------------------------------
def staff_command(*args):
    out = io.StringIO()
    call_command("staff", *args, stdout=out)
    return out.getvalue()


def test_manage_py_staff_records_each_change_as_the_operator(player):
    staff_command("add", "bo@example.com")
    staff_command("remove", "bo@example.com")
    staff_command("list")
    entries = audit.list_actions().items
    assert [(e.action, e.by, e.by_sub, e.target_sub, e.target_email) for e in entries] == [
        ("remove-staff", audit.OPERATOR, "", player, "bo@example.com"),
        ("make-staff", audit.OPERATOR, "", player, "bo@example.com"),
    ]


def test_manage_py_staff_records_nothing_for_an_unknown_email(aws, db):
    with pytest.raises(CommandError, match="No account uses nobody@example.com"):
        staff_command("add", "nobody@example.com")
    assert audit.list_actions().items == []
