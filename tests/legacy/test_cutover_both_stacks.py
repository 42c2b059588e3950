"""Both stacks live (issue 14, point 7): v1.0 (a stand-in writing SQL through its schema,
with the real capture triggers) serves some users while this app serves others, both on
the test PostgreSQL and moto. Writes on either side arrive on the other within one sync
and drain; a sync killed mid-way or PostgreSQL down loses nothing; a rollback after writes
here loses none of them; a row changed on both sides is resolved and logged."""

import io

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from import_runs import sub_of
from kills import Killed, KillFrom
from mirror_world import entries
from v1_standin import V1Standin

from campaigns import repository as campaigns
from campaigns_site.aws import record_aws_calls
from cutover import ids, mirror_drain
from cutover.changes import read_changes
from cutover.state import get_sync_state, list_conflicts, list_shifts
from cutover.traffic import read_split
from sessions.core.repository import list_sessions_for_campaign
from tests.web_clients import post

UNREACHABLE = "postgresql://nobody@127.0.0.1:1/v1?connect_timeout=1"


@pytest.fixture
def both_stacks(imported_v1, v1_small_database, v1_small_bucket, settings):
    """v1.0 after the import, with capture installed, and this app syncing and mirroring."""
    dsn = v1_small_database
    call_command("v1_capture", "install", "--source", dsn, stdout=io.StringIO())
    settings.V1_SOURCE_DSN = settings.V1_MIRROR_DSN = dsn
    settings.V1_BUCKET = v1_small_bucket
    mirror_drain.forget_outage()  # an earlier test's outage is not this one's
    return dsn


@pytest.fixture
def on_v1(both_stacks):
    """v1.0's side: the stand-in writing SQL as v1.0 does (tests/legacy/v1_standin.py)."""
    with V1Standin(both_stacks) as standin:
        yield standin


def sync(dsn):
    out = io.StringIO()
    call_command("sync_v1", "--source", dsn, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def drain(dsn, *options):
    out = io.StringIO()
    call_command("drain_outbox", "--dsn", dsn, *options, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def v1_user_id(dsn, sub):
    with psycopg.connect(dsn) as conn:
        return int(ids.v1_id_for(conn, kind=ids.USER, app_id=sub))


def campaign_names_here(sub):
    return sorted(campaign.name for campaign in campaigns.list_campaigns_for_user(sub=sub).items)


def new_campaign_here(client, name):
    response = post(client, "/campaigns/new/", {"name": name, "game_system": "", "description": ""})
    assert response.status_code == 302
    return response["Location"].split("/")[2]


def unapplied_changes(dsn):
    with psycopg.connect(dsn) as conn:
        return read_changes(conn, after=get_sync_state().watermark)


def test_writes_on_either_side_arrive_on_the_other_without_echo(both_stacks, ada, on_v1):
    dsn = both_stacks
    # v1.0 serves Bea: she signs up there, makes a campaign and a session with a transcript.
    bea = on_v1.new_user("bea@example.com", "bea's old secret 1")
    tomb = on_v1.new_campaign(bea, name="Tomb of Annihilation")
    on_v1.new_session(tomb, title="Port Nyanzaru", transcript_text="DM: Welcome to Chult.\n")
    # Meanwhile this app serves Ada: a campaign, applied to v1.0 right after the response.
    new_campaign_here(ada, "Dragon Heist")

    sync(dsn)

    bea_sub = sub_of("bea@example.com")
    assert campaign_names_here(bea_sub) == ["Tomb of Annihilation"]
    (tomb_here,) = campaigns.list_campaigns_for_user(sub=bea_sub).items
    (session,) = list_sessions_for_campaign(sub=bea_sub, campaign_id=tomb_here.campaign_id).items
    assert session.title == "Port Nyanzaru" and session.has_transcript
    assert on_v1.campaigns_of(v1_user_id(dsn, ada.sub)) == [("Dragon Heist", False)]
    assert entries() == []
    # Nothing echoes: the mirror's writes were never logged, so the sync has nothing left.
    assert unapplied_changes(dsn) == []
    assert "applied 0" in sync(dsn)


def test_a_sync_killed_mid_way_and_restarted_loses_and_repeats_nothing(both_stacks, on_v1):
    dsn = both_stacks
    bea = on_v1.new_user("bea@example.com", "bea's old secret 1")
    made = [on_v1.new_campaign(bea, name=f"Campaign {n:02d}") for n in range(12)]
    for campaign_id in made[:4]:
        on_v1.edit_campaign(campaign_id, name=f"Renamed {campaign_id.hex[:6]}")

    # Killed at the 25th AWS request of the pass: every later request refused, like a SIGKILL.
    with record_aws_calls(KillFrom(25)), pytest.raises(Killed):
        sync(dsn)
    sync(dsn)

    bea_sub = sub_of("bea@example.com")
    expected = sorted(
        [f"Renamed {campaign_id.hex[:6]}" for campaign_id in made[:4]] + [f"Campaign {n:02d}" for n in range(4, 12)]
    )
    assert campaign_names_here(bea_sub) == expected  # none lost, none twice
    assert unapplied_changes(dsn) == []


def test_postgres_down_loses_nothing_made_here(both_stacks, ada, settings):
    dsn = both_stacks
    settings.V1_MIRROR_DSN = UNREACHABLE  # v1.0's database is down while Ada works here
    for name in ("Out of the Abyss", "Storm King's Thunder"):
        new_campaign_here(ada, name)
    assert len(entries()) == 2  # each change waits in the outbox, none lost

    with pytest.raises(CommandError, match="unreachable"):
        drain(UNREACHABLE, "--all")
    settings.V1_MIRROR_DSN = dsn  # back up: the scheduled drain applies them
    mirror_drain.forget_outage()
    drain(dsn, "--all")

    with V1Standin(dsn) as on_v1:
        assert on_v1.campaigns_of(v1_user_id(dsn, ada.sub)) == [
            ("Out of the Abyss", False),
            ("Storm King's Thunder", False),
        ]
    assert entries() == []


def test_a_rollback_after_writes_here_loses_none_of_them(both_stacks, ada, settings):
    dsn = both_stacks
    call_command("shift_traffic", "--percent", "10", "--force", stdout=io.StringIO(), stderr=io.StringIO())
    settings.V1_MIRROR_DSN = UNREACHABLE  # the after-response apply fails: the writes wait in the outbox
    names = [f"Written here {n}" for n in range(3)]
    for name in names:
        new_campaign_here(ada, name)
    assert len(entries()) == 3

    settings.V1_MIRROR_DSN = dsn
    mirror_drain.forget_outage()
    out = io.StringIO()
    call_command("shift_traffic", "--rollback", stdout=out, stderr=io.StringIO())
    # Ada signed up here: v1.0 has her, without a password; the rollback says so.
    assert "1 user(s) who signed up here have no password on v1.0" in out.getvalue()

    assert read_split().percent == 0
    assert entries() == []
    with V1Standin(dsn) as on_v1:
        assert on_v1.campaigns_of(v1_user_id(dsn, ada.sub)) == [(name, False) for name in names]
    assert list_shifts()[0].rollback


def test_a_rollback_refuses_while_v1_cannot_take_the_writes(both_stacks, ada, settings):
    call_command("shift_traffic", "--percent", "10", "--force", stdout=io.StringIO(), stderr=io.StringIO())
    settings.V1_MIRROR_DSN = UNREACHABLE
    new_campaign_here(ada, "Waiting in the outbox")

    with pytest.raises(CommandError, match="Refused: outbox"):
        call_command("shift_traffic", "--rollback", stdout=io.StringIO(), stderr=io.StringIO())
    assert read_split().percent == 10
    assert len(entries()) == 1


def test_the_same_row_changed_on_both_sides_is_resolved_by_time_and_logged(both_stacks, ada, on_v1):
    dsn = both_stacks
    campaign_id = new_campaign_here(ada, "Dragon Heist")  # in v1.0 too, by the mirror
    uuid = ids.uuid_for_new_item(campaign_id)
    # Within one sync interval: renamed on v1.0 (Ada on another device, still on v1.0)...
    on_v1.edit_campaign(uuid, name="Renamed on v1.0")
    # ...then here, later, while the mirror cannot reach v1.0.
    stored = campaigns.get_campaign(sub=ada.sub, campaign_id=campaign_id)
    edit = {"name": "Renamed here", "game_system": "", "description": "", "version": stored.version}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(mirror_drain, "paused_until", float("inf"))  # no apply after the response
        assert post(ada, f"/campaigns/{campaign_id}/edit/", edit).status_code == 302

    sync(dsn)  # v1.0's older change meets the newer one made here
    drain(dsn, "--all")

    assert campaign_names_here(ada.sub) == ["Renamed here"]  # the later one wins on both sides
    assert on_v1.campaigns_of(v1_user_id(dsn, ada.sub)) == [("Renamed here", False)]
    (conflict,) = list_conflicts()
    assert conflict.kept == "app"
    assert "Renamed" not in conflict.what  # metadata only
