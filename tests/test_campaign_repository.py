import io

import pytest
from django.conf import settings
from django.core.management import call_command

from campaigns.items import Campaign
from campaigns.repository import (
    CampaignNotFound,
    create_campaign,
    get_campaign,
    get_campaign_being_deleted,
    list_campaigns_being_deleted,
    list_campaigns_for_user,
    mark_campaign_deleting,
    set_campaign_archived,
    update_campaign,
)
from campaigns_site import aws as aws_clients
from campaigns_site import usage
from campaigns_site.errors import NotFound, StaleEdit
from campaigns_site.pagination import InvalidCursor
from campaigns_site.table import InvalidKeyPart, share_pk, user_pk
from campaigns_site.table_keys import share_pointer_sk, summary_sk
from sessions.core.campaign_deletion import delete_campaign
from sessions.core.repository import create_session, list_sessions_for_campaign
from sessions.core.storage_keys import transcript_key

OWNER = "11111111-aaaa-4bbb-8ccc-000000000001"
OTHER = "22222222-aaaa-4bbb-8ccc-000000000002"
UNICODE = "Ünïcödé 🐉 竜"


def names(page):
    return [campaign.name for campaign in page.items]


def edit(campaign, **changes):
    fields = {"name": campaign.name, "description": campaign.description, "game_system": campaign.game_system}
    return update_campaign(
        sub=OWNER, campaign_id=campaign.campaign_id, expected_version=campaign.version, **(fields | changes)
    )


# --- create and get ---------------------------------------------------------------------
def test_create_and_get(aws):
    campaign = create_campaign(sub=OWNER, name="Curse of Strahd", description="Gothic horror", game_system="D&D 5e")

    again = get_campaign(sub=OWNER, campaign_id=campaign.campaign_id)
    assert (again.name, again.description, again.game_system) == ("Curse of Strahd", "Gothic horror", "D&D 5e")
    assert (again.session_count, again.transcript_bytes, again.archived, again.version) == (0, 0, False, 1)
    assert again.created == again.updated == again.last_activity
    assert again.deleting_since is None
    assert again.lsi1sk.startswith("CAMPAIGN#ACTIVE#")
    assert again.lsi1sk.endswith(f"#{campaign.campaign_id}")


def test_text_round_trips_unicode_and_emoji(aws):
    campaign = create_campaign(sub=OWNER, name=UNICODE, description=f"{UNICODE}\nzweite Zeile", game_system="Ōkami 竜")

    again = get_campaign(sub=OWNER, campaign_id=campaign.campaign_id)
    assert (again.name, again.description, again.game_system) == (UNICODE, f"{UNICODE}\nzweite Zeile", "Ōkami 竜")
    edit(again, name=f"{UNICODE}!")
    assert get_campaign(sub=OWNER, campaign_id=campaign.campaign_id).name == f"{UNICODE}!"
    assert names(list_campaigns_for_user(sub=OWNER)) == [f"{UNICODE}!"]


def test_other_users_and_unknown_ids_find_nothing(aws):
    campaign = create_campaign(sub=OWNER, name="Mine")

    assert get_campaign(sub=OTHER, campaign_id=campaign.campaign_id) is None
    assert get_campaign(sub=OWNER, campaign_id="01J0000000000000000000000") is None
    with pytest.raises(CampaignNotFound):
        update_campaign(
            sub=OTHER,
            campaign_id=campaign.campaign_id,
            expected_version=1,
            name="Stolen",
            description="",
            game_system="",
        )
    with pytest.raises(CampaignNotFound):
        set_campaign_archived(sub=OTHER, campaign_id=campaign.campaign_id, archived=True)
    with pytest.raises(CampaignNotFound):
        delete_campaign(sub=OTHER, campaign_id=campaign.campaign_id)
    assert names(list_campaigns_for_user(sub=OTHER)) == []

    unchanged = get_campaign(sub=OWNER, campaign_id=campaign.campaign_id)
    assert (unchanged.name, unchanged.archived, unchanged.version) == ("Mine", False, 1)


def test_an_id_cannot_reach_into_another_key(aws):
    with pytest.raises(InvalidKeyPart):
        get_campaign(sub=OWNER, campaign_id="X#SESSION")
    with pytest.raises(InvalidKeyPart):
        list_campaigns_for_user(sub="a#b")


def test_not_found_errors_share_a_base():
    assert issubclass(CampaignNotFound, NotFound)


# --- lists --------------------------------------------------------------------------------
def test_a_campaign_is_live_until_its_delete_starts(aws):
    campaign = create_campaign(sub=OWNER, name="Doomed")
    assert campaign.is_live

    mark_campaign_deleting(sub=OWNER, campaign_id=campaign.campaign_id)

    marked = get_campaign_being_deleted(sub=OWNER, campaign_id=campaign.campaign_id)
    assert not marked.is_live
    assert get_campaign(sub=OWNER, campaign_id=campaign.campaign_id) is None
    with pytest.raises(CampaignNotFound):  # the write condition refuses it too
        create_session(sub=OWNER, campaign_id=campaign.campaign_id, title="Too late")


def test_list_is_latest_activity_first(aws):
    first = create_campaign(sub=OWNER, name="First")
    second = create_campaign(sub=OWNER, name="Second")
    third = create_campaign(sub=OWNER, name="Third")
    create_campaign(sub=OTHER, name="Not yours")
    assert names(list_campaigns_for_user(sub=OWNER)) == ["Third", "Second", "First"]

    edit(first, description="edited")
    assert names(list_campaigns_for_user(sub=OWNER)) == ["First", "Third", "Second"]

    session = create_session(sub=OWNER, campaign_id=second.campaign_id, title="Session 1")
    assert names(list_campaigns_for_user(sub=OWNER)) == ["Second", "First", "Third"]
    stored = get_campaign(sub=OWNER, campaign_id=second.campaign_id)
    assert stored.last_activity == session.created
    assert stored.lsi1sk.startswith("CAMPAIGN#ACTIVE#")
    assert third.campaign_id  # untouched, now the oldest activity


def test_archived_campaigns_are_hidden_unless_asked_for(aws):
    kept = create_campaign(sub=OWNER, name="Kept")
    shelved = create_campaign(sub=OWNER, name="Shelved")

    set_campaign_archived(sub=OWNER, campaign_id=shelved.campaign_id, archived=True)

    assert names(list_campaigns_for_user(sub=OWNER)) == ["Kept"]
    assert names(list_campaigns_for_user(sub=OWNER, archived=True)) == ["Shelved"]
    archived = get_campaign(sub=OWNER, campaign_id=shelved.campaign_id)
    assert archived.archived is True
    assert archived.lsi1sk.startswith("CAMPAIGN#ARCHIVED#")
    assert archived.last_activity == shelved.last_activity  # archiving is not activity
    assert archived.version == 1  # nor an edit: an open edit form still saves

    set_campaign_archived(sub=OWNER, campaign_id=shelved.campaign_id, archived=False)
    assert names(list_campaigns_for_user(sub=OWNER)) == ["Shelved", "Kept"]  # its old place by activity
    assert names(list_campaigns_for_user(sub=OWNER, archived=True)) == []
    assert kept.campaign_id


def test_archiving_twice_changes_nothing(aws, aws_calls):
    campaign = create_campaign(sub=OWNER, name="Shelved")
    set_campaign_archived(sub=OWNER, campaign_id=campaign.campaign_id, archived=True)

    with aws_calls() as calls:
        set_campaign_archived(sub=OWNER, campaign_id=campaign.campaign_id, archived=True)

    assert calls.operations() == ["dynamodb.GetItem"]
    assert names(list_campaigns_for_user(sub=OWNER, archived=True)) == ["Shelved"]


def test_activity_in_an_archived_campaign_keeps_it_archived(aws):
    campaign = create_campaign(sub=OWNER, name="Shelved")
    create_campaign(sub=OWNER, name="Other shelved")
    for shelved in list_campaigns_for_user(sub=OWNER).items:
        set_campaign_archived(sub=OWNER, campaign_id=shelved.campaign_id, archived=True)

    create_session(sub=OWNER, campaign_id=campaign.campaign_id, title="A late session")
    edit(get_campaign(sub=OWNER, campaign_id=campaign.campaign_id), description="still shelved")

    assert names(list_campaigns_for_user(sub=OWNER)) == []
    assert names(list_campaigns_for_user(sub=OWNER, archived=True)) == ["Shelved", "Other shelved"]
    stored = get_campaign(sub=OWNER, campaign_id=campaign.campaign_id)
    assert (stored.archived, stored.description, stored.session_count) == (True, "still shelved", 1)


def test_pages_of_25_one_query_each_and_no_scan(aws, aws_calls):
    for number in range(60):
        create_campaign(sub=OWNER, name=f"Campaign {number:02}")
    create_campaign(sub=OTHER, name="Not yours")

    pages, cursor = [], None
    while True:
        with aws_calls() as calls:
            page = list_campaigns_for_user(sub=OWNER, cursor=cursor)
        assert calls.operations() == ["dynamodb.Query"]
        pages.append(names(page))
        cursor = page.next_cursor
        if cursor is None:
            break

    assert [len(page) for page in pages] == [25, 25, 10]
    assert sum(pages, []) == [f"Campaign {number:02}" for number in reversed(range(60))]


def test_a_cursor_works_only_for_its_own_list(aws, aws_calls):
    for number in range(3):
        create_campaign(sub=OWNER, name=f"Campaign {number}")
        create_campaign(sub=OTHER, name=f"Theirs {number}")
    cursor = list_campaigns_for_user(sub=OWNER, limit=2).next_cursor

    with aws_calls() as calls:
        with pytest.raises(InvalidCursor):
            list_campaigns_for_user(sub=OTHER, limit=2, cursor=cursor)
        with pytest.raises(InvalidCursor):
            list_campaigns_for_user(sub=OWNER, archived=True, limit=2, cursor=cursor)
        with pytest.raises(InvalidCursor):
            list_sessions_for_campaign(sub=OWNER, campaign_id="01J0000000000000000000000", cursor=cursor)
    assert len(calls) == 0


# --- edits ----------------------------------------------------------------------------------
def test_edit_saves_and_bumps_the_version(aws):
    campaign = create_campaign(sub=OWNER, name="Draft", description="", game_system="")

    saved = edit(campaign, name="Curse of Strahd", description="Gothic horror", game_system="D&D 5e")

    assert (saved.name, saved.description, saved.game_system, saved.version) == (
        "Curse of Strahd",
        "Gothic horror",
        "D&D 5e",
        2,
    )
    stored = get_campaign(sub=OWNER, campaign_id=campaign.campaign_id)
    assert (stored.name, stored.version, stored.created) == ("Curse of Strahd", 2, campaign.created)
    assert stored.updated == stored.last_activity > campaign.created


def test_a_stale_edit_is_refused_with_the_current_campaign(aws):
    campaign = create_campaign(sub=OWNER, name="Draft")
    edit(campaign, name="Saved in another tab")

    with pytest.raises(StaleEdit) as stale:
        edit(campaign, name="Would overwrite")

    assert (stale.value.current.name, stale.value.current.version) == ("Saved in another tab", 2)
    assert get_campaign(sub=OWNER, campaign_id=campaign.campaign_id).name == "Saved in another tab"
    # Retrying on top of what is stored now saves.
    edit(stale.value.current, name="Would overwrite")
    assert get_campaign(sub=OWNER, campaign_id=campaign.campaign_id).name == "Would overwrite"


def test_sessions_and_archiving_do_not_make_an_edit_stale(aws):
    campaign = create_campaign(sub=OWNER, name="Draft")
    create_session(sub=OWNER, campaign_id=campaign.campaign_id, title="Added while the form was open")
    set_campaign_archived(sub=OWNER, campaign_id=campaign.campaign_id, archived=True)

    saved = edit(campaign, name="Saved")  # still carries version 1

    assert (saved.name, saved.version, saved.session_count, saved.archived) == ("Saved", 2, 1, True)


# --- deleting: a resumable cascade ----------------------------------------------------------
def put_raw(item):
    aws_clients.client("dynamodb").put_item(
        TableName=settings.DYNAMODB_TABLE, Item={name: {"S": value} for name, value in item.items()}
    )


def add_share_link(sub, session, token_hash):
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


def add_summary(sub, session, kind, text):
    put_raw(
        {
            "PK": user_pk(sub),
            "SK": summary_sk(session.campaign_id, session.session_id, kind),
            "entity": "Summary",
            "kind": kind,
            "text": text,
        }
    )


def add_transcript(sub, session, name="transcript.json"):
    key = transcript_key(sub=sub, session_id=session.session_id, name=name)
    aws_clients.client("s3").put_object(Bucket=settings.TRANSCRIPT_BUCKET, Key=key, Body=b'{"segments": []}')
    return key


def all_items():
    return aws_clients.client("dynamodb").scan(TableName=settings.DYNAMODB_TABLE)["Items"]


def all_objects():
    listed = aws_clients.client("s3").list_objects_v2(Bucket=settings.TRANSCRIPT_BUCKET)
    return sorted(found["Key"] for found in listed.get("Contents", []))


@pytest.fixture
def doomed(aws):
    """A campaign with 5 sessions, each with a transcript, a summary and a share link, next
    to a campaign of the same user and one of another user that must survive."""
    doomed = create_campaign(sub=OWNER, name="Doomed")
    for number in range(5):
        session = create_session(sub=OWNER, campaign_id=doomed.campaign_id, title=f"Doomed {number}", number=number)
        add_transcript(OWNER, session)
        add_summary(OWNER, session, "recap", f"recap {number}")
        add_share_link(OWNER, session, f"{number:064x}")
    for sub, name in [(OWNER, "Kept"), (OTHER, "Theirs")]:
        kept = create_campaign(sub=sub, name=name)
        session = create_session(sub=sub, campaign_id=kept.campaign_id, title="Kept")
        add_transcript(sub, session)
        add_summary(sub, session, "recap", "kept")
        add_share_link(sub, session, f"{sub[:8]}".ljust(64, "f"))
    return doomed


def survivors():
    """The kinds of items left, but the usage counters (campaigns_site.usage), which stay."""
    return sorted(
        item["SK"]["S"].split("#")[0] + ("" if item["PK"]["S"].startswith("USER#") else " (public)")
        for item in all_items()
        if not item["SK"]["S"].startswith("USAGE#") and item["PK"]["S"] != "DIRECTORY"
    )


SURVIVORS = sorted(
    kind for _ in (OWNER, OTHER) for kind in ["CAMPAIGN", "SESSION", "SEARCH", "SUMMARY", "SHARELINK", "SHARE (public)"]
)


def test_delete_removes_everything_of_the_campaign_and_nothing_else(doomed, aws_calls):
    before = usage.stored_counters(sub=OWNER)
    with aws_calls() as calls:
        deleted = delete_campaign(sub=OWNER, campaign_id=doomed.campaign_id)

    assert (deleted.sessions, deleted.summaries, deleted.share_links, deleted.transcript_objects) == (5, 5, 5, 5)
    assert survivors() == SURVIVORS
    # Counted down with the cascade (the fixture put the summaries and links raw: uncounted).
    after = usage.stored_counters(sub=OWNER)
    moved = {name: after[name] - before[name] for name in usage.COUNTERS if after[name] != before[name]}
    assert moved == {"campaigns": -1, "sessions": -5, "summaries": -5, "share_links": -5}
    assert len(all_objects()) == 2
    assert get_campaign(sub=OWNER, campaign_id=doomed.campaign_id) is None
    assert names(list_campaigns_for_user(sub=OWNER)) == ["Kept"]
    assert list_campaigns_being_deleted(sub=OWNER).items == []
    assert calls.count("dynamodb", "Scan") == 0
    with pytest.raises(CampaignNotFound):
        delete_campaign(sub=OWNER, campaign_id=doomed.campaign_id)


class Interrupted(Exception):
    pass


def interrupt_at(prefix):
    def progress(line):
        if line.startswith(prefix):
            raise Interrupted(line)

    return progress


@pytest.mark.parametrize("step", ["campaign: marked", "share links", "summaries", "sessions", "campaign: deleted"])
def test_an_interrupted_delete_is_listed_and_a_rerun_finishes_it(doomed, monkeypatch, step):
    monkeypatch.setattr("sessions.core.campaign_deletion.SESSIONS_PER_STEP", 2)  # "sessions" stops after the first 2

    with pytest.raises(Interrupted):
        delete_campaign(sub=OWNER, campaign_id=doomed.campaign_id, progress=interrupt_at(step))

    if step != "campaign: deleted":
        # Out of the normal lists, refusing changes, and offered for finishing.
        assert names(list_campaigns_for_user(sub=OWNER)) == ["Kept"]
        assert get_campaign(sub=OWNER, campaign_id=doomed.campaign_id) is None
        assert names(list_campaigns_being_deleted(sub=OWNER)) == ["Doomed"]
        with pytest.raises(CampaignNotFound):
            create_session(sub=OWNER, campaign_id=doomed.campaign_id, title="Too late")
        with pytest.raises(CampaignNotFound):
            set_campaign_archived(sub=OWNER, campaign_id=doomed.campaign_id, archived=True)
        assert_no_object_without_its_session()
        delete_campaign(sub=OWNER, campaign_id=doomed.campaign_id)

    assert survivors() == SURVIVORS
    assert len(all_objects()) == 2
    assert list_campaigns_being_deleted(sub=OWNER).items == []


def test_a_delete_interrupted_between_objects_and_items_leaves_items_only(doomed, monkeypatch):
    def fail(**kwargs):
        raise Interrupted("DynamoDB went away")

    monkeypatch.setattr("sessions.core.campaign_deletion.delete_sessions_with_search_items", fail)
    with pytest.raises(Interrupted):
        delete_campaign(sub=OWNER, campaign_id=doomed.campaign_id)
    # The objects are gone, their sessions are not: items without objects are fine.
    assert len(all_objects()) == 2
    assert len(list_sessions_for_campaign(sub=OWNER, campaign_id=doomed.campaign_id).items) == 5

    monkeypatch.undo()
    delete_campaign(sub=OWNER, campaign_id=doomed.campaign_id)
    assert survivors() == SURVIVORS


def assert_no_object_without_its_session():
    sessions = {item["SK"]["S"].split("#")[2] for item in all_items() if item["SK"]["S"].startswith("SESSION#")}
    for key in all_objects():
        assert key.split("/")[2] in sessions, key


def test_the_cascade_keeps_the_deletion_start_time_when_resumed(doomed):
    with pytest.raises(Interrupted):
        delete_campaign(sub=OWNER, campaign_id=doomed.campaign_id, progress=interrupt_at("share links"))
    first = Campaign.get(user_pk(OWNER), doomed.sk).deleting_since

    with pytest.raises(Interrupted):
        delete_campaign(sub=OWNER, campaign_id=doomed.campaign_id, progress=interrupt_at("share links"))

    stored = Campaign.get(user_pk(OWNER), doomed.sk)
    assert stored.deleting_since == first
    assert stored.lsi1sk.startswith("CAMPAIGN#DELETING#")


def test_finish_deletions_command_completes_interrupted_deletes(doomed):
    theirs = create_campaign(sub=OTHER, name="Theirs too")
    for sub, campaign in [(OWNER, doomed), (OTHER, theirs)]:
        with pytest.raises(Interrupted):
            delete_campaign(sub=sub, campaign_id=campaign.campaign_id, progress=interrupt_at("share links"))
    out = io.StringIO()

    call_command("finish_deletions", "--sub", OTHER, stdout=out)
    assert list_campaigns_being_deleted(sub=OTHER).items == []
    assert names(list_campaigns_being_deleted(sub=OWNER)) == ["Doomed"]

    call_command("finish_deletions", stdout=out)
    assert list_campaigns_being_deleted(sub=OWNER).items == []
    assert survivors() == SURVIVORS
    assert "campaign: deleted" in out.getvalue()
