"""What the search index costs (issue 17), in DynamoDB's units computed from item sizes as
DynamoDB bills them: a title or notes edit writes at most 5 write units to the index, and a
search for a rare word or a miss over a few hundred sessions reads a few dozen read units
in two round trips. (Times are the benchmark's: `make bench-search`.)"""

import random
import re
import string

import pytest
from django.conf import settings
from django.urls import reverse

from campaigns.repository import create_campaign
from campaigns_site import aws, dynamodb
from campaigns_site.table import TableModel, new_id
from devtools.dynamodb_sizes import batch_read_units, item_size, query_read_units, write_units
from sessions.core import search_index
from sessions.core.kinds import KINDS
from sessions.core.repository import create_session, get_session, update_session
from sessions.core.search_whole import build_items
from sessions.core.segments import Segment
from sessions.search.services import search_sessions
from tests.transcript_samples import sample_bytes
from tests.transcript_uploads import store_transcript
from tests.web_clients import post, signed_in_client

SUB = "user-1"
INDEX_PREFIXES = ("SEARCH#", search_index.TEXT_PREFIX, "SEARCHWORDS#")


class Meter:
    """Every DynamoDB request the app makes while active, and what it costs: read units of
    Query pages (the items read, summed, rounded up to 4 KB, half a unit each: eventually
    consistent) and BatchGetItem (each item rounded up to 4 KB), write units of the index's
    items in transactions (each item's larger size, before or after, rounded up to 1 KB;
    twice for an item in LSI1, which keeps a copy)."""

    def __init__(self, monkeypatch):
        self.requests, self.read_units, self.index_write_units = [], 0.0, 0
        connection = dynamodb.connection().connection
        original = connection.dispatch

        def dispatch(operation, request):
            before = self._index_items(request) if operation == "TransactWriteItems" else {}
            answer = original(operation, request)
            self.requests.append(operation)
            if operation == "Query":
                self.read_units += query_read_units(answer["Items"])
            elif operation == "BatchGetItem":
                for items in answer.get("Responses", {}).values():
                    self.read_units += batch_read_units(items)
            elif operation == "TransactWriteItems":
                self._count_writes(before, self._index_items(request))
            return answer

        monkeypatch.setattr(connection, "dispatch", dispatch)

    def _index_items(self, request):
        found = {}
        for action in request["TransactItems"]:
            ((kind, operation),) = action.items()
            key = operation.get("Key") or {"PK": operation["Item"]["PK"], "SK": operation["Item"]["SK"]}
            if kind != "ConditionCheck" and key["SK"]["S"].startswith(INDEX_PREFIXES):
                item = aws.client("dynamodb").get_item(TableName=settings.DYNAMODB_TABLE, Key=key).get("Item")
                found[key["SK"]["S"]] = item
        return found

    def _count_writes(self, before, after):
        for sk in before:
            sizes = [item_size(item) for item in (before[sk], after[sk]) if item]
            in_index = any(item and "LSI1SK" in item for item in (before[sk], after[sk]))
            self.index_write_units += write_units(max(sizes, default=0), in_index=in_index)


@pytest.fixture
def meter(aws, monkeypatch):
    return lambda: Meter(monkeypatch)


@pytest.fixture
def long_session(aws):
    """A session with a four-hour transcript and a long evening's notes."""
    campaign = create_campaign(sub=SUB, name="Dragon Heist")
    notes = " ".join(random.Random(3).sample(sample_bytes("text", hours=1).decode().split(), 250))
    session = create_session(sub=SUB, campaign_id=campaign.campaign_id, title="The Yawning Portal", notes=notes)
    store_transcript(
        sub=SUB,
        campaign_id=campaign.campaign_id,
        session_id=session.session_id,
        data=sample_bytes("vtt", hours=4),
        filename="long.vtt",
    )
    return get_session(sub=SUB, campaign_id=campaign.campaign_id, session_id=session.session_id)


def edit(session, **changes):
    fields = {name: getattr(session, name) for name in ("title", "number", "played_on", "notes")}
    update_session(
        sub=SUB,
        campaign_id=session.campaign_id,
        session_id=session.session_id,
        expected_version=session.version,
        notes_before=search_index.edit_digest(session.notes),
        **{**fields, **changes},
    )


# --- writes --------------------------------------------------------------------------------------
def test_a_title_edit_writes_at_most_5_units_to_the_index(long_session, meter):
    counted = meter()
    edit(long_session, title="The Yawning Portal, again")
    assert counted.requests == ["TransactWriteItems"]
    assert counted.index_write_units <= 5  # the head (and its LSI1 copy); no word of the notes
    assert search_sessions(sub=SUB, text="again").results


def test_a_notes_edit_writes_only_the_groups_whose_words_changed(long_session, meter):
    counted = meter()
    edit(long_session, notes=long_session.notes + " Xylophonist")
    assert counted.index_write_units <= 5
    assert [result.title for result in search_sessions(sub=SUB, text="xylo").results] == ["The Yawning Portal"]


def test_without_the_forms_digest_an_edit_rewrites_every_group(long_session, meter):
    counted = meter()
    update_session(
        sub=SUB,
        campaign_id=long_session.campaign_id,
        session_id=long_session.session_id,
        expected_version=long_session.version,
        title="Renamed by the sync",
        number=None,
        played_on=None,
        notes=long_session.notes.replace(" ", "  "),  # the same words
    )
    assert counted.index_write_units > 5  # every group of the notes: the price of not knowing
    assert search_sessions(sub=SUB, text="renamed").results


def test_the_edit_form_carries_the_notes_digest_and_the_save_uses_it(make_user, meter):
    client = signed_in_client(make_user, "editor@example.com", "Ed")
    campaign = create_campaign(sub=client.sub, name="Heist")
    session = create_session(
        sub=client.sub, campaign_id=campaign.campaign_id, title="Old", notes="Volo hires the party. " * 40
    )
    url = reverse("sessions:edit", args=[campaign.campaign_id, session.session_id])
    html = client.get(url).content.decode()
    digest = re.search(r'name="notes_digest" value="([^"]*)"', html).group(1)
    assert digest == search_index.edit_digest(session.notes)

    counted = meter()
    fields = {"title": "New name", "number": "", "played_on": "", "notes": session.notes, "version": session.version}
    response = post(client, url, {**fields, "notes_digest": digest})
    assert response.status_code == 302
    assert counted.index_write_units <= 5
    assert [result.title for result in search_sessions(sub=client.sub, text="new").results] == ["New name"]


# --- reads ---------------------------------------------------------------------------------------
SESSIONS = 300
RARE_IN = (5, 150, 290)


@pytest.fixture
def many_sessions(aws):
    """SESSIONS sessions' indexes, written directly (as the benchmark does): 1,000 distinct
    transcript words each from a 20,000-word vocabulary, notes and six summaries; a rare
    word in three of them."""
    rng = random.Random(17)
    vocabulary = sorted(
        {"".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 10))) for _ in range(20_000)}
    )
    campaign = create_campaign(sub=SUB, name="Many")

    class Stored:
        owner_sub, campaign_id, number = SUB, campaign.campaign_id, None

    class Summary:
        def __init__(self, kind, text):
            self.kind, self.text = kind, text

    with TableModel.batch_write() as batch:
        for age in range(SESSIONS):
            said = rng.sample(vocabulary, 1_000) + ["dragon"] + (["ferryman"] if age in RARE_IN else [])
            session = Stored()
            session.session_id, session.title = new_id(), f"Session {age}"
            session.played_on = f"{2000 + age // 52}-{1 + age % 12:02d}-{1 + age % 28:02d}"
            session.notes = " ".join(rng.sample(vocabulary, 100))
            segments = [Segment(start=None, end=None, speaker="SPEAKER_00", text=" ".join(said))]
            summaries = [Summary(kind, " ".join(rng.sample(vocabulary, 60))) for kind in KINDS]
            for item in build_items(session=session, summaries=summaries, segments=segments).items():
                batch.save(item)
    return campaign


def test_rare_words_or_a_miss_read_a_few_dozen_units_in_two_round_trips(many_sessions, meter):
    # One fixture (300 sessions' indexes take seconds to write) for every search below.
    for word, results in [("ferryman", 3), ("xylophonist", 0)]:
        counted = meter()
        page = search_sessions(sub=SUB, text=word)
        assert len(page.results) == results
        # At once my campaigns, speaker names, the heads and the word's group; then the
        # results' snippets (none for a miss).
        assert sorted(counted.requests) == sorted(["Query"] * 4 + (["BatchGetItem"] if results else []))
        assert page.round_trips == (2 if results else 1)
        assert counted.read_units <= 40  # the old design read every item: about 5 units a session

        # With a common word: its items are read for the rare word's sessions only, with
        # their snippets (one BatchGetItem), not its group of every session (as much again).
        alone = counted.read_units
        page = search_sessions(sub=SUB, text=f"dragon {word}")
        assert len(page.results) == results
        assert page.round_trips == (2 if results else 1)
        assert counted.read_units - alone <= alone + 0.5 * results  # half a unit for each common word's item
