"""The share link registry (sessions/sharing/registry.py): one entry per link across users,
written in the link's own transactions (made, revoked), put again by a move, deleted with
the link by a session's delete, a campaign's cascade and an account's deletion; the
staff's list and the counts, counted hourly (the list by key: tests/test_share_newest_list.py)."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from accounts.deletion import delete_account
from campaigns.repository import create_campaign
from campaigns_site.table_keys import SHARE_STATS_SK, SHARES_PK, share_registry_sk
from sessions.core.campaign_deletion import delete_campaign
from sessions.core.repository import delete_session, move_session
from sessions.sharing import registry
from sessions.sharing.items import KEPT_AFTER_EXPIRY
from sessions.sharing.registry import ShareRegistryEntry, ShareStats
from sessions.sharing.repository import create_share_link, open_share_link, revoke_share_link

OWNER = "11111111-aaaa-4bbb-8ccc-000000000001"

pytestmark = [
    pytest.mark.campaign(sub=OWNER, name="Curse of Strahd"),
    pytest.mark.session(title="The Death House", number=1),
]


def make(session, sub=OWNER, **fields):
    return create_share_link(
        sub=sub, campaign_id=session.campaign_id, session_id=session.session_id, **{"scope": "recap", **fields}
    )


def stored(token_hash):
    try:
        return ShareRegistryEntry.get(SHARES_PK, share_registry_sk(token_hash), consistent_read=True)
    except ShareRegistryEntry.DoesNotExist:
        return None


def test_a_new_link_is_registered_in_its_own_transaction(session, aws_calls):
    expires = timezone.now() + timedelta(days=3)
    with aws_calls() as calls:
        made = make(session, scope="transcript", expires=expires, view_limit=5, label="For the table")
    assert calls.operations() == ["dynamodb.Query", "dynamodb.TransactWriteItems"]  # as before
    entry = stored(made.link.token_hash)
    assert (entry.owner_sub, entry.campaign_id, entry.session_id, entry.scope) == (
        OWNER,
        session.campaign_id,
        session.session_id,
        "transcript",
    )
    assert (entry.created, entry.expires, entry.view_limit, entry.revoked) == (made.link.created, expires, 5, None)
    assert entry.ttl == (expires + KEPT_AFTER_EXPIRY).replace(microsecond=0)  # TTL: whole seconds
    raw = entry.serialize()
    assert made.token not in str(raw) and "For the table" not in str(raw)  # never the token, never the label


def test_opening_a_link_writes_nothing_more(session, aws_calls):
    made = make(session)
    with aws_calls() as calls:
        assert open_share_link(token=made.token) is not None
    assert calls.operations() == ["dynamodb.UpdateItem"]


def test_a_revoke_marks_the_entry_and_keeps_it_for_the_counts(session):
    made = make(session)
    assert revoke_share_link(
        sub=OWNER, campaign_id=session.campaign_id, session_id=session.session_id, token_hash=made.link.token_hash
    )
    entry = stored(made.link.token_hash)
    assert entry.revoked is not None and entry.ttl == (entry.revoked + KEPT_AFTER_EXPIRY).replace(microsecond=0)
    assert registry.fresh_stats().revoked == 1


def test_a_session_delete_takes_its_entries(session):
    made = [make(session), make(session)]
    delete_session(sub=OWNER, campaign_id=session.campaign_id, session_id=session.session_id)
    assert [stored(each.link.token_hash) for each in made] == [None, None]


def test_a_move_points_the_entry_at_the_new_campaign(session):
    made = make(session, view_limit=3)
    other = create_campaign(sub=OWNER, name="Elsewhere")
    move_session(
        sub=OWNER, campaign_id=session.campaign_id, session_id=session.session_id, to_campaign_id=other.campaign_id
    )
    entry = stored(made.link.token_hash)
    assert (entry.campaign_id, entry.session_id, entry.owner_sub) == (other.campaign_id, session.session_id, OWNER)
    assert (entry.created, entry.view_limit, entry.scope) == (made.link.created, 3, "recap")
    rows, _, _ = registry.list_links()
    assert [row.entry.token_hash for row in rows] == [made.link.token_hash]  # still listed, in order


def test_a_campaign_cascade_takes_its_entries(campaign, session):
    made = make(session)
    delete_campaign(sub=OWNER, campaign_id=campaign.campaign_id)
    assert stored(made.link.token_hash) is None


def test_an_account_deletion_takes_its_entries(make_user, make_campaign, make_session):
    sub = make_user("gone@example.com")
    session = make_session(sub=sub, campaign=make_campaign(sub=sub))
    made = make(session, sub=sub)
    delete_account(sub=sub)
    assert stored(made.link.token_hash) is None


def test_the_list_is_newest_first_with_live_views_by_key_once_counted(session, aws_calls):
    first = make(session)
    second = make(session, view_limit=1)
    open_share_link(token=first.token)
    open_share_link(token=first.token)
    open_share_link(token=second.token)
    registry.fresh_stats()
    with aws_calls() as calls:
        rows, next_cursor, stats = registry.list_links()
    # The counts and the newest list (the page reads them with its session check), then the
    # listed entries and their links in one BatchGetItem: no Query.
    assert calls.operations() == ["dynamodb.BatchGetItem", "dynamodb.BatchGetItem"]
    assert [(row.entry.token_hash, row.views, row.status) for row in rows] == [
        (second.link.token_hash, 1, registry.USED_UP),
        (first.link.token_hash, 2, registry.LIVE),
    ]
    assert next_cursor is None
    assert (stats.live, stats.used_up, stats.total_views, stats.links, stats.complete) == (1, 1, 3, 2, True)
    assert [row["token_hash"] for row in stats.top] == [first.link.token_hash, second.link.token_hash]


def test_the_page_never_counts_the_hourly_count_does(session, aws_calls):
    made = make(session)
    with aws_calls() as calls:
        rows, _, stats = registry.list_links()
    # Never counted (a new table's first hour): no counts, the list is not trusted yet, so
    # the registry's Query and the links; nothing counted nor written.
    assert calls.operations() == ["dynamodb.BatchGetItem", "dynamodb.Query", "dynamodb.BatchGetItem"]
    assert stats is None and registry.is_late(stats)
    assert [row.entry.token_hash for row in rows] == [made.link.token_hash]
    registry.fresh_stats()
    open_share_link(token=made.token)
    rows, _, stats = registry.list_links()
    assert rows[0].views == 1 and stats.total_views == 0  # the rows live, the counts as of their hour
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        _, _, stats = registry.list_links()
        assert stats.total_views == 0 and not registry.is_late(stats)
    with time_machine.travel(timezone.now() + timedelta(minutes=121)):
        assert registry.is_late(registry.list_links()[2])
        assert registry.fresh_stats().total_views == 1
    assert ShareStats.get(SHARES_PK, SHARE_STATS_SK).total_views == 1


def test_an_expired_link_is_counted_as_expired(session):
    make(session, expires=timezone.now() + timedelta(days=1))
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        stats = registry.fresh_stats()
        rows, _, _ = registry.list_links()
    assert (stats.expired, stats.live) == (1, 0)
    assert rows[0].status == registry.EXPIRED


def test_pages_go_on_with_a_signed_cursor(session):
    made = [make(session) for _ in range(3)]
    rows, cursor, _ = registry.list_links(limit=2)
    assert [row.entry.token_hash for row in rows] == [made[2].link.token_hash, made[1].link.token_hash]
    rest, _, _ = registry.list_links(limit=2, cursor=cursor)
    assert [row.entry.token_hash for row in rest] == [made[0].link.token_hash]


def test_links_made_before_the_registry_get_their_entries_from_the_command(session, capsys):
    before = make(session)
    other = make(session)
    ShareRegistryEntry(SHARES_PK, share_registry_sk(before.link.token_hash)).delete()  # as if made before it
    call_command("fill_share_registry")
    assert "share links: 2 found, 1 entries added to the registry" in capsys.readouterr().out
    entry = stored(before.link.token_hash)
    assert (entry.owner_sub, entry.session_id, entry.created) == (OWNER, session.session_id, before.link.created)
    assert [row.entry.token_hash for row in registry.list_links()[0]] == [
        other.link.token_hash,
        before.link.token_hash,
    ]
    call_command("fill_share_registry")
    assert "2 found, 0 entries added" in capsys.readouterr().out  # safe to re-run
