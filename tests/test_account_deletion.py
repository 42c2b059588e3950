import hashlib
import io
import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import EndpointConnectionError
from django.conf import settings
from django.core.management import CommandError, call_command

from accounts import cognito, deletion
from accounts.deletion import DeletionIncomplete, DeletionReport, delete_account, is_being_deleted
from accounts.items import WebSession
from accounts.profiles import create_profile, get_profile
from campaigns.repository import create_campaign
from campaigns_site import aws as aws_clients
from campaigns_site.dynamodb import connection as table_connection
from campaigns_site.table_keys import (
    SHARE_SK,
    WEB_SESSION_SK,
    InvalidKeyPart,
    new_id,
    share_pk,
    share_pointer_sk,
    summary_sk,
    user_pk,
    web_session_pk,
    web_session_pointer_sk,
)
from sessions.core.repository import create_session
from sessions.core.storage_keys import user_transcripts_prefix

PASSWORD = "correct horse 42"
OWNER_OBJECTS = 5
# The owner's items, as delete_account counts them (pointers and the profile apart).
OWNER_ITEMS = Counter(CAMPAIGN=2, SESSION=3, SEARCH=3, SUMMARY=1, SPEAKERS=1)  # a search item per session
FULL_REPORT = DeletionReport(
    web_sessions=1, share_links=2, transcript_objects=OWNER_OBJECTS, items=OWNER_ITEMS, cognito_user=1, profile=1
)


def put_raw(**item):
    aws_clients.client("dynamodb").put_item(
        TableName=settings.DYNAMODB_TABLE, Item={name: {"S": value} for name, value in item.items()}
    )


def exists(pk, sk):
    response = aws_clients.client("dynamodb").get_item(
        TableName=settings.DYNAMODB_TABLE, Key={"PK": {"S": pk}, "SK": {"S": sk}}, ConsistentRead=True
    )
    return "Item" in response


def partition(sub):
    response = aws_clients.client("dynamodb").query(
        TableName=settings.DYNAMODB_TABLE,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": user_pk(sub)}},
        ConsistentRead=True,
    )
    return sorted(item["SK"]["S"] for item in response["Items"])


def transcripts(sub):
    response = aws_clients.client("s3").list_objects_v2(
        Bucket=settings.TRANSCRIPT_BUCKET, Prefix=user_transcripts_prefix(sub=sub)
    )
    return [found["Key"] for found in response.get("Contents", [])]


def cognito_user_exists(sub):
    client = aws_clients.client("cognito-idp")
    try:
        client.admin_get_user(UserPoolId=settings.COGNITO_USER_POOL_ID, Username=sub)
    except client.exceptions.UserNotFoundException:
        return False
    return True


def make_account(email, *, campaigns, objects):
    """A Cognito user with a profile, campaigns with sessions, a summary, speaker names,
    a web session, share links and transcript objects; returns what the test checks."""
    sub = cognito.sign_up(email=email, password=PASSWORD)
    cognito.confirm_sign_up(email=email, code="123456")  # moto accepts any code
    cognito.password_auth(email=email, password=PASSWORD)  # a refresh token for global sign-out to revoke
    create_profile(sub=sub, email=email)
    made = [create_campaign(sub=sub, name=f"Campaign {n}") for n in range(campaigns)]
    sessions = [create_session(sub=sub, campaign_id=made[0].campaign_id, title="One")]
    if campaigns > 1:
        sessions.append(create_session(sub=sub, campaign_id=made[0].campaign_id, title="Two"))
        sessions.append(create_session(sub=sub, campaign_id=made[1].campaign_id, title="Three"))
    first = sessions[0]
    # Item types that have no model yet: written raw, with the documented keys.
    put_raw(PK=user_pk(sub), SK=summary_sk(first.campaign_id, first.session_id, "recap"), entity="Summary")
    put_raw(PK=user_pk(sub), SK=f"SPEAKERS#{first.campaign_id}", entity="SpeakerNames")

    session_key = f"key{new_id().lower()}"
    WebSession(
        web_session_pk(session_key), WEB_SESSION_SK, data="{}", expires=datetime.now(UTC) + timedelta(days=1)
    ).save()
    put_raw(PK=user_pk(sub), SK=web_session_pointer_sk(session_key), entity="WebSessionPointer")

    # One share pointer as the issue names it, one as docs/data-model.md plans it.
    token_hashes = [hashlib.sha256(f"{email}-{n}".encode()).hexdigest() for n in range(2)]
    for token_hash in token_hashes:
        put_raw(
            PK=share_pk(token_hash),
            SK=SHARE_SK,
            entity="ShareLink",
            owner_sub=sub,
            campaign_id=first.campaign_id,
            session_id=first.session_id,
        )
    put_raw(PK=user_pk(sub), SK=share_pointer_sk(token_hashes[0]), entity="ShareLinkPointer")
    put_raw(
        PK=user_pk(sub),
        SK=f"SHARELINK#{first.campaign_id}#{first.session_id}#{new_id()}",
        entity="ShareLinkPointer",
        token_hash=token_hashes[1],
    )

    for n in range(objects):
        aws_clients.client("s3").put_object(
            Bucket=settings.TRANSCRIPT_BUCKET,
            Key=f"{user_transcripts_prefix(sub=sub)}{first.session_id}/{n}.json",
            Body=b"[]",
        )
    return {
        "sub": sub,
        "partition": partition(sub),
        "transcripts": transcripts(sub),
        "web_session": web_session_pk(session_key),
        "shares": [share_pk(h) for h in token_hashes],
    }


def assert_all_gone(owner):
    assert partition(owner["sub"]) == []
    assert transcripts(owner["sub"]) == []
    assert not exists(owner["web_session"], WEB_SESSION_SK)
    assert not any(exists(pk, SHARE_SK) for pk in owner["shares"])
    assert not cognito_user_exists(owner["sub"])


def assert_intact(other):
    assert partition(other["sub"]) == other["partition"]
    assert transcripts(other["sub"]) == other["transcripts"]
    assert exists(other["web_session"], WEB_SESSION_SK)
    assert all(exists(pk, SHARE_SK) for pk in other["shares"])
    assert cognito_user_exists(other["sub"])
    assert not is_being_deleted(get_profile(sub=other["sub"]))


@pytest.fixture
def owner(aws, db, monkeypatch):  # db: deletion drops the cached user row too
    # Small S3 pages, so the transcripts take several list/delete rounds.
    monkeypatch.setattr(deletion, "S3_BATCH_SIZE", 2)
    return make_account("gm@example.com", campaigns=2, objects=OWNER_OBJECTS)


@pytest.fixture
def other(aws):
    return make_account("player@example.com", campaigns=1, objects=1)


def test_deletes_everything_of_the_account_and_nothing_else(owner, other, aws_calls):
    assert len(owner["partition"]) == 1 + OWNER_ITEMS.total() + 3  # profile, items, 3 pointers
    lines = []

    with aws_calls() as calls:
        report = delete_account(sub=owner["sub"], progress=lines.append)

    assert report == FULL_REPORT
    assert_all_gone(owner)
    assert_intact(other)
    assert calls.count("dynamodb", "Query") and not calls.count("dynamodb", "Scan")
    assert calls.count("s3", "DeleteObjects") == 3  # 5 objects, 2 a page
    assert calls.count("cognito-idp", "AdminUserGlobalSignOut") == 1
    assert lines[0].startswith("profile: marked as being deleted")
    assert "transcripts: 5 objects deleted" in "\n".join(lines)
    assert lines[-1] == f"done: deleted {report.describe()}"


def test_a_second_run_reports_zeros_and_creates_nothing(owner, other):
    delete_account(sub=owner["sub"])

    assert delete_account(sub=owner["sub"]) == DeletionReport()
    assert DeletionReport().describe() == "nothing (already deleted)"
    assert partition(owner["sub"]) == []  # marking never makes a profile for a missing account
    assert_intact(other)


def test_marking_keeps_the_first_start_and_is_what_other_code_checks(owner):
    assert not is_being_deleted(get_profile(sub=owner["sub"]))

    started = deletion.mark_account_deleting(sub=owner["sub"])
    assert deletion.mark_account_deleting(sub=owner["sub"]) == started
    profile = get_profile(sub=owner["sub"])
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
    "delete_other_items",
    "delete_cognito_user",
    "delete_profile",
]


class Interrupted(Exception):
    pass


@pytest.mark.parametrize("step", STEPS)
def test_a_run_interrupted_before_any_step_is_finished_by_the_next(owner, other, monkeypatch, step):
    real_step = getattr(deletion, step)
    interrupted = []

    def step_that_fails_once(**kwargs):
        if not interrupted:
            interrupted.append(step)
            raise Interrupted(step)
        return real_step(**kwargs)

    monkeypatch.setattr(deletion, step, step_that_fails_once)
    with pytest.raises(Interrupted):
        delete_account(sub=owner["sub"])
    if step != "mark_account_deleting":
        # What other code sees meanwhile: the account, marked as going.
        assert is_being_deleted(get_profile(sub=owner["sub"]))

    second = delete_account(sub=owner["sub"])

    assert_all_gone(owner)
    assert_intact(other)
    # Whatever the first run did, the second did the rest: nothing counted twice or lost.
    assert second.profile == 1
    if step in ("mark_account_deleting", "sign_out_everywhere", "delete_web_sessions"):
        assert second == FULL_REPORT


def test_a_failure_in_the_middle_of_the_transcripts_is_finished_by_the_next_run(owner, other):
    s3 = aws_clients.client("s3")
    delete_calls = []

    def connection_lost_on_the_second_delete(**kwargs):
        delete_calls.append(1)
        if len(delete_calls) == 2:
            raise EndpointConnectionError(endpoint_url="https://s3.amazonaws.com")

    s3.meta.events.register("before-call.s3.DeleteObjects", connection_lost_on_the_second_delete)
    try:
        with pytest.raises(EndpointConnectionError):
            delete_account(sub=owner["sub"])
    finally:
        s3.meta.events.unregister("before-call.s3.DeleteObjects", connection_lost_on_the_second_delete)
    assert len(transcripts(owner["sub"])) == OWNER_OBJECTS - 2  # the first page went
    assert get_profile(sub=owner["sub"]).deleting_since

    second = delete_account(sub=owner["sub"])

    assert second.transcript_objects == OWNER_OBJECTS - 2
    assert (second.web_sessions, second.share_links) == (0, 0)  # done by the first run
    assert second.items == OWNER_ITEMS and second.profile == 1
    assert_all_gone(owner)
    assert_intact(other)


def test_throttled_deletes_are_retried(owner, other):
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
        report = delete_account(sub=owner["sub"])
    finally:
        dynamodb.meta.events.unregister("before-call.dynamodb.BatchWriteItem", throttle_the_first_batch)

    assert throttled and report == FULL_REPORT
    assert_all_gone(owner)
    assert_intact(other)


def test_an_item_written_during_the_deletion_keeps_the_profile_until_a_rerun(owner, other, monkeypatch):
    real_step = deletion.delete_other_items

    def step_then_a_racing_write(**kwargs):
        counted = real_step(**kwargs)
        create_campaign(sub=owner["sub"], name="Made by a request that was already running")
        return counted

    monkeypatch.setattr(deletion, "delete_other_items", step_then_a_racing_write)
    with pytest.raises(DeletionIncomplete, match="appeared during the deletion"):
        delete_account(sub=owner["sub"])
    assert is_being_deleted(get_profile(sub=owner["sub"]))

    monkeypatch.setattr(deletion, "delete_other_items", real_step)
    assert delete_account(sub=owner["sub"]).items == Counter(CAMPAIGN=1)
    assert_all_gone(owner)
    assert_intact(other)


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


# --- manage.py delete_account ---------------------------------------------------------
class Terminal(io.StringIO):
    """Typed answers, as from a person at a terminal."""

    def isatty(self):
        return True


def test_command_deletes_with_yes_and_prints_what_it_did(owner, other):
    out = io.StringIO()
    call_command("delete_account", owner["sub"], "--yes", stdout=out)

    output = out.getvalue()
    assert f"Account {owner['sub']} (gm@example.com)." in output
    assert "  cognito: signed out everywhere" in output
    assert "  share links: 2 deleted" in output
    assert f"Account {owner['sub']} deleted: {FULL_REPORT.describe()}." in output
    assert_all_gone(owner)
    assert_intact(other)

    again = io.StringIO()
    call_command("delete_account", owner["sub"], "--yes", stdout=again)
    assert "no profile (already deleted" in again.getvalue()
    assert "deleted: nothing (already deleted)." in again.getvalue()


def test_command_drops_the_cached_user_row(owner, other):
    from accounts.models import User
    from accounts.services import cache_user

    for account in (owner, other):
        cache_user(get_profile(sub=account["sub"]))
    call_command("delete_account", owner["sub"], "--yes", stdout=io.StringIO())
    assert not User.objects.filter(sub=owner["sub"]).exists()
    assert User.objects.filter(sub=other["sub"]).exists()


def test_command_shows_an_unfinished_deletion_and_finishes_it(owner):
    deletion.mark_account_deleting(sub=owner["sub"])
    out = io.StringIO()
    call_command("delete_account", owner["sub"], "--yes", stdout=out)
    assert "deletion started" in out.getvalue() and "not finished" in out.getvalue()
    assert_all_gone(owner)


def test_command_refuses_without_yes_when_nobody_can_answer(owner, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="without --yes"):
        call_command("delete_account", owner["sub"], stdout=io.StringIO())
    assert partition(owner["sub"]) == owner["partition"]
    assert not is_being_deleted(get_profile(sub=owner["sub"]))


def test_command_asks_for_the_sub_at_a_terminal(owner, monkeypatch):
    monkeypatch.setattr("sys.stdin", Terminal("yes\n"))
    with pytest.raises(CommandError, match="Not confirmed"):
        call_command("delete_account", owner["sub"], stdout=io.StringIO())
    assert partition(owner["sub"]) == owner["partition"]

    monkeypatch.setattr("sys.stdin", Terminal(f"{owner['sub']}\n"))
    call_command("delete_account", owner["sub"], stdout=io.StringIO())
    assert_all_gone(owner)


def test_command_refuses_a_bad_sub(aws):
    with pytest.raises(CommandError, match="invalid sub"):
        call_command("delete_account", "a/b", "--yes", stdout=io.StringIO())
