"""campaigns_site.directory: the user directory's item, written where accounts change,
listed by email on LSI1 (prefix search, signed cursors), never replacing the counters."""

from datetime import UTC, datetime

import pytest

from campaigns_site import directory
from campaigns_site.directory import DirectoryEntry
from campaigns_site.pagination import InvalidCursor
from campaigns_site.table_keys import DIRECTORY_PK, directory_sk

ADA = "sub-ada"
CREATED = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
LATER = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)


def _counters_first(sub, **counters):
    """An item as campaigns_site.usage's ADD leaves it before any fact was written."""
    DirectoryEntry(DIRECTORY_PK, directory_sk(sub)).update(
        actions=[getattr(DirectoryEntry, name).add(value) for name, value in counters.items()]
    )


def test_sign_up_makes_the_entry_in_one_update(aws, aws_calls):
    with aws_calls() as calls:
        directory.record_sign_up(sub=ADA, email="Ada@Example.com", created=CREATED, origin="new")
    assert calls.operations() == ["dynamodb.UpdateItem"]
    entry = directory.get_entry(sub=ADA)
    assert (entry.email, entry.created, entry.origin, entry.is_staff, entry.sign_in_disabled) == (
        "ada@example.com",
        CREATED,
        "new",
        False,
        False,
    )
    assert (entry.campaigns, entry.transcript_bytes, entry.last_sign_in, entry.deleting_since) == (0, 0, None, None)
    assert entry.lsi1sk == f"EMAIL#ada@example.com#{ADA}"
    assert directory.sub_of(entry) == ADA


def test_sign_up_keeps_counters_added_first_and_an_earlier_created_and_origin(aws):
    _counters_first(ADA, campaigns=2, transcript_bytes=1234)
    assert directory.get_entry(sub=ADA) is None  # counters alone are not a listed entry
    directory.record_sign_up(sub=ADA, email="ada@example.com", created=CREATED, origin="v1")
    directory.record_sign_up(sub=ADA, email="ada@example.com", created=LATER, origin="new")
    entry = directory.get_entry(sub=ADA)
    assert (entry.campaigns, entry.transcript_bytes) == (2, 1234)
    assert (entry.created, entry.origin) == (CREATED, "v1")


def test_an_unknown_origin_is_refused(aws):
    with pytest.raises(ValueError, match="Unknown origin"):
        directory.record_sign_up(sub=ADA, email="ada@example.com", created=CREATED, origin="v2")


def test_sign_in_sets_the_time_and_moves_the_entry_to_its_new_email(aws, aws_calls):
    directory.record_sign_up(sub=ADA, email="old@example.com", created=CREATED, origin="new")
    with aws_calls() as calls:
        directory.record_sign_in(sub=ADA, email="ada@example.com", at=LATER, is_staff=True)
    assert calls.operations() == ["dynamodb.UpdateItem"]
    entry = directory.get_entry(sub=ADA)
    assert (entry.email, entry.last_sign_in, entry.is_staff, entry.created) == ("ada@example.com", LATER, True, CREATED)
    assert [e.email for e in directory.list_entries(email_prefix="old")[0]] == []
    assert [e.email for e in directory.list_entries(email_prefix="ada")[0]] == ["ada@example.com"]


def test_sign_in_of_an_account_older_than_the_directory_lists_it_without_an_origin(aws):
    directory.record_sign_in(sub=ADA, email="ada@example.com", at=LATER, created=CREATED)
    entry = directory.get_entry(sub=ADA)
    assert (entry.created, entry.last_sign_in, entry.origin) == (CREATED, LATER, None)


def test_flags_change_listed_entries_only(aws):
    assert directory.set_staff_flag(sub=ADA, is_staff=True) is False
    assert directory.set_sign_in_disabled(sub=ADA, disabled=True) is False
    assert directory.mark_deleting(sub=ADA) is False
    assert directory.get_entry(sub=ADA) is None
    directory.record_sign_up(sub=ADA, email="ada@example.com", created=CREATED, origin="new")
    assert directory.set_staff_flag(sub=ADA, is_staff=True) is True
    assert directory.set_sign_in_disabled(sub=ADA, disabled=True) is True
    entry = directory.get_entry(sub=ADA)
    assert (entry.is_staff, entry.sign_in_disabled) == (True, True)


def test_mark_deleting_keeps_the_first_time_and_remove_entry_is_safe_to_repeat(aws, time_machine):
    directory.record_sign_up(sub=ADA, email="ada@example.com", created=CREATED, origin="new")
    time_machine.move_to(LATER)
    assert directory.mark_deleting(sub=ADA)
    time_machine.move_to(datetime(2026, 12, 6, tzinfo=UTC))
    assert directory.mark_deleting(sub=ADA)
    assert directory.get_entry(sub=ADA).deleting_since == LATER
    assert directory.remove_entry(sub=ADA) is True
    assert directory.remove_entry(sub=ADA) is False
    assert directory.get_entry(sub=ADA) is None


def test_write_entry_corrects_every_fact_and_keeps_counters_and_last_sign_in(aws):
    directory.record_sign_up(sub=ADA, email="ada@example.com", created=LATER, origin="new")
    directory.record_sign_in(sub=ADA, email="ada@example.com", at=LATER)
    directory.mark_deleting(sub=ADA)
    _counters_first(ADA, sessions=3)
    directory.write_entry(
        sub=ADA, email="ada@example.com", created=CREATED, origin="v1", is_staff=True, sign_in_disabled=True
    )
    entry = directory.get_entry(sub=ADA)
    assert (entry.created, entry.origin, entry.is_staff, entry.sign_in_disabled) == (CREATED, "v1", True, True)
    assert (entry.sessions, entry.last_sign_in, entry.deleting_since) == (3, LATER, None)


def _sign_up(*emails):
    for number, email in enumerate(emails):
        directory.record_sign_up(sub=f"sub-{number}", email=email, created=CREATED, origin="new")


def test_list_is_by_email_and_searches_by_lower_cased_prefix_in_one_query(aws, aws_calls):
    _sign_up("cy@example.com", "ada@example.com", "bo@example.com", "adam@example.org")
    _counters_first("sub-counters-only", campaigns=1)
    with aws_calls() as calls:
        entries, cursor = directory.list_entries()
    assert calls.operations() == ["dynamodb.Query"]
    assert [e.email for e in entries] == ["ada@example.com", "adam@example.org", "bo@example.com", "cy@example.com"]
    assert cursor is None
    assert [e.email for e in directory.list_entries(email_prefix=" ADA")[0]] == ["ada@example.com", "adam@example.org"]
    assert directory.list_entries(email_prefix="zed")[0] == []


def test_pages_follow_signed_cursors_bound_to_their_search(aws):
    _sign_up(*(f"user{n:02d}@example.com" for n in range(5)))
    first, cursor = directory.list_entries(limit=2)
    second, cursor = directory.list_entries(limit=2, cursor=cursor)
    third, last = directory.list_entries(limit=2, cursor=cursor)
    assert [e.email[:6] for e in first + second + third] == [f"user{n:02d}" for n in range(5)]
    assert last is None
    _, cursor = directory.list_entries(limit=2)
    with pytest.raises(InvalidCursor):
        directory.list_entries(limit=2, cursor=cursor, email_prefix="user0")
    with pytest.raises(InvalidCursor):
        directory.list_entries(limit=2, cursor=cursor + "x")


def test_staff_changes_set_the_entry_s_flag_too(make_user):
    from accounts import staff

    sub = make_user("bo@example.com")
    assert directory.get_entry(sub=sub).is_staff is False
    staff.add_staff(email="bo@example.com")
    assert directory.get_entry(sub=sub).is_staff is True
    staff.remove_staff(email="bo@example.com")
    assert directory.get_entry(sub=sub).is_staff is False
