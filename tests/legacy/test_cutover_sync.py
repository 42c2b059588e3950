"""manage.py sync_v1: v1.0's changes, logged by the real capture triggers, arrive here (issue
14, point 2), with v1.0 stood in for by tests/legacy/v1_standin.py: on an empty v1.0 (`v1`),
and next to imported users (`v1_after_import`)."""

import io
from datetime import timedelta

from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from import_runs import sub_of
from mirror_world import V1_BUCKET
from v1_standin import new_share_token

from accounts import legacy_passwords
from accounts.profiles import get_profile, preferences_of
from campaigns.repository import get_campaign
from campaigns_site import aws
from cutover.state import get_sync_state, list_conflicts
from sessions.core.repository import get_session
from sessions.sharing.repository import open_share_link
from sessions.summaries.repository import get_summary
from tests.web_clients import log_in
from v1 import mapping

TRANSCRIPT = "[00:00:01] Sam (GM): The troll is down.\n[00:00:05] Ana: Mira checks her purse.\n"


def sync(v1, *options):
    out = io.StringIO()
    call_command("sync_v1", "--source", v1.url, *options, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def ids_of(v1, table, key):
    """(campaign_id, session_id) here of a v1.0 session row, as the import derives them."""
    created, campaign_id = v1.conn.execute(
        f"SELECT created_at, {'campaign_id' if table == 'game_sessions' else 'id'} FROM {table} WHERE id = %s", (key,)
    ).fetchone()
    campaign_created = v1.conn.execute("SELECT created_at FROM campaigns WHERE id = %s", (campaign_id,)).fetchone()[0]
    return mapping.derived_id("campaign", campaign_id, campaign_created), mapping.derived_id("session", key, created)


def new_player(v1, email="newcomer@example.com", password="an old v1 password 41"):
    """A v1.0 user who signed up after the import, with a campaign."""
    user_id = v1.new_user(email, password, name="Newcomer")
    campaign = v1.new_campaign(user_id, name="Dragons of the Coast")
    return user_id, campaign


def test_a_new_v1_user_with_everything_arrives_and_signs_in_with_the_old_password(v1_after_import, db):
    v1 = v1_after_import  # next to the imported users
    user_id, campaign = new_player(v1)
    v1.settings(user_id, time_zone="Europe/Berlin", theme="dark")
    inline = v1.new_session(campaign, title="The tavern", number=1, transcript_text=TRANSCRIPT)
    aws.client("s3").put_object(Bucket=V1_BUCKET, Key="transcripts/new/one.txt", Body=TRANSCRIPT.encode())
    token = new_share_token()
    keyed = v1.new_session(
        campaign,
        title="The docks",
        number=2,
        transcript_key="transcripts/new/one.txt",
        transcript_filename="one.txt",
        share_token=token,
    )
    v1.new_summary(inline, kind="recap", content="The party met Volo.")
    v1.new_summary(inline, kind="highlights", content="- A troll fell.")
    output = sync(v1)

    assert "applied 7 changes" in output and "lag 0s" in output
    sub = sub_of("newcomer@example.com")
    profile = get_profile(sub=sub)
    assert profile.display_name == "Newcomer"
    assert preferences_of(profile) == {"theme": "dark", "time_zone": "Europe/Berlin"}
    campaign_id, inline_id = ids_of(v1, "game_sessions", inline)
    assert get_campaign(sub=sub, campaign_id=campaign_id).name == "Dragons of the Coast"
    session = get_session(sub=sub, campaign_id=campaign_id, session_id=inline_id)
    assert session.title == "The tavern" and session.has_transcript and session.transcript_speaker_count == 2
    recap = get_summary(sub=sub, campaign_id=campaign_id, session_id=inline_id, kind="recap")
    assert recap.text == "The party met Volo."
    assert get_summary(sub=sub, campaign_id=campaign_id, session_id=inline_id, kind="key_events") is not None
    _, keyed_id = ids_of(v1, "game_sessions", keyed)
    assert get_session(sub=sub, campaign_id=campaign_id, session_id=keyed_id).has_transcript
    assert open_share_link(token=token) is not None
    assert legacy_passwords.get_legacy_password(sub=sub) is not None

    assert log_in(Client(), email="newcomer@example.com", password="an old v1 password 41").status_code == 302
    assert legacy_passwords.get_legacy_password(sub=sub) is None  # the old password is Cognito's now

    # A password changed on v1.0 afterwards signs in here too, though Cognito has one.
    v1.change_password(user_id, "a newer v1 password 42")
    assert "applied 1 changes" in sync(v1)
    assert log_in(Client(), email="newcomer@example.com", password="a newer v1 password 42").status_code == 302
    assert sync(v1).startswith("0 changes wait")


def test_edits_on_v1_arrive_and_applying_them_again_changes_nothing(v1):
    user_id, campaign = new_player(v1)
    session = v1.new_session(campaign, title="The tavern", number=1)
    summary = v1.new_summary(session, kind="recap", content="First draft.")
    sync(v1)
    sub = sub_of("newcomer@example.com")
    campaign_id, session_id = ids_of(v1, "game_sessions", session)

    token = new_share_token()
    v1.edit_campaign(campaign, name="Dragons, renamed", description="Now with a description")
    v1.edit_campaign(campaign, archived=True)
    v1.edit_session(session, title="The tavern, again", session_number=3, notes="Bring rope.", share_token=token)
    v1.edit_summary(summary, content="Second draft.")
    v1.settings(user_id, time_zone="Asia/Tokyo", theme="light")
    v1.rename_user(user_id, "Newcomer the Bold")
    assert "applied 6 changes" in sync(v1)

    stored = get_campaign(sub=sub, campaign_id=campaign_id)
    assert (stored.name, stored.description, stored.archived) == ("Dragons, renamed", "Now with a description", True)
    v1_updated = v1.conn.execute("SELECT updated_at FROM campaigns WHERE id = %s", (campaign,)).fetchone()[0]
    assert stored.updated == v1_updated  # v1.0's time: the stacks agree on it
    edited = get_session(sub=sub, campaign_id=campaign_id, session_id=session_id)
    assert (edited.title, edited.number, edited.notes) == ("The tavern, again", 3, "Bring rope.")
    assert open_share_link(token=token) is not None
    assert get_summary(sub=sub, campaign_id=campaign_id, session_id=session_id, kind="recap").text == "Second draft."
    profile = get_profile(sub=sub)
    assert profile.display_name == "Newcomer the Bold"
    assert preferences_of(profile) == {"theme": "light", "time_zone": "Asia/Tokyo"}

    # The share link: expiry changed, then removed.
    expires = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    v1.edit_session(session, share_expires_at=expires)
    sync(v1)
    assert open_share_link(token=token).expires == expires
    v1.edit_session(session, share_token=None, share_expires_at=None)
    sync(v1)
    assert open_share_link(token=token) is None

    # Every change once more, from the log's start: nothing is written, no conflict.
    state = get_sync_state()
    state.watermark_xid = state.watermark_id = 0
    state.save()
    output = sync(v1)
    assert "changes in" in output and " applied," not in output and "applied]" not in output
    assert list_conflicts() == []


def test_deletes_on_v1_delete_here(v1, db):
    user_id, campaign = new_player(v1)
    other = v1.new_campaign(user_id, name="Short-lived")
    kept = v1.new_session(campaign, title="Kept", number=1)
    soft = v1.new_session(campaign, title="Soft-deleted", number=2)
    hard = v1.new_session(campaign, title="Deleted", number=3)
    sync(v1)
    sub = sub_of("newcomer@example.com")
    campaign_id, kept_id = ids_of(v1, "game_sessions", kept)
    _, soft_id = ids_of(v1, "game_sessions", soft)
    _, hard_id = ids_of(v1, "game_sessions", hard)
    other_created = v1.conn.execute("SELECT created_at FROM campaigns WHERE id = %s", (other,)).fetchone()[0]
    other_id = mapping.derived_id("campaign", other, other_created)
    assert get_campaign(sub=sub, campaign_id=other_id) is not None

    v1.edit_session(soft, deleted_at=timezone.now())
    v1.delete_session(hard)
    v1.soft_delete_campaign(other)
    assert "applied 3 changes" in sync(v1)

    assert get_session(sub=sub, campaign_id=campaign_id, session_id=kept_id) is not None
    assert get_session(sub=sub, campaign_id=campaign_id, session_id=soft_id) is None
    assert get_session(sub=sub, campaign_id=campaign_id, session_id=hard_id) is None
    assert get_campaign(sub=sub, campaign_id=other_id) is None
    assert get_campaign(sub=sub, campaign_id=campaign_id).session_count == 1

    v1.delete_campaign(campaign)
    v1.delete_user(user_id)
    sync(v1)
    assert get_campaign(sub=sub, campaign_id=campaign_id) is None
    assert get_profile(sub=sub) is None and sub_of("newcomer@example.com") is None


def test_a_transcript_replaced_on_v1_is_brought_over_again_once(v1, settings):
    s3 = aws.client("s3")
    longer = TRANSCRIPT + "[00:00:09] Ben: Aldric puts the tea down.\n"
    s3.put_object(Bucket=V1_BUCKET, Key="transcripts/new/one.txt", Body=TRANSCRIPT.encode())
    s3.put_object(Bucket=V1_BUCKET, Key="transcripts/new/two.txt", Body=longer.encode())
    _, campaign = new_player(v1)
    inline = v1.new_session(campaign, title="Inline", number=1, transcript_text=TRANSCRIPT)
    keyed = v1.new_session(
        campaign, title="Keyed", number=2, transcript_key="transcripts/new/one.txt", transcript_filename="one.txt"
    )
    sync(v1)
    sub = sub_of("newcomer@example.com")
    places = [ids_of(v1, "game_sessions", session) for session in (inline, keyed)]
    before = [get_session(sub=sub, campaign_id=c, session_id=s).transcript_upload_id for c, s in places]

    v1.edit_session(inline, transcript_text=longer)
    v1.edit_session(keyed, transcript_key="transcripts/new/two.txt", transcript_filename="two.txt")
    assert "[2 applied]" in sync(v1)
    v1.edit_session(inline, title="Inline, renamed")  # the same transcript: not copied again
    assert "[1 applied]" in sync(v1)

    for (campaign_id, session_id), old_upload in zip(places, before, strict=True):
        session = get_session(sub=sub, campaign_id=campaign_id, session_id=session_id)
        assert session.transcript_speaker_count == 3 and session.transcript_upload_id != old_upload
        listed = s3.list_objects_v2(Bucket=settings.TRANSCRIPT_BUCKET, Prefix=f"transcripts/{sub}/{session_id}/")
        assert {obj["Key"].split("/")[3] for obj in listed["Contents"]} == {session.transcript_upload_id}


def test_a_campaign_restored_on_v1_comes_back_with_its_sessions(v1):
    _, campaign = new_player(v1)
    session = v1.new_session(campaign, title="Kept", number=1, transcript_text=TRANSCRIPT)
    v1.new_summary(session, kind="recap", content="Still here.")
    v1.soft_delete_campaign(campaign)
    sync(v1)
    sub = sub_of("newcomer@example.com")
    campaign_id, session_id = ids_of(v1, "game_sessions", session)
    assert get_campaign(sub=sub, campaign_id=campaign_id) is None

    v1.edit_campaign(campaign, deleted_at=None)
    assert "[1 applied]" in sync(v1)
    assert get_campaign(sub=sub, campaign_id=campaign_id).session_count == 1
    restored = get_session(sub=sub, campaign_id=campaign_id, session_id=session_id)
    assert restored.has_transcript and restored.title == "Kept"
    assert get_summary(sub=sub, campaign_id=campaign_id, session_id=session_id, kind="recap").text == "Still here."
