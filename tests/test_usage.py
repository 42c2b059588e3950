"""The usage counters (campaigns_site/usage.py): the directory entry's totals and the
monthly items, written by ADDs inside the change's own transaction."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine

from campaigns_site import dynamodb, usage
from campaigns_site.table_keys import DIRECTORY_PK, directory_sk, share_pointer_sk, summary_sk, user_pk
from campaigns_site.transactions import Transaction

OWNER = "11111111-aaaa-4bbb-8ccc-000000000001"
OTHER = "22222222-aaaa-4bbb-8ccc-000000000002"
NOTHING = dict.fromkeys(usage.COUNTERS, 0)


def entry(sub):
    return dynamodb.read_plain_item(DIRECTORY_PK, directory_sk(sub))


def test_record_usage_adds_to_the_entry_and_the_month(aws):
    with time_machine.travel(datetime(2026, 3, 31, 23, 0, tzinfo=UTC), tick=False):
        usage.record_usage(sub=OWNER, campaigns=1, sessions=2, transcript_bytes=1000)
    with time_machine.travel(datetime(2026, 4, 1, 1, 0, tzinfo=UTC), tick=False):
        usage.record_usage(sub=OWNER, sessions=-1, transcript_bytes=-400, summary_cost_usd=Decimal("0.000904"))

    assert usage.stored_counters(sub=OWNER) == NOTHING | {
        "campaigns": 1,
        "sessions": 1,
        "transcript_bytes": 600,
        "summary_cost_usd": Decimal("0.000904"),
    }
    assert usage.usage_by_month(sub=OWNER) == [
        ("2026-03", NOTHING | {"campaigns": 1, "sessions": 2, "transcript_bytes": 1000}),
        ("2026-04", NOTHING | {"sessions": -1, "transcript_bytes": -400, "summary_cost_usd": Decimal("0.000904")}),
    ]
    assert usage.usage_by_month(sub=OTHER) == []
    assert usage.stored_counters(sub=OTHER) == NOTHING


def test_an_entry_with_other_attributes_keeps_them(aws):
    dynamodb.connection().put_item(
        DIRECTORY_PK, directory_sk(OWNER), attributes={"entity": {"S": "Entry"}, "email": {"S": "ada@example.com"}}
    )

    usage.record_usage(sub=OWNER, campaigns=1)

    assert entry(OWNER) == {
        "PK": DIRECTORY_PK,
        "SK": directory_sk(OWNER),
        "email": "ada@example.com",
        "campaigns": 1,
    } | {"entity": "Entry"}  # whatever the directory named its class
    usage.record_usage(sub=OTHER, campaigns=1)
    assert entry(OTHER)["entity"] == "DirectoryEntry"  # an entry of counters alone is still the directory's


def test_zero_deltas_write_nothing(aws, aws_calls):
    with aws_calls() as calls:
        usage.record_usage(sub=OWNER, campaigns=0, sessions=0)
    assert calls.operations() == []
    assert entry(OWNER) is None


def test_usage_rides_in_the_change_transaction_and_merges_per_user(aws, aws_calls):
    transaction = Transaction()
    transaction.put({"PK": user_pk(OWNER), "SK": "CAMPAIGN#X", "name": "x"})
    usage.add_usage(transaction, sub=OWNER, campaigns=1)
    usage.add_usage(transaction, sub=OWNER, sessions=1, campaigns=1)
    usage.add_usage(transaction, sub=OTHER, share_links=1)
    assert len(transaction) == 5  # the put, two updates for OWNER (merged), two for OTHER

    with aws_calls() as calls:
        transaction.commit()

    assert calls.operations() == ["dynamodb.TransactWriteItems"]
    assert usage.stored_counters(sub=OWNER) == NOTHING | {"campaigns": 2, "sessions": 1}
    assert usage.stored_counters(sub=OTHER) == NOTHING | {"share_links": 1}


def test_unknown_counters_are_refused(aws):
    with pytest.raises(ValueError, match="unknown usage counters"):
        usage.record_usage(sub=OWNER, campaign=1)


def test_recount_and_repair(aws):
    pk = user_pk(OWNER)
    items = [
        {"PK": pk, "SK": "CAMPAIGN#C1"},
        {"PK": pk, "SK": "SESSION#C1#S1", "transcript_bytes": 1200},
        {"PK": pk, "SK": "SESSION#C1#S2"},
        {"PK": pk, "SK": summary_sk("C1", "S1", "recap"), "estimated_cost_usd": "0.000720"},
        {"PK": pk, "SK": summary_sk("C1", "STORY", "story_so_far"), "estimated_cost_usd": "0.001"},
        {"PK": pk, "SK": share_pointer_sk("a" * 64)},
        {"PK": pk, "SK": "SUMMARYJOB#C1#S1"},  # not a summary
        {"PK": pk, "SK": "SEARCH#S1"},
    ]
    for item in items:
        transaction = Transaction()
        transaction.put(item)
        transaction.commit()
    usage.record_usage(sub=OWNER, campaigns=3, sessions=2)  # drifted

    true = {
        "campaigns": 1,
        "sessions": 2,
        "transcript_bytes": 1200,
        "summaries": 2,
        "share_links": 1,
        "summary_cost_usd": Decimal("0.001720"),
    }
    assert usage.recount(sub=OWNER) == true
    assert usage.repair_counters(sub=OWNER) == {
        "campaigns": -2,
        "transcript_bytes": 1200,
        "summaries": 2,
        "share_links": 1,
        "summary_cost_usd": Decimal("0.001720"),
    }
    assert usage.stored_counters(sub=OWNER) == true
    assert usage.repair_counters(sub=OWNER) == {}  # safe to re-run
    # The months still add up to the totals.
    months = [counters for _, counters in usage.usage_by_month(sub=OWNER)]
    assert {name: sum(month[name] for month in months) for name in usage.COUNTERS} == true


def test_directory_subs(aws):
    usage.record_usage(sub=OWNER, campaigns=1)
    usage.record_usage(sub=OTHER, campaigns=1)
    assert sorted(usage.directory_subs()) == sorted([OWNER, OTHER])
