"""Summary items (sessions/summaries/repository.py): reads, hand edits, size caps, staleness, the story so far."""

from decimal import Decimal

import pytest

from campaigns.repository import CampaignNotFound, create_campaign
from campaigns_site.errors import StaleEdit
from campaigns_site.table import story_summary_sk, summary_sk, user_pk
from campaigns_site.transactions import Transaction
from sessions.core.campaign_deletion import delete_campaign
from sessions.core.kinds import KINDS, STORY_SO_FAR
from sessions.core.repository import SessionNotFound, create_session, delete_session, get_session
from sessions.summaries.items import (
    MAX_SUMMARY_BYTES,
    MAX_SUMMARY_CHARS,
    Summary,
    SummaryTextInvalid,
    clean_summary_text,
    fit_summary_text,
)
from sessions.summaries.jobs import start_story_job, start_summary_job
from sessions.summaries.repository import (
    SummaryNotFound,
    edit_story_so_far,
    edit_summary,
    generated_summary,
    get_story_so_far,
    get_summary,
    list_recaps_in_play_order,
    list_summaries_for_session,
    story_is_stale,
    story_sources_sha256,
)
from sessions.summaries.summarizers.base import SummaryResult
from tests.transcript_samples import sample_bytes
from tests.transcript_uploads import store_transcript

SUB = "user-1"


pytestmark = [
    pytest.mark.campaign(sub=SUB, name="Dragon Heist"),
    pytest.mark.session(title="The Yawning Portal", transcript=sample_bytes("vtt", hours=0.2), filename="x.vtt"),
]


def new_session(campaign, title="The Yawning Portal", **fields):
    session = create_session(sub=SUB, campaign_id=campaign.campaign_id, title=title, **fields)
    store_transcript(
        sub=SUB,
        campaign_id=campaign.campaign_id,
        session_id=session.session_id,
        data=sample_bytes("vtt", hours=0.2),
        filename="x.vtt",
    )
    return get_session(sub=SUB, campaign_id=campaign.campaign_id, session_id=session.session_id)


def summarize(session, kinds=tuple(KINDS), **options):
    start_summary_job(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id, kinds=kinds, **options)
    return {
        s.kind: s
        for s in list_summaries_for_session(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id)
    }


def edit(session, kind, text, version):
    return edit_summary(
        sub=SUB,
        campaign_id=session.campaign_id,
        session_id=session.session_id,
        kind=kind,
        expected_version=version,
        text=text,
    )


# --- reads ---------------------------------------------------------------------------------------
def test_a_sessions_summaries_are_one_consistent_query_in_kinds_order(campaign, session, aws_calls):
    summarize(session, kinds=["open_threads", "recap", "loot"])
    summarize(new_session(campaign), kinds=["recap"])  # another session's

    with aws_calls() as calls:
        found = list_summaries_for_session(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id)

    assert [s.kind for s in found] == ["recap", "loot", "open_threads"]
    assert calls.operations() == ["dynamodb.Query"]
    assert all(s.session_id == session.session_id and s.campaign_id == campaign.campaign_id for s in found)
    assert [s.kind_label for s in found] == [KINDS["recap"], KINDS["loot"], KINDS["open_threads"]]


def test_get_summary_finds_one_kind_or_none(session):
    summarize(session, kinds=["npcs"])

    assert (
        get_summary(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id, kind="npcs").kind == "npcs"
    )
    assert get_summary(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id, kind="loot") is None
    assert (
        get_summary(sub="someone-else", campaign_id=session.campaign_id, session_id=session.session_id, kind="npcs")
        is None
    )
    # A kind of v1.0's own may be stored (tests/test_imported_summaries.py); one no key can hold may not.
    assert get_summary(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id, kind="gossip") is None
    for impossible in ("story_so_far", "a#b", "x" * 65):
        with pytest.raises(ValueError):
            get_summary(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id, kind=impossible)


def test_a_generated_summary_keeps_its_figures_exactly(aws):
    result = SummaryResult(
        text="- one\n- two",
        kind="loot",
        length="brief",
        provider="bedrock",
        model="nova",
        input_tokens=12345,
        output_tokens=678,
        estimated_cost_usd=Decimal("0.000904"),
    )
    item = generated_summary(
        sub=SUB, campaign_id="C1", session_id="S1", result=result, version=1, source_sha256="ab" * 32
    )
    transaction = Transaction()
    transaction.put(item)  # as a job writes it: the version as given
    transaction.commit()

    stored = Summary.get(user_pk(SUB), summary_sk("C1", "S1", "loot"))
    assert (stored.text, stored.kind, stored.length, stored.provider, stored.model) == (
        "- one\n- two",
        "loot",
        "brief",
        "bedrock",
        "nova",
    )
    assert (stored.input_tokens, stored.output_tokens, stored.total_tokens) == (12345, 678, 13023)
    assert stored.estimated_cost_usd == Decimal("0.000904") and isinstance(stored.estimated_cost_usd, Decimal)
    assert stored.tokens_estimated is False and stored.edited is False
    assert stored.length_label == "Brief" and stored.version == 1


# --- hand edits -----------------------------------------------------------------------------------
def test_an_edit_replaces_the_text_marks_it_and_counts_as_a_child_write(session, aws_calls):
    recap = summarize(session, kinds=["recap"])["recap"]
    before = get_session(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id)

    with aws_calls() as calls:
        edited = edit(session, "recap", "  Mira found the map.\r\n- And lost it.  \n", recap.version)

    assert calls.operations() == ["dynamodb.TransactWriteItems", "dynamodb.GetItem"]
    assert edited.text == "Mira found the map.\n- And lost it."
    assert edited.edited is True and edited.version == recap.version + 1
    assert edited.updated > recap.updated and edited.created == recap.created
    assert (edited.provider, edited.model) == (recap.provider, recap.model)  # what made it first
    after = get_session(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id)
    assert after.children_version == before.children_version + 1
    assert after.version == before.version  # an open edit form of the session stays valid


def test_a_stale_edit_is_refused_with_the_stored_summary(session):
    recap = summarize(session, kinds=["recap"])["recap"]
    edit(session, "recap", "First tab", recap.version)

    with pytest.raises(StaleEdit) as refused:
        edit(session, "recap", "Second tab", recap.version)

    assert refused.value.current.text == "First tab"
    assert (
        get_summary(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id, kind="recap").text
        == "First tab"
    )


def test_editing_a_missing_summary_or_session(session):
    with pytest.raises(SummaryNotFound):
        edit(session, "loot", "Nothing", 1)
    recap = summarize(session, kinds=["recap"])["recap"]
    delete_session(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id)

    with pytest.raises(SummaryNotFound):  # a NotFound: the view answers 404
        edit(session, "recap", "Too late", recap.version)
    assert list_summaries_for_session(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id) == []


def test_an_edit_for_a_summary_whose_session_went_writes_nothing(session, campaign):
    """The summary written under a session that is gone (say, a crash in a delete) is
    never brought back to life: the session's condition refuses the write."""
    recap = summarize(session, kinds=["recap"])["recap"]
    transaction = Transaction()
    transaction.delete(session.pk, session.sk)  # the session only, its summary left behind
    transaction.commit()

    with pytest.raises(SessionNotFound):
        edit(session, "recap", "Orphan", recap.version)
    assert (
        get_summary(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id, kind="recap").text
        == recap.text
    )


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "cannot be empty"),
        (" \n\t\n ", "cannot be empty"),
        ("x" * (MAX_SUMMARY_CHARS + 1), "up to 20,000 characters"),
        ("🐉" * (MAX_SUMMARY_BYTES // 4 + 1), "too large to store"),
    ],
)
def test_edited_text_must_fit_the_item(session, text, message):
    recap = summarize(session, kinds=["recap"])["recap"]

    with pytest.raises(SummaryTextInvalid, match=message):
        edit(session, "recap", text, recap.version)
    assert (
        get_summary(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id, kind="recap").version
        == recap.version
    )


def test_the_largest_text_allowed_fits_the_item_budget(session):
    recap = summarize(session, kinds=["recap"])["recap"]
    longest = "🐉" * (MAX_SUMMARY_BYTES // 4)
    assert clean_summary_text(longest) == longest

    edit(session, "recap", longest, recap.version)

    from django.conf import settings

    from campaigns_site import aws

    item = aws.client("dynamodb").get_item(
        TableName=settings.DYNAMODB_TABLE,
        Key={"PK": {"S": user_pk(SUB)}, "SK": {"S": summary_sk(session.campaign_id, session.session_id, "recap")}},
    )["Item"]
    size = sum(len(name.encode()) + len(str(value).encode()) for name, value in item.items())
    assert size < 64 * 1024


def test_generated_text_past_the_caps_is_cut_at_a_line():
    lines = [f"- line {number} {'é' * 40}" for number in range(2000)]
    fitted = fit_summary_text("\n".join(lines))

    assert len(fitted) <= MAX_SUMMARY_CHARS and len(fitted.encode()) <= MAX_SUMMARY_BYTES
    assert fitted.endswith("\n…")
    assert fitted.splitlines()[:-1] == lines[: len(fitted.splitlines()) - 1]
    one_line = fit_summary_text("🐉" * 30_000)
    assert len(one_line.encode()) <= MAX_SUMMARY_BYTES and one_line.endswith("…")
    assert fit_summary_text("  short\r\n") == "short"


# --- staleness -------------------------------------------------------------------------------------
def test_a_summary_is_stale_once_the_transcript_changes(session):
    recap = summarize(session, kinds=["recap"])["recap"]
    assert recap.source_sha256 == session.transcript_sha256
    assert not recap.is_stale_for(session)

    store_transcript(
        sub=SUB,
        campaign_id=session.campaign_id,
        session_id=session.session_id,
        data=sample_bytes("vtt", hours=0.1, seed=7),
        filename="y.vtt",
    )
    replaced = get_session(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id)

    assert recap.is_stale_for(replaced)


# --- the story so far ------------------------------------------------------------------------------
def test_recaps_in_play_order_oldest_first_with_the_sessions_without_one(campaign, aws_calls):
    second = new_session(campaign, title="Second", played_on="2024-02-01")
    first = new_session(campaign, title="First", played_on="2024-01-01")
    third = create_session(sub=SUB, campaign_id=campaign.campaign_id, title="Third", played_on="2024-03-01")
    summarize(second, kinds=["recap", "loot"])
    summarize(first, kinds=["npcs"])
    start_story_job(sub=SUB, campaign_id=campaign.campaign_id)

    with aws_calls() as calls:
        pairs = list_recaps_in_play_order(sub=SUB, campaign_id=campaign.campaign_id)

    assert [(s.title, r.kind if r else None) for s, r in pairs] == [
        ("First", None),
        ("Second", "recap"),
        ("Third", None),
    ]
    assert calls.operations() == ["dynamodb.Query", "dynamodb.Query"]
    assert third.session_id in [s.session_id for s, _ in pairs]


def test_the_story_is_stored_with_the_campaigns_summaries_and_goes_with_the_campaign(campaign):
    session = new_session(campaign)
    summarize(session, kinds=["recap"])
    start_story_job(sub=SUB, campaign_id=campaign.campaign_id)

    story = get_story_so_far(sub=SUB, campaign_id=campaign.campaign_id)
    assert story.sk == story_summary_sk(campaign.campaign_id) == f"SUMMARY#{campaign.campaign_id}#STORY#story_so_far"
    assert (story.kind, story.is_story, story.session_id, story.kind_label) == (
        STORY_SO_FAR,
        True,
        None,
        "The story so far",
    )
    assert story.source_count == 1
    # Never one of a session's summaries:
    assert [
        s.kind
        for s in list_summaries_for_session(sub=SUB, campaign_id=campaign.campaign_id, session_id=session.session_id)
    ] == ["recap"]

    delete_campaign(sub=SUB, campaign_id=campaign.campaign_id)
    assert get_story_so_far(sub=SUB, campaign_id=campaign.campaign_id) is None


def test_the_story_is_stale_when_a_recap_changes(campaign):
    session = new_session(campaign)
    recap = summarize(session, kinds=["recap"])["recap"]
    start_story_job(sub=SUB, campaign_id=campaign.campaign_id)
    story = get_story_so_far(sub=SUB, campaign_id=campaign.campaign_id)
    pairs = list_recaps_in_play_order(sub=SUB, campaign_id=campaign.campaign_id)
    assert story.source_sha256 == story_sources_sha256(pairs)
    assert not story_is_stale(story, pairs)
    assert not story_is_stale(None, pairs)

    edit(session, "recap", "Something else happened.", recap.version)

    assert story_is_stale(story, list_recaps_in_play_order(sub=SUB, campaign_id=campaign.campaign_id))


def test_editing_the_story(campaign):
    summarize(new_session(campaign), kinds=["recap"])
    start_story_job(sub=SUB, campaign_id=campaign.campaign_id)
    story = get_story_so_far(sub=SUB, campaign_id=campaign.campaign_id)

    edited = edit_story_so_far(
        sub=SUB, campaign_id=campaign.campaign_id, expected_version=story.version, text="It began in Waterdeep."
    )

    assert (edited.text, edited.edited, edited.version) == ("It began in Waterdeep.", True, story.version + 1)
    with pytest.raises(StaleEdit):
        edit_story_so_far(sub=SUB, campaign_id=campaign.campaign_id, expected_version=story.version, text="Again")
    with pytest.raises(SummaryTextInvalid):
        edit_story_so_far(sub=SUB, campaign_id=campaign.campaign_id, expected_version=edited.version, text="")
    other = create_campaign(sub=SUB, name="No story")
    with pytest.raises(SummaryNotFound):
        edit_story_so_far(sub=SUB, campaign_id=other.campaign_id, expected_version=1, text="Nothing")
    with pytest.raises(CampaignNotFound):
        edit_story_so_far(sub="someone-else", campaign_id=campaign.campaign_id, expected_version=1, text="Theirs")


def test_a_summary_item_without_newer_attributes_still_reads(session):
    """Items written before an attribute existed (as the repository tests put them) load."""
    from django.conf import settings

    from campaigns_site import aws

    aws.client("dynamodb").put_item(
        TableName=settings.DYNAMODB_TABLE,
        Item={
            "PK": {"S": user_pk(SUB)},
            "SK": {"S": summary_sk(session.campaign_id, session.session_id, "loot")},
            "entity": {"S": "Summary"},
            "kind": {"S": "loot"},
            "text": {"S": "A +1 sword"},
        },
    )

    (loot,) = list_summaries_for_session(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id)
    assert (loot.text, loot.estimated_cost_usd, loot.edited, loot.is_stale_for(session)) == (
        "A +1 sword",
        Decimal(0),
        False,
        False,
    )
    assert loot.created is None
