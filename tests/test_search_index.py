"""The search index (sessions/core/search_index.py): words and terms, the items' sizes, and every
change that keeps it right (create, edit, transcript attach and delete, summary jobs and
edits, move, delete, the campaign's cascade), each in the change's own transaction."""

import random
from datetime import UTC

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from campaigns.repository import create_campaign
from campaigns_site import aws
from campaigns_site.table_keys import search_order_key, search_sk
from campaigns_site.transactions import Transaction, TransactionCanceled
from devtools import dynamodb_sizes
from sessions.core import search_index, search_words
from sessions.core.campaign_deletion import delete_campaign
from sessions.core.kinds import KINDS
from sessions.core.repository import create_session, delete_session, get_session, move_session, update_session
from sessions.core.search_index import PART_BUDGETS, SearchItem
from sessions.core.search_terms import SNIPPET_CHARS, has_word_starting, snippet, terms
from sessions.core.search_whole import build_items, get_search_item
from sessions.core.segments import Segment
from sessions.core.text import MAX_WORD_CHARS, words
from sessions.search.rebuild import refresh_search_item
from sessions.summaries.jobs import start_summary_job
from sessions.summaries.repository import edit_summary, list_summaries_for_session
from sessions.transcripts.repository import save_speaker_names
from sessions.transcripts.services import delete_transcript
from tests.transcript_samples import render_vtt, sample_bytes
from tests.transcript_uploads import store_transcript

SUB = "user-1"
ITEM_BUDGET = 64 * 1024  # docs/data-model.md, rule 8

LINES = [
    Segment(start=1.0, end=3.0, speaker="SPEAKER_00", text="Welcome back to the Café du Dragon."),
    Segment(start=3.0, end=6.0, speaker="xX_Drake_Xx", text="I whisper to the ferryman, very gently."),
    Segment(start=6.0, end=9.0, speaker="SPEAKER_00", text="Zoë rolls a natural twenty!"),
]


pytestmark = [
    pytest.mark.campaign(sub=SUB, name="Dragon Heist"),
    pytest.mark.session(
        title="The Yawning Portal", number=3, played_on="2024-05-31", notes="Volo hires the party. The stirges bite."
    ),
]


def item_of(session):
    return get_search_item(sub=SUB, session_id=session.session_id)


def spoken_lines():
    """A quarter of an hour of English, enough for the offline summarizer."""
    return [
        Segment(start=float(n), end=n + 1.0, speaker="SPEAKER_00", text=line)
        for n, line in enumerate(sample_bytes("text", hours=0.2).decode().splitlines())
    ]


def attach(session, segments=LINES):
    return store_transcript(
        sub=SUB,
        campaign_id=session.campaign_id,
        session_id=session.session_id,
        data=render_vtt(segments).encode(),
        filename="night.vtt",
    ).session


def partition_kinds():
    items = aws.client("dynamodb").query(
        TableName=settings.DYNAMODB_TABLE,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"USER#{SUB}"}},
    )["Items"]
    return sorted(item["SK"]["S"] for item in items)


def item_size(item):
    return dynamodb_sizes.item_size(item.serialize())


# --- words and terms -----------------------------------------------------------------------
def test_words_are_folded_and_split_at_anything_that_is_not_a_letter_or_digit():
    assert words("Café du DRAGON, Zoë's ﬁre-bolt! SPEAKER_00 Ærøskøbing 37gp") == [
        "cafe",
        "du",
        "dragon",
        "zoe",
        "s",
        "fire",
        "bolt",
        "speaker",
        "00",
        "ærøskøbing",
        "37gp",
    ]
    assert words("Straße naïve") == ["strasse", "naive"]
    assert words("x" * 100) == ["x" * MAX_WORD_CHARS]
    assert words("🎲 <script>alert(1)</script>") == ["script", "alert", "1", "script"]
    assert words("") == [] and words(None) == []


def test_terms_are_distinct_words_between_spaces_without_prefixes_of_other_words():
    found = terms(["The dragon, the DRAG queen", "drag dragons and a ferryman"], budget=1000)
    assert found.text == " the queen dragons and ferryman "
    assert found.complete
    for word in ("drag", "dragon", "dragons", "ferry", "the", "a"):
        assert has_word_starting(found.text, word)
    for word in ("ragon", "erryman", "dragonfly"):
        assert not has_word_starting(found.text, word)
    assert terms([""], budget=100).text == ""


def test_terms_past_the_budget_keep_words_in_order_of_first_appearance():
    text = " ".join(f"w{number:04d}" for number in range(1000))
    found = terms([text], budget=100)
    assert not found.complete
    assert len(found.text.encode()) <= 100
    assert found.text.split() == [f"w{number:04d}" for number in range(len(found.text.split()))]


def test_the_order_key_reads_newest_first_and_undated_last():
    keys = [
        search_order_key(played_on=None, number=None, session_id="01A"),
        search_order_key(played_on="2024-01-02", number=None, session_id="01B"),
        search_order_key(played_on="2024-01-02", number=2, session_id="01C"),
        search_order_key(played_on="2024-01-02", number=10, session_id="01D"),
        search_order_key(played_on="2025-03-04", number=1, session_id="01E"),
    ]
    assert sorted(keys) == keys
    assert keys[2] == "SEARCH#2024-01-02#0000000002#01C"


def test_a_key_part_cannot_reach_into_another_key():
    with pytest.raises(ValueError):
        search_sk("01A#SESSION")


# --- size -----------------------------------------------------------------------------------
def four_byte_words(count, rng):
    """Distinct words of letters that take four bytes each in UTF-8 (Gothic)."""
    letters = [chr(code) for code in range(0x10330, 0x1034A)]
    found = set()
    while len(found) < count:
        found.add("".join(rng.choice(letters) for _ in range(rng.randint(3, 9))))
    return sorted(found)


def test_an_item_with_every_part_full_of_four_byte_letters_stays_under_64_kb(campaign):
    rng = random.Random(7)
    vocabulary = four_byte_words(20_000, rng)
    text = " ".join(vocabulary)
    session = create_session(
        sub=SUB,
        campaign_id=campaign.campaign_id,
        title="𐌰" * 200,
        number=9_999_999_999,
        played_on="2024-05-31",
        notes=text[:20_000],
    )

    class Summary:
        def __init__(self, kind):
            self.kind, self.text = kind, " ".join(rng.sample(vocabulary, 5_000))

    labels = [" ".join(vocabulary[number * 5 : number * 5 + 4])[:100] for number in range(40)]  # ~100 bytes each
    segments = [
        Segment(start=None, end=None, speaker=labels[number], text=" ".join(vocabulary[number::40]))
        for number in range(40)
    ]
    index = build_items(
        session=get_session(sub=SUB, campaign_id=campaign.campaign_id, session_id=session.session_id),
        summaries=[Summary(kind) for kind in [*KINDS, "session_mood"]],  # and one of v1.0's own kinds
        segments=segments,
    )

    for attribute, budget in PART_BUDGETS.items():
        if attribute == "speaker_labels":
            value = index.head.speaker_labels
            size = sum(len(label.encode()) + 3 for label in value)
        else:
            joined = search_words.join_terms(getattr(item, attribute) for item in index.words.values())
            size = len(joined.encode())
        assert budget * 0.85 < size <= budget, attribute  # full, and within
    assert index.head.transcript_complete is False
    for kept in (index.text.notes_snippet, index.text.recap_snippet):
        assert SNIPPET_CHARS // 2 < len(kept) <= SNIPPET_CHARS and kept.endswith("…")
    assert all(item_size(item) < ITEM_BUDGET - 2_000 for item in index.items())  # and DynamoDB's own overhead
    assert item_size(index.head) < 4_000  # every search reads every head in range

    # It can be written in one transaction (DynamoDB refuses items over 400 KB only).
    transaction = Transaction()
    index.put(transaction)
    transaction.commit()
    assert item_of(session).transcript_complete is False


def test_a_four_hour_transcript_fits(session):
    stored = store_transcript(
        sub=SUB,
        campaign_id=session.campaign_id,
        session_id=session.session_id,
        data=sample_bytes("vtt", hours=4),
        filename="long.vtt",
    ).session
    item = item_of(stored)
    assert item.has_transcript and item.transcript_complete
    assert item.speaker_labels == {"SPEAKER_00", "SPEAKER_01", "SPEAKER_02", "SPEAKER_03"}
    for word in ("initiative", "ogre", "ærø", "naive", "zoe", "37"):
        assert has_word_starting(item.transcript_terms, word), word
    assert item_size(item) < 8_000  # the samples' vocabulary is small; the benchmark's is not


# --- each change keeps it right, in its own transaction -------------------------------------------------
def test_a_new_session_has_its_item_in_the_same_transaction(campaign, aws_calls):
    with aws_calls() as calls:
        session = create_session(
            sub=SUB,
            campaign_id=campaign.campaign_id,
            title="Into the Mists",
            number=2,
            played_on="2024-06-07",
            notes="Madam Eva reads the cards.",
        )
    assert calls.operations() == ["dynamodb.TransactWriteItems"]
    item = item_of(session)
    assert isinstance(item, SearchItem)
    assert (item.session_id, item.campaign_id, item.title, item.number, item.played_on) == (
        session.session_id,
        campaign.campaign_id,
        "Into the Mists",
        2,
        "2024-06-07",
    )
    assert item.lsi1sk == f"SEARCH#2024-06-07#0000000002#{session.session_id}"
    assert item.session_terms.split() == sorted(["madam", "eva", "reads", "the", "cards"], key=search_words.group_of)
    assert item.notes_snippet == "Madam Eva reads the cards."
    assert item.has_transcript is False and item.transcript_terms is None


def test_an_edit_rewrites_the_session_part_in_the_same_transaction(session, aws_calls):
    with aws_calls() as calls:
        update_session(
            sub=SUB,
            campaign_id=session.campaign_id,
            session_id=session.session_id,
            expected_version=session.version,
            title="The Yawning Portal, again",
            number=None,
            played_on="2023-01-02",
            notes="Nothing about birds",
        )
    assert calls.operations() == ["dynamodb.TransactWriteItems"]
    item = item_of(session)
    assert item.title == "The Yawning Portal, again"
    assert item.number is None and item.played_on == "2023-01-02"
    assert item.lsi1sk == f"SEARCH#2023-01-02#-#{session.session_id}"
    assert not has_word_starting(item.session_terms, "stirge")
    assert has_word_starting(item.session_terms, "bird")


def test_a_transcript_adds_its_words_and_speakers_and_its_delete_removes_them(session):
    attach(session)
    item = item_of(session)
    assert item.has_transcript and item.transcript_complete
    assert item.speaker_labels == {"SPEAKER_00", "xX_Drake_Xx"}
    assert sorted(item.speaker_terms.split()) == ["00", "drake", "speaker", "xx"]
    for word in ("ferry", "cafe", "zoe", "twenty"):
        assert has_word_starting(item.transcript_terms, word)
    assert item.title == "The Yawning Portal"  # the other parts stay

    attach(session, [Segment(start=0.0, end=1.0, speaker="Mira", text="Only the lich now.")])  # a replacement
    item = item_of(session)
    assert item.speaker_labels == {"Mira"}
    assert has_word_starting(item.transcript_terms, "lich") and not has_word_starting(item.transcript_terms, "ferry")

    delete_transcript(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id)
    item = item_of(session)
    assert item.has_transcript is False
    assert item.transcript_terms is None and item.speaker_labels is None and item.speaker_terms is None
    assert has_word_starting(item.session_terms, "volo")


def test_a_summary_job_writes_each_kinds_words_with_that_kind(session, aws_calls):
    attach(session, spoken_lines())
    with aws_calls() as calls:
        start_summary_job(
            sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id, kinds=["recap", "npcs"]
        )
    # No request of its own: each kind's words go in the transaction that saves the kind.
    # the start, the claim, one per kind, the end (the claim and the end: with the job registry's entry)
    assert calls.count("dynamodb", "TransactWriteItems") == 5
    summaries = {
        summary.kind: summary
        for summary in list_summaries_for_session(
            sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id
        )
    }
    item = item_of(session)
    for kind in ("recap", "npcs"):
        for word in words(summaries[kind].text)[:20]:
            assert has_word_starting(getattr(item, f"summary_{kind}"), word)
    assert item.summary_loot is None
    assert item.recap_snippet == snippet(summaries["recap"].text)


def test_a_hand_edit_replaces_that_kinds_words(session):
    attach(session, spoken_lines())
    start_summary_job(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id, kinds=["recap"])
    recap = list_summaries_for_session(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id)[0]
    edit_summary(
        sub=SUB,
        campaign_id=session.campaign_id,
        session_id=session.session_id,
        kind="recap",
        expected_version=recap.version,
        text="The party meets Strahd von Zarovich at dinner.",
    )
    item = item_of(session)
    assert sorted(item.summary_recap.split()) == sorted("the party meets strahd von zarovich at dinner".split())
    assert item.recap_snippet == "The party meets Strahd von Zarovich at dinner."


def test_speaker_names_do_not_touch_search_items(session, aws_calls):
    attach(session)
    before = item_of(session).serialize()
    with aws_calls() as calls:
        save_speaker_names(
            sub=SUB,
            campaign_id=session.campaign_id,
            expected_version=0,
            names={"SPEAKER_00": {"player": "Ada", "character": "Mira"}},
        )
    assert calls.operations() == ["dynamodb.GetItem", "dynamodb.TransactWriteItems"]
    assert item_of(session).serialize() == before  # a search looks the names up (sessions/search/services.py)


def test_a_move_keeps_the_item_and_names_the_new_campaign(session, campaign):
    attach(session)
    target = create_campaign(sub=SUB, name="Curse of Strahd")
    move_session(
        sub=SUB, campaign_id=campaign.campaign_id, session_id=session.session_id, to_campaign_id=target.campaign_id
    )
    item = item_of(session)
    assert item.campaign_id == target.campaign_id
    assert item.sk == f"SEARCH#{session.session_id}" and item.has_transcript
    assert [sk for sk in partition_kinds() if sk.startswith("SEARCH#")] == [f"SEARCH#{session.session_id}"]


def test_a_delete_takes_the_item_in_the_sessions_transaction(session, aws_calls):
    attach(session)
    with aws_calls() as calls:
        delete_session(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id)
    assert calls.count("dynamodb", "TransactWriteItems") == 1
    assert item_of(session) is None


def test_the_campaign_cascade_deletes_its_sessions_items_and_no_other(campaign, session, monkeypatch):
    monkeypatch.setattr("sessions.core.campaign_deletion.SESSIONS_PER_STEP", 2)  # a page of sessions at a time
    others = [create_session(sub=SUB, campaign_id=campaign.campaign_id, title=f"Session {n}") for n in range(4)]
    kept = create_campaign(sub=SUB, name="Kept")
    survivor = create_session(sub=SUB, campaign_id=kept.campaign_id, title="Survivor")

    delete_campaign(sub=SUB, campaign_id=campaign.campaign_id)

    assert [sk for sk in partition_kinds() if sk.startswith("SEARCH#")] == [f"SEARCH#{survivor.session_id}"]
    assert all(item_of(gone) is None for gone in [session, *others])


def test_a_summary_for_a_deleted_session_cannot_bring_its_item_back(session):
    delete_session(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id)
    transaction = Transaction()
    from sessions.core.repository import record_child_write

    record_child_write(transaction, sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id)
    search_index.write_part(
        transaction,
        sub=SUB,
        campaign_id=session.campaign_id,
        session_id=session.session_id,
        part=search_index.summary_part("recap", "A ghost of a recap."),
    )
    with pytest.raises(TransactionCanceled):
        transaction.commit()
    assert item_of(session) is None


# --- a whole item, rebuilt --------------------------------------------------------------------------------
def test_refresh_rebuilds_the_item_the_changes_wrote(session):
    attach(session)
    save_speaker_names(
        sub=SUB,
        campaign_id=session.campaign_id,
        expected_version=0,
        names={"SPEAKER_00": {"player": "Ada", "character": "Mira"}},
    )
    written = item_of(session).serialize()

    aws.client("dynamodb").delete_item(
        TableName=settings.DYNAMODB_TABLE, Key={"PK": {"S": f"USER#{SUB}"}, "SK": {"S": search_sk(session.session_id)}}
    )
    assert item_of(session) is None
    refresh_search_item(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id)

    rebuilt = item_of(session).serialize()
    for ignored in ("updated",):
        written.pop(ignored), rebuilt.pop(ignored)
    assert rebuilt == written


def test_refresh_reads_again_when_the_session_changes_meanwhile(session, monkeypatch):
    real_commit, calls = Transaction.commit, []

    def commit_after_an_edit(transaction):
        if not calls:
            calls.append(1)
            update_session(
                sub=SUB,
                campaign_id=session.campaign_id,
                session_id=session.session_id,
                expected_version=session.version,
                title="Renamed meanwhile",
                number=None,
                played_on=None,
                notes="",
            )
        return real_commit(transaction)

    monkeypatch.setattr(Transaction, "commit", commit_after_an_edit)
    index = refresh_search_item(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id)
    assert index.head.title == "Renamed meanwhile"
    assert item_of(session).title == "Renamed meanwhile"


def test_refresh_of_a_session_that_is_not_there_raises(campaign):
    from sessions.core.repository import SessionNotFound

    with pytest.raises(SessionNotFound):
        refresh_search_item(sub=SUB, campaign_id=campaign.campaign_id, session_id="01HZZZZZZZZZZZZZZZZZZZZZZZ")


def test_refresh_reads_the_stored_transcript(session, aws_calls):
    from sessions.transcripts.storage import clear_cache

    attach(session)
    clear_cache()
    with aws_calls() as calls:
        refresh_search_item(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id)
    assert has_word_starting(item_of(session).transcript_terms, "ferryman")
    assert calls.operations() == ["dynamodb.GetItem", "dynamodb.Query", "s3.GetObject", "dynamodb.TransactWriteItems"]


# --- the repair command -------------------------------------------------------------------------------------
def test_the_command_rebuilds_missing_items_and_deletes_orphans(session, campaign):
    from datetime import datetime, timedelta
    from io import StringIO

    from django.core.management import CommandError, call_command

    attach(session)
    before = item_of(session).serialize()
    table = aws.client("dynamodb")
    table.delete_item(
        TableName=settings.DYNAMODB_TABLE, Key={"PK": {"S": f"USER#{SUB}"}, "SK": {"S": search_sk(session.session_id)}}
    )
    orphan = SearchItem(
        f"USER#{SUB}",
        search_sk("01HZZZZZZZZZZZZZZZZZZZZZZZ"),
        session_id="01HZZZZZZZZZZZZZZZZZZZZZZZ",
        campaign_id=campaign.campaign_id,
        updated=datetime.now(UTC) - timedelta(days=1),
    )
    orphan.save()
    theirs = create_session(
        sub="user-2", campaign_id=create_campaign(sub="user-2", name="Theirs").campaign_id, title="Theirs"
    )

    out = StringIO()
    call_command("rebuild_search_index", SUB, stdout=out)

    assert "search items: 1 rebuilt, 0 failed" in out.getvalue()
    assert "search items without a session: 1 deleted" in out.getvalue()
    after = item_of(session).serialize()
    after.pop("updated"), before.pop("updated")
    assert after == before
    assert [sk for sk in partition_kinds() if sk.startswith("SEARCH#")] == [f"SEARCH#{session.session_id}"]
    assert get_search_item(sub="user-2", session_id=theirs.session_id) is not None
    with pytest.raises(CommandError):
        call_command("rebuild_search_index", stdout=out)


@given(st.text(alphabet=st.sampled_from("ab ée\n"), max_size=700))
def test_a_snippet_keeps_whole_words_and_says_when_the_text_goes_on(text):
    kept, whole = snippet(text), " ".join(text.split())
    assert len(kept) <= SNIPPET_CHARS
    if len(whole) <= SNIPPET_CHARS:
        assert kept == whole
    else:
        assert kept.endswith("…") and whole.startswith(kept[:-1])
        words_kept = kept[:-1].split()
        # every word is whole, unless one word alone is longer than half the snippet
        assert words_kept == whole.split()[: len(words_kept)] or len(words_kept[-1]) > SNIPPET_CHARS // 2
