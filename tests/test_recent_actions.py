"""The newest staff actions on a user, listed on their directory entry (issue 17), so the
staff's page of the user reads them with the entry: two requests in all. Every write path
of the list (campaigns_site.audit.record_action) and its repair (`manage.py
list_recent_actions`) are here; the page must show what the audit log's Query shows."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from campaigns_site import audit, directory
from campaigns_site.directory import DirectoryEntry
from campaigns_site.table_keys import DIRECTORY_PK, directory_sk
from tests.web_clients import signed_in

START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def act(n, target, *, action="disable", **fields):
    with time_machine.travel(START + timedelta(minutes=n), tick=False):
        return audit.record_action(by="ada@example.com", by_sub="sub-ada", action=action, target_sub=target, **fields)


def listed(sub):
    entry = directory.get_entry(sub=sub)
    actions = audit.recent_actions_on(entry)
    return None if actions is None else [action.sk for action in actions]


def from_the_log(sub):
    return [action.sk for action in audit.list_actions_for(sub=sub, limit=audit.RECENT_ACTIONS).items]


def forget_the_list(sub):
    """The entry as it was before issue 17: no list."""
    DirectoryEntry(DIRECTORY_PK, directory_sk(sub)).update(
        actions=[DirectoryEntry.recent_actions.remove(), DirectoryEntry.actions_listed.remove()]
    )


def page(client, sub, aws_calls):
    with aws_calls() as calls:
        html = client.get(f"/staff/users/{sub}/").content.decode()
    return html, calls.operations()


def history(html):
    return html.split('id="history-title"')[1].split("</ul>")[0]


TWO = ["dynamodb.BatchGetItem", "dynamodb.Query"]  # with the session check; the months of usage


def test_a_new_sign_up_lists_none_and_its_page_makes_two_requests(staff, player, aws_calls):
    assert listed(player) == []
    client = signed_in("ada@example.com")
    html, operations = page(client, player, aws_calls)
    assert "None yet." in html and operations == TWO


def test_each_action_is_listed_newest_first_and_the_list_keeps_ten(staff, player, aws_calls):
    for n in range(12):
        act(n, player, outcome="failed" if n == 3 else "done", reason="Boom" if n == 3 else "", detail=f"step {n}")
    assert listed(player) == from_the_log(player) and len(listed(player)) == 10
    entry = directory.get_entry(sub=player)
    assert int(entry.actions_listed) == 12
    client = signed_in("ada@example.com")
    html, operations = page(client, player, aws_calls)
    assert operations == TWO
    assert "step 11" in html and "step 2" in html and "step 1<" not in html
    assert "(failed: Boom)" in html and html.index("step 11") < html.index("step 10")
    forget_the_list(player)  # the same page from the log's Query: the same actions, the same words
    before = history(html)
    html, operations = page(client, player, aws_calls)
    assert operations == [*TWO, "dynamodb.Query"]
    assert history(html) == before


def test_the_list_never_keeps_the_target_s_email(staff, player):
    act(1, player, target_email="bo@example.com")
    assert "bo@example.com" not in directory.get_entry(sub=player).recent_actions


def test_an_entry_without_a_list_starts_it_from_the_log(staff, player, aws_calls):
    act(1, player)
    forget_the_list(player)
    act(2, player, action="enable")
    assert listed(player) == from_the_log(player) and len(listed(player)) == 2


def test_an_imported_account_s_entry_is_not_listed_until_an_action_or_the_command(aws, db):
    directory.record_sign_up(sub="imported", email="cy@example.com", created=START, origin="v1")
    act(1, "imported")
    forget_the_list("imported")
    directory.record_sign_up(sub="imported", email="cy@example.com", created=START, origin="v1")
    assert listed("imported") is None  # the page asks the log


def test_a_user_not_listed_gets_the_log_s_entry_alone(aws, db, aws_calls):
    with aws_calls() as calls:
        act(1, "nobody")
    assert calls.operations() == ["dynamodb.GetItem", "dynamodb.PutItem"]
    assert from_the_log("nobody") and directory.get_entry(sub="nobody") is None
    assert DirectoryEntry.count(DIRECTORY_PK) == 0  # no bare entry made


def test_a_concurrent_action_is_read_again(staff, player, monkeypatch):
    act(1, player)
    real_get = DirectoryEntry.get
    interrupted = []

    def get_then_someone_acts(*args, **kwargs):
        found = real_get(*args, **kwargs)
        if not interrupted:
            interrupted.append(True)
            act(2, player, action="enable")  # lands between this read and its write
        return found

    monkeypatch.setattr(DirectoryEntry, "get", get_then_someone_acts)
    act(3, player)
    monkeypatch.undo()
    assert listed(player) == from_the_log(player) and len(listed(player)) == 3


def test_after_too_many_conflicts_the_list_is_dropped_and_the_page_asks_the_log(staff, player, monkeypatch):
    act(1, player)
    monkeypatch.setattr(audit, "_unchanged", lambda target: DirectoryEntry.actions_listed == -1)
    act(2, player)
    monkeypatch.undo()
    assert listed(player) is None and len(from_the_log(player)) == 2


def test_a_deleted_account_s_entry_takes_the_log_s_entry_alone(staff, player):
    act(1, player)
    directory.remove_entry(sub=player)
    act(2, player, action="delete")
    assert len(from_the_log(player)) == 2 and directory.get_entry(sub=player) is None


def test_the_command_lists_every_entry_from_the_log_and_a_rerun_writes_nothing(staff, player, capsys):
    for n in range(11):
        act(n, player)
    act(20, staff, action="make-staff")
    forget_the_list(player)
    forget_the_list(staff)
    DirectoryEntry(DIRECTORY_PK, directory_sk(staff)).update(actions=[DirectoryEntry.recent_actions.set("[]")])
    call_command("list_recent_actions")
    out = capsys.readouterr()
    assert out.out.strip() == (
        "Recent staff actions: 2 entries checked: 2 lists written, 0 right already, "
        "0 changed meanwhile (re-run to check them)."
    )
    assert "list_recent_actions: 100%" in out.err
    assert listed(player) == from_the_log(player) and len(listed(player)) == 10
    assert listed(staff) == from_the_log(staff) and len(listed(staff)) == 1
    call_command("list_recent_actions")
    assert "0 lists written, 2 right already" in capsys.readouterr().out
    forget_the_list(player)
    call_command("list_recent_actions", sub=player)
    assert "1 entries checked: 1 lists written" in capsys.readouterr().out
    assert listed(player) == from_the_log(player)


def test_the_command_refuses_a_bad_or_unknown_sub(aws, db):
    with pytest.raises(CommandError, match="Not a Cognito sub"):
        call_command("list_recent_actions", sub="a#b")
    with pytest.raises(CommandError, match="No account nobody"):
        call_command("list_recent_actions", sub="nobody")


def test_the_command_leaves_a_list_an_action_changed_meanwhile(staff, player, monkeypatch, capsys):
    act(1, player)
    forget_the_list(player)
    monkeypatch.setattr(audit, "_unchanged", lambda target: DirectoryEntry.actions_listed == -1)
    call_command("list_recent_actions", sub=player)
    assert "0 lists written, 0 right already, 1 changed meanwhile" in capsys.readouterr().out
    assert listed(player) is None  # nothing overwritten: the page still asks the log
