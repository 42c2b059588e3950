import io
import json
from collections import Counter

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import EndpointConnectionError
from django.conf import settings
from django.core.management import CommandError, call_command

from accounts import deletion
from accounts.deletion import DeletionIncomplete, DeletionReport, delete_account, is_being_deleted
from accounts.profiles import get_profile
from campaigns.repository import create_campaign
from campaigns_site import aws as aws_clients
from campaigns_site import directory
from campaigns_site.dynamodb import connection as table_connection
from campaigns_site.table_keys import (
    InvalidKeyPart,
    share_pointer_sk,
    user_exports_prefix,
    web_session_pk,
    web_session_pointer_sk,
)
from sessions.core.storage_keys import user_transcripts_prefix
from tests.account_data import (
    assert_all_gone,
    assert_intact,
    make_account,
    partition,
    transcripts,
)

OWNER_OBJECTS = 5
# The owner's items, as delete_account counts them (pointers and the profile apart).
# A search item per session; USAGE: the month's usage counters (campaigns_site.usage).
OWNER_ITEMS = Counter(CAMPAIGN=2, SESSION=3, SEARCH=3, SUMMARY=1, SPEAKERS=1, USAGE=1)
FULL_REPORT = DeletionReport(
    web_sessions=1,
    share_links=2,
    transcript_objects=OWNER_OBJECTS,
    items=OWNER_ITEMS,
    cognito_user=1,
    profile=1,
    directory_entry=1,
)


@pytest.fixture
def gm_account(aws, db, monkeypatch):  # db: deletion drops the cached user row too
    # Small S3 pages, so the transcripts take several list/delete rounds.
    monkeypatch.setattr(deletion, "S3_BATCH_SIZE", 2)
    return make_account("gm@example.com", campaigns=2, objects=OWNER_OBJECTS)


@pytest.fixture
def player_account(aws):
    return make_account("player@example.com", campaigns=1, objects=1)


def test_deletes_everything_of_the_account_and_nothing_else(gm_account, player_account, aws_calls):
    assert len(gm_account["partition"]) == 1 + OWNER_ITEMS.total() + 3  # profile, items, 3 pointers
    lines = []

    with aws_calls() as calls:
        report = delete_account(sub=gm_account["sub"], progress=lines.append)

    assert report == FULL_REPORT
    assert_all_gone(gm_account)
    assert_intact(player_account)
    assert calls.count("dynamodb", "Query") and not calls.count("dynamodb", "Scan")
    assert calls.count("s3", "DeleteObjects") == 3  # 5 objects, 2 a page
    assert calls.count("cognito-idp", "AdminUserGlobalSignOut") == 1
    assert lines[0].startswith("profile: marked as being deleted")
    assert "transcripts: 5 objects deleted" in "\n".join(lines)
    assert lines[-1] == f"done: deleted {report.describe()}"
    assert lines[-3:-1] == [
        "directory: entry removed",
        "audit log: the e-mail removed from 0 entries about the account",
    ]
    assert directory.get_entry(sub=gm_account["sub"]) is None
    assert directory.get_entry(sub=player_account["sub"]) is not None


def test_a_second_run_reports_zeros_and_creates_nothing(gm_account, player_account):
    delete_account(sub=gm_account["sub"])

    assert delete_account(sub=gm_account["sub"]) == DeletionReport()
    assert DeletionReport().describe() == "nothing (already deleted)"
    assert partition(gm_account["sub"]) == []  # marking never makes a profile for a missing account
    assert_intact(player_account)


def test_marking_keeps_the_first_start_and_is_what_other_code_checks(gm_account):
    assert not is_being_deleted(get_profile(sub=gm_account["sub"]))

    started = deletion.mark_account_deleting(sub=gm_account["sub"])
    assert deletion.mark_account_deleting(sub=gm_account["sub"]) == started
    profile = get_profile(sub=gm_account["sub"])
    assert is_being_deleted(profile) and profile.deleting_since == started
    assert profile.email == "gm@example.com"  # the update touched nothing else
    assert deletion.mark_account_deleting(sub="no-such-sub") is None
    assert partition("no-such-sub") == []


STEPS = [
    "mark_account_deleting",
    "sign_out_everywhere",
    "delete_web_sessions",
    "delete_share_links",
    "delete_transcripts",
    "delete_export_objects",
    "delete_other_items",
    "delete_cognito_user",
    "delete_profile",
]


class Interrupted(Exception):
    pass


@pytest.mark.parametrize("step", STEPS)
def test_a_run_interrupted_before_any_step_is_finished_by_the_next(gm_account, player_account, monkeypatch, step):
    real_step = getattr(deletion, step)
    interrupted = []

    def step_that_fails_once(**kwargs):
        if not interrupted:
            interrupted.append(step)
            raise Interrupted(step)
        return real_step(**kwargs)

    monkeypatch.setattr(deletion, step, step_that_fails_once)
    with pytest.raises(Interrupted):
        delete_account(sub=gm_account["sub"])
    if step != "mark_account_deleting":
        # What other code sees meanwhile: the account, marked as going.
        assert is_being_deleted(get_profile(sub=gm_account["sub"]))

    second = delete_account(sub=gm_account["sub"])

    assert_all_gone(gm_account)
    assert_intact(player_account)
    # Whatever the first run did, the second did the rest: nothing counted twice or lost.
    assert second.profile == 1
    if step in ("mark_account_deleting", "sign_out_everywhere", "delete_web_sessions"):
        assert second == FULL_REPORT


def test_the_directory_entry_is_marked_first_and_removed_last_even_by_a_rerun(gm_account, monkeypatch):
    sub = gm_account["sub"]

    def interrupted(**kwargs):
        assert directory.get_entry(sub=sub).deleting_since is not None  # staff see it going
        raise Interrupted("before the directory")

    monkeypatch.setattr(deletion, "delete_directory_entry", interrupted)
    with pytest.raises(Interrupted):
        delete_account(sub=sub)
    assert get_profile(sub=sub) is None
    assert directory.get_entry(sub=sub).deleting_since is not None
    monkeypatch.undo()

    lines = []
    second = delete_account(sub=sub, progress=lines.append)
    assert second == DeletionReport(directory_entry=1)
    assert "directory: entry removed" in lines
    assert directory.get_entry(sub=sub) is None
    assert delete_account(sub=sub) == DeletionReport()


def test_a_failure_in_the_middle_of_the_transcripts_is_finished_by_the_next_run(gm_account, player_account):
    s3 = aws_clients.client("s3")
    delete_calls = []

    def connection_lost_on_the_second_delete(**kwargs):
        delete_calls.append(1)
        if len(delete_calls) == 2:
            raise EndpointConnectionError(endpoint_url="https://s3.amazonaws.com")

    s3.meta.events.register("before-call.s3.DeleteObjects", connection_lost_on_the_second_delete)
    try:
        with pytest.raises(EndpointConnectionError):
            delete_account(sub=gm_account["sub"])
    finally:
        s3.meta.events.unregister("before-call.s3.DeleteObjects", connection_lost_on_the_second_delete)
    assert len(transcripts(gm_account["sub"])) == OWNER_OBJECTS - 2  # the first page went
    assert get_profile(sub=gm_account["sub"]).deleting_since

    second = delete_account(sub=gm_account["sub"])

    assert second.transcript_objects == OWNER_OBJECTS - 2
    assert (second.web_sessions, second.share_links) == (0, 0)  # done by the first run
    assert second.items == OWNER_ITEMS and second.profile == 1
    assert_all_gone(gm_account)
    assert_intact(player_account)


def test_throttled_deletes_are_retried(gm_account, player_account):
    dynamodb = table_connection().connection.client  # PynamoDB's, which table traffic goes through
    throttled = []

    def throttle_the_first_batch(params, **kwargs):
        # What DynamoDB does under throttling: accept the call, process none of it.
        if not throttled:
            throttled.append(1)
            unprocessed = json.loads(params["body"])["RequestItems"]
            return AWSResponse("https://dynamodb", 200, {}, None), {"UnprocessedItems": unprocessed}

    dynamodb.meta.events.register("before-call.dynamodb.BatchWriteItem", throttle_the_first_batch)
    try:
        report = delete_account(sub=gm_account["sub"])
    finally:
        dynamodb.meta.events.unregister("before-call.dynamodb.BatchWriteItem", throttle_the_first_batch)

    assert throttled and report == FULL_REPORT
    assert_all_gone(gm_account)
    assert_intact(player_account)


def test_an_item_written_during_the_deletion_keeps_the_profile_until_a_rerun(gm_account, player_account, monkeypatch):
    real_step = deletion.delete_other_items

    def step_then_a_racing_write(**kwargs):
        counted = real_step(**kwargs)
        create_campaign(sub=gm_account["sub"], name="Made by a request that was already running")
        return counted

    monkeypatch.setattr(deletion, "delete_other_items", step_then_a_racing_write)
    with pytest.raises(DeletionIncomplete, match="appeared during the deletion"):
        delete_account(sub=gm_account["sub"])
    assert is_being_deleted(get_profile(sub=gm_account["sub"]))

    monkeypatch.setattr(deletion, "delete_other_items", real_step)
    assert delete_account(sub=gm_account["sub"]).items == Counter(CAMPAIGN=1, USAGE=1)
    assert_all_gone(gm_account)
    assert_intact(player_account)


@pytest.mark.parametrize("bad", ["", "a#b", "a/b", "x" * 201])
def test_a_bad_sub_is_refused_before_anything_is_deleted(aws, bad, aws_calls):
    with aws_calls() as calls, pytest.raises(InvalidKeyPart):
        delete_account(sub=bad)
    assert len(calls) == 0


def test_pointer_keys_and_the_transcripts_prefix():
    assert web_session_pointer_sk("k") == "WEBSESSION#k" == web_session_pk("k")
    assert share_pointer_sk("h") == "SHARELINK#h"
    with pytest.raises(InvalidKeyPart):
        share_pointer_sk("a#b")
    assert user_transcripts_prefix(sub="ab12") == "transcripts/ab12/"
    # One user's prefix never matches another's objects.
    assert not "transcripts/ab123/x.json".startswith(user_transcripts_prefix(sub="ab12"))


def test_the_accounts_exports_go_with_it_and_nobody_elses(gm_account, player_account):
    """An export's zip (exports/<sub>/<job>/<name>.zip) and its item (EXPORT#...)."""
    from exports import jobs

    for account in (gm_account, player_account):
        jobs.start_export(sub=account["sub"])  # run at once: the tests' inline runner
    gm_zip = jobs.get_export(sub=gm_account["sub"]).object_key
    player_zip = jobs.get_export(sub=player_account["sub"]).object_key
    lines = []

    report = delete_account(sub=gm_account["sub"], progress=lines.append)

    assert report.export_objects == 1 and report.items["EXPORT"] == 1
    assert f"exports: 1 objects deleted under s3://{settings.TRANSCRIPT_BUCKET}/exports/{gm_account['sub']}/" in lines
    assert not exported(gm_zip) and exported(player_zip)
    assert partition(gm_account["sub"]) == []
    assert jobs.get_export(sub=player_account["sub"]).is_done
    assert user_exports_prefix("ab12") == "exports/ab12/"
    with pytest.raises(InvalidKeyPart):
        user_exports_prefix("a/b")


def exported(key):
    listed = aws_clients.client("s3").list_objects_v2(Bucket=settings.TRANSCRIPT_BUCKET, Prefix=key)
    return bool(listed.get("Contents"))


# --- manage.py delete_account ---------------------------------------------------------
class Terminal(io.StringIO):
    """Typed answers, as from a person at a terminal."""

    def isatty(self):
        return True


def test_command_deletes_with_yes_and_prints_what_it_did(gm_account, player_account):
    out = io.StringIO()
    call_command("delete_account", gm_account["sub"], "--yes", stdout=out)

    output = out.getvalue()
    assert f"Account {gm_account['sub']} (gm@example.com)." in output
    assert "  cognito: signed out everywhere" in output
    assert "  share links: 2 deleted" in output
    assert f"Account {gm_account['sub']} deleted: {FULL_REPORT.describe()}." in output
    assert_all_gone(gm_account)
    assert_intact(player_account)

    again = io.StringIO()
    call_command("delete_account", gm_account["sub"], "--yes", stdout=again)
    assert "no profile (already deleted" in again.getvalue()
    assert "deleted: nothing (already deleted)." in again.getvalue()


def test_command_drops_the_cached_user_row(gm_account, player_account):
    from accounts.models import User
    from accounts.services import cache_user

    for account in (gm_account, player_account):
        cache_user(get_profile(sub=account["sub"]))
    call_command("delete_account", gm_account["sub"], "--yes", stdout=io.StringIO())
    assert not User.objects.filter(sub=gm_account["sub"]).exists()
    assert User.objects.filter(sub=player_account["sub"]).exists()


def test_command_shows_an_unfinished_deletion_and_finishes_it(gm_account):
    deletion.mark_account_deleting(sub=gm_account["sub"])
    out = io.StringIO()
    call_command("delete_account", gm_account["sub"], "--yes", stdout=out)
    assert "deletion started" in out.getvalue() and "not finished" in out.getvalue()
    assert_all_gone(gm_account)


def test_command_refuses_without_yes_when_nobody_can_answer(gm_account, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="without --yes"):
        call_command("delete_account", gm_account["sub"], stdout=io.StringIO())
    assert partition(gm_account["sub"]) == gm_account["partition"]
    assert not is_being_deleted(get_profile(sub=gm_account["sub"]))


def test_command_asks_for_the_sub_at_a_terminal(gm_account, monkeypatch):
    monkeypatch.setattr("sys.stdin", Terminal("yes\n"))
    with pytest.raises(CommandError, match="Not confirmed"):
        call_command("delete_account", gm_account["sub"], stdout=io.StringIO())
    assert partition(gm_account["sub"]) == gm_account["partition"]

    monkeypatch.setattr("sys.stdin", Terminal(f"{gm_account['sub']}\n"))
    call_command("delete_account", gm_account["sub"], stdout=io.StringIO())
    assert_all_gone(gm_account)


def test_command_refuses_a_bad_sub(aws):
    with pytest.raises(CommandError, match="invalid sub"):
        call_command("delete_account", "a/b", "--yes", stdout=io.StringIO())
