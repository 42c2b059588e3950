"""The mirror on imported data (issue 14, point 3): rows paired at capture install are
written in place, an imported transcript stays as v1.0 had it, an imported share link
revoked here is no longer shared on v1.0, and a row v1.0 changed later wins, logged."""

from datetime import timedelta

import psycopg
import pytest
from import_runs import sub_of
from mirror_world import drain, entries, forget_request_entries, row, rows, start_mirroring

from campaigns import repository as campaigns
from campaigns_site.table_keys import SESSION_PREFIX
from cutover import ids
from cutover.state import list_conflicts
from sessions.core.items import PlaySession
from sessions.core.repository import get_session, move_session, update_session
from sessions.sharing.items import hash_token
from sessions.sharing.repository import revoke_share_link
from tests.transcript_uploads import store_transcript
from v1 import mapping
from v1.checkpoints import list_imported_accounts


@pytest.fixture
def imported_mirror(imported_v1, v1_small_database, settings):
    """Mirroring into the imported v1.0, with the pairs `v1_capture install` writes."""
    start_mirroring(settings, v1_small_database, create_bucket=False)
    with psycopg.connect(v1_small_database) as conn:
        pair_imported_rows(conn)
    return v1_small_database


def pair_imported_rows(conn):
    """What `v1_capture install` fills cutover_ids with: every imported user, campaign, session."""
    for account in list_imported_accounts():
        for v1_user_id in account.v1_user_ids:
            ids.remember(conn, kind=ids.USER, v1_id=int(v1_user_id), app_id=account.sub)
    for table, kind in (("campaigns", ids.CAMPAIGN), ("game_sessions", ids.SESSION)):
        found = conn.execute(f"SELECT id, created_at FROM {table} WHERE deleted_at IS NULL").fetchall()
        ids.remember_many(conn, kind=kind, pairs=[(id_, mapping.derived_id(kind, id_, at)) for id_, at in found])


# A live session of a live campaign of a user the import brought over.
IMPORTED = (
    "s.deleted_at IS NULL AND c.deleted_at IS NULL "
    "AND EXISTS (SELECT 1 FROM cutover_ids i WHERE i.kind = 'user' AND i.v1_id = u.id::text)"
)


def imported_session(dsn, where, *params, transcribed=False):
    """(the v1.0 row, the session item) of the first imported session matching `where`
    (and, if `transcribed`, whose transcript was imported: not one the import could not read)."""
    found = rows(
        dsn,
        "SELECT s.*, c.created_at AS campaign_created, u.email FROM game_sessions s "
        f"JOIN campaigns c ON c.id = s.campaign_id JOIN users u ON u.id = c.owner_id WHERE {IMPORTED} AND {where} "
        "ORDER BY s.id",
        *params,
    )
    for v1_row in found:
        campaign_id = mapping.derived_id("campaign", v1_row["campaign_id"], v1_row["campaign_created"])
        session_id = mapping.derived_id("session", v1_row["id"], v1_row["created_at"])
        item = PlaySession.get(f"USER#{sub_of(v1_row['email'])}", f"{SESSION_PREFIX}{campaign_id}#{session_id}")
        if item.has_transcript or not transcribed:
            return v1_row, item
    raise AssertionError(f"no imported session where {where}")


def edit(item, **changes):
    fields = {"title": item.title, "number": item.number, "played_on": item.played_on, "notes": item.notes}
    update_session(
        sub=item.owner_sub,
        campaign_id=item.campaign_id,
        session_id=item.session_id,
        expected_version=item.version,
        **{**fields, **changes},
    )
    return get_session(sub=item.owner_sub, campaign_id=item.campaign_id, session_id=item.session_id)


def applied(dsn):
    forget_request_entries()
    drain(dsn)
    assert entries() == []


def test_an_imported_session_is_edited_in_place_keeping_its_transcript(imported_mirror, v1_small_dataset):
    v1_row, item = imported_session(imported_mirror, "s.transcript_text IS NOT NULL", transcribed=True)
    assert item.has_transcript
    edit(item, title="Renamed here")
    applied(imported_mirror)

    after = row(imported_mirror, "SELECT * FROM game_sessions WHERE id = %s", v1_row["id"])
    assert after["title"] == "Renamed here"
    # The transcript is the one imported from this row: v1.0's own columns stay.
    assert (after["transcript_text"], after["transcript_key"]) == (v1_row["transcript_text"], None)
    assert len(rows(imported_mirror, "SELECT id FROM game_sessions WHERE id = %s", v1_row["id"])) == 1


def test_a_new_transcript_on_an_imported_session_replaces_v1s_inline_text(imported_mirror):
    v1_row, item = imported_session(imported_mirror, "s.transcript_text IS NOT NULL", transcribed=True)
    data = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Ada>A new night\n"
    store_transcript(sub=item.owner_sub, campaign_id=item.campaign_id, session_id=item.session_id, data=data)
    applied(imported_mirror)
    after = row(imported_mirror, "SELECT * FROM game_sessions WHERE id = %s", v1_row["id"])
    assert after["transcript_key"].startswith(f"mirror/{v1_row['id']}/")
    assert (after["transcript_text"], after["transcript_raw"]) == (None, None)


def test_an_imported_link_revoked_here_is_no_longer_shared_on_v1(imported_mirror, v1_small_dataset):
    (token,) = v1_small_dataset.case("share_token_no_expiry")
    v1_row, item = imported_session(imported_mirror, "s.share_token = %s", token)
    revoke_share_link(
        sub=item.owner_sub, campaign_id=item.campaign_id, session_id=item.session_id, token_hash=hash_token(token)
    )
    applied(imported_mirror)
    after = row(imported_mirror, "SELECT share_token, share_expires_at FROM game_sessions WHERE id = %s", v1_row["id"])
    assert after == {"share_token": None, "share_expires_at": None}
    (other,) = v1_small_dataset.case("share_token_future_expiry")
    assert row(imported_mirror, "SELECT count(*) FROM game_sessions WHERE share_token = %s", other)["count"] == 1


def test_a_row_v1_changed_later_is_kept_and_the_conflict_logged(imported_mirror):
    v1_row, item = imported_session(imported_mirror, "s.transcript_text IS NOT NULL", transcribed=True)
    edited = edit(item, title="Ours")
    later = edited.updated + timedelta(seconds=5)
    with psycopg.connect(imported_mirror) as conn:  # v1.0 saves the same session meanwhile
        conn.execute("UPDATE game_sessions SET title = 'Theirs', updated_at = %s WHERE id = %s", (later, v1_row["id"]))
    applied(imported_mirror)

    assert row(imported_mirror, "SELECT title FROM game_sessions WHERE id = %s", v1_row["id"])["title"] == "Theirs"
    (conflict,) = list_conflicts()
    assert (conflict.kept, conflict.what) == ("v1", f"game_sessions {v1_row['id']}")
    assert (conflict.v1_updated, conflict.app_updated) == (later, edited.updated)


def test_a_moved_session_is_the_same_row_in_its_new_campaign(imported_mirror):
    v1_row, item = imported_session(imported_mirror, "true")
    target = campaigns.create_campaign(sub=item.owner_sub, name="Elsewhere")
    applied(imported_mirror)
    move_session(
        sub=item.owner_sub, campaign_id=item.campaign_id, session_id=item.session_id, to_campaign_id=target.campaign_id
    )
    applied(imported_mirror)
    after = row(imported_mirror, "SELECT campaign_id, deleted_at FROM game_sessions WHERE id = %s", v1_row["id"])
    assert after == {"campaign_id": ids.uuid_for_new_item(target.campaign_id), "deleted_at": None}


def test_a_deleted_account_removes_the_v1_user(imported_mirror, db):
    from accounts.deletion import delete_account

    v1_row, item = imported_session(imported_mirror, "true")
    user_id = row(imported_mirror, "SELECT owner_id FROM campaigns WHERE id = %s", v1_row["campaign_id"])["owner_id"]
    delete_account(sub=item.owner_sub)
    applied(imported_mirror)
    assert rows(imported_mirror, "SELECT id FROM users WHERE id = %s", user_id) == []
