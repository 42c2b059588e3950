"""The mirror (issue 14, point 3): this app's writes reach v1.0's schema through the
outbox, driven through the app's real views where it is cheap, applied after the
response or by the drain. PostgreSQL is the test server; AWS is moto."""

import time
import uuid
from datetime import UTC, datetime

import pytest
from django.test import Client
from mirror_world import V1_BUCKET, drain, entries, forget_request_entries, row, rows

from accounts import profiles
from campaigns import repository as campaigns
from campaigns_site import aws as aws_module
from campaigns_site.table_keys import OUTBOX_PK, campaign_sk, user_pk
from cutover import ids, mirror_drain
from sessions.core.repository import create_session, get_session
from sessions.summaries.jobs import start_summary_job
from sessions.summaries.repository import list_summaries_for_session
from sessions.summaries.runners import run_summary_job
from tests.conftest import PASSWORD
from tests.transcript_uploads import store_transcript
from tests.uploads import confirm, post_to_s3, upload_form_of
from tests.web_clients import post

# moto's pool is new in each test: its password policy is read afresh
pytestmark = pytest.mark.usefixtures("policy_read_afresh")


def user_row(dsn, sub):
    v1_id = row(dsn, "SELECT v1_id FROM cutover_ids WHERE kind = 'user' AND app_id = %s", sub)["v1_id"]
    return row(dsn, "SELECT * FROM users WHERE id = %s", int(v1_id))


def campaign_row(dsn, campaign_id):
    return row(dsn, "SELECT * FROM campaigns WHERE id = %s", ids.uuid_for_new_item(campaign_id))


def session_row(dsn, session_id):
    return row(dsn, "SELECT * FROM game_sessions WHERE id = %s", ids.uuid_for_new_item(session_id))


# --- users -------------------------------------------------------------------------------------
def test_a_sign_up_makes_a_v1_user_without_a_password(mirror, db):
    client = Client()
    response = client.post(
        "/accounts/signup/",
        {"email": "Ada@Example.com", "display_name": "Ada the Bard", "password1": PASSWORD},
    )
    assert response.status_code == 302

    (user,) = rows(mirror, "SELECT * FROM users")
    assert (user["email"], user["name"], user["role"], user["password_hash"]) == (
        "ada@example.com",
        "Ada the Bard",
        "user",
        None,
    )
    assert entries() == []  # applied after the response, and deleted
    from cutover.mirror_drain import mirror_status

    assert mirror_status(dsn=mirror).users_without_password == 1


def test_profile_name_theme_and_time_zone_arrive(mirror, ada):
    assert post(ada, "/accounts/profile/", {"display_name": "Ada Lovelace"}).status_code == 302
    assert post(ada, "/preferences/theme/", {"theme": "auto", "next": "/"}).status_code == 302
    profiles.set_preferences(sub=ada.sub, time_zone="America/Los_Angeles")  # no page sets it yet
    forget_request_entries()
    drain(mirror)

    assert user_row(mirror, ada.sub)["name"] == "Ada Lovelace"
    user_id = user_row(mirror, ada.sub)["id"]
    settings_row = row(mirror, "SELECT theme, time_zone FROM user_settings WHERE user_id = %s", user_id)
    assert settings_row == {"theme": "system", "time_zone": "America/Los_Angeles"}
    assert entries() == []


# --- campaigns ---------------------------------------------------------------------------------
def test_create_edit_archive_and_delete_a_campaign(mirror, ada):
    response = post(ada, "/campaigns/new/", {"name": "Dragon Heist", "game_system": "D&D 5e", "description": "x"})
    campaign_id = response["Location"].split("/")[2]
    found = campaign_row(mirror, campaign_id)
    stored = campaigns.get_campaign(sub=ada.sub, campaign_id=campaign_id)
    assert (found["name"], found["game_system"], found["description"], found["archived"]) == (
        "Dragon Heist",
        "D&D 5e",
        "x",
        False,
    )
    assert (found["created_at"], found["updated_at"], found["deleted_at"]) == (stored.created, stored.updated, None)
    assert found["owner_id"] == user_row(mirror, ada.sub)["id"]

    edit = {"name": "Curse of Strahd", "game_system": "", "description": "", "version": stored.version}
    assert post(ada, f"/campaigns/{campaign_id}/edit/", edit).status_code == 302
    assert post(ada, f"/campaigns/{campaign_id}/archive/").status_code == 302
    found = campaign_row(mirror, campaign_id)
    stored = campaigns.get_campaign(sub=ada.sub, campaign_id=campaign_id)
    assert (found["name"], found["game_system"], found["archived"], found["updated_at"]) == (
        "Curse of Strahd",
        None,
        True,
        stored.updated,
    )

    assert post(ada, f"/campaigns/{campaign_id}/delete/").status_code == 302
    assert campaign_row(mirror, campaign_id)["deleted_at"] is not None  # soft delete, as v1.0 does
    assert entries() == []


def test_a_stale_edit_writes_neither_the_change_nor_an_entry(mirror, ada):
    post(ada, "/campaigns/new/", {"name": "Dragon Heist", "game_system": "", "description": ""})
    (campaign,) = campaigns.list_campaigns_for_user(sub=ada.sub).items
    edit = {"name": "Mine", "game_system": "", "description": ""}
    assert post(ada, f"/campaigns/{campaign.campaign_id}/edit/", {**edit, "version": 1}).status_code == 302
    response = post(ada, f"/campaigns/{campaign.campaign_id}/edit/", {**edit, "name": "Stale", "version": 1})
    assert response.status_code == 200  # "saved by someone else"
    assert entries() == []
    assert campaign_row(mirror, campaign.campaign_id)["name"] == "Mine"


# --- sessions, transcripts, summaries ------------------------------------------------------------
def test_create_edit_and_delete_a_session(mirror, ada):
    campaign = campaigns.create_campaign(sub=ada.sub, name="Strahd")
    forget_request_entries()
    drain(mirror)
    data = {"title": "Into the Mists", "number": "2", "played_on": "2024-06-07", "notes": "Fog"}
    response = post(ada, f"/campaigns/{campaign.campaign_id}/sessions/new/", data)
    session_id = response["Location"].split("/")[4]
    found = session_row(mirror, session_id)
    stored = get_session(sub=ada.sub, campaign_id=campaign.campaign_id, session_id=session_id)
    assert (found["title"], found["session_number"], found["notes"]) == ("Into the Mists", 2, "Fog")
    assert found["campaign_id"] == ids.uuid_for_new_item(campaign.campaign_id)
    # The day, at noon in the ada's time zone (UTC: none chosen).
    assert found["played_at"] == datetime(2024, 6, 7, 12, tzinfo=UTC)
    assert (found["created_at"], found["updated_at"]) == (stored.created, stored.updated)

    edit = {**data, "title": "Renamed", "number": "", "played_on": "", "version": stored.version}
    assert post(ada, f"/campaigns/{campaign.campaign_id}/sessions/{session_id}/edit/", edit).status_code == 302
    found = session_row(mirror, session_id)
    assert (found["title"], found["session_number"], found["played_at"], found["deleted_at"]) == (
        "Renamed",
        None,
        None,
        None,
    )

    assert post(ada, f"/campaigns/{campaign.campaign_id}/sessions/{session_id}/delete/").status_code == 302
    assert session_row(mirror, session_id)["deleted_at"] is not None
    assert entries() == []


def test_an_uploaded_transcript_is_copied_into_v1s_bucket(mirror, ada):
    campaign = campaigns.create_campaign(sub=ada.sub, name="Strahd")
    session = create_session(sub=ada.sub, campaign_id=campaign.campaign_id, title="Night")
    forget_request_entries()
    drain(mirror)
    data = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Ada>Hello there\n"
    # What the browser does: the page's upload form, the file posted to S3, the confirmation.
    page = ada.get(f"/campaigns/{campaign.campaign_id}/sessions/{session.session_id}/")
    assert confirm(ada, post_to_s3(upload_form_of(page), data, "n.vtt")).status_code == 302
    assert entries() == []  # applied after the confirmation's response

    found = session_row(mirror, session.session_id)
    stored = get_session(sub=ada.sub, campaign_id=campaign.campaign_id, session_id=session.session_id)
    session_uuid = ids.uuid_for_new_item(session.session_id)
    assert found["transcript_key"] == f"mirror/{session_uuid}/{stored.transcript_upload_id}/n.vtt"
    assert (found["transcript_filename"], found["updated_at"]) == ("n.vtt", stored.updated)
    copied = aws_module.client("s3").get_object(Bucket=V1_BUCKET, Key=found["transcript_key"])["Body"].read()
    assert copied == data


VTT = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Ada>We found the key in the crypt\n"


def test_summaries_arrive_under_v1s_kinds_and_go_with_a_new_transcript(mirror, ada, manual):
    campaign = campaigns.create_campaign(sub=ada.sub, name="Strahd")
    session = create_session(sub=ada.sub, campaign_id=campaign.campaign_id, title="Night")
    store_transcript(sub=ada.sub, campaign_id=campaign.campaign_id, session_id=session.session_id, data=VTT)
    job = start_summary_job(
        sub=ada.sub,
        campaign_id=campaign.campaign_id,
        session_id=session.session_id,
        kinds=["recap", "key_events", "open_threads"],
    )
    run_summary_job(sub=ada.sub, campaign_id=campaign.campaign_id, session_id=session.session_id, job_id=job.job_id)
    forget_request_entries()  # a job writes outside any request: the drain applies it
    drain(mirror)

    stored = {
        summary.kind: summary
        for summary in list_summaries_for_session(
            sub=ada.sub, campaign_id=campaign.campaign_id, session_id=session.session_id
        )
    }
    found = {
        summary["kind"]: summary
        for summary in rows(
            mirror,
            "SELECT * FROM summaries WHERE session_id = %s",
            ids.uuid_for_new_item(session.session_id),
        )
    }
    assert sorted(found) == ["highlights", "quests", "recap"]  # key_events, open_threads: v1.0's names
    assert found["recap"]["content"] == stored["recap"].text
    assert found["highlights"]["content"] == stored["key_events"].text
    assert found["recap"]["model"] == (stored["recap"].model or None)
    assert entries() == []


def test_the_drain_applies_twice_as_once(mirror, ada):
    forget_request_entries()
    drain(mirror)
    campaign = campaigns.create_campaign(sub=ada.sub, name="Strahd")
    (entry,) = entries()
    from campaigns_site.outbox import OutboxEntry
    from cutover.mirror import apply_entry, connect

    item = OutboxEntry.get(OUTBOX_PK, entry["SK"])
    with connect(mirror) as conn:
        apply_entry(conn, item)
        apply_entry(conn, item)  # an entry applied again (its delete lost): the same rows
    assert len(rows(mirror, "SELECT * FROM campaigns")) == 1
    assert campaign_row(mirror, campaign.campaign_id)["name"] == "Strahd"
    assert entries() == []


def test_postgres_down_keeps_the_entry_backed_off_then_the_drain_applies_it(mirror, ada, settings):
    forget_request_entries()
    drain(mirror)
    settings.V1_MIRROR_DSN = "postgresql://nobody@127.0.0.1:9/none"  # a closed port
    response = post(ada, "/campaigns/new/", {"name": "Offline", "game_system": "", "description": ""})
    assert response.status_code == 302  # the response never suffers
    (entry,) = entries()
    assert entry["attempts"] == 0
    # The next requests leave their entries to the drain for a while, without waiting for
    # a connect timeout each.
    assert mirror_drain.paused_until > time.monotonic()

    from cutover.mirror_drain import drain_outbox

    result = drain_outbox(dsn=settings.V1_MIRROR_DSN)
    assert (result.applied, result.failed, result.remaining) == (0, 1, 1)
    assert result.unreachable
    (entry,) = entries()
    assert entry["attempts"] == 1 and entry["next_attempt"] and "127.0.0.1" in entry["last_error"]
    # Not due yet: a drain now leaves it; once due (or with --all), applied.
    assert drain_outbox(dsn=mirror).applied == 0
    assert drain(mirror, ignore_backoff=True).applied == 1
    assert entries() == []
    assert campaign_row(mirror, response["Location"].split("/")[2])["name"] == "Offline"


def test_mirroring_off_writes_no_entry_and_costs_the_same(aws, owner, aws_calls, settings):
    assert settings.V1_MIRROR_DSN == ""
    with aws_calls() as calls:
        post(owner, "/campaigns/new/", {"name": "Plain", "game_system": "", "description": ""})
    # A transaction either way (the campaign and its usage counters): mirroring only adds its entry.
    assert calls.operations() == ["dynamodb.BatchGetItem", "dynamodb.TransactWriteItems"]
    (campaign,) = campaigns.list_campaigns_for_user(sub=owner.sub).items
    with aws_calls() as calls:
        post(owner, f"/campaigns/{campaign.campaign_id}/sessions/new/", {"title": "One", "number": "", "notes": ""})
    assert calls.operations() == ["dynamodb.BatchGetItem", "dynamodb.TransactWriteItems"]
    assert entries() == []


def test_mirroring_on_puts_the_entry_in_the_same_transaction(mirror, ada, aws_calls, settings):
    settings.V1_MIRROR_DSN = "postgresql://nobody@127.0.0.1:9/none"  # keep the entry to look at it
    with aws_calls() as calls:
        post(ada, "/campaigns/new/", {"name": "Plain", "game_system": "", "description": ""})
    # The campaign, its usage counters and its entry in one TransactWriteItems.
    assert calls.operations() == ["dynamodb.BatchGetItem", "dynamodb.TransactWriteItems"]
    (campaign,) = campaigns.list_campaigns_for_user(sub=ada.sub).items
    (entry,) = entries()
    assert entry["sub"] == ada.sub
    assert entry["keys"] == [[user_pk(ada.sub), campaign_sk(campaign.campaign_id)]]


def test_uuid_for_new_items_is_what_the_row_gets(mirror, ada):
    campaign = campaigns.create_campaign(sub=ada.sub, name="Strahd")
    forget_request_entries()
    drain(mirror)
    paired = row(mirror, "SELECT v1_id FROM cutover_ids WHERE kind = 'campaign' AND app_id = %s", campaign.campaign_id)
    assert uuid.UUID(paired["v1_id"]) == ids.uuid_for_new_item(campaign.campaign_id)
