"""sync_v1 as a run: killed and restarted (nothing skipped, nothing repeated), conflicts,
lag, --follow, the command's errors, and the scheduled Lambda's handler."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from import_runs import sub_of, whole_table
from mirror_world import V1_BUCKET
from pynamodb.exceptions import PutError
from v1_standin import new_share_token

from campaigns.repository import get_campaign
from campaigns_site import aws
from campaigns_site.table_keys import CUTOVER_PK
from cutover import scheduled
from cutover.apply_v1 import ChangeApplier
from cutover.outcomes import APPLIED
from cutover.state import SyncState, get_sync_state, list_conflicts
from cutover.sync import connect, run_sync_pass
from sessions.core.repository import get_session, update_session
from sessions.sharing.repository import open_share_link
from sessions.summaries.repository import list_summaries_for_session
from v1 import checkpoints, mapping

TRANSCRIPT = "[00:00:01] Sam (GM): The troll is down.\n[00:00:05] Ana: Mira checks her purse.\n"
SESSIONS = 6


def sync(v1, *options):
    out = io.StringIO()
    call_command("sync_v1", "--source", v1.url, *options, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def session_ids(v1, session):
    created, campaign, campaign_created = v1.conn.execute(
        "SELECT g.created_at, c.id, c.created_at FROM game_sessions g JOIN campaigns c ON c.id = g.campaign_id"
        " WHERE g.id = %s",
        (session,),
    ).fetchone()
    return mapping.derived_id("campaign", campaign, campaign_created), mapping.derived_id("session", session, created)


def write_a_busy_account(v1):
    """A new v1.0 user with a campaign of SESSIONS sessions (transcripts, summaries, links), then edits."""
    user_id = v1.new_user("busy@example.com", "an old v1 password 43", name="Busy")
    campaign = v1.new_campaign(user_id, name="Busy campaign")
    aws.client("s3").put_object(Bucket=V1_BUCKET, Key="transcripts/busy/a.txt", Body=TRANSCRIPT.encode())
    sessions = []
    for number in range(1, SESSIONS + 1):
        transcript = {"transcript_text": TRANSCRIPT} if number % 2 else {"transcript_key": "transcripts/busy/a.txt"}
        session = v1.new_session(campaign, title=f"Session {number}", number=number, **transcript)
        v1.new_summary(session, kind="recap", content=f"Recap {number}.")
        sessions.append(session)
    for number, session in enumerate(sessions, start=1):
        v1.edit_session(session, title=f"Session {number}, edited", share_token=new_share_token())
    v1.edit_campaign(campaign, name="Busy campaign, renamed")
    return campaign, sessions


def total_changes(v1):
    return v1.conn.execute("SELECT count(*) FROM cutover_changes").fetchone()[0]


def visible_state():
    """Every item but the sync's own state, and every transcript object's key."""
    items = [item for item in whole_table() if item["PK"] != CUTOVER_PK]
    s3 = aws.client("s3")
    objects = sorted(
        obj["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=settings.TRANSCRIPT_BUCKET)
        for obj in page.get("Contents", [])
    )
    return items, objects


def test_killed_mid_pass_and_restarted_nothing_is_skipped_nor_repeated(v1, monkeypatch):
    campaign, sessions = write_a_busy_account(v1)
    changes = total_changes(v1)

    # Killed after 5 changes (the error stops the pass): the watermark stands after the 5th.
    applied = []
    real_apply = ChangeApplier.apply

    def dies_after_five(self, change):
        if len(applied) == 5:
            raise RuntimeError("killed")
        applied.append(change.id)
        return real_apply(self, change)

    monkeypatch.setattr(ChangeApplier, "apply", dies_after_five)
    with pytest.raises(RuntimeError, match="killed"):
        sync(v1, "--limit", "4")
    assert get_sync_state().applied == 5 and get_sync_state().watermark_id == applied[-1]
    monkeypatch.setattr(ChangeApplier, "apply", real_apply)

    # Then the watermark's save fails once: the whole batch is applied again next time.
    real_save = SyncState.save
    failures = []

    def fails_once(self, *args, **kwargs):
        if not failures:
            failures.append(1)
            raise PutError("the table is away")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(SyncState, "save", fails_once)
    with pytest.raises(PutError):
        sync(v1, "--limit", "4")
    monkeypatch.setattr(SyncState, "save", real_save)
    assert get_sync_state().applied == 5  # that batch's 4 are not counted as done

    output = sync(v1, "--limit", "4")
    assert f"applied {changes - 5} changes" in output and "lag 0s" in output
    state = get_sync_state()
    assert state.applied == changes and state.lag_seconds == 0

    sub = sub_of("busy@example.com")
    campaign_id, _ = session_ids(v1, sessions[0])
    stored = get_campaign(sub=sub, campaign_id=campaign_id)
    assert stored.name == "Busy campaign, renamed" and stored.session_count == SESSIONS
    for number, session in enumerate(sessions, start=1):
        _, session_id = session_ids(v1, session)
        item = get_session(sub=sub, campaign_id=campaign_id, session_id=session_id)
        assert item.title == f"Session {number}, edited" and item.has_transcript and item.share_links_made == 1
        summaries = list_summaries_for_session(sub=sub, campaign_id=campaign_id, session_id=session_id)
        assert [summary.text for summary in summaries] == [f"Recap {number}."]
        token = v1.conn.execute("SELECT share_token FROM game_sessions WHERE id = %s", (session,)).fetchone()[0]
        assert open_share_link(token=token) is not None

    # A clean run's result: every change applied again from the start writes nothing.
    before = visible_state()
    state.watermark_xid = state.watermark_id = 0
    state.save()
    with connect(v1.url) as conn:
        result = run_sync_pass(conn)
    assert result.applied == changes and APPLIED not in result.outcomes
    assert visible_state() == before
    transcripts = [key for key in before[1] if key.startswith(f"transcripts/{sub}/") and key.endswith("/original")]
    assert len(transcripts) == SESSIONS  # one original per session: none copied twice


def edit_here(sub, campaign_id, session_id, title):
    item = get_session(sub=sub, campaign_id=campaign_id, session_id=session_id)
    update_session(
        sub=sub,
        campaign_id=campaign_id,
        session_id=session_id,
        expected_version=item.version,
        title=title,
        number=1,
        played_on=None,
        notes="",
    )


def updated_on_v1(v1, session):
    return v1.conn.execute("SELECT updated_at FROM game_sessions WHERE id = %s", (session,)).fetchone()[0]


def test_a_row_changed_on_both_stacks_keeps_the_later_change_and_records_it(v1):
    user_id = v1.new_user("two-stacks@example.org", "an old v1 password 44")
    campaign = v1.new_campaign(user_id, name="Both sides")
    session = v1.new_session(campaign, title="Original", number=1)
    sync(v1)
    sub = sub_of("two-stacks@example.org")
    campaign_id, session_id = session_ids(v1, session)

    # v1.0 edits, then this app, before the sync: this app's later edit stands. Both stacks
    # read one clock (v1.0's times are PostgreSQL's), as in production.
    v1.edit_session(session, title="Edited on v1.0")
    edit_here(sub, campaign_id, session_id, "Edited here")
    sync(v1)
    edited_here = get_session(sub=sub, campaign_id=campaign_id, session_id=session_id)
    assert edited_here.title == "Edited here"
    [conflict] = list_conflicts()
    assert (conflict.kept, conflict.what) == ("app", f"game_sessions {session}")
    assert (conflict.v1_updated, conflict.app_updated) == (updated_on_v1(v1, session), edited_here.updated)
    assert conflict.v1_updated < conflict.app_updated

    # This app edits, then v1.0: v1.0's later edit is applied.
    edit_here(sub, campaign_id, session_id, "Edited here again")
    v1.edit_session(session, title="Edited on v1.0 again")
    sync(v1)
    assert get_session(sub=sub, campaign_id=campaign_id, session_id=session_id).title == "Edited on v1.0 again"
    assert [conflict.kept for conflict in list_conflicts()] == ["v1", "app"]

    # Applied again (a restart before the watermark's save): recorded once only.
    state = get_sync_state()
    state.watermark_xid = state.watermark_id = 0
    state.save()
    sync(v1)
    assert len(list_conflicts()) == 2


def test_the_lag_is_the_age_of_the_oldest_change_not_applied(v1):
    user_id = v1.new_user("lag@example.com", "an old v1 password 45")
    v1.new_campaign(user_id, name="Late")
    # The log's times are PostgreSQL's clock: this app's is set 90 s after the second change.
    logged_last = v1.conn.execute("SELECT max(changed_at) FROM cutover_changes").fetchone()[0]
    later = logged_last + timedelta(seconds=90)
    with time_machine.travel(later, tick=False):
        with connect(v1.url) as conn:
            result = run_sync_pass(conn, limit=1, should_stop=lambda: True)
            assert (result.applied, result.lag_seconds, result.caught_up) == (1, 90, False)
            assert get_sync_state().lag_seconds == 90
            result = run_sync_pass(conn)
        assert (result.applied, result.lag_seconds, result.caught_up) == (1, 0, True)
        assert get_sync_state().lag_seconds == 0 and get_sync_state().last_pass == later


def test_follow_applies_what_arrives_and_stops_after_for(v1):
    v1.new_user("follow@example.com", "an old v1 password 46")
    output = sync(v1, "--follow", "--for", "0.5", "--interval", "0.1")
    assert "applied 1 changes" in output and "Stopped following: 1 changes applied." in output
    assert sub_of("follow@example.com") is not None


def test_the_command_says_in_one_line_what_is_wrong(v1, settings, postgres_server):
    settings.V1_SOURCE_DSN = ""
    with pytest.raises(CommandError, match=r"^No v1.0 database: give --source <DSN> or set V1_SOURCE_DSN\.$"):
        call_command("sync_v1", stdout=io.StringIO())
    with pytest.raises(CommandError, match="^cannot connect to v1.0's database: "):
        call_command("sync_v1", "--source", "postgresql://nobody@127.0.0.1:1/none", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no change log: run `manage.py v1_capture install` first"):
        call_command("sync_v1", "--source", postgres_server.url("postgres"), stdout=io.StringIO())
    settings.V1_SOURCE_DSN = v1.url  # the setting is the default source
    out = io.StringIO()
    call_command("sync_v1", stdout=out)
    assert out.getvalue().startswith("0 changes wait")


class LambdaContext:
    def __init__(self, millis):
        self.millis = millis

    def get_remaining_time_in_millis(self):
        return self.millis


def test_the_scheduled_sync_does_nothing_without_a_source_and_stops_near_the_timeout(v1, settings, monkeypatch):
    settings.V1_SOURCE_DSN = ""
    assert scheduled.sync_v1_event({}, LambdaContext(300_000)) == {"synced": False, "reason": "V1_SOURCE_DSN is empty"}

    settings.V1_SOURCE_DSN = v1.url
    for number in range(3):
        v1.new_user(f"scheduled{number}@example.com", "an old v1 password 47")
    monkeypatch.setattr(scheduled, "BATCH", 2)
    ran = scheduled.sync_v1_event({}, LambdaContext(scheduled.MARGIN_MILLIS - 1))
    assert (ran["applied"], ran["caught_up"]) == (2, False)  # one batch, then the margin stops it
    ran = scheduled.sync_v1_event({}, LambdaContext(300_000))
    assert (ran["applied"], ran["caught_up"], ran["lag_seconds"]) == (1, True, 0)


def test_an_imported_session_edited_on_v1_keeps_its_ids_and_transcript(v1_after_import):
    v1 = v1_after_import
    session, owner = v1.conn.execute(
        "SELECT g.id, c.owner_id FROM game_sessions g JOIN campaigns c ON c.id = g.campaign_id"
        " WHERE g.deleted_at IS NULL AND c.deleted_at IS NULL AND g.transcript_text IS NOT NULL"
        " AND g.share_token IS NULL ORDER BY g.created_at"
    ).fetchall()[0]
    imported = checkpoints.get_imported_account(v1_user_id=owner)
    campaign_id, session_id = session_ids(v1, session)
    before = get_session(sub=imported.sub, campaign_id=campaign_id, session_id=session_id)
    v1.edit_session(session, title="Renamed after the import")
    assert "[1 applied]" in sync(v1)
    after = get_session(sub=imported.sub, campaign_id=campaign_id, session_id=session_id)
    assert after.title == "Renamed after the import"
    assert after.transcript_upload_id == before.transcript_upload_id  # the same transcript, not copied again


def test_a_new_v1_user_whose_address_signed_up_here_is_not_merged_into_that_account(v1):
    from accounts import cognito

    sub = cognito.create_confirmed_user(email="signed-up-here@example.org")
    user_id = v1.new_user("Signed-Up-Here@example.org", "an old v1 password 49")
    assert "[1 kept here]" in sync(v1)
    [conflict] = list_conflicts()
    assert (conflict.kept, conflict.what) == ("app", f"users {user_id}")
    assert checkpoints.get_imported_account(v1_user_id=user_id) is None
    assert sub_of("signed-up-here@example.org") == sub
    state = get_sync_state()
    state.watermark_xid = state.watermark_id = 0
    state.save()
    sync(v1)
    assert len(list_conflicts()) == 1


def test_v1_database_lost_mid_pass_is_one_line_and_the_next_run_goes_on(v1, monkeypatch):
    import psycopg

    from cutover import sync as sync_module

    for number in range(3):
        v1.new_user(f"lost{number}@example.com", "an old v1 password 50")
    real_read = sync_module.read_changes
    reads = []

    def lost_after_one_batch(conn, **options):
        reads.append(1)
        if len(reads) == 2:
            raise psycopg.OperationalError("server closed the connection unexpectedly\n\tThis probably means...")
        return real_read(conn, **options)

    monkeypatch.setattr(sync_module, "read_changes", lost_after_one_batch)
    with pytest.raises(CommandError, match=r"^lost v1.0's database \(server closed the connection unexpectedly\)"):
        sync(v1, "--limit", "2")
    assert get_sync_state().applied == 2
    monkeypatch.setattr(sync_module, "read_changes", real_read)
    assert "applied 1 changes" in sync(v1)
    assert all(sub_of(f"lost{number}@example.com") for number in range(3))
