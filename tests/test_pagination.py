import pytest
from django.core import signing
from pynamodb.attributes import UnicodeAttribute

from campaigns_site.pagination import InvalidCursor, Page, decode_cursor, encode_cursor, query_page
from campaigns_site.table import TableModel
from campaigns_site.table_keys import user_pk

ALICE = user_pk("alice-sub")
BOB = user_pk("bob-sub")
LAST_KEY = {"PK": {"S": ALICE}, "SK": {"S": "NOTE#03"}}


class Note(TableModel, discriminator="TestPaginationNote"):
    """An item type for these tests only: any item in a user's partition pages alike."""

    text = UnicodeAttribute()


def test_cursor_round_trip():
    cursor = encode_cursor(LAST_KEY, partition=ALICE)
    assert isinstance(cursor, str)
    assert decode_cursor(cursor, partition=ALICE) == LAST_KEY


def test_cursor_is_opaque():
    assert "NOTE#03" not in encode_cursor(LAST_KEY, partition=ALICE)


def test_no_key_means_no_cursor_and_no_cursor_means_first_page():
    assert encode_cursor(None, partition=ALICE) is None
    assert encode_cursor({}, partition=ALICE) is None
    assert decode_cursor(None, partition=ALICE) is None
    assert decode_cursor("", partition=ALICE) is None


@pytest.mark.parametrize(
    "payload",
    [
        [ALICE, "", LAST_KEY],
        "a string",
        None,
        {"p": ALICE, "s": ""},
        {"p": ALICE, "s": "", "k": "NOTE#03"},
        {"p": ALICE, "s": "", "k": {}},
        {"p": ALICE, "s": "", "k": {"PK": ALICE, "SK": "NOTE#03"}},
        {"p": ALICE, "s": "", "k": {"PK": {"S": BOB}, "SK": {"S": "NOTE#03"}}},
        {"p": ALICE, "s": "", "k": {**LAST_KEY, "other": {"S": "x"}}},
        {"p": ALICE, "s": "", "k": {**LAST_KEY, "SK": {"N": "3"}}},
    ],
)
def test_a_cursor_signed_with_our_key_but_of_another_shape_is_refused(payload):
    # Each was a 500 (an AttributeError, a KeyError, or DynamoDB's ValidationException).
    cursor = signing.dumps(payload, salt="campaigns_site.pagination", compress=True)
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, partition=ALICE)


def test_cursor_from_another_partition_is_refused():
    cursor = encode_cursor(LAST_KEY, partition=ALICE)
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, partition=BOB)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda cursor: cursor[:-1] + ("A" if cursor[-1] != "A" else "B"),
        lambda cursor: "x" + cursor,
        lambda cursor: "not-a-cursor",
        lambda cursor: signing.dumps({"p": ALICE, "k": LAST_KEY}, salt="some.other.salt"),
        lambda cursor: signing.dumps({"p": ALICE, "k": LAST_KEY}, salt="campaigns_site.pagination", key="x" * 50),
    ],
    ids=["changed-signature", "changed-payload", "garbage", "other-salt", "other-secret"],
)
def test_tampered_cursor_is_refused(tamper):
    with pytest.raises(InvalidCursor):
        decode_cursor(tamper(encode_cursor(LAST_KEY, partition=ALICE)), partition=ALICE)


def test_invalid_cursor_is_a_value_error():
    assert issubclass(InvalidCursor, ValueError)


@pytest.fixture
def notes(aws):
    for number in range(1, 6):
        Note(ALICE, f"NOTE#{number:02}", text=f"alice {number}").save()
    Note(BOB, "NOTE#01", text="bob 1").save()


def read_all_pages(limit, aws_calls, *, newest_first=True):
    pages, cursor = [], None
    while True:
        with aws_calls() as calls:
            page = query_page(
                Note, ALICE, Note.sk.startswith("NOTE#"), limit=limit, cursor=cursor, newest_first=newest_first
            )
        assert calls.operations() == ["dynamodb.Query"]
        pages.append([note.text for note in page.items])
        cursor = page.next_cursor
        if cursor is None:
            return pages


def test_query_pages_newest_first_one_query_each(notes, aws_calls):
    assert read_all_pages(2, aws_calls) == [["alice 5", "alice 4"], ["alice 3", "alice 2"], ["alice 1"]]


def test_query_pages_oldest_first(notes, aws_calls):
    assert read_all_pages(3, aws_calls, newest_first=False) == [
        ["alice 1", "alice 2", "alice 3"],
        ["alice 4", "alice 5"],
    ]


def test_query_page_stays_in_its_partition(notes):
    page = query_page(Note, BOB, limit=10)
    assert page == Page(items=page.items, next_cursor=None)
    assert [note.text for note in page.items] == ["bob 1"]


def test_query_page_refuses_a_cursor_from_another_partition(notes, aws_calls):
    alice_cursor = query_page(Note, ALICE, limit=2).next_cursor
    with aws_calls() as calls, pytest.raises(InvalidCursor):
        query_page(Note, BOB, limit=2, cursor=alice_cursor)
    assert len(calls) == 0


@pytest.fixture
def ordered_notes(aws):
    """Notes whose second sort order (LSI1SK) is the reverse of their SK order."""
    for number in range(1, 6):
        Note(ALICE, f"NOTE#{number:02}", lsi1sk=f"ORDER#{6 - number:02}", text=f"alice {number}").save()
    Note(ALICE, "NOTE#99", text="not in the index").save()  # no LSI1SK: the index is sparse
    Note(BOB, "NOTE#01", lsi1sk="ORDER#01", text="bob 1").save()


def test_query_pages_an_index_one_query_each(ordered_notes, aws_calls):
    pages, cursor = [], None
    while True:
        with aws_calls() as calls:
            page = query_page(
                Note, ALICE, Note.lsi1sk.startswith("ORDER#"), index=Note.second_sort_order, limit=2, cursor=cursor
            )
        assert calls.operations() == ["dynamodb.Query"]
        pages.append([note.text for note in page.items])
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == [["alice 1", "alice 2"], ["alice 3", "alice 4"], ["alice 5"]]


def test_a_cursor_is_bound_to_its_index_and_key_condition(ordered_notes, aws_calls):
    table_cursor = query_page(Note, ALICE, Note.sk.startswith("NOTE#"), limit=2).next_cursor
    index_cursor = query_page(
        Note, ALICE, Note.lsi1sk.startswith("ORDER#"), index=Note.second_sort_order, limit=2
    ).next_cursor

    with aws_calls() as calls:
        with pytest.raises(InvalidCursor):
            query_page(
                Note,
                ALICE,
                Note.lsi1sk.startswith("ORDER#"),
                index=Note.second_sort_order,
                limit=2,
                cursor=table_cursor,
            )
        with pytest.raises(InvalidCursor):
            query_page(Note, ALICE, Note.sk.startswith("NOTE#"), limit=2, cursor=index_cursor)
        with pytest.raises(InvalidCursor):
            query_page(
                Note,
                ALICE,
                Note.lsi1sk.startswith("ORDER#0"),
                index=Note.second_sort_order,
                limit=2,
                cursor=index_cursor,
            )
    assert len(calls) == 0
