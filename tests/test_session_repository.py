from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.awsrequest import AWSResponse
from django.conf import settings

from campaigns.repository import (
    CampaignChange,
    CampaignNotFound,
    add_transcript_bytes,
    create_campaign,
    get_campaign,
    list_campaigns_for_user,
    set_campaign_archived,
    update_campaign,
    write_with_campaign_changes,
)
from campaigns_site import aws as aws_clients
from campaigns_site.dynamodb import connection as table_connection
from campaigns_site.errors import NotFound, StaleEdit
from campaigns_site.table import share_pk, user_pk
from campaigns_site.table_keys import share_pointer_sk, summary_sk
from campaigns_site.transactions import Transaction
from sessions.core import children
from sessions.core.campaign_deletion import delete_campaign
from sessions.core.items import PlaySession
from sessions.core.repository import (
    SessionNotFound,
    create_session,
    delete_session,
    get_session,
    list_sessions_for_campaign,
    move_session,
    record_child_write,
    update_session,
)
from sessions.core.storage_keys import transcript_key, user_transcripts_prefix

OWNER = "11111111-aaaa-4bbb-8ccc-000000000001"
OTHER = "22222222-aaaa-4bbb-8ccc-000000000002"
UNICODE = "Ünïcödé 🐉 竜"


pytestmark = pytest.mark.campaign(sub=OWNER, name="Curse of Strahd")


def titles(page):
    return [session.title for session in page.items]


def edit(session, **changes):
    fields = {"title": session.title, "number": session.number, "played_on": session.played_on, "notes": session.notes}
    return update_session(
        sub=OWNER,
        campaign_id=session.campaign_id,
        session_id=session.session_id,
        expected_version=session.version,
        **(fields | changes),
    )


def move(session, to_campaign_id):
    return move_session(
        sub=OWNER, campaign_id=session.campaign_id, session_id=session.session_id, to_campaign_id=to_campaign_id
    )


def counts(campaign_id, sub=OWNER):
    stored = get_campaign(sub=sub, campaign_id=campaign_id)
    return stored.session_count, stored.transcript_bytes


# --- create and read -------------------------------------------------------------------------
def test_create_is_one_transaction_that_counts_without_bumping_the_version(campaign, aws_calls):
    with aws_calls() as calls:
        session = create_session(
            sub=OWNER,
            campaign_id=campaign.campaign_id,
            title="Into the mists",
            number=1,
            played_on="2024-05-31",
            notes="The party arrives in Barovia.",
        )
    assert calls.operations() == ["dynamodb.TransactWriteItems"]

    assert (session.campaign_id, session.version) == (campaign.campaign_id, 1)
    stored = get_session(sub=OWNER, campaign_id=campaign.campaign_id, session_id=session.session_id)
    assert (stored.title, stored.number, stored.played_on, stored.notes) == (
        "Into the mists",
        1,
        "2024-05-31",
        "The party arrives in Barovia.",
    )
    assert stored.lsi1sk == f"SESSION#{campaign.campaign_id}#2024-05-31#0000000001#{session.session_id}"
    counted = get_campaign(sub=OWNER, campaign_id=campaign.campaign_id)
    assert (counted.session_count, counted.version) == (1, 1)
    assert counted.last_activity == session.created


def test_create_in_a_missing_or_foreign_campaign_writes_nothing(aws):
    theirs = create_campaign(sub=OTHER, name="Someone else's")

    with pytest.raises(CampaignNotFound):
        create_session(sub=OWNER, campaign_id=theirs.campaign_id, title="Sneaky")
    with pytest.raises(CampaignNotFound):
        create_session(sub=OWNER, campaign_id="01J0000000000000000000000", title="Nowhere")

    assert list_sessions_for_campaign(sub=OWNER, campaign_id=theirs.campaign_id).items == []
    assert counts(theirs.campaign_id, sub=OTHER) == (0, 0)
    items = aws_clients.client("dynamodb").scan(TableName=settings.DYNAMODB_TABLE)["Items"]
    # The campaign, and the usage counters of its creation (campaigns_site.usage).
    assert sorted(item["entity"]["S"] for item in items) == ["Campaign", "DirectoryEntry", "UsageMonth"]


def test_text_round_trips_unicode_and_emoji(campaign):
    session = create_session(sub=OWNER, campaign_id=campaign.campaign_id, title=UNICODE, notes=f"{UNICODE}\n— ✓")

    stored = get_session(sub=OWNER, campaign_id=campaign.campaign_id, session_id=session.session_id)
    assert (stored.title, stored.notes) == (UNICODE, f"{UNICODE}\n— ✓")
    edit(stored, title=f"{UNICODE} 2")
    assert titles(list_sessions_for_campaign(sub=OWNER, campaign_id=campaign.campaign_id)) == [f"{UNICODE} 2"]


def test_other_users_ids_find_nothing(campaign):
    session = create_session(sub=OWNER, campaign_id=campaign.campaign_id, title="Mine")
    ids = {"campaign_id": campaign.campaign_id, "session_id": session.session_id}
    theirs = create_campaign(sub=OTHER, name="Theirs")

    assert get_session(sub=OTHER, **ids) is None
    assert list_sessions_for_campaign(sub=OTHER, campaign_id=campaign.campaign_id).items == []
    with pytest.raises(NotFound):
        update_session(sub=OTHER, **ids, expected_version=1, title="Stolen", number=None, played_on=None, notes="")
    with pytest.raises(NotFound):
        delete_session(sub=OTHER, **ids)
    with pytest.raises(NotFound):
        move_session(sub=OTHER, **ids, to_campaign_id=theirs.campaign_id)

    assert get_session(sub=OWNER, **ids).title == "Mine"
    assert counts(campaign.campaign_id) == (1, 0)


@pytest.mark.parametrize("number", [-1, 1.5, 10**10, True, "3"])
def test_a_number_that_cannot_sort_is_refused(campaign, number):
    with pytest.raises(ValueError):
        create_session(sub=OWNER, campaign_id=campaign.campaign_id, title="Odd", number=number)


def test_a_date_must_be_a_date(campaign):
    with pytest.raises(ValueError):
        create_session(sub=OWNER, campaign_id=campaign.campaign_id, title="Odd", played_on="31/05/2024")


# --- play order --------------------------------------------------------------------------------
def test_play_order_is_newest_first_with_missing_dates_and_numbers_oldest(campaign):
    sessions = [  # created in this order
        ("no date, no number", None, None),
        ("no date, 2", None, 2),
        ("May 1st, 3", "2024-05-01", 3),
        ("June, 4", "2024-06-07", 4),
        ("May 1st, 3 again", "2024-05-01", 3),
        ("May 1st, no number", "2024-05-01", None),
        ("May 1st, 2", "2024-05-01", 2),
        ("no date, 1", None, 1),
    ]
    for title, played_on, number in sessions:
        create_session(sub=OWNER, campaign_id=campaign.campaign_id, title=title, number=number, played_on=played_on)
    other = create_campaign(sub=OWNER, name="Another")
    create_session(sub=OWNER, campaign_id=other.campaign_id, title="Elsewhere", played_on="2030-01-01")

    assert titles(list_sessions_for_campaign(sub=OWNER, campaign_id=campaign.campaign_id)) == [
        "June, 4",
        "May 1st, 3 again",  # a repeated number: the later created first
        "May 1st, 3",
        "May 1st, 2",
        "May 1st, no number",
        "no date, 2",
        "no date, 1",
        "no date, no number",
    ]


def test_an_edit_moves_the_session_in_play_order(campaign):
    first = create_session(sub=OWNER, campaign_id=campaign.campaign_id, title="First", played_on="2024-01-01")
    create_session(sub=OWNER, campaign_id=campaign.campaign_id, title="Second", played_on="2024-02-01")

    edit(first, played_on="2024-03-01")
    assert titles(list_sessions_for_campaign(sub=OWNER, campaign_id=campaign.campaign_id)) == ["First", "Second"]

    edit(get_session(sub=OWNER, campaign_id=campaign.campaign_id, session_id=first.session_id), played_on=None)
    assert titles(list_sessions_for_campaign(sub=OWNER, campaign_id=campaign.campaign_id)) == ["Second", "First"]


def test_pages_of_25_one_query_each_and_no_scan(campaign, aws_calls):
    for number in range(1, 61):
        create_session(sub=OWNER, campaign_id=campaign.campaign_id, title=f"Session {number}", number=number)

    pages, cursor = [], None
    while True:
        with aws_calls() as calls:
            page = list_sessions_for_campaign(sub=OWNER, campaign_id=campaign.campaign_id, cursor=cursor)
        assert calls.operations() == ["dynamodb.Query"]
        pages.append([session.number for session in page.items])
        cursor = page.next_cursor
        if cursor is None:
            break

    assert [len(page) for page in pages] == [25, 25, 10]
    assert sum(pages, []) == list(range(60, 0, -1))


# --- edits ---------------------------------------------------------------------------------------
def test_edit_saves_bumps_its_version_and_is_campaign_activity(campaign):
    session = create_session(sub=OWNER, campaign_id=campaign.campaign_id, title="Draft", number=1, notes="old")
    later = create_campaign(sub=OWNER, name="Created later")

    edit(session, title="Into the mists", number=None, played_on="2024-05-31", notes="new")

    stored = get_session(sub=OWNER, campaign_id=campaign.campaign_id, session_id=session.session_id)
    assert (stored.title, stored.number, stored.played_on, stored.notes, stored.version) == (
        "Into the mists",
        None,
        "2024-05-31",
        "new",
        2,
    )
    assert stored.created == session.created < stored.updated
    assert [c.name for c in list_campaigns_for_user(sub=OWNER).items] == ["Curse of Strahd", "Created later"]
    assert get_campaign(sub=OWNER, campaign_id=campaign.campaign_id).version == 1
    assert later.version == 1


def test_a_stale_edit_is_refused_with_the_current_session(campaign):
    session = create_session(sub=OWNER, campaign_id=campaign.campaign_id, title="Draft")
    edit(session, title="Saved in another tab")

    with pytest.raises(StaleEdit) as stale:
        edit(session, title="Would overwrite")

    assert (stale.value.current.title, stale.value.current.version) == ("Saved in another tab", 2)
    stored = get_session(sub=OWNER, campaign_id=campaign.campaign_id, session_id=session.session_id)
    assert stored.title == "Saved in another tab"
    edit(stale.value.current, title="Would overwrite")  # the retry, on top of what is stored now
    assert get_session(sub=OWNER, campaign_id=campaign.campaign_id, session_id=session.session_id).version == 3


def test_editing_a_deleted_session_says_not_found(campaign):
    session = create_session(sub=OWNER, campaign_id=campaign.campaign_id, title="Gone soon")
    delete_session(sub=OWNER, campaign_id=campaign.campaign_id, session_id=session.session_id)

    with pytest.raises(SessionNotFound):
        edit(session, title="Too late")
    assert list_sessions_for_campaign(sub=OWNER, campaign_id=campaign.campaign_id).items == []


def test_a_session_edit_in_an_archived_campaign_keeps_it_archived(campaign):
    session = create_session(sub=OWNER, campaign_id=campaign.campaign_id, title="Draft")
    set_campaign_archived(sub=OWNER, campaign_id=campaign.campaign_id, archived=True)

    edit(session, title="Edited")

    stored = get_campaign(sub=OWNER, campaign_id=campaign.campaign_id)
    assert stored.archived and stored.lsi1sk.startswith("CAMPAIGN#ARCHIVED#")
    assert stored.last_activity > session.created


# --- what belongs to a session -----------------------------------------------------------------------
def put_raw(item):
    aws_clients.client("dynamodb").put_item(
        TableName=settings.DYNAMODB_TABLE, Item={name: {"S": value} for name, value in item.items()}
    )


def get_raw(pk, sk):
    return (
        aws_clients.client("dynamodb")
        .get_item(TableName=settings.DYNAMODB_TABLE, Key={"PK": {"S": pk}, "SK": {"S": sk}})
        .get("Item")
    )


def add_share_link(session, token_hash, sub=OWNER):
    put_raw(
        {
            "PK": share_pk(token_hash),
            "SK": "SHARE",
            "entity": "ShareLink",
            "owner_sub": sub,
            "campaign_id": session.campaign_id,
            "session_id": session.session_id,
        }
    )
    put_raw(
        {
            "PK": user_pk(sub),
            "SK": share_pointer_sk(token_hash),
            "entity": "ShareLinkPointer",
            "campaign_id": session.campaign_id,
            "session_id": session.session_id,
        }
    )


def add_summary(session, kind, text, sub=OWNER):
    put_raw(
        {
            "PK": user_pk(sub),
            "SK": summary_sk(session.campaign_id, session.session_id, kind),
            "entity": "Summary",
            "kind": kind,
            "text": text,
            "model": "some-model",
        }
    )


def attach_transcript(session, size, sub=OWNER):
    """As the transcript upload will: the object, then the session's size and the campaign's total together."""
    key = transcript_key(sub=sub, session_id=session.session_id, name="transcript.json")
    aws_clients.client("s3").put_object(Bucket=settings.TRANSCRIPT_BUCKET, Key=key, Body=b"x" * size)

    def set_size(transaction):
        transaction.update(
            session.pk,
            session.sk,
            actions=[PlaySession.transcript_bytes.set(size), PlaySession.version.add(1)],
            condition=PlaySession.sk.exists(),
        )

    change = CampaignChange(session.campaign_id, transcript_bytes=size - session.transcript_bytes)
    write_with_campaign_changes(sub=sub, changes=[change], add_own_actions=set_size)
    return key


def objects(sub=OWNER):
    listed = aws_clients.client("s3").list_objects_v2(
        Bucket=settings.TRANSCRIPT_BUCKET, Prefix=user_transcripts_prefix(sub=sub)
    )
    return sorted(found["Key"] for found in listed.get("Contents", []))


def test_delete_takes_its_transcript_summaries_and_share_links_along(campaign):
    doomed = create_session(sub=OWNER, campaign_id=campaign.campaign_id, title="Doomed")
    kept = create_session(sub=OWNER, campaign_id=campaign.campaign_id, title="Kept")
    for session, size in [(doomed, 300), (kept, 45)]:
        attach_transcript(session, size)
        add_summary(session, "recap", f"recap of {session.title}")
        add_share_link(session, f"{session.session_id.lower()}".ljust(64, "0"))
    doomed = get_session(sub=OWNER, campaign_id=campaign.campaign_id, session_id=doomed.session_id)
    assert counts(campaign.campaign_id) == (2, 345)

    delete_session(sub=OWNER, campaign_id=campaign.campaign_id, session_id=doomed.session_id)

    assert get_session(sub=OWNER, campaign_id=campaign.campaign_id, session_id=doomed.session_id) is None
    assert counts(campaign.campaign_id) == (1, 45)
    assert [key.split("/")[2] for key in objects()] == [kept.session_id]
    assert get_raw(user_pk(OWNER), summary_sk(campaign.campaign_id, doomed.session_id, "recap")) is None
    assert get_raw(user_pk(OWNER), summary_sk(campaign.campaign_id, kept.session_id, "recap")) is not None
    doomed_hash = doomed.session_id.lower().ljust(64, "0")
    assert get_raw(share_pk(doomed_hash), "SHARE") is None
    assert get_raw(user_pk(OWNER), share_pointer_sk(doomed_hash)) is None
    assert get_raw(share_pk(kept.session_id.lower().ljust(64, "0")), "SHARE") is not None
    with pytest.raises(SessionNotFound):
        delete_session(sub=OWNER, campaign_id=campaign.campaign_id, session_id=doomed.session_id)
    assert counts(campaign.campaign_id) == (1, 45)


# --- moves ------------------------------------------------------------------------------------------------
@pytest.fixture
def moving(campaign):
    """A session with a transcript, two summaries and a share link, and a second campaign to move it to."""
    session = create_session(
        sub=OWNER, campaign_id=campaign.campaign_id, title=f"Moving {UNICODE}", number=7, played_on="2024-05-31"
    )
    attach_transcript(session, 1000)
    create_session(sub=OWNER, campaign_id=campaign.campaign_id, title="Staying")
    add_summary(session, "recap", f"Recap {UNICODE}")
    add_summary(session, "loot", "A +1 sword")
    add_share_link(session, "ab" * 32)
    target = create_campaign(sub=OWNER, name="Tomb of Annihilation")
    return get_session(sub=OWNER, campaign_id=campaign.campaign_id, session_id=session.session_id), target


def test_move_carries_the_session_its_summaries_links_and_counts(moving, campaign, aws_calls):
    session, target = moving
    assert counts(campaign.campaign_id) == (2, 1000)

    with aws_calls() as calls:
        moved = move(session, target.campaign_id)
    assert calls.count("dynamodb", "TransactWriteItems") == 1
    assert calls.count("dynamodb", "Scan") == 0

    assert get_session(sub=OWNER, campaign_id=campaign.campaign_id, session_id=session.session_id) is None
    stored = get_session(sub=OWNER, campaign_id=target.campaign_id, session_id=session.session_id)
    assert (stored.title, stored.number, stored.played_on, stored.created, stored.transcript_bytes) == (
        session.title,
        7,
        "2024-05-31",
        session.created,
        1000,
    )
    assert stored.version == moved.version == session.version + 1
    assert stored.lsi1sk == f"SESSION#{target.campaign_id}#2024-05-31#0000000007#{session.session_id}"
    assert titles(list_sessions_for_campaign(sub=OWNER, campaign_id=campaign.campaign_id)) == ["Staying"]
    assert titles(list_sessions_for_campaign(sub=OWNER, campaign_id=target.campaign_id)) == [session.title]
    assert counts(campaign.campaign_id) == (1, 0)
    assert counts(target.campaign_id) == (1, 1000)
    assert [c.name for c in list_campaigns_for_user(sub=OWNER).items] == ["Tomb of Annihilation", "Curse of Strahd"]

    assert get_raw(user_pk(OWNER), summary_sk(campaign.campaign_id, session.session_id, "recap")) is None
    recap = get_raw(user_pk(OWNER), summary_sk(target.campaign_id, session.session_id, "recap"))
    assert (recap["text"]["S"], recap["model"]["S"]) == (f"Recap {UNICODE}", "some-model")
    assert get_raw(user_pk(OWNER), summary_sk(target.campaign_id, session.session_id, "loot")) is not None
    assert get_raw(share_pk("ab" * 32), "SHARE")["campaign_id"]["S"] == target.campaign_id
    assert get_raw(user_pk(OWNER), share_pointer_sk("ab" * 32))["campaign_id"]["S"] == target.campaign_id
    # The transcript stays where it is: its key names no campaign.
    assert [key.split("/")[2] for key in objects()] == [session.session_id]


def test_move_to_another_users_or_a_missing_campaign_is_refused(moving, campaign):
    session, _ = moving
    theirs = create_campaign(sub=OTHER, name="Theirs")

    for to_campaign_id in [theirs.campaign_id, "01J0000000000000000000000"]:
        with pytest.raises(CampaignNotFound):
            move(session, to_campaign_id)

    unmoved = get_session(sub=OWNER, campaign_id=campaign.campaign_id, session_id=session.session_id)
    assert unmoved.version == session.version
    assert counts(campaign.campaign_id) == (2, 1000)
    assert counts(theirs.campaign_id, sub=OTHER) == (0, 0)
    assert get_raw(user_pk(OWNER), summary_sk(campaign.campaign_id, session.session_id, "recap")) is not None


def test_move_into_an_archived_campaign(moving, campaign):
    session, target = moving
    set_campaign_archived(sub=OWNER, campaign_id=target.campaign_id, archived=True)

    move(session, target.campaign_id)

    assert counts(target.campaign_id) == (1, 1000)
    assert [c.name for c in list_campaigns_for_user(sub=OWNER, archived=True).items] == ["Tomb of Annihilation"]


def test_a_move_makes_an_edit_begun_before_it_stale(moving, campaign):
    session, target = moving
    move(session, target.campaign_id)

    with pytest.raises(SessionNotFound):
        edit(session, title="Edited at the old address")
    with pytest.raises(StaleEdit):
        update_session(
            sub=OWNER,
            campaign_id=target.campaign_id,
            session_id=session.session_id,
            expected_version=session.version,
            title="Edited",
            number=None,
            played_on=None,
            notes="",
        )


def test_a_summary_written_during_a_move_moves_too(moving, campaign, monkeypatch):
    session, target = moving
    find_links = children.session_share_link_pointers
    written = []

    def summary_job_finishes_meanwhile(*args, **kwargs):
        if not written:  # after the move read the summaries, before it writes
            transaction = Transaction()
            summary = summary_sk(campaign.campaign_id, session.session_id, "npcs")
            transaction.put({"PK": user_pk(OWNER), "SK": summary, "entity": "Summary", "text": "Strahd"})
            record_child_write(transaction, sub=OWNER, campaign_id=campaign.campaign_id, session_id=session.session_id)
            transaction.commit()
            written.append(True)
        return find_links(*args, **kwargs)

    monkeypatch.setattr(children, "session_share_link_pointers", summary_job_finishes_meanwhile)
    move(session, target.campaign_id)

    assert get_raw(user_pk(OWNER), summary_sk(target.campaign_id, session.session_id, "npcs"))["text"]["S"] == "Strahd"
    assert get_raw(user_pk(OWNER), summary_sk(campaign.campaign_id, session.session_id, "npcs")) is None
    assert counts(target.campaign_id) == (1, 1000)


def test_moving_within_its_own_campaign_changes_nothing(moving, campaign):
    session, _ = moving
    same = move_session(
        sub=OWNER, campaign_id=campaign.campaign_id, session_id=session.session_id, to_campaign_id=campaign.campaign_id
    )
    assert (same.sk, same.version) == (session.sk, session.version)
    assert counts(campaign.campaign_id) == (2, 1000)


def test_a_campaign_being_deleted_takes_no_sessions_in_or_out(moving, campaign, monkeypatch):
    session, target = moving

    def stop(**kwargs):
        raise RuntimeError("stop")

    monkeypatch.setattr("sessions.core.campaign_deletion.delete_share_links", stop)
    with pytest.raises(RuntimeError):
        delete_campaign(sub=OWNER, campaign_id=target.campaign_id)  # marked, then stopped

    with pytest.raises(CampaignNotFound):
        move(session, target.campaign_id)
    assert counts(campaign.campaign_id) == (2, 1000)


def test_a_transaction_conflict_is_tried_again(campaign, aws_calls):
    """DynamoDB cancels a transaction that meets another one on the same item (two session
    writes on one campaign); moto never does, so the first attempt is answered here."""
    dynamodb = table_connection().connection.client  # PynamoDB's, which table traffic goes through
    answered = []

    def conflict_once(**kwargs):
        if answered:
            return None  # on to moto
        answered.append(True)
        reasons = [{"Code": "None"}, {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}]
        error = {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"}
        return AWSResponse("https://dynamodb", 400, {}, None), {"Error": error, "CancellationReasons": reasons}

    dynamodb.meta.events.register("before-call.dynamodb.TransactWriteItems", conflict_once)
    try:
        with aws_calls() as calls:
            create_session(sub=OWNER, campaign_id=campaign.campaign_id, title="Second try")
    finally:
        dynamodb.meta.events.unregister("before-call.dynamodb.TransactWriteItems", conflict_once)

    assert answered == [True]
    # The cancelled try (answered here, as DynamoDB would) and the second, which reached moto.
    assert calls.operations() == ["dynamodb.TransactWriteItems", "dynamodb.TransactWriteItems"]
    assert counts(campaign.campaign_id) == (1, 0)
    assert titles(list_sessions_for_campaign(sub=OWNER, campaign_id=campaign.campaign_id)) == ["Second try"]


# --- counters under concurrent writers -----------------------------------------------------------------------
WRITERS, WRITES = 8, 10


def in_parallel(work):
    with ThreadPoolExecutor(WRITERS) as pool:
        return list(pool.map(work, range(WRITERS)))


def test_counters_stay_exact_under_concurrent_creates_deletes_and_transcripts(served_aws):
    campaign = create_campaign(sub=OWNER, name="Busy")
    get_campaign(sub=OWNER, campaign_id=campaign.campaign_id)  # clients made before the threads start

    def create(writer):
        return [
            create_session(sub=OWNER, campaign_id=campaign.campaign_id, title=f"{writer}-{n}") for n in range(WRITES)
        ]

    created = in_parallel(create)
    assert counts(campaign.campaign_id) == (WRITERS * WRITES, 0)

    def delete_half_and_count_bytes(writer):
        for session in created[writer][: WRITES // 2]:
            delete_session(sub=OWNER, campaign_id=campaign.campaign_id, session_id=session.session_id)
            add_transcript_bytes(sub=OWNER, campaign_id=campaign.campaign_id, delta=writer + 1)

    in_parallel(delete_half_and_count_bytes)
    expected_bytes = sum((writer + 1) * (WRITES // 2) for writer in range(WRITERS))
    assert counts(campaign.campaign_id) == (WRITERS * WRITES // 2, expected_bytes)
    left = list_sessions_for_campaign(sub=OWNER, campaign_id=campaign.campaign_id, limit=100).items
    assert len(left) == 40
    # The ids the story page reads by key (issue 17) follow as exactly: the same update.
    assert get_campaign(sub=OWNER, campaign_id=campaign.campaign_id).session_ids == {s.session_id for s in left}


def test_concurrent_moves_both_ways_keep_both_counts_exact(served_aws):
    left = create_campaign(sub=OWNER, name="Left")
    right = create_campaign(sub=OWNER, name="Right")
    get_campaign(sub=OWNER, campaign_id=left.campaign_id)
    sessions = {
        side.campaign_id: [create_session(sub=OWNER, campaign_id=side.campaign_id, title=str(n)) for n in range(20)]
        for side in (left, right)
    }

    def move(writer):
        source, target = (left, right) if writer % 2 else (right, left)
        for session in sessions[source.campaign_id][writer // 2 :: WRITERS // 2]:
            move_session(
                sub=OWNER,
                campaign_id=source.campaign_id,
                session_id=session.session_id,
                to_campaign_id=target.campaign_id,
            )

    in_parallel(move)

    # Every session changed sides.
    assert counts(left.campaign_id) == (20, 0) == counts(right.campaign_id)
    listed = list_sessions_for_campaign(sub=OWNER, campaign_id=left.campaign_id, limit=100).items
    assert {s.session_id for s in listed} == {s.session_id for s in sessions[right.campaign_id]}
    for side, came_from in ((left, right), (right, left)):  # and the lists the story page reads by key
        stored = get_campaign(sub=OWNER, campaign_id=side.campaign_id)
        assert stored.session_ids == {s.session_id for s in sessions[came_from.campaign_id]}


def test_a_campaign_edit_is_not_made_stale_by_concurrent_session_writes(served_aws):
    campaign = create_campaign(sub=OWNER, name="Draft")
    get_campaign(sub=OWNER, campaign_id=campaign.campaign_id)

    def write(writer):
        if writer == 0:
            for n in range(WRITES):
                current = get_campaign(sub=OWNER, campaign_id=campaign.campaign_id)
                update_campaign(
                    sub=OWNER,
                    campaign_id=campaign.campaign_id,
                    expected_version=current.version,
                    name=f"Edit {n}",
                    description="",
                    game_system="",
                )
        else:
            for n in range(WRITES):
                create_session(sub=OWNER, campaign_id=campaign.campaign_id, title=f"{writer}-{n}")

    in_parallel(write)  # no StaleEdit raised

    stored = get_campaign(sub=OWNER, campaign_id=campaign.campaign_id)
    assert (stored.name, stored.version) == (f"Edit {WRITES - 1}", WRITES + 1)
    assert stored.session_count == (WRITERS - 1) * WRITES


def test_a_session_stored_before_children_version_existed_can_be_deleted_and_moved(moving, campaign):
    session, target = moving
    aws_clients.client("dynamodb").update_item(
        TableName=settings.DYNAMODB_TABLE,
        Key={"PK": {"S": session.pk}, "SK": {"S": session.sk}},
        UpdateExpression="REMOVE children_version",
    )

    moved = move(session, target.campaign_id)
    delete_session(sub=OWNER, campaign_id=target.campaign_id, session_id=moved.session_id)

    assert counts(target.campaign_id) == (0, 0)
