"""Share link items and their repository (sessions/sharing/items.py, repository.py): both items written and
deleted together, only the token's hash stored, the one conditional UpdateItem that opens a
link (unknown, revoked, expired and used-up links refused; a view limit exact under
concurrent visitors), v1.0's 22-character tokens, listing, the cap, what a link reads, and
the session's delete and move."""

import hashlib
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings

from campaigns.repository import create_campaign
from campaigns_site import aws as aws_clients
from campaigns_site.table import share_pk, story_summary_sk, summary_sk, user_pk
from campaigns_site.table_keys import new_id, share_pointer_sk
from sessions.core.campaign_deletion import delete_campaign
from sessions.core.repository import (
    SessionNotFound,
    create_session,
    delete_session,
    get_session,
    move_session,
)
from sessions.sharing.items import MAX_LINKS_PER_SESSION, hash_token, is_well_formed, new_token
from sessions.sharing.repository import (
    TooManyShareLinks,
    create_share_link,
    get_share_link,
    list_share_links_for_session,
    open_share_link,
    read_shared_session,
    revoke_share_link,
)
from sessions.summaries.items import Summary

OWNER = "11111111-aaaa-4bbb-8ccc-000000000001"
OTHER = "22222222-aaaa-4bbb-8ccc-000000000002"
V1_TOKEN = "Zq3xP9vL2mN8kR4tY6wB1c"  # the shape of v1.0's tokens: 22 URL-safe characters


pytestmark = [
    pytest.mark.campaign(sub=OWNER, name="Curse of Strahd"),
    pytest.mark.session(title="The Death House", number=1),
]


def make(session, sub=OWNER, **fields):
    return create_share_link(
        sub=sub, campaign_id=session.campaign_id, session_id=session.session_id, **{"scope": "recap", **fields}
    )


def raw_items():
    """Every item in the table, as stored (a test may Scan; the app never does)."""
    pages = aws_clients.client("dynamodb").get_paginator("scan").paginate(TableName=settings.DYNAMODB_TABLE)
    return [item for page in pages for item in page["Items"]]


def get_raw(pk, sk):
    return (
        aws_clients.client("dynamodb")
        .get_item(TableName=settings.DYNAMODB_TABLE, Key={"PK": {"S": pk}, "SK": {"S": sk}}, ConsistentRead=True)
        .get("Item")
    )


def add_summary(session, kind, text, sub=OWNER):
    Summary(
        user_pk(sub),
        summary_sk(session.campaign_id, session.session_id, kind),
        kind=kind,
        text=text,
        provider="offline",
        created=datetime.now(UTC),
    ).save()


def now():
    return datetime.now(UTC)


# --- tokens --------------------------------------------------------------------------------------
def test_a_token_carries_256_random_bits_and_is_stored_as_its_sha256():
    token = new_token()
    assert len(token) == 43 and is_well_formed(token)
    assert token != new_token()
    assert hash_token(token) == hashlib.sha256(token.encode()).hexdigest()


@pytest.mark.parametrize("token", [V1_TOKEN, "a" * 43, "A-_9" * 16])
def test_well_formed_tokens(token):
    assert is_well_formed(token)


@pytest.mark.parametrize("token", ["", "short", "a" * 21, "a" * 65, "a" * 42 + "#", "a" * 42 + "=", "a b" * 10, None])
def test_malformed_tokens(token):
    assert not is_well_formed(token)


# --- create ----------------------------------------------------------------------------------------
def test_create_writes_the_link_and_its_pointer_in_one_transaction_with_the_session_child_write(session, aws_calls):
    before = get_session(sub=OWNER, campaign_id=session.campaign_id, session_id=session.session_id)
    expires = now() + timedelta(days=3)
    with aws_calls() as calls:
        made = make(session, scope="transcript", expires=expires, view_limit=10, label="For the players")
    assert calls.operations() == ["dynamodb.Query", "dynamodb.TransactWriteItems"]

    token_hash = hash_token(made.token)
    link = get_raw(share_pk(token_hash), "SHARE")
    pointer = get_raw(user_pk(OWNER), share_pointer_sk(token_hash))
    assert link["entity"]["S"] == "ShareLink" and pointer["entity"]["S"] == "ShareLinkPointer"
    assert link["owner_sub"]["S"] == OWNER
    for item in (link, pointer):
        assert item["campaign_id"]["S"] == session.campaign_id
        assert item["session_id"]["S"] == session.session_id
        assert item["scope"]["S"] == "transcript"
        assert item["view_limit"]["N"] == "10"
        assert int(item["ttl"]["N"]) == int((expires + timedelta(days=30)).timestamp())
    assert link["views"]["N"] == "0" and "last_viewed" not in link
    assert pointer["token_hash"]["S"] == token_hash and pointer["label"]["S"] == "For the players"
    assert "label" not in link  # the owner's words stay in the owner's partition

    after = get_session(sub=OWNER, campaign_id=session.campaign_id, session_id=session.session_id)
    assert after.children_version == before.children_version + 1
    assert after.version == before.version  # a new link does not make an open edit form stale


def test_a_link_without_expiry_or_limit_has_no_ttl(session):
    made = make(session)
    link = get_raw(share_pk(hash_token(made.token)), "SHARE")
    assert "ttl" not in link and "expires" not in link and "view_limit" not in link


def test_the_token_is_stored_nowhere(session):
    made = make(session, label="For the players")
    everything = repr(raw_items())
    assert made.token not in everything
    assert hash_token(made.token) in everything


def test_no_link_for_a_session_that_is_not_there(session):
    with pytest.raises(SessionNotFound):
        create_share_link(
            sub=OWNER, campaign_id=session.campaign_id, session_id="01J00000000000000000000000", scope="recap"
        )
    with pytest.raises(SessionNotFound):  # another user's session: their sub, our ids
        make(session, sub=OTHER)
    assert not [item for item in raw_items() if item["entity"]["S"] in ("ShareLink", "ShareLinkPointer")]


@pytest.mark.parametrize(
    "fields",
    [{"scope": "everything"}, {"view_limit": 0}, {"view_limit": 100_001}, {"label": "x" * 61}, {"token": "bad token"}],
)
def test_create_refuses_what_no_form_lets_through(session, fields):
    with pytest.raises(ValueError):
        make(session, **fields)


def test_at_most_50_links_a_session(session, campaign):
    for _ in range(MAX_LINKS_PER_SESSION):
        make(session)
    with pytest.raises(TooManyShareLinks):
        make(session)
    other_session = create_session(sub=OWNER, campaign_id=campaign.campaign_id, title="Another")
    make(other_session)  # the cap is per session


# --- open ------------------------------------------------------------------------------------------
def test_opening_counts_a_view_in_one_update(session, aws_calls):
    made = make(session, view_limit=5)
    with aws_calls() as calls:
        link = open_share_link(token=made.token)
    assert calls.operations() == ["dynamodb.UpdateItem"]
    assert link.views == 1 and link.last_viewed is not None
    assert (link.owner_sub, link.campaign_id, link.session_id) == (OWNER, session.campaign_id, session.session_id)
    assert open_share_link(token=made.token).views == 2


def test_get_share_link_counts_nothing(session, aws_calls):
    made = make(session)
    open_share_link(token=made.token)
    with aws_calls() as calls:
        link = get_share_link(token_hash=hash_token(made.token))
    assert calls.operations() == ["dynamodb.GetItem"]
    assert link.views == 1


def test_an_unknown_token_opens_nothing_and_creates_nothing(session, aws_calls):
    before = raw_items()
    with aws_calls() as calls:
        assert open_share_link(token="x" * 43) is None
    assert calls.operations() == ["dynamodb.UpdateItem"]
    assert raw_items() == before


def test_a_revoked_link_opens_nothing(session):
    made = make(session)
    assert revoke_share_link(
        sub=OWNER, campaign_id=session.campaign_id, session_id=session.session_id, token_hash=hash_token(made.token)
    )
    assert open_share_link(token=made.token) is None


def test_an_expired_link_opens_nothing_though_its_item_is_still_there(session):
    made = make(session, expires=now() + timedelta(seconds=60))
    assert open_share_link(token=made.token, now=now()) is not None
    assert open_share_link(token=made.token, now=now() + timedelta(seconds=61)) is None
    assert get_share_link(token_hash=hash_token(made.token)) is not None  # TTL deletes late; reads check


def test_a_link_at_its_view_limit_opens_nothing(session):
    made = make(session, view_limit=2)
    assert open_share_link(token=made.token).views == 1
    assert open_share_link(token=made.token).views == 2
    assert open_share_link(token=made.token) is None
    assert get_share_link(token_hash=hash_token(made.token)).views == 2  # a refused open counts nothing


def test_a_v1_token_opens_once_its_hash_is_stored(session):
    # As the v1.0 import writes it: the hash of the old token, nothing of the token itself.
    token_hash = hashlib.sha256(V1_TOKEN.encode()).hexdigest()
    client = aws_clients.client("dynamodb")
    client.put_item(
        TableName=settings.DYNAMODB_TABLE,
        Item={
            "PK": {"S": share_pk(token_hash)},
            "SK": {"S": "SHARE"},
            "entity": {"S": "ShareLink"},
            "owner_sub": {"S": OWNER},
            "campaign_id": {"S": session.campaign_id},
            "session_id": {"S": session.session_id},
            "scope": {"S": "summaries"},
            "created": {"S": "2023-04-01T10:00:00.000000+0000"},
            "view_limit": {"N": "3"},
        },
    )
    link = open_share_link(token=V1_TOKEN)
    assert link is not None and link.views == 1 and link.scope == "summaries"
    assert read_shared_session(link).session.title == "The Death House"


def test_an_imported_v1_token_can_be_given_to_create(session):
    made = make(session, token=V1_TOKEN)
    assert made.token == V1_TOKEN
    assert open_share_link(token=V1_TOKEN).views == 1


def test_the_view_limit_is_exact_under_concurrent_visitors(served_aws):
    campaign = create_campaign(sub=OWNER, name="Busy")
    session = create_session(sub=OWNER, campaign_id=campaign.campaign_id, title="Popular")
    made = make(session, view_limit=3)
    get_share_link(token_hash=hash_token(made.token))  # clients made before the threads start

    def visit(_):
        return open_share_link(token=made.token) is not None

    with ThreadPoolExecutor(8) as pool:
        opened = list(pool.map(visit, range(8)))
    assert opened.count(True) == 3
    assert get_share_link(token_hash=hash_token(made.token)).views == 3


# --- list ------------------------------------------------------------------------------------------
def test_list_shows_the_session_links_newest_first_with_counts_and_states(session, campaign, aws_calls):
    old = make(session, label="First", view_limit=1)
    used = open_share_link(token=old.token)
    expired = make(session, label="Second", expires=now() + timedelta(seconds=30))
    latest = make(session, label="Third", scope="transcript")
    open_share_link(token=latest.token)
    open_share_link(token=latest.token)
    make(create_session(sub=OWNER, campaign_id=campaign.campaign_id, title="Elsewhere"), label="Not this session")

    with aws_calls() as calls:
        rows = list_share_links_for_session(sub=OWNER, session_id=session.session_id, now=now() + timedelta(seconds=31))
    assert calls.operations() == ["dynamodb.Query", "dynamodb.BatchGetItem"]
    assert [row.label for row in rows] == ["Third", "Second", "First"]
    third, second, first = rows
    assert (third.status, third.views, third.view_limit, third.scope_label) == (
        "active",
        2,
        None,
        "Summaries and transcript",
    )
    assert third.last_viewed is not None and third.expires is None and third.last_day is None
    assert (second.status, second.views, second.last_viewed) == ("expired", 0, None)
    assert second.last_day == (expired.pointer.expires - timedelta(microseconds=1)).date()
    assert (first.status, first.views, first.view_limit) == ("used up", 1, 1)
    assert first.last_viewed == used.last_viewed
    assert {row.token_hash for row in rows} == {hash_token(m.token) for m in (old, expired, latest)}


def test_list_of_a_session_without_links_is_one_query(session, aws_calls):
    with aws_calls() as calls:
        assert list_share_links_for_session(sub=OWNER, session_id=session.session_id) == []
    assert calls.operations() == ["dynamodb.Query"]


def test_list_leaves_out_pointers_past_their_ttl(session):
    made = make(session, expires=now() + timedelta(seconds=10))
    later = now() + timedelta(days=31)
    assert list_share_links_for_session(sub=OWNER, session_id=session.session_id, now=later) == []
    assert len(list_share_links_for_session(sub=OWNER, session_id=session.session_id)) == 1
    assert made.pointer.ttl is not None


def test_list_is_the_owner_s_only(session):
    make(session)
    assert list_share_links_for_session(sub=OTHER, session_id=session.session_id) == []


# --- revoke ----------------------------------------------------------------------------------------
def test_revoke_deletes_both_items_in_one_transaction(session, aws_calls):
    made = make(session)
    token_hash = hash_token(made.token)
    with aws_calls() as calls:
        assert (
            revoke_share_link(
                sub=OWNER, campaign_id=session.campaign_id, session_id=session.session_id, token_hash=token_hash
            )
            is True
        )
    assert calls.operations() == ["dynamodb.TransactWriteItems"]
    assert get_raw(share_pk(token_hash), "SHARE") is None
    assert get_raw(user_pk(OWNER), share_pointer_sk(token_hash)) is None
    assert (
        revoke_share_link(
            sub=OWNER, campaign_id=session.campaign_id, session_id=session.session_id, token_hash=token_hash
        )
        is False
    )


def test_nobody_else_can_revoke_a_link(session, campaign):
    made = make(session)
    token_hash = hash_token(made.token)
    assert (
        revoke_share_link(
            sub=OTHER, campaign_id=session.campaign_id, session_id=session.session_id, token_hash=token_hash
        )
        is False
    )
    other_session = create_session(sub=OWNER, campaign_id=campaign.campaign_id, title="Another")
    assert (
        revoke_share_link(
            sub=OWNER, campaign_id=other_session.campaign_id, session_id=other_session.session_id, token_hash=token_hash
        )
        is False
    )
    assert open_share_link(token=made.token) is not None


def test_a_link_is_revoked_only_under_its_own_campaign(session):
    made = make(session)
    token_hash = hash_token(made.token)
    another = create_campaign(sub=OWNER, name="Another campaign")
    for campaign_id in (another.campaign_id, new_id()):
        assert (
            revoke_share_link(sub=OWNER, campaign_id=campaign_id, session_id=session.session_id, token_hash=token_hash)
            is False
        )
    assert open_share_link(token=made.token) is not None
    assert get_raw(user_pk(OWNER), share_pointer_sk(token_hash)) is not None


def test_revoke_removes_a_pointer_whose_link_the_ttl_already_took(session):
    made = make(session)
    token_hash = hash_token(made.token)
    aws_clients.client("dynamodb").delete_item(
        TableName=settings.DYNAMODB_TABLE, Key={"PK": {"S": share_pk(token_hash)}, "SK": {"S": "SHARE"}}
    )
    assert (
        revoke_share_link(
            sub=OWNER, campaign_id=session.campaign_id, session_id=session.session_id, token_hash=token_hash
        )
        is True
    )
    assert get_raw(user_pk(OWNER), share_pointer_sk(token_hash)) is None


# --- what a link reads -------------------------------------------------------------------------------
def test_a_recap_link_reads_the_recap_only_in_one_batch(session, aws_calls):
    add_summary(session, "recap", "Previously: the house.")
    add_summary(session, "npcs", "- Rose\n- Thorn")
    link = open_share_link(token=make(session, scope="recap").token)
    with aws_calls() as calls:
        shared = read_shared_session(link)
    assert calls.operations() == ["dynamodb.BatchGetItem"]
    assert shared.campaign.name == "Curse of Strahd" and shared.session.title == "The Death House"
    assert [summary.kind for summary in shared.summaries] == ["recap"]


@pytest.mark.parametrize("scope", ["summaries", "transcript"])
def test_a_summaries_link_reads_every_summary_in_kinds_order_in_one_batch(session, scope, aws_calls):
    add_summary(session, "open_threads", "Who rang the bell?")
    add_summary(session, "npcs", "- Rose\n- Thorn")
    add_summary(session, "recap", "Previously: the house.")
    link = open_share_link(token=make(session, scope=scope).token)
    with aws_calls() as calls:
        shared = read_shared_session(link)
    assert calls.operations() == ["dynamodb.BatchGetItem"]
    assert [summary.kind for summary in shared.summaries] == ["recap", "npcs", "open_threads"]


def test_the_story_so_far_and_other_sessions_summaries_are_never_read(session, campaign):
    other_session = create_session(sub=OWNER, campaign_id=campaign.campaign_id, title="Another")
    add_summary(other_session, "recap", "Not this one")
    Summary(
        user_pk(OWNER),
        story_summary_sk(campaign.campaign_id),
        kind="story_so_far",
        text="The whole story",
        created=now(),
    ).save()
    link = open_share_link(token=make(session, scope="summaries").token)
    assert read_shared_session(link).summaries == []


# --- the session's delete and move -------------------------------------------------------------------
def test_deleting_the_session_deletes_its_links(session):
    made = make(session)
    delete_session(sub=OWNER, campaign_id=session.campaign_id, session_id=session.session_id)
    assert open_share_link(token=made.token) is None
    assert get_raw(user_pk(OWNER), share_pointer_sk(hash_token(made.token))) is None


def test_deleting_the_campaign_deletes_its_links(session, campaign):
    made = make(session)
    delete_campaign(sub=OWNER, campaign_id=campaign.campaign_id)
    assert open_share_link(token=made.token) is None
    assert not [item for item in raw_items() if item["entity"]["S"] in ("ShareLink", "ShareLinkPointer")]


def test_a_moved_session_keeps_its_links(session):
    made = make(session, label="Travels along")
    target = create_campaign(sub=OWNER, name="Tomb of Annihilation")
    move_session(
        sub=OWNER, campaign_id=session.campaign_id, session_id=session.session_id, to_campaign_id=target.campaign_id
    )
    link = open_share_link(token=made.token)
    assert link.campaign_id == target.campaign_id
    shared = read_shared_session(link)
    assert shared.campaign.name == "Tomb of Annihilation" and shared.session.title == "The Death House"
    [row] = list_share_links_for_session(sub=OWNER, session_id=session.session_id)
    assert row.pointer.campaign_id == target.campaign_id and row.label == "Travels along"


def test_a_link_whose_session_is_gone_reads_nothing(session):
    link = open_share_link(token=make(session).token)
    aws_clients.client("dynamodb").delete_item(
        TableName=settings.DYNAMODB_TABLE, Key={"PK": {"S": session.pk}, "SK": {"S": session.sk}}
    )
    assert read_shared_session(link) is None
