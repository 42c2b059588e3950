"""The share registry's list of its newest links (sessions/sharing/newest.py, issue 17): the
staff page's first page by key is the registry Query's first page, in any state the list
can be in; it is appended in the link's own transaction, written by the count without
losing a link made meanwhile, dropped past its cap or by fill_share_registry, and the page
asks the Query whenever the list cannot tell. `manage.py count_shares` and the hourly event."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from campaigns_site.table_keys import SHARES_PK, share_registry_sk
from sessions.sharing import newest, registry, scheduled
from sessions.sharing.registry import ShareRegistryEntry
from sessions.sharing.repository import create_share_link, open_share_link, revoke_share_link

OWNER = "11111111-aaaa-4bbb-8ccc-000000000071"

pytestmark = [
    pytest.mark.campaign(sub=OWNER, name="Curse of Strahd"),
    pytest.mark.session(title="The Death House", number=1),
]


def make(session, **fields):
    return create_share_link(
        sub=OWNER, campaign_id=session.campaign_id, session_id=session.session_id, **{"scope": "recap", **fields}
    )


def listed():
    return newest.ShareNewest.get(*newest.newest_key(), consistent_read=True)


def shown(rows):
    return [(row.entry.serialize(), row.views, row.last_viewed, row.status) for row in rows]


def by_query(monkeypatch, **options):
    """The page as the registry's Query gives it (the list not trusted)."""
    with monkeypatch.context() as patched:
        patched.setattr(newest.ShareNewest, "listed", lambda self: None)
        return registry.list_links(**options)


def forget_entry(made):
    """As DynamoDB's TTL or a session's delete takes an entry, without touching the list."""
    ShareRegistryEntry(SHARES_PK, share_registry_sk(made.link.token_hash)).delete()


def assert_same_pages(monkeypatch, aws_calls, *, limit):
    with aws_calls() as calls:
        rows, cursor, _ = registry.list_links(limit=limit)
    assert "dynamodb.Query" not in calls.operations()
    expected, expected_cursor, _ = by_query(monkeypatch, limit=limit)
    assert shown(rows) == shown(expected)
    assert (cursor is None) == (expected_cursor is None)
    if cursor is not None:
        assert shown(registry.list_links(limit=limit, cursor=cursor)[0]) == shown(
            registry.list_links(limit=limit, cursor=expected_cursor)[0]
        )


@pytest.mark.parametrize("links", [0, 1, 2, 3])
def test_the_first_page_by_key_is_the_query_s(session, monkeypatch, aws_calls, links):
    made = [make(session) for _ in range(links)]
    if made:
        open_share_link(token=made[0].token)
    registry.fresh_stats()
    assert listed().whole
    assert_same_pages(monkeypatch, aws_calls, limit=2)


def test_revoked_expired_viewed_and_made_after_the_count_are_the_query_s_too(session, monkeypatch, aws_calls):
    made = [make(session) for _ in range(3)]
    short = make(session, expires=timezone.now() + timedelta(hours=1))
    registry.fresh_stats()
    revoke_share_link(
        sub=OWNER, campaign_id=session.campaign_id, session_id=session.session_id, token_hash=made[1].link.token_hash
    )
    later = make(session, view_limit=1)
    open_share_link(token=later.token)
    open_share_link(token=made[2].token)
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert_same_pages(monkeypatch, aws_calls, limit=3)
        rows, _, _ = registry.list_links()
    statuses = {row.entry.token_hash: (row.status, row.views) for row in rows}
    assert statuses[later.link.token_hash] == (registry.USED_UP, 1)
    assert statuses[made[1].link.token_hash] == (registry.REVOKED, 0)
    assert statuses[made[2].link.token_hash] == (registry.LIVE, 1)
    assert statuses[short.link.token_hash] == (registry.EXPIRED, 0)  # kept a while after: shown as expired


def test_a_count_keeps_the_newest_and_answers_above_its_floor(session, monkeypatch, aws_calls):
    monkeypatch.setattr(newest, "NEWEST_KEPT", 3)
    made = [make(session) for _ in range(5)]
    registry.fresh_stats()
    stored = listed()
    assert (stored.whole, len(stored.order_keys)) == (False, 3)
    assert stored.floor == registry.entry_of(made[2].link).lsi1sk
    assert_same_pages(monkeypatch, aws_calls, limit=2)  # two found above the floor: a page, and more after it
    forget_entry(made[4])
    forget_entry(made[3])
    with aws_calls() as calls:
        rows, cursor, _ = registry.list_links(limit=2)
    # One listed entry left where a page needs two, older ones not listed: the Query answers.
    assert calls.operations() == [
        "dynamodb.BatchGetItem",
        "dynamodb.BatchGetItem",
        "dynamodb.Query",
        "dynamodb.BatchGetItem",
    ]
    assert [row.entry.token_hash for row in rows] == [made[2].link.token_hash, made[1].link.token_hash]
    registry.fresh_stats()  # the next count lists the newest again
    assert_same_pages(monkeypatch, aws_calls, limit=2)


def test_a_link_made_while_counting_is_never_dropped(session):
    make(session)
    registry.fresh_stats()
    revision = newest.read_revision()
    made_meanwhile = make(session)
    assert not newest.relist(order_keys=[], complete=True, revision=revision)  # the count's stale view
    assert registry.entry_of(made_meanwhile.link).lsi1sk in listed().order_keys
    assert [row.entry.token_hash for row in registry.list_links()[0]][0] == made_meanwhile.link.token_hash


def test_past_its_cap_a_make_drops_the_list_and_the_page_asks_the_query(session, monkeypatch, aws_calls):
    registry.fresh_stats()
    monkeypatch.setattr(newest, "NEWEST_CAP", 2)
    made = [make(session) for _ in range(3)]  # the third finds two keys: the list is dropped, the link made
    stored = listed()
    assert (stored.order_keys, stored.whole, stored.floor) == ([registry.entry_of(made[2].link).lsi1sk], None, None)
    with aws_calls() as calls:
        rows, _, _ = registry.list_links()
    assert "dynamodb.Query" in calls.operations()
    assert len(rows) == 3
    registry.fresh_stats()
    assert listed().whole


def test_links_registered_by_fill_share_registry_drop_the_list(session):
    before = make(session)
    registry.fresh_stats()
    forget_entry(before)
    call_command("fill_share_registry")
    assert listed().listed() is None  # not on it: the Query answers until the next count
    call_command("count_shares")
    assert listed().listed() == [registry.entry_of(before.link).lsi1sk]


def test_count_shares_says_what_it_did_and_is_safe_to_re_run(session, capsys):
    made = make(session)
    open_share_link(token=made.token)
    call_command("count_shares")
    out = capsys.readouterr().out
    assert "share links: 1 counted (1 live, 0 expired, 0 used up, 0 revoked), 1 views; the newest list written" in out
    call_command("count_shares")
    assert "1 counted" in capsys.readouterr().out
    assert listed().listed() == [registry.entry_of(made.link).lsi1sk]


def test_the_hourly_event_counts(session):
    make(session)
    assert scheduled.count_shares_event({}, None) == "1 links counted, 0 views; newest list written"
    assert not registry.is_late(registry.list_links()[2])
