"""manage.py drain_outbox and its scheduled event; the outbox entry of a full transaction."""

import io

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from mirror_world import entries, forget_request_entries, rows

from campaigns import repository as campaigns
from campaigns_site.outbox import take_written_entries
from campaigns_site.table_keys import session_sk, user_pk
from campaigns_site.transactions import Transaction
from cutover.scheduled_drain import drain_outbox_event
from sessions.core.campaign_deletion import delete_campaign
from sessions.core.repository import create_session

SUB = "mirror-drain-owner"
CLOSED_PORT_DSN = "postgresql://nobody@127.0.0.1:9/none"


@pytest.fixture
def profile(mirror):
    from accounts.profiles import create_profile

    create_profile(sub=SUB, email="gm@example.com", display_name="GM")
    return SUB


def drain_command(*options):
    out, err = io.StringIO(), io.StringIO()
    call_command("drain_outbox", *options, stdout=out, stderr=err)
    return out.getvalue()


def test_the_command_applies_what_waits_and_says_so(mirror, profile):
    campaigns.create_campaign(sub=SUB, name="One")
    campaigns.create_campaign(sub=SUB, name="Two")
    forget_request_entries()
    assert len(entries()) == 3  # the profile and two campaigns
    assert drain_command().strip().endswith("applied 3, failed 0, remaining 0")
    assert sorted(found["name"] for found in rows(mirror, "SELECT name FROM campaigns")) == ["One", "Two"]
    assert drain_command().strip().endswith("applied 0, failed 0, remaining 0")  # safe to re-run


def test_the_command_fails_clearly_when_postgres_is_down_and_keeps_the_entries(mirror, profile):
    with pytest.raises(CommandError, match="PostgreSQL is unreachable.*none lost"):
        drain_command("--dsn", CLOSED_PORT_DSN)
    (entry,) = entries()
    assert entry["attempts"] == 1
    assert timezone.now() < timezone.datetime.fromisoformat(entry["next_attempt"].replace("+0000", "+00:00"))


def test_the_command_refuses_bad_input(mirror, settings):
    with pytest.raises(CommandError, match="--limit"):
        drain_command("--limit", "0")
    settings.V1_MIRROR_DSN = ""
    with pytest.raises(CommandError, match="No DSN"):
        drain_command()


def test_the_scheduled_drain_does_nothing_without_a_mirror(aws, settings, aws_calls):
    assert settings.V1_MIRROR_DSN == ""
    with aws_calls() as calls:
        assert drain_outbox_event({}, None) is None
    assert calls.operations() == []


def test_the_scheduled_drain_applies_the_outbox(mirror, profile):
    forget_request_entries()
    assert drain_outbox_event({}, None) == "applied 1, failed 0, remaining 0"
    assert len(rows(mirror, "SELECT id FROM users")) == 1


def test_a_full_transaction_writes_its_entry_first_due_a_minute_later(mirror, profile):
    forget_request_entries()
    transaction = Transaction()
    for number in range(Transaction.MAX_ACTIONS):
        transaction.delete(
            user_pk(SUB), session_sk("01J00000000000000000000000", f"01J0000000000000000000{number:04d}")
        )
    transaction.commit()
    (entry,) = [entry for entry in entries() if entry["keys"] != [[user_pk(SUB), "PROFILE"]]]
    assert len(entry["keys"]) == Transaction.MAX_ACTIONS
    assert entry["next_attempt"] is not None  # not due before the transaction had time to commit
    assert len(take_written_entries()) == 1  # and applied after the request, as the others


def test_a_campaign_deleted_with_many_sessions_is_deleted_on_v1_with_them(mirror, profile):
    campaign = campaigns.create_campaign(sub=SUB, name="Big")
    sessions = [create_session(sub=SUB, campaign_id=campaign.campaign_id, title=f"S{n}") for n in range(60)]
    forget_request_entries()
    drain_command()
    delete_campaign(sub=SUB, campaign_id=campaign.campaign_id)
    forget_request_entries()
    drain_command("--all")  # the full transactions' entries are due a minute later
    deleted = rows(mirror, "SELECT deleted_at FROM game_sessions")
    assert len(deleted) == len(sessions) and all(found["deleted_at"] for found in deleted)
    assert rows(mirror, "SELECT deleted_at FROM campaigns")[0]["deleted_at"] is not None
    assert entries() == []


def test_writes_inside_not_mirrored_write_no_entry(mirror, profile):
    from campaigns_site.outbox import not_mirrored

    forget_request_entries()
    before = len(entries())
    with not_mirrored():
        campaigns.create_campaign(sub=SUB, name="From v1.0, by the sync")
    assert len(entries()) == before
    campaigns.create_campaign(sub=SUB, name="Made here")
    assert len(entries()) == before + 1


def test_the_mirrors_writes_are_marked_for_the_capture_triggers(mirror, profile):
    # A stand-in for v1_capture's triggers: log every change unless the mirror made it.
    with psycopg.connect(mirror) as conn:
        conn.execute("CREATE TABLE logged (table_name text)")
        conn.execute(
            """
            CREATE FUNCTION log_change() RETURNS trigger AS $$
            BEGIN
              IF current_setting('cutover.origin', true) IS DISTINCT FROM 'mirror' THEN
                INSERT INTO logged VALUES (TG_TABLE_NAME);
              END IF;
              RETURN NULL;
            END $$ LANGUAGE plpgsql
            """
        )
        for table in ("users", "campaigns"):
            conn.execute(
                f"CREATE TRIGGER log_{table} AFTER INSERT OR UPDATE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION log_change()"
            )
    campaigns.create_campaign(sub=SUB, name="Quiet")
    forget_request_entries()
    drain_command()
    assert len(rows(mirror, "SELECT id FROM campaigns")) == 1
    assert rows(mirror, "SELECT * FROM logged") == []
    with psycopg.connect(mirror) as conn:  # v1.0's own write is logged
        conn.execute("UPDATE campaigns SET name = 'Loud'")
    assert rows(mirror, "SELECT * FROM logged") == [{"table_name": "campaigns"}]


def test_a_profile_finds_the_unpaired_v1_user_with_its_address(mirror):
    from accounts.profiles import create_profile

    with psycopg.connect(mirror) as conn:
        conn.execute("INSERT INTO users (email, name, password_hash) VALUES ('GM@example.com', 'Old', '$2b$10$x')")
    create_profile(sub=SUB, email="gm@example.com", display_name="GM")
    forget_request_entries()
    drain_command()
    (user,) = rows(mirror, "SELECT email, name, password_hash FROM users")
    assert user == {"email": "GM@example.com", "name": "GM", "password_hash": "$2b$10$x"}  # v1.0's spelling, password
    assert len(rows(mirror, "SELECT * FROM cutover_ids WHERE kind = 'user' AND app_id = %s", SUB)) == 1
