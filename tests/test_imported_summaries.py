"""Summaries imported from v1.0 (sessions/summaries/imported.py, what `manage.py import_v1`
calls): the item's fields, the conditional write (a re-run never overwrites), the session's
children_version, kinds kept under v1.0's names, a session without a transcript, edits
keeping Markdown, jobs refusing v1.0's own kinds, deletes taking them along, search."""

from datetime import UTC, datetime

import pytest

from campaigns_site.table import summary_sk, user_pk
from sessions.core.campaign_deletion import delete_campaign
from sessions.core.kinds import KINDS
from sessions.core.repository import SessionNotFound, create_session, delete_session, get_session
from sessions.core.search_whole import build_items, get_search_item
from sessions.search.services import search_sessions
from sessions.summaries.imported import (
    delete_summary,
    imported_summary,
    save_imported_summaries,
    save_imported_summary,
)
from sessions.summaries.items import IMPORTED_PROVIDER, MARKDOWN, kind_label
from sessions.summaries.jobs import checked_kinds, start_summary_job
from sessions.summaries.repository import (
    edit_summary,
    get_summary,
    list_recaps_in_play_order,
    list_summaries_for_session,
)
from tests.transcript_samples import sample_bytes
from tests.transcript_uploads import store_transcript

SUB = "user-1"
CREATED = datetime(2024, 3, 2, 5, 30, tzinfo=UTC)
# v1.0's kinds, as the importer maps them (docs/migration.md), and older ones kept as they are.
MAPPED = {"recap": "recap", "highlights": "key_events", "npcs": "npcs", "locations": "locations", "loot": "loot"}
MAPPED["quests"] = "open_threads"
OLDER = ["session_mood", "combat_log"]

pytestmark = [pytest.mark.campaign(sub=SUB, name="Dragon Heist"), pytest.mark.session(title="The Yawning Portal")]


def imported(session, kind, text="**Bold** move by *Zoë*.", **fields):
    return imported_summary(
        **{
            "sub": SUB,
            "campaign_id": session.campaign_id,
            "session_id": session.session_id,
            "kind": kind,
            "text": text,
            "model": "gpt-4o",
            "input_tokens": 1200,
            "output_tokens": 340,
            "created": CREATED,
            **fields,
        }
    )


def save(session, kind, text="**Bold** move by *Zoë*.", **fields):
    return save_imported_summary(summary=imported(session, kind, text, **fields))


def stored(session, kind):
    return get_summary(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id, kind=kind)


def listed(session):
    return list_summaries_for_session(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id)


def test_an_imported_summary_keeps_v1s_fields(session):
    summary = imported(session, "key_events")
    assert summary.sk == summary_sk(session.campaign_id, session.session_id, "key_events")
    assert summary.pk == user_pk(SUB)
    assert (summary.kind, summary.text, summary.text_format) == ("key_events", "**Bold** move by *Zoë*.", MARKDOWN)
    assert (summary.provider, summary.model, summary.input_tokens, summary.output_tokens) == (
        IMPORTED_PROVIDER,
        "gpt-4o",
        1200,
        340,
    )
    assert (summary.created, summary.updated, summary.edited, summary.version) == (CREATED, CREATED, False, 1)
    assert summary.is_imported and summary.is_markdown and summary.can_be_regenerated
    assert summary.source_sha256 is None and not summary.is_stale_for(session)
    assert summary.length_label == ""  # v1.0 had no lengths


def test_null_model_and_counts_are_empty_and_zero(session):
    summary = imported(session, "recap", model=None, input_tokens=None, output_tokens=None)
    assert (summary.model, summary.input_tokens, summary.output_tokens) == ("", 0, 0)


def test_plain_text_may_be_imported_too(session):
    assert imported(session, "recap", text_format=None).text_format is None
    with pytest.raises(ValueError):
        imported(session, "recap", text_format="html")


@pytest.mark.parametrize("kind", ["story_so_far", "a#b", "session mood", "", "x" * 65, "über"])
def test_a_kind_no_key_can_hold_is_refused(session, kind):
    with pytest.raises(ValueError):
        imported(session, kind)


def test_text_past_the_caps_is_cut_at_a_line_as_a_jobs_is(session):
    summary = imported(session, "recap", text="- a line\n" * 5_000)
    assert len(summary.text) <= 20_000 and summary.text.endswith("…")


def test_every_mapped_and_older_kind_is_saved_and_listed_after_the_known_kinds(session):
    for kind in [*OLDER, *MAPPED.values()]:
        assert save(session, kind, text=f"The {kind}.") is True
    found = listed(session)
    assert [summary.kind for summary in found] == [*KINDS, "combat_log", "session_mood"]
    assert [summary.kind_label for summary in found][-2:] == ["Combat log", "Session mood"]
    assert all(summary.is_imported and summary.version == 1 for summary in found)
    session = get_session(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id)
    assert session.children_version == len(found)  # each write is a child write
    assert session.other_summary_kinds == {"session_mood", "combat_log"}  # for the share page's reads


def test_kind_labels_read_as_words():
    assert kind_label("session_mood") == "Session mood"
    assert kind_label("NPC-list") == "NPC list"
    assert kind_label("highlights") == "Highlights"
    assert kind_label("open_threads") == KINDS["open_threads"]


def test_a_rerun_never_overwrites(session):
    assert save(session, "recap", text="First.") is True
    assert save(session, "recap", text="Second.") is False
    assert save(session, "session_mood", text="Grim.") is True
    assert save(session, "session_mood", text="Merry.") is False
    assert stored(session, "recap").text == "First."
    assert stored(session, "session_mood").text == "Grim."
    edit_summary(
        sub=SUB,
        campaign_id=session.campaign_id,
        session_id=session.session_id,
        kind="recap",
        expected_version=1,
        text="Mine.",
    )
    assert save(session, "recap", text="Third.") is False  # a hand edit since is kept too
    assert stored(session, "recap").text == "Mine."


def test_a_session_that_is_not_there_is_refused_and_nothing_is_written(session):
    delete_session(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id)
    with pytest.raises(SessionNotFound):
        save(session, "recap")
    assert stored(session, "recap") is None


def test_a_session_without_a_transcript_has_its_summaries(session):
    assert not session.has_transcript
    assert save(session, "recap") and save(session, "combat_log")
    assert [summary.kind for summary in listed(session)] == ["recap", "combat_log"]
    assert list_recaps_in_play_order(sub=SUB, campaign_id=session.campaign_id)[0][1].text == "**Bold** move by *Zoë*."


def test_a_hand_edit_keeps_markdown_and_works_for_v1s_own_kinds(session):
    save(session, "recap")
    save(session, "session_mood", text="*Grim*")
    for kind in ("recap", "session_mood"):
        edited = edit_summary(
            sub=SUB,
            campaign_id=session.campaign_id,
            session_id=session.session_id,
            kind=kind,
            expected_version=1,
            text="# Still **Markdown**",
        )
        assert (edited.text, edited.text_format, edited.edited, edited.version) == (
            "# Still **Markdown**",
            MARKDOWN,
            True,
            2,
        )
        assert edited.provider == IMPORTED_PROVIDER


def test_jobs_still_refuse_v1s_own_kinds(session):
    with pytest.raises(ValueError):
        checked_kinds(["recap", "session_mood"])
    store_transcript(
        sub=SUB,
        campaign_id=session.campaign_id,
        session_id=session.session_id,
        data=sample_bytes("vtt", hours=0.1),
        filename="x.vtt",
    )
    with pytest.raises(ValueError):
        start_summary_job(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id, kinds=["combat_log"])


def test_deleting_the_session_or_the_campaign_takes_them_along(campaign, session):
    save(session, "recap")
    save(session, "session_mood")
    delete_session(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id)
    assert listed(session) == []

    other = create_session(sub=SUB, campaign_id=campaign.campaign_id, title="Another")
    save(other, "combat_log")
    delete_campaign(sub=SUB, campaign_id=campaign.campaign_id)
    assert listed(other) == []


def test_known_kinds_are_searchable_by_their_words(session):
    save(session, "recap", text="The **gelatinous** cube.")
    save(session, "npcs", text="- Durnan, *innkeeper*")
    item = get_search_item(sub=SUB, session_id=session.session_id)
    assert "gelatinous" in item.summary_recap and "innkeeper" in item.summary_npcs
    assert [result.title for result in search_sessions(sub=SUB, text="innkeeper").results] == ["The Yawning Portal"]


def test_v1s_own_kinds_are_searchable_together_and_an_edit_replaces_their_words(session):
    save(session, "session_mood", text="A *grim* evening.")
    save(session, "combat_log", text="The **ghoul** hits.")
    assert save(session, "combat_log", text="The wraith misses.") is False  # a re-run writes no words either
    item = get_search_item(sub=SUB, session_id=session.session_id)
    assert "grim" in item.summary_other and "ghoul" in item.summary_other and "wraith" not in item.summary_other
    found = search_sessions(sub=SUB, text="ghoul").results
    assert [result.title for result in found] == ["The Yawning Portal"]
    assert found[0].summary_kinds == ["Other summaries"]
    edit_summary(
        sub=SUB,
        campaign_id=session.campaign_id,
        session_id=session.session_id,
        kind="combat_log",
        expected_version=1,
        text="The **wight** flees.",
    )
    item = get_search_item(sub=SUB, session_id=session.session_id)
    assert "wight" in item.summary_other and "grim" in item.summary_other and "ghoul" not in item.summary_other
    assert search_sessions(sub=SUB, text="ghoul").results == []


def test_a_deleted_summary_takes_its_words_out_of_search(session):
    save(session, "recap", text="The **gelatinous** cube.")
    save(session, "session_mood", text="A *grim* evening.")
    save(session, "combat_log", text="The **ghoul** hits.")
    for kind in ("recap", "combat_log"):
        assert delete_summary(stored(session, kind)) is True
    assert search_sessions(sub=SUB, text="gelatinous").results == []
    assert search_sessions(sub=SUB, text="ghoul").results == []
    assert [result.title for result in search_sessions(sub=SUB, text="grim").results] == ["The Yawning Portal"]
    item = get_search_item(sub=SUB, session_id=session.session_id)
    assert not item.summary_recap and not item.recap_snippet and "ghoul" not in (item.summary_other or "")


def test_a_summary_whose_session_is_gone_is_still_deleted(session):
    save(session, "recap", text="The **gelatinous** cube.")
    summary = stored(session, "recap")
    delete_session(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id)
    summary.save(add_version_condition=False)  # left behind: a sync pass that read it before would find it
    assert delete_summary(summary) is True
    assert stored(session, "recap") is None and delete_summary(summary) is False
    assert get_search_item(sub=SUB, session_id=session.session_id) is None


def test_a_rebuilt_search_item_has_the_same_words(session):
    save(session, "recap", text="The **gelatinous** cube.")
    save(session, "session_mood", text="A *grim* evening.")
    session = get_session(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id)
    rebuilt = build_items(session=session, summaries=listed(session))
    stored = get_search_item(sub=SUB, session_id=session.session_id)
    assert (rebuilt.terms("summary_recap"), rebuilt.terms("summary_other")) == (
        stored.summary_recap,
        stored.summary_other,
    )


def test_the_text_is_kept_byte_for_byte(session):
    text = "  Line one  \r\nline two\t\n\n- item  \n"  # Markdown: two trailing spaces are a line break
    assert imported(session, "recap", text=text).text == text


def test_several_summaries_of_a_session_are_saved_in_one_request(session, aws_calls):
    items = [imported(session, kind, text=f"The {kind} text.") for kind in ("recap", "key_events", "session_mood")]
    with aws_calls() as calls:
        assert save_imported_summaries(summaries=items)
    assert calls.operations() == ["dynamodb.Query", "dynamodb.TransactWriteItems"]  # the Query: v1.0's own kind
    assert [summary.kind for summary in listed(session)] == ["recap", "key_events", "session_mood"]
    assert search_sessions(sub=SUB, text="mood").results  # their words are in the search item
    assert not save_imported_summaries(summaries=items[:1])  # there already: nothing written, one by one then
    assert not save_imported_summaries(summaries=[items[0], imported(session, "recap")])  # two of one kind
