"""Searching all of a user's sessions (sessions/search/services.py): words, word starts, every word
at once, campaign and date filters, newest first, pages and cursors across sparse pages,
speaker names looked up at search time, snippets and highlights, only the user's own items,
and never a Scan."""

import re

import pytest

from campaigns.repository import create_campaign, mark_campaign_deleting, set_campaign_archived, update_campaign
from campaigns_site.pagination import InvalidCursor
from sessions.core.repository import create_session
from sessions.core.search_words import group_of
from sessions.core.segments import Segment
from sessions.core.text import MAX_WORDS, query_words, word_pieces
from sessions.search import index_reads, results
from sessions.search import services as search
from sessions.search.results import snippet_pieces
from sessions.search.services import NoWords, campaigns_for_search, search_sessions
from sessions.summaries.items import Summary
from sessions.summaries.repository import edit_summary
from sessions.transcripts.repository import save_speaker_names
from tests.transcript_samples import render_vtt
from tests.transcript_uploads import store_transcript

SUB = "user-1"
OTHER = "user-2"


@pytest.fixture
def strahd(aws):
    return create_campaign(sub=SUB, name="Curse of Strahd")


@pytest.fixture
def heist(aws):
    return create_campaign(sub=SUB, name="Dragon Heist")


def new_session(campaign, title, *, sub=SUB, played_on=None, number=None, notes="", lines=None):
    session = create_session(
        sub=sub, campaign_id=campaign.campaign_id, title=title, played_on=played_on, number=number, notes=notes
    )
    if lines:
        segments = [
            Segment(start=float(n), end=n + 1.0, speaker=speaker, text=text) for n, (speaker, text) in enumerate(lines)
        ]
        session = store_transcript(
            sub=sub,
            campaign_id=campaign.campaign_id,
            session_id=session.session_id,
            data=render_vtt(segments).encode(),
            filename="night.vtt",
        ).session
    return session


def found(text, sub=SUB, **options):
    return [result.title for result in search_sessions(sub=sub, text=text, **options).results]


def give_recap(session, text, sub=SUB):
    """A recap as a summary job would leave it, then edited by hand (which indexes it)."""
    Summary(
        f"USER#{sub}", f"SUMMARY#{session.campaign_id}#{session.session_id}#recap", kind="recap", text="placeholder"
    ).save()  # version 1
    edit_summary(
        sub=sub,
        campaign_id=session.campaign_id,
        session_id=session.session_id,
        kind="recap",
        expected_version=1,
        text=text,
    )


# --- the query's words ---------------------------------------------------------------------------
def test_query_words_are_normalised_distinct_and_capped():
    assert query_words("  The DRAGON, the dragon! Zoë a I ") == ["the", "dragon", "zoe"]
    assert query_words("one two three four five six seven eight nine ten") == query_words(
        "one two three four five six seven eight"
    )
    assert len(query_words(" ".join(f"w{n}" for n in range(20)))) == MAX_WORDS
    assert search.ignored_words(" ".join(f"w{n}" for n in range(10))) == 2
    assert query_words("a ! ?") == []


def test_a_text_without_words_is_refused_before_any_request(aws, aws_calls):
    with aws_calls() as calls, pytest.raises(NoWords):
        search_sessions(sub=SUB, text="a ? !")
    assert calls.operations() == []


# --- matching ---------------------------------------------------------------------------------------
def test_a_word_matches_the_start_of_a_word_in_any_part(strahd, heist):
    new_session(strahd, "The Dragon of Argynvostholt")
    new_session(strahd, "Notes only", notes="We met the ferryman at the river.")
    new_session(heist, "Transcript only", lines=[("SPEAKER_00", "The innkeeper of the Café du Dragon eyes you.")])

    assert sorted(found("drag")) == ["The Dragon of Argynvostholt", "Transcript only"]
    assert found("ferry") == ["Notes only"]
    assert found("CAFÉ") == ["Transcript only"] and found("cafe") == ["Transcript only"]
    assert found("ragon") == [] and found("erryman") == []  # not at the start of a word
    assert found("dragonfly") == []


def test_every_word_must_match_somewhere_in_the_session(strahd):
    new_session(strahd, "Dragon night", lines=[("SPEAKER_00", "We pay the ferryman.")])
    new_session(strahd, "Dragon day", notes="No boats today.")
    assert found("dragon ferryman") == ["Dragon night"]
    assert sorted(found("dragon")) == ["Dragon day", "Dragon night"]
    assert found("dragon ferryman boats") == []


def test_summaries_and_speaker_labels_are_searched(strahd):
    session = new_session(strahd, "Recapped", lines=[("xX_Drake_Xx", "Hello.")])
    give_recap(session, "The party bargains with Madam Eva for the tarokka reading.")
    assert found("tarokka") == ["Recapped"]
    assert found("drake") == ["Recapped"]  # a Discord name as the transcript labels it


def test_speaker_names_are_looked_up_at_search_time(strahd, heist, aws_calls):
    named = new_session(strahd, "Named", lines=[("SPEAKER_00", "I cast a spell."), ("SPEAKER_01", "Ok.")])
    new_session(heist, "Same label, another campaign", lines=[("SPEAKER_00", "I cast a spell.")])
    assert found("mira") == []

    save_speaker_names(
        sub=SUB,
        campaign_id=strahd.campaign_id,
        expected_version=0,
        names={"SPEAKER_00": {"player": "Ada", "character": "Mira Moonwhisper"}},
    )
    assert found("mira") == ["Named"]
    assert found("moon") == ["Named"] and found("ada") == ["Named"]
    result = search_sessions(sub=SUB, text="mira").results[0]
    assert result.fields == ["speakers"] and result.speakers == ["Mira Moonwhisper (Ada)"]

    # Renamed: the next search follows, with no search item rewritten.
    save_speaker_names(
        sub=SUB,
        campaign_id=strahd.campaign_id,
        expected_version=1,
        names={"SPEAKER_00": {"player": "Ada", "character": "Ireena"}},
    )
    assert found("mira") == [] and found("ireena") == [named.title]


def test_a_campaign_filter_keeps_to_that_campaign(strahd, heist):
    new_session(strahd, "Dragon in Barovia")
    new_session(heist, "Dragon in Waterdeep")
    assert found("dragon", campaign_id=heist.campaign_id) == ["Dragon in Waterdeep"]
    assert found("dragon", campaign_id=strahd.campaign_id) == ["Dragon in Barovia"]


def test_dates_played_limit_the_range_and_leave_undated_sessions_out(strahd):
    for day in ("2024-01-31", "2024-02-01", "2024-02-29", "2024-03-01"):
        new_session(strahd, f"Dragon {day}", played_on=day)
    new_session(strahd, "Dragon undated")
    assert found("dragon", played_from="2024-02-01", played_to="2024-02-29") == [
        "Dragon 2024-02-29",
        "Dragon 2024-02-01",
    ]
    assert found("dragon", played_from="2024-02-29") == ["Dragon 2024-03-01", "Dragon 2024-02-29"]
    assert found("dragon", played_to="2024-01-31") == ["Dragon 2024-01-31"]
    assert len(found("dragon")) == 5


def test_results_come_newest_first_by_date_then_number_then_creation(strahd, heist):
    new_session(strahd, "Dragon A", played_on="2024-01-01", number=1)
    new_session(heist, "Dragon B", played_on="2024-01-01", number=2)
    new_session(strahd, "Dragon C", played_on="2023-12-31", number=9)
    new_session(strahd, "Dragon D")
    new_session(heist, "Dragon E", played_on="2024-01-01", number=2)
    new_session(strahd, "Dragon F", played_on="2025-06-01")
    assert found("dragon") == ["Dragon F", "Dragon E", "Dragon B", "Dragon A", "Dragon C", "Dragon D"]


def test_an_edited_date_moves_the_result_in_the_order(strahd):
    from sessions.core.repository import update_session

    old = new_session(strahd, "Dragon old", played_on="2020-01-01")
    new_session(strahd, "Dragon new", played_on="2024-01-01")
    update_session(
        sub=SUB,
        campaign_id=strahd.campaign_id,
        session_id=old.session_id,
        expected_version=1,
        title="Dragon old",
        number=None,
        played_on="2025-01-01",
        notes="",
    )
    assert found("dragon") == ["Dragon old", "Dragon new"]


def test_archived_campaigns_are_searched_and_a_campaign_being_deleted_is_not(strahd, heist):
    new_session(strahd, "Dragon archived")
    new_session(heist, "Dragon going")
    set_campaign_archived(sub=SUB, campaign_id=strahd.campaign_id, archived=True)
    mark_campaign_deleting(sub=SUB, campaign_id=heist.campaign_id)
    assert found("dragon") == ["Dragon archived"]
    assert set(campaigns_for_search(sub=SUB)) == {strahd.campaign_id}


def test_a_renamed_campaign_shows_its_new_name(strahd):
    new_session(strahd, "Dragon")
    update_campaign(
        sub=SUB,
        campaign_id=strahd.campaign_id,
        expected_version=strahd.version,
        name="Curse of Strahd (revised)",
        description="",
        game_system="",
    )
    assert search_sessions(sub=SUB, text="dragon").results[0].campaign_name == "Curse of Strahd (revised)"


# --- only mine ------------------------------------------------------------------------------------------
def test_another_users_sessions_are_never_found(strahd):
    theirs = create_campaign(sub=OTHER, name="Their Dragons")
    new_session(theirs, "Their dragon", sub=OTHER, lines=[("SPEAKER_00", "dragon dragon")])
    save_speaker_names(
        sub=OTHER,
        campaign_id=theirs.campaign_id,
        expected_version=0,
        names={"SPEAKER_00": {"player": "Dragonmaster", "character": ""}},
    )
    new_session(strahd, "My dragon")
    assert found("dragon") == ["My dragon"]
    assert found("dragon", sub=OTHER) == ["Their dragon"]
    # Even naming their campaign in the filter finds nothing of theirs.
    assert found("dragon", campaign_id=theirs.campaign_id) == []


def test_a_cursor_works_only_for_its_user_and_its_query(strahd):
    for number in range(3):
        new_session(strahd, f"Dragon {number}", number=number)
    page = search_sessions(sub=SUB, text="dragon", limit=1)
    assert page.next_cursor
    with pytest.raises(InvalidCursor):
        search_sessions(sub=OTHER, text="dragon", limit=1, cursor=page.next_cursor)
    with pytest.raises(InvalidCursor):
        search_sessions(sub=SUB, text="dragons", limit=1, cursor=page.next_cursor)
    with pytest.raises(InvalidCursor):
        search_sessions(sub=SUB, text="dragon", campaign_id=strahd.campaign_id, limit=1, cursor=page.next_cursor)
    with pytest.raises(InvalidCursor):
        search_sessions(sub=SUB, text="dragon", limit=1, cursor=page.next_cursor[:-2] + "xx")
    search.check_cursor(sub=SUB, cursor=page.next_cursor, text="Dragon!")  # the same words: fine


# --- pages --------------------------------------------------------------------------------------------------
def test_pages_follow_each_other_across_sparse_query_pages(strahd, aws_calls):
    expected = []
    for day in range(1, 21):
        matching = day % 4 == 0
        title = f"{'Dragon' if matching else 'Quiet'} {day:02d}"
        new_session(strahd, title, played_on=f"2024-03-{day:02d}")
        if matching:
            expected.insert(0, title)
    assert len(expected) == 5

    seen, cursor, pages = [], None, 0
    while True:
        with aws_calls() as calls:
            page = search_sessions(sub=SUB, text="dragon", limit=2, page_size=3, cursor=cursor)
        pages += 1
        assert calls.count("dynamodb", "Scan") == 0
        # My campaigns, my speaker names, then as many Query pages of 3 items as it takes.
        assert calls.operations()[:2] == ["dynamodb.Query", "dynamodb.Query"]
        assert len(calls.operations()) == 2 + page.pages_read
        assert page.items_read <= 3 * page.pages_read
        seen += [result.title for result in page.results]
        cursor = page.next_cursor
        if not cursor:
            break
    assert seen == expected
    assert pages == 3


def test_a_full_last_page_may_be_followed_by_an_empty_one(strahd):
    new_session(strahd, "Dragon 1", number=1)
    new_session(strahd, "Quiet", number=0)
    page = search_sessions(sub=SUB, text="dragon", limit=1, page_size=1)
    assert [result.title for result in page.results] == ["Dragon 1"]
    if page.next_cursor:  # more items were in range: the next page reads them and finds none
        last = search_sessions(sub=SUB, text="dragon", limit=1, page_size=1, cursor=page.next_cursor)
        assert last.results == [] and last.next_cursor is None


def test_a_request_stops_after_max_pages_and_hands_back_a_cursor(strahd, monkeypatch):
    monkeypatch.setattr(search, "MAX_PAGES", 2)
    new_session(strahd, "Dragon oldest", played_on="2020-01-01")
    for day in range(1, 6):
        new_session(strahd, f"Quiet {day}", played_on=f"2024-01-0{day}")
    page = search_sessions(sub=SUB, text="dragon", page_size=1)
    assert page.results == [] and page.stopped_early and page.items_read >= 2
    titles = []
    while page.next_cursor:
        page = search_sessions(sub=SUB, text="dragon", page_size=1, cursor=page.next_cursor)
        titles += [result.title for result in page.results]
    assert titles == ["Dragon oldest"]


# --- what a result shows -------------------------------------------------------------------------------------
def test_a_result_says_where_the_words_are_with_snippets(strahd):
    session = new_session(
        strahd,
        "The Dragon Returns",
        played_on="2024-05-31",
        number=7,
        notes="Long before, " + "filler " * 30 + "the ferryman asked for two coins and a song.",
        lines=[("SPEAKER_00", "The lich is awake.")],
    )
    give_recap(session, "Previously: the party paid the ferryman and met a dragon.")

    result = search_sessions(sub=SUB, text="ferry dragon lich").results[0]
    assert (result.title, result.campaign_name, result.number, result.played_on) == (
        "The Dragon Returns",
        "Curse of Strahd",
        7,
        "2024-05-31",
    )
    assert result.fields == ["title", "notes", "summaries", "transcript"]
    assert result.title_pieces == [("The ", False), ("Dragon", True), (" Returns", False)]
    notes, recap = result.snippets
    assert notes.label == "Notes" and ("ferry", True) in notes.pieces and notes.pieces[0] == ("…", False)
    assert recap.label == "Recap" and ("ferry", True) in recap.pieces and ("dragon", True) in recap.pieces
    assert result.summary_kinds == ["Recap (previously on…)"]
    assert (notes.field, notes.kind, recap.field, recap.kind) == ("notes", None, "summaries", "recap")
    assert [(place.field, place.label, place.words) for place in result.places] == [
        ("title", "Title", ["dragon"]),
        ("notes", "Notes", ["ferry"]),
        ("summaries", "Recap (previously on…)", ["ferry", "dragon"]),
        ("transcript", "Transcript", ["lich"]),
    ]
    assert result.said_in_transcript and result.words == ["ferry", "dragon", "lich"]


def places(result):
    return [(place.field, place.label, place.words) for place in result.places]


def test_a_word_in_the_title_or_a_summary_is_said_to_be_in_the_transcript_too(strahd):
    # Issue 11: a word in a summary (or the title) and in the transcript said "Found in summaries" only.
    night = new_session(strahd, "Dragon night", lines=[("SPEAKER_00", "The ferryman saw a dragon!")])
    give_recap(night, "The party paid the ferryman.")
    new_session(strahd, "Dragon day", notes="No ferry today.")
    by_title = {result.title: result for result in search_sessions(sub=SUB, text="dragon").results}
    assert by_title["Dragon night"].fields == ["title", "transcript"] and by_title["Dragon night"].said_in_transcript
    assert by_title["Dragon day"].fields == ["title"] and not by_title["Dragon day"].said_in_transcript

    result = search_sessions(sub=SUB, text="ferryman").results[0]
    assert result.title == "Dragon night"
    assert result.fields == ["summaries", "transcript"]
    assert places(result) == [
        ("summaries", "Recap (previously on…)", ["ferryman"]),
        ("transcript", "Transcript", ["ferryman"]),
    ]


def test_words_in_different_places_each_say_where_they_are(strahd):
    session = new_session(
        strahd, "At the river", notes="The ferry sank.", lines=[("SPEAKER_00", "A dragon!"), ("SPEAKER_01", "Run.")]
    )
    save_speaker_names(
        sub=SUB,
        campaign_id=strahd.campaign_id,
        expected_version=0,
        names={"SPEAKER_00": {"player": "Ada", "character": "Mira"}},
    )
    give_recap(session, "Mira met the dragon by the river.")
    result = search_sessions(sub=SUB, text="mira dragon river ferry").results[0]
    assert result.fields == ["title", "notes", "summaries", "speakers", "transcript"]
    assert places(result) == [
        ("title", "Title", ["river"]),
        ("notes", "Notes", ["ferry"]),
        ("summaries", "Recap (previously on…)", ["mira", "dragon", "river"]),
        ("speakers", "Mira (Ada)", ["mira"]),
        ("transcript", "Transcript", ["dragon"]),
    ]
    assert [place.speaker for place in result.places if place.field == "speakers"] == ["SPEAKER_00"]
    assert [place.kind for place in result.places if place.field == "summaries"] == ["recap"]


def test_a_word_in_the_notes_as_well_as_the_title_is_said_to_be_in_both(strahd):
    new_session(strahd, "The dragon", notes="A dragon sleeps under the hill.")
    new_session(strahd, "The other dragon")
    by_title = {result.title: result for result in search_sessions(sub=SUB, text="dragon").results}
    assert by_title["The dragon"].fields == ["title", "notes"]
    assert by_title["The other dragon"].fields == ["title"]


def test_places_fold_case_and_accents_as_the_search_does(strahd):
    new_session(strahd, "ZOË returns", lines=[("SPEAKER_00", "Zoe, roll for initiative.")])
    result = search_sessions(sub=SUB, text="zoë").results[0]
    assert places(result) == [("title", "Title", ["zoe"]), ("transcript", "Transcript", ["zoe"])]
    assert result.title_pieces == [("ZOË", True), (" returns", False)]


def test_a_speaker_label_is_a_place_with_its_label(strahd):
    new_session(strahd, "Discord night", lines=[("xX_Drake_Xx", "Hello."), ("SPEAKER_01", "drake? hello")])
    result = search_sessions(sub=SUB, text="drake").results[0]
    assert places(result) == [("speakers", "xX_Drake_Xx", ["drake"]), ("transcript", "Transcript", ["drake"])]
    assert result.places[0].speaker == "xX_Drake_Xx"


def test_a_transcript_too_long_to_index_whole_may_hold_the_word(strahd, monkeypatch):
    from sessions.core import search_index

    monkeypatch.setitem(search_index.PART_BUDGETS, search_index.TRANSCRIPT_TERMS, 12)  # " alpha beta "
    new_session(strahd, "Dragon night", lines=[("SPEAKER_00", "alpha beta gamma dragon")])
    result = search_sessions(sub=SUB, text="dragon").results[0]
    assert result.fields == ["title"] and not result.said_in_transcript
    assert [(place.field, place.words, place.certain) for place in result.places] == [
        ("title", ["dragon"], True),
        ("transcript", ["dragon"], False),
    ]
    assert search_sessions(sub=SUB, text="alpha").results[0].places[-1].certain


def test_highlight_marks_word_starts_folding_case_and_accents():
    assert word_pieces("Dragons and a drag-queen; undragged", ["drag"]) == [
        ("Drag", True),
        ("ons and a ", False),
        ("drag", True),
        ("-queen; undragged", False),
    ]
    assert word_pieces("Zoë’s café", ["zoe", "cafe"]) == [("Zoë", True), ("’s ", False), ("café", True)]
    assert word_pieces("Zoe\u0308 waits", ["zoe"]) == [("Zoe\u0308", True), (" waits", False)]  # a combining accent
    assert word_pieces("Die Straße", ["strasse"]) == [("Die ", False), ("Straße", True)]
    assert word_pieces("<b>bold</b>", ["bold"]) == [("<b>", False), ("bold", True), ("</b>", False)]
    assert word_pieces("", ["x"]) == []


def test_a_snippet_is_a_window_around_the_first_match():
    text = " ".join(f"word{n}" for n in range(100)) + " the dragon sleeps " + " ".join(f"tail{n}" for n in range(100))
    pieces = snippet_pieces(text, ["dragon"])
    shown = "".join(part for part, _ in pieces)
    assert pieces[0] == ("…", False) and pieces[-1] == ("…", False)
    assert ("dragon", True) in pieces and len(shown) <= results.SNIPPET_WINDOW + 2
    assert snippet_pieces("nothing here", ["dragon"]) == []


# --- the requests ---------------------------------------------------------------------------------------
def test_many_named_speakers_are_all_looked_up_without_a_filter(strahd, aws_calls):
    names = {f"SPEAKER_{n:02d}": {"player": f"Dana{n}", "character": f"Darkling{n}"} for n in range(60)}
    save_speaker_names(sub=SUB, campaign_id=strahd.campaign_id, expected_version=0, names=names)
    new_session(strahd, "Crowded", lines=[(f"SPEAKER_{n:02d}", "hi") for n in range(60)])
    text = "da dar dark darkl darkli darklin darkling da1"
    with aws_calls() as calls:
        page = search_sessions(sub=SUB, text=text)
    assert page.results == [] or page.results[0].title == "Crowded"
    assert calls.count("dynamodb", "Scan") == 0
    # My campaigns, my speaker names, the heads, one Query per group of the words.
    assert calls.count("dynamodb", "Query") == 3 + len({group_of(word) for word in query_words(text)})


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"played_from": "2024-01-01"},
        {"played_to": "2024-12-31"},
        {"played_from": "2024-01-01", "played_to": "2024-12-31"},
    ],
)
def test_every_name_and_value_the_queries_carry_is_used(options):
    # Real DynamoDB refuses a request with an unused placeholder (moto lets it through).
    for query in [index_reads.heads_query("USER#x", **options), index_reads.group_query("USER#x", "07")]:
        expressions = query["KeyConditionExpression"]
        for placeholder in [*query["ExpressionAttributeNames"], *query["ExpressionAttributeValues"]]:
            assert re.search(re.escape(placeholder) + r"\b", expressions), placeholder
