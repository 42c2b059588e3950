"""A search of several words reads the likely rarest word's group with the heads and the
others' only for the sessions that one matched (sessions/search/services.py, issue 17):
what it finds, page by page, with every snippet and place, is what reading every group at
once finds (the design before), whichever path the second read takes."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaigns.repository import create_campaign
from sessions.core.repository import create_session
from sessions.core.search_words import group_of
from sessions.core.segments import Segment
from sessions.search import services as search
from sessions.transcripts.repository import save_speaker_names
from tests.transcript_samples import render_vtt
from tests.transcript_uploads import store_transcript

SUB = "user-1"
# Words in one group, in another, prefixes, and a name: some in most sessions, some in one.
WORDS = ["dragon", "drag", "dread", "ferryman", "ferry", "lich", "mists", "raven", "ravenloft", "mira", "ada", "zzz"]
LINES = [
    ("The dragon flew over the mists.", "The ferryman waited."),
    ("A dread lich rose.", "Ravens circled the dragon."),
    ("Ravenloft was quiet.", "Nothing about dragons here."),
    ("The ferry left at dawn.", "Mists again."),
    ("The lich and the dragon talked.", "The ferryman listened."),
    ("Dread, mists, ravens.", "A quiet evening."),
]


@pytest.fixture
def sessions_said(aws):
    campaign = create_campaign(sub=SUB, name="Strahd")
    save_speaker_names(
        sub=SUB,
        campaign_id=campaign.campaign_id,
        expected_version=0,
        names={"SPEAKER_01": {"player": "Ada", "character": "Mira"}},
    )
    for number, (first, second) in enumerate(LINES, start=1):
        session = create_session(
            sub=SUB,
            campaign_id=campaign.campaign_id,
            title=f"Night {number}" + (" of the dragon" if number % 3 == 0 else ""),
            number=number,
            notes="The ferryman's notes." if number % 2 else "",
        )
        segments = [
            Segment(start=0.0, end=1.0, speaker="SPEAKER_00", text=first),
            Segment(start=1.0, end=2.0, speaker="SPEAKER_01" if number % 2 else "SPEAKER_00", text=second),
        ]
        store_transcript(
            sub=SUB,
            campaign_id=campaign.campaign_id,
            session_id=session.session_id,
            data=render_vtt(segments).encode(),
            filename="night.vtt",
        )
    return campaign


def every_group_at_once(found_words):
    return {group_of(word) for word in found_words}


def all_pages(text, limit):
    pages, cursor = [], None
    while True:
        page = search.search_sessions(sub=SUB, text=text, limit=limit, cursor=cursor)
        pages.append(page.results)
        cursor = page.next_cursor
        if not cursor:
            return pages


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    words=st.lists(st.sampled_from(WORDS), min_size=2, max_size=4, unique=True),
    limit=st.sampled_from([1, 2, 20]),
    batch_keys=st.sampled_from([1, 3, 100]),  # 1: the later groups' whole Queries; 100: a BatchGetItem
)
def test_several_words_find_what_every_group_at_once_finds(sessions_said, monkeypatch, words, limit, batch_keys):
    text = " ".join(words)
    with monkeypatch.context() as patch:
        patch.setattr(search, "groups_read_first", every_group_at_once)
        expected = all_pages(text, limit)
    with monkeypatch.context() as patch:
        patch.setattr(search, "_BATCH_KEYS", batch_keys)
        assert all_pages(text, limit) == expected


def test_a_rare_word_with_a_common_one_reads_the_commons_items_of_its_sessions_only(sessions_said, aws_calls):
    with aws_calls() as calls:
        page = search.search_sessions(sub=SUB, text="dragon ferryman")
    assert [result.title for result in page.results] == ["Night 5", "Night 3 of the dragon", "Night 1"]
    # Campaigns, names, heads and ferryman's group at once; then dragon's items of those three
    # sessions with their snippets, in one BatchGetItem: two round trips.
    assert sorted(calls.operations()) == ["dynamodb.BatchGetItem"] + ["dynamodb.Query"] * 4
    assert page.round_trips == 2


def test_when_the_rarest_word_matches_nothing_the_others_are_not_read(sessions_said, aws_calls):
    with aws_calls() as calls:
        page = search.search_sessions(sub=SUB, text="dragon xylophonist")
    assert page.results == [] and page.round_trips == 1
    assert calls.operations() == ["dynamodb.Query"] * 4
