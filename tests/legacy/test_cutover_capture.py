"""Change capture on v1.0 (cutover/capture.py, manage.py v1_capture) against a real
PostgreSQL holding v1.0's schema: each write made the way v1.0 makes it (plain SQL) logs
the row the sync relies on, the mirror's writes log nothing, install is idempotent,
uninstall removes only what install made, and read_changes neither skips nor repeats
when transactions commit out of order."""

import io
import json
import random
import uuid
from types import SimpleNamespace

import psycopg
import pytest
from django.core.management import CommandError, call_command
from import_runs import sub_of

from cutover import capture
from cutover.changes import (
    DELETE,
    INSERT,
    MIRROR_ORIGIN,
    MIRROR_SETTING,
    PASSWORD,
    SOFT_DELETE,
    START,
    UPDATE,
    read_changes,
)
from cutover.ids import CAMPAIGN, SESSION, USER, app_id_for
from v1 import mapping
from v1.checkpoints import list_imported_accounts, record_imported_account

HIDDEN = {"transcript_text", "transcript_raw", "password_hash", "refresh_token", "access_token", "id_token"}


@pytest.fixture
def captured(v1_database):
    """An autocommit connection to an empty v1.0 database with capture installed."""
    with psycopg.connect(v1_database, autocommit=True) as conn:
        capture.install(conn, user_pairs=[])
        yield conn


def add_user(conn, email="ana@example.com", password_hash="$2b$10$" + "a" * 53):
    return conn.execute(
        "INSERT INTO users (name, email, password_hash) VALUES ('Ana', %s, %s) RETURNING id", [email, password_hash]
    ).fetchone()[0]


def add_campaign(conn, owner):
    campaign_id = uuid.uuid4()
    conn.execute(
        "INSERT INTO campaigns (id, owner_id, name, created_at, updated_at) VALUES (%s, %s, 'Saltmarsh', now(), now())",
        [campaign_id, owner],
    )
    return campaign_id


def add_session(conn, campaign_id, **columns):
    session_id = uuid.uuid4()
    names = ", ".join(columns)
    conn.execute(
        f"INSERT INTO game_sessions (id, campaign_id, title, created_at, updated_at{', ' if columns else ''}{names})"
        f" VALUES (%s, %s, 'Night one', now(), now(){', %s' * len(columns)})",
        [session_id, campaign_id, *columns.values()],
    )
    return session_id


def add_summary(conn, session_id, kind="recap"):
    summary_id = uuid.uuid4()
    conn.execute(
        "INSERT INTO summaries (id, session_id, kind, content, created_at) VALUES (%s, %s, %s, 'It rained.', now())",
        [summary_id, session_id, kind],
    )
    return summary_id


def logged(conn, after=START):
    return read_changes(conn, after=after, limit=100_000)


def last_position(conn):
    changes = logged(conn)
    return changes[-1].position if changes else START


def test_insert_update_and_delete_log_the_row_its_key_and_its_owner(captured):
    owner = add_user(captured)
    campaign_id = add_campaign(captured, owner)
    captured.execute("UPDATE campaigns SET name = 'Saltmarsh (again)' WHERE id = %s", [campaign_id])
    session_id = add_session(captured, campaign_id)
    summary_id = add_summary(captured, session_id)
    captured.execute("DELETE FROM summaries WHERE id = %s", [summary_id])
    changes = logged(captured)
    assert [(change.table, change.operation, change.row_id, change.user_id) for change in changes] == [
        ("users", INSERT, str(owner), owner),
        ("campaigns", INSERT, str(campaign_id), owner),
        ("campaigns", UPDATE, str(campaign_id), owner),
        ("game_sessions", INSERT, str(session_id), owner),
        ("summaries", INSERT, str(summary_id), owner),
        ("summaries", DELETE, str(summary_id), owner),
    ]
    update = changes[2]
    assert update.old_row["name"] == "Saltmarsh" and update.new_row["name"] == "Saltmarsh (again)"
    assert update.new_row["owner_id"] == owner and update.new_row["id"] == str(campaign_id)
    assert changes[0].old_row is None and changes[-1].new_row is None
    assert changes[-1].old_row["session_id"] == str(session_id) and changes[-1].old_row["kind"] == "recap"
    assert all(change.changed_at.tzinfo is not None for change in changes)


def test_a_soft_delete_is_its_own_operation_and_an_undelete_an_update(captured):
    owner = add_user(captured)
    campaign_id = add_campaign(captured, owner)
    session_id = add_session(captured, campaign_id)
    after = last_position(captured)
    captured.execute("UPDATE game_sessions SET deleted_at = now(), title = 'gone' WHERE id = %s", [session_id])
    captured.execute("UPDATE campaigns SET deleted_at = now() WHERE id = %s", [campaign_id])
    captured.execute("UPDATE campaigns SET deleted_at = NULL WHERE id = %s", [campaign_id])
    changes = logged(captured, after)
    assert [(change.table, change.operation, change.user_id) for change in changes] == [
        ("game_sessions", SOFT_DELETE, owner),
        ("campaigns", SOFT_DELETE, owner),
        ("campaigns", UPDATE, owner),
    ]
    assert changes[0].new_row["title"] == "gone" and changes[0].new_row["deleted_at"] is not None
    assert changes[2].new_row["deleted_at"] is None


def test_a_hard_delete_cascades_parent_first_and_every_row_names_its_owner(captured):
    owner = add_user(captured)
    captured.execute("INSERT INTO user_settings (user_id, theme) VALUES (%s, 'dark')", [owner])
    captured.execute(
        """INSERT INTO accounts ("userId", type, provider, "providerAccountId") VALUES (%s, 'oauth', 'discord', '4')""",
        [owner],
    )
    kept, dropped = add_campaign(captured, owner), add_campaign(captured, owner)
    sessions = [add_session(captured, dropped), add_session(captured, dropped)]
    summaries = [add_summary(captured, session_id, kind) for session_id in sessions for kind in ("recap", "npcs")]
    lone = add_session(captured, kept)
    lone_summary = add_summary(captured, lone)

    after = last_position(captured)
    captured.execute("DELETE FROM game_sessions WHERE id = %s", [lone])  # a session alone: its summary cascades
    changes = logged(captured, after)
    assert [(change.table, change.row_id, change.user_id) for change in changes] == [
        ("game_sessions", str(lone), owner),
        ("summaries", str(lone_summary), owner),
    ]

    after = changes[-1].position
    captured.execute("DELETE FROM campaigns WHERE id = %s", [dropped])
    changes = logged(captured, after)
    assert [change.table for change in changes] == ["campaigns"] + ["game_sessions"] * 2 + ["summaries"] * 4
    assert {change.row_id for change in changes} == {str(row_id) for row_id in [dropped, *sessions, *summaries]}
    assert {(change.operation, change.user_id, change.new_row) for change in changes} == {(DELETE, owner, None)}
    assert len({change.xid for change in changes}) == 1

    after = changes[-1].position
    captured.execute("DELETE FROM users WHERE id = %s", [owner])  # everything of the user goes
    changes = logged(captured, after)
    assert changes[0].table == "users"
    assert {change.table for change in changes} == {"users", "user_settings", "accounts", "campaigns"}
    assert {(change.operation, change.user_id) for change in changes} == {(DELETE, owner)}


def test_a_password_change_is_logged_as_password_without_the_hash(captured):
    owner = add_user(captured)
    after = last_position(captured)
    captured.execute(
        "UPDATE users SET password_hash = %s, name = 'Ana B.' WHERE id = %s", ["$2b$10$" + "b" * 53, owner]
    )
    captured.execute("UPDATE users SET name = 'Ana C.' WHERE id = %s", [owner])
    password, rename = logged(captured, after)
    assert (password.table, password.operation, password.row_id, password.user_id) == (
        "users",
        PASSWORD,
        str(owner),
        owner,
    )
    assert password.new_row["name"] == "Ana B."  # the other fields came along: the sync re-reads the row
    assert rename.operation == UPDATE
    assert "password_hash" not in password.old_row and "password_hash" not in password.new_row


def test_a_user_settings_upsert_logs_insert_then_update_keyed_by_user(captured):
    owner = add_user(captured)
    after = last_position(captured)
    upsert = (
        "INSERT INTO user_settings (user_id, time_zone, theme) VALUES (%s, %s, %s)"
        " ON CONFLICT (user_id) DO UPDATE SET time_zone = EXCLUDED.time_zone, theme = EXCLUDED.theme"
    )
    captured.execute(upsert, [owner, "Europe/Berlin", "dark"])
    captured.execute(upsert, [owner, "Asia/Tokyo", "dark"])
    captured.execute(upsert, [owner, "Asia/Tokyo", "dark"])  # the same again: nothing changed, nothing logged
    changes = logged(captured, after)
    assert [(change.table, change.operation, change.row_id, change.user_id) for change in changes] == [
        ("user_settings", INSERT, str(owner), owner),
        ("user_settings", UPDATE, str(owner), owner),
    ]
    assert changes[1].old_row["time_zone"] == "Europe/Berlin" and changes[1].new_row["time_zone"] == "Asia/Tokyo"


def test_linking_and_unlinking_an_oauth_account_logs_it_without_its_tokens(captured):
    owner = add_user(captured)
    after = last_position(captured)
    account_id = captured.execute(
        """
        INSERT INTO accounts ("userId", type, provider, "providerAccountId", refresh_token, access_token,
                              expires_at, token_type, scope, id_token)
        VALUES (%s, 'oauth', 'discord', '80351110224678912', 'refresh-secret', 'access-secret', 1999999999,
                'bearer', 'identify email', 'id-token-secret')
        RETURNING id
        """,
        [owner],
    ).fetchone()[0]
    captured.execute("UPDATE accounts SET access_token = 'rotated-secret' WHERE id = %s", [account_id])
    captured.execute("DELETE FROM accounts WHERE id = %s", [account_id])
    linked, rotated, unlinked = logged(captured, after)
    assert (linked.table, linked.operation, linked.row_id, linked.user_id) == (
        "accounts",
        INSERT,
        str(account_id),
        owner,
    )
    assert linked.new_row["provider"] == "discord" and linked.new_row["userId"] == owner
    assert linked.new_row["providerAccountId"] == "80351110224678912"
    assert rotated.operation == UPDATE and rotated.old_row == rotated.new_row  # only a token changed
    assert (unlinked.operation, unlinked.user_id) == (DELETE, owner)
    text = json.dumps([[change.old_row, change.new_row] for change in (linked, rotated, unlinked)])
    assert "secret" not in text and not HIDDEN & set(linked.new_row)


def test_transcripts_and_secrets_never_reach_the_log(captured):
    owner = add_user(captured)
    campaign_id = add_campaign(captured, owner)
    after = last_position(captured)
    inline = add_session(captured, campaign_id, transcript_text="DM: It rains. " * 100_000)  # 1.4 MB
    raw = add_session(captured, campaign_id, transcript_raw=b"\xff\xfe" * 50_000, transcript_filename="night.txt")
    captured.execute("UPDATE game_sessions SET title = 'Night two' WHERE id = %s", [inline])
    captured.execute("UPDATE game_sessions SET transcript_text = 'DM: shorter.' WHERE id = %s", [inline])
    changes = logged(captured, after)
    assert [(change.row_id, change.operation) for change in changes] == [
        (str(inline), INSERT),
        (str(raw), INSERT),
        (str(inline), UPDATE),
        (str(inline), UPDATE),  # the transcript alone changed: logged, the sync re-reads the row
    ]
    assert changes[3].old_row == changes[3].new_row
    assert changes[1].new_row["transcript_filename"] == "night.txt"
    for change in changes:
        for row in (change.old_row, change.new_row):
            assert row is None or not HIDDEN & set(row)
    total = captured.execute(
        "SELECT sum(octet_length(coalesce(old_row, new_row)::text)) FROM cutover_changes"
    ).fetchone()[0]
    assert total < 10_000


def test_the_mirrors_writes_log_nothing_and_the_mark_ends_with_its_transaction(captured):
    owner = add_user(captured)
    after = last_position(captured)
    with captured.transaction():
        captured.execute(f"SET LOCAL {MIRROR_SETTING} = '{MIRROR_ORIGIN}'")
        campaign_id = add_campaign(captured, owner)
        add_summary(captured, add_session(captured, campaign_id))
        captured.execute("UPDATE users SET name = 'From the app', password_hash = NULL WHERE id = %s", [owner])
        captured.execute("DELETE FROM campaigns WHERE id = %s", [campaign_id])
    assert logged(captured, after) == []
    captured.execute("UPDATE users SET name = 'From v1.0' WHERE id = %s", [owner])  # the next transaction logs again
    assert [(change.table, change.operation) for change in logged(captured, after)] == [("users", UPDATE)]


def test_an_update_that_changes_nothing_logs_nothing(captured):
    owner = add_user(captured)
    session_id = add_session(captured, add_campaign(captured, owner), transcript_text="x" * 500_000)
    after = last_position(captured)
    captured.execute("UPDATE users SET name = name, password_hash = password_hash")
    captured.execute("UPDATE campaigns SET name = name")
    captured.execute(
        "UPDATE game_sessions SET transcript_text = transcript_text, title = title WHERE id = %s", [session_id]
    )
    assert logged(captured, after) == []


def our_objects(conn):
    triggers = conn.execute(
        "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
        " WHERE NOT t.tgisinternal ORDER BY 1, 2"
    ).fetchall()
    functions = conn.execute(
        "SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace ORDER BY 1"
    ).fetchall()
    return triggers, [name for (name,) in functions]


def test_install_twice_is_install_once(captured):
    owner = add_user(captured, email="twice@example.com")
    campaign_id = add_campaign(captured, owner)
    session_id = add_session(captured, campaign_id)
    pairs = [(owner, "sub-of-twice")]
    first = capture.install(captured, user_pairs=pairs)
    assert not first.triggers_added and first.remembered == {USER: 1, CAMPAIGN: 1, SESSION: 1}
    objects, rows = our_objects(captured), logged(captured)
    again = capture.install(captured, user_pairs=pairs)
    assert not again.changed and again.remembered == {USER: 0, CAMPAIGN: 0, SESSION: 0}
    assert our_objects(captured) == objects and logged(captured) == rows
    triggers, functions = objects
    assert triggers == [(table, "cutover_capture") for table in sorted(capture.CAPTURED_TABLES)]
    assert len([name for name in functions if name.startswith("cutover_")]) == len(capture.CAPTURED) + 1
    assert app_id_for(captured, kind=SESSION, v1_id=session_id) is not None


def test_install_rewrites_a_trigger_function_that_differs(captured):
    captured.execute(
        "CREATE OR REPLACE FUNCTION cutover_capture_users() RETURNS trigger LANGUAGE plpgsql"
        " AS 'BEGIN RETURN NULL; END'"
    )
    result = capture.install(captured, user_pairs=[])
    assert result.functions_written == ["cutover_capture_users"] and result.triggers_added == []
    add_user(captured)
    assert [change.table for change in logged(captured)] == ["users"]


def test_uninstall_removes_only_what_install_made(captured):
    captured.execute(
        """
        CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS
        'BEGIN NEW.updated_at := now(); RETURN NEW; END';
        CREATE TRIGGER touch_updated_at BEFORE UPDATE ON campaigns FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
        """
    )
    owner = add_user(captured)
    campaign_id = add_campaign(captured, owner)
    rows = logged(captured)
    result = capture.uninstall(captured)
    assert result.triggers_dropped == list(capture.CAPTURED_TABLES) and not result.log_dropped
    triggers, functions = our_objects(captured)
    assert triggers == [("campaigns", "touch_updated_at")]
    assert [name for name in functions if name.startswith("cutover_") or name == "touch_updated_at"] == [
        "touch_updated_at"
    ]
    assert logged(captured) == rows  # the log stays for the sync to finish reading
    captured.execute("UPDATE campaigns SET name = 'After' WHERE id = %s", [campaign_id])
    assert logged(captured) == rows  # nothing captures any more
    assert captured.execute("SELECT count(*) FROM users").fetchone()[0] == 1
    again = capture.uninstall(captured, drop_log=True)
    assert again.triggers_dropped == [] and again.log_dropped
    assert captured.execute(
        "SELECT to_regclass('cutover_changes'), to_regclass('cutover_ids') IS NOT NULL"
    ).fetchone() == (
        None,
        True,
    )


def test_a_transaction_that_began_first_and_commits_last_is_read_before_the_later_one(captured, v1_database):
    owner = add_user(captured)
    after = last_position(captured)
    with psycopg.connect(v1_database) as first, psycopg.connect(v1_database) as second:
        first.execute("INSERT INTO verification_token VALUES ('a@example.com', now(), 't')")  # takes its xid first
        campaign_id = add_campaign(second, owner)  # logged first: the smaller id, the larger xid
        first.execute("UPDATE users SET name = 'First' WHERE id = %s", [owner])
        second.commit()
        assert logged(captured, after) == []  # the second waits: the first may still log before it
        first.commit()
    changes = logged(captured, after)
    assert [(change.table, change.row_id) for change in changes] == [
        ("users", str(owner)),
        ("campaigns", str(campaign_id)),
    ]
    assert changes[0].id > changes[1].id and changes[0].xid < changes[1].xid
    assert logged(captured, changes[-1].position) == []


@pytest.mark.parametrize("seed", range(6))
def test_read_changes_neither_skips_nor_repeats_whatever_order_transactions_commit_in(captured, v1_database, seed):
    """Four writers interleave writes, commits and rollbacks at random while a reader
    reads in small batches behind a watermark: it gets every committed change once, in
    (xid, id) order, and nothing of a rolled-back transaction."""
    rng = random.Random(seed)
    users = [
        add_user(captured, email=f"writer{number}@example.com") for number in range(4)
    ]  # one row each: no lock waits
    after = watermark = last_position(captured)
    read, rolled_back_names = [], set()
    writers = [psycopg.connect(v1_database) for _ in users]
    pending = [[] for _ in writers]
    try:
        for step in range(160):
            number = rng.randrange(len(writers))
            writer, action = writers[number], rng.random()
            if action < 0.6:
                writer.execute("UPDATE users SET name = %s WHERE id = %s", [f"w{number}-{step}", users[number]])
                pending[number].append(f"w{number}-{step}")
            elif action < 0.85:
                writer.commit()
                pending[number] = []
            else:
                writer.rollback()
                rolled_back_names.update(pending[number])
                pending[number] = []
            batch = read_changes(captured, after=watermark, limit=rng.randrange(1, 4))
            read += batch
            watermark = batch[-1].position if batch else watermark
    finally:
        for writer in writers:
            writer.commit()
            writer.close()
    while batch := read_changes(captured, after=watermark, limit=3):
        read += batch
        watermark = batch[-1].position
    everything = captured.execute(
        "SELECT xid::text::bigint, id FROM cutover_changes WHERE (xid, id) > (%s::text::xid8, %s) ORDER BY xid, id",
        [str(after[0]), after[1]],
    ).fetchall()
    assert [change.position for change in read] == [tuple(row) for row in everything]
    assert not rolled_back_names & {change.new_row["name"] for change in read}


# manage.py v1_capture: the operator's side (DynamoDB in moto: the import's accounts, the sync's watermark).


def run_capture(*arguments):
    out = io.StringIO()
    call_command("v1_capture", *arguments, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_install_pairs_every_imported_user_campaign_and_session(imported_v1, v1_small_database, v1_small_dataset):
    accounts = list_imported_accounts()
    owners = {int(v1_id) for account in accounts for v1_id in account.v1_user_ids}
    campaigns = [row for row in v1_small_dataset.rows["campaigns"] if row["owner_id"] in owners]
    campaign_ids = {row["id"] for row in campaigns}
    sessions = [row for row in v1_small_dataset.rows["game_sessions"] if row["campaign_id"] in campaign_ids]
    output = run_capture("install", "--source", v1_small_database)
    assert (
        f"Installed 6 triggers on users, user_settings, accounts, campaigns, game_sessions, summaries; "
        f"remembered {len(accounts)} users, {len(campaigns)} campaigns, {len(sessions)} sessions." in output
    )
    with psycopg.connect(v1_small_database) as conn:
        for account in accounts:
            (v1_id,) = account.v1_user_ids
            assert app_id_for(conn, kind=USER, v1_id=v1_id) == account.sub
        for row in campaigns:
            assert app_id_for(conn, kind=CAMPAIGN, v1_id=row["id"]) == mapping.campaign_id_for(SimpleNamespace(**row))
        for row in sessions:
            assert app_id_for(conn, kind=SESSION, v1_id=row["id"]) == mapping.session_id_for(SimpleNamespace(**row))
    keeper = sub_of("keeper@example.com")
    assert keeper in {account.sub for account in accounts}
    assert "Already installed: nothing changed." in run_capture("install", "--source", v1_small_database)


@pytest.mark.django_db
def test_users_merged_into_one_account_pair_their_rows_but_only_the_main_user(aws, v1_database):
    with psycopg.connect(v1_database, autocommit=True) as conn:
        older, newer = add_user(conn, email="Ana@example.com"), add_user(conn, email="ana@example.com")
        campaigns = [add_campaign(conn, older), add_campaign(conn, newer)]
    record_imported_account(v1_user_id=newer, sub="sub-ana", email="ana@example.com", v1_user_ids=[older, newer])
    output = run_capture("install", "--source", v1_database)
    assert "remembered 1 users, 2 campaigns, 0 sessions." in output
    assert f"1 v1.0 users merged into another account have no id pair (one v1.0 user per sub): {older}" in output
    with psycopg.connect(v1_database) as conn:
        assert app_id_for(conn, kind=USER, v1_id=newer) == "sub-ana"
        assert app_id_for(conn, kind=USER, v1_id=older) is None
        assert all(app_id_for(conn, kind=CAMPAIGN, v1_id=campaign_id) for campaign_id in campaigns)


@pytest.mark.django_db
def test_status_and_uninstall_say_what_is_there_and_keep_unread_changes(aws, v1_database, settings):
    settings.V1_SOURCE_DSN = v1_database  # the default --source
    assert "No change log (cutover_changes)" in run_capture("status")
    output = run_capture("install")
    assert "Installed 6 triggers" in output and "No imported accounts" in output
    with psycopg.connect(v1_database, autocommit=True) as conn:
        add_campaign(conn, add_user(conn))
    output = run_capture("status")
    assert "Triggers on 6 of 6 tables: users, user_settings, accounts, campaigns, game_sessions, summaries." in output
    assert "2 changes logged; 2 after the sync's watermark (0, 0), the oldest from " in output
    with pytest.raises(CommandError, match="^2 logged changes are not synced yet"):
        run_capture("uninstall", "--drop-log")
    output = run_capture("uninstall")
    assert "Removed 6 triggers from users, user_settings" in output and "Kept the change log" in output
    assert "No trigger on: users, user_settings, accounts, campaigns, game_sessions, summaries." in run_capture(
        "status"
    )
    assert "Dropped the change log" in run_capture("uninstall", "--drop-log", "--force")


@pytest.mark.django_db
def test_a_bad_source_is_one_line_and_changes_nothing(aws, postgres_database, settings):
    settings.V1_SOURCE_DSN = ""
    with pytest.raises(CommandError, match="^No v1.0 database: give --source or set V1_SOURCE_DSN.$"):
        run_capture("status")
    with pytest.raises(CommandError) as refused:
        run_capture("install", "--source", "postgresql://nobody@127.0.0.1:1/nothing")
    assert str(refused.value).startswith("cannot connect to v1.0's database: ") and "\n" not in str(refused.value)
    with pytest.raises(CommandError, match="^this database does not look like v1.0's: no table users, "):
        run_capture("install", "--source", postgres_database)
    with psycopg.connect(postgres_database) as conn:
        assert conn.execute("SELECT to_regclass('cutover_changes')").fetchone() == (None,)
