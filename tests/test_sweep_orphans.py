"""manage.py sweep_orphans and sessions/transcripts/orphans.py: objects no session names, sessions
naming a missing object, keys of an unknown form."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from campaigns.repository import create_campaign
from campaigns_site import aws as aws_clients
from campaigns_site.table import new_id
from sessions.core import storage_keys
from sessions.core.items import PlaySession
from sessions.core.repository import create_session, get_session
from sessions.transcripts import orphans
from sessions.transcripts.orphans import MissingObject, delete_orphans, find_orphans, sweep_orphans

OWNER = "11111111-aaaa-4bbb-8ccc-000000000001"
OTHER = "22222222-aaaa-4bbb-8ccc-000000000002"
NO_AGE = timedelta(0)
BOTH = (storage_keys.ORIGINAL_NAME, storage_keys.SEGMENTS_NAME)


pytestmark = [pytest.mark.campaign(sub=OWNER, name="Curse of Strahd"), pytest.mark.session(title="Into the mists")]


def put_upload(sub, session_id, upload_id=None, *, names=BOTH, body=b"x" * 10):
    """Put an upload's objects as the app would; returns the upload id."""
    upload_id = upload_id or new_id()
    for name in names:
        aws_clients.client("s3").put_object(
            Bucket=settings.TRANSCRIPT_BUCKET,
            Key=f"{storage_keys.upload_prefix(sub=sub, session_id=session_id, upload_id=upload_id)}{name}",
            Body=body,
        )
    return upload_id


def name_upload(session, upload_id):
    """Make the item name upload_id as its transcript (what attaching records)."""
    session.update(actions=[PlaySession.transcript_upload_id.set(upload_id)])


def keys_of(upload_id, session, names=BOTH):
    prefix = storage_keys.upload_prefix(sub=session.owner_sub, session_id=session.session_id, upload_id=upload_id)
    return {f"{prefix}{name}" for name in names}


def bucket_keys():
    listed = aws_clients.client("s3").list_objects_v2(Bucket=settings.TRANSCRIPT_BUCKET)
    return {found["Key"] for found in listed.get("Contents", [])}


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("sweep_orphans", *args, stdout=out, stderr=err)
    return out.getvalue()


# --- what counts as an orphan --------------------------------------------------------
def test_the_current_upload_is_kept_and_an_old_upload_of_the_session_is_an_orphan(session):
    old = put_upload(OWNER, session.session_id)
    current = put_upload(OWNER, session.session_id)
    name_upload(session, current)

    report = find_orphans(min_age=NO_AGE)

    assert {orphan.key for orphan in report.orphans} == keys_of(old, session)
    assert report.objects_seen == 4
    assert report.attached == 2
    assert report.missing == [] and report.unknown_keys == []
    assert report.orphan_bytes == 20


def test_an_upload_never_attached_is_an_orphan(session):
    abandoned = put_upload(OWNER, session.session_id, names=[storage_keys.ORIGINAL_NAME])

    report = find_orphans(min_age=NO_AGE)

    assert {orphan.key for orphan in report.orphans} == keys_of(abandoned, session, [storage_keys.ORIGINAL_NAME])


def test_objects_of_a_session_that_does_not_exist_are_orphans(session):
    gone_session = new_id()
    put_upload(OWNER, gone_session)
    put_upload(OTHER, new_id())  # a user with no items at all (a deleted account)

    report = find_orphans(min_age=NO_AGE)

    assert len(report.orphans) == 4
    assert {orphan.sub for orphan in report.orphans} == {OWNER, OTHER}


def test_objects_younger_than_the_grace_period_are_kept(session):
    put_upload(OWNER, session.session_id)  # an upload in progress: not attached yet

    report = find_orphans()  # 24 hours by default
    assert report.orphans == [] and report.young == 2

    later = datetime.now(UTC) + timedelta(hours=25)
    assert len(find_orphans(now=later).orphans) == 2


def test_keys_of_an_unknown_form_are_reported_and_never_deleted(session):
    unknown = {
        "transcripts/README",
        f"transcripts/{OWNER}/{session.session_id}/legacy-transcript.json",  # the old, flat scheme
        f"transcripts/{OWNER}/{session.session_id}/{new_id()}/notes.txt",  # not one of our names
        f"transcripts/a#b/{session.session_id}/{new_id()}/original",  # not a valid key part
        f"transcripts/{OWNER}/{session.session_id}/{new_id()}/original/extra",
    }
    for key in unknown:
        aws_clients.client("s3").put_object(Bucket=settings.TRANSCRIPT_BUCKET, Key=key, Body=b"?")
    aws_clients.client("s3").put_object(Bucket=settings.TRANSCRIPT_BUCKET, Key="elsewhere/original", Body=b"?")

    report = sweep_orphans(delete=True, min_age=NO_AGE)

    assert set(report.unknown_keys) == unknown
    assert report.orphans == [] and report.objects_seen == len(unknown)  # elsewhere/ is not looked at
    assert bucket_keys() == unknown | {"elsewhere/original"}


# --- sessions naming a missing object ------------------------------------------------
def test_a_session_whose_object_is_missing_is_reported_and_kept(session):
    upload = put_upload(OWNER, session.session_id, names=[storage_keys.ORIGINAL_NAME])
    name_upload(session, upload)

    report = sweep_orphans(delete=True, min_age=NO_AGE)

    assert report.missing == [
        MissingObject(OWNER, session.campaign_id, session.session_id, upload, storage_keys.SEGMENTS_NAME)
    ]
    assert report.orphans == []
    assert bucket_keys() == keys_of(upload, session, [storage_keys.ORIGINAL_NAME])
    stored = get_session(sub=OWNER, campaign_id=session.campaign_id, session_id=session.session_id)
    assert stored.transcript_upload_id == upload  # items are never changed


def test_a_session_whose_owner_has_no_objects_at_all_is_found_by_the_scan(session):
    upload = new_id()
    name_upload(session, upload)
    other_campaign = create_campaign(sub=OTHER, name="Tomb of Annihilation")
    other_session = create_session(sub=OTHER, campaign_id=other_campaign.campaign_id, title="Port Nyanzaru")
    name_upload(other_session, put_upload(OTHER, other_session.session_id))  # complete: not reported

    report = find_orphans(min_age=NO_AGE)

    assert [(m.sub, m.session_id, m.upload_id, m.name) for m in report.missing] == [
        (OWNER, session.session_id, upload, name) for name in BOTH
    ]
    assert report.sessions_scanned == 2


def test_a_transcript_attached_after_the_listing_is_not_reported_missing(session, monkeypatch):
    # The listing saw no object of this session; the upload is attached before its
    # owner's sessions are read, so the item names objects the listing never saw.
    real_current_uploads = orphans.current_uploads

    def attach_first(*, sub):
        name_upload(session, put_upload(OWNER, session.session_id))
        return real_current_uploads(sub=sub)

    put_upload(OWNER, new_id())  # something of the owner's for the listing to see
    monkeypatch.setattr(orphans, "current_uploads", attach_first)

    report = find_orphans(min_age=NO_AGE)

    assert report.missing == []  # re-read and confirmed with HeadObject before reporting
    assert report.objects_seen == 2  # the late upload's objects were not listed


# --- deleting --------------------------------------------------------------------------
def test_delete_removes_the_orphans_and_a_second_run_finds_none(session):
    put_upload(OWNER, session.session_id)
    current = put_upload(OWNER, session.session_id)
    name_upload(session, current)
    put_upload(OTHER, new_id())

    first = sweep_orphans(delete=True, min_age=NO_AGE)
    assert first.deletion.deleted == 4 and first.deletion.deleted_bytes == 40 and first.deletion.errors == []
    assert bucket_keys() == keys_of(current, session)

    second = sweep_orphans(delete=True, min_age=NO_AGE)
    assert second.orphans == [] and second.deletion.deleted == 0
    assert bucket_keys() == keys_of(current, session)


def test_an_upload_attached_between_finding_and_deleting_is_kept(session):
    late = put_upload(OWNER, session.session_id)
    put_upload(OWNER, session.session_id)  # abandoned
    found = find_orphans(min_age=NO_AGE)
    assert len(found.orphans) == 4

    name_upload(session, late)  # the attach lands after the listing
    result = delete_orphans(orphans=found.orphans)

    assert result.kept == 2 and result.deleted == 2
    assert bucket_keys() == keys_of(late, session)


def test_many_pages_of_many_users(aws):
    subs = [f"{n}0000000-aaaa-4bbb-8ccc-00000000000{n}" for n in range(1, 6)]
    for sub in subs:
        campaign = create_campaign(sub=sub, name="West Marches")
        kept = create_session(sub=sub, campaign_id=campaign.campaign_id, title="One")
        name_upload(kept, put_upload(sub, kept.session_id))
        put_upload(sub, kept.session_id)  # replaced, not removed
    lines = []

    report = sweep_orphans(delete=True, min_age=NO_AGE, page_size=3, progress=lines.append)

    assert report.objects_seen == 20 and report.attached == 10 and report.deletion.deleted == 10
    assert "listed 3 objects…" in lines and "listed 20 objects…" in lines
    assert find_orphans(min_age=NO_AGE).orphans == []


def test_s3_errors_are_reported_and_the_objects_stay(session, monkeypatch):
    put_upload(OWNER, session.session_id)
    s3 = aws_clients.client("s3")

    def refuse(*, Bucket, Delete):
        return {"Errors": [{"Key": found["Key"], "Code": "AccessDenied"} for found in Delete["Objects"]]}

    monkeypatch.setattr(s3, "delete_objects", refuse)
    report = sweep_orphans(delete=True, min_age=NO_AGE)

    assert report.deletion.deleted == 0 and len(report.deletion.errors) == 2
    assert report.deletion.errors[0].endswith(": AccessDenied")
    assert len(bucket_keys()) == 2


# --- the command -----------------------------------------------------------------------
def test_the_command_is_a_dry_run_by_default(session):
    old = put_upload(OWNER, session.session_id)
    name_upload(session, put_upload(OWNER, session.session_id))
    before = bucket_keys()

    out = run("--min-age-hours", "0")

    assert bucket_keys() == before
    assert "listed 4 objects…" in out
    assert "scanned 1 sessions with a transcript…" in out
    for key in keys_of(old, session):
        assert f"would delete: {key} (10 bytes" in out
    assert "objects seen: 4 (2 named by their session)" in out
    assert "orphans: 2 (20 bytes)" in out
    assert "dry run: nothing deleted; run with --delete" in out


def test_the_command_deletes_with_delete_and_a_second_run_finds_nothing(session):
    put_upload(OWNER, session.session_id)
    current = put_upload(OWNER, session.session_id)
    name_upload(session, current)

    out = run("--delete", "--min-age-hours", "0")
    assert "deleted: 2 (20 bytes)" in out
    assert bucket_keys() == keys_of(current, session)

    again = run("--delete", "--min-age-hours", "0")
    assert "orphans: 0 (0 bytes)" in again and "deleted: 0 (0 bytes)" in again


def test_the_command_keeps_recent_objects_by_default(session):
    put_upload(OWNER, session.session_id)

    out = run("--delete")

    assert "orphans: 0" in out and "too recent to tell, kept: 2" in out
    assert len(bucket_keys()) == 2


def test_the_command_reports_missing_objects_and_unknown_keys(session):
    upload = new_id()
    name_upload(session, upload)
    aws_clients.client("s3").put_object(Bucket=settings.TRANSCRIPT_BUCKET, Key="transcripts/stray", Body=b"?")

    out = run("--min-age-hours", "0")

    assert (
        f"missing object: user {OWNER}, campaign {session.campaign_id}, session {session.session_id}: "
        f"segments.json of upload {upload} is missing"
    ) in out
    assert "sessions with a missing object: 1" in out
    assert "unknown key, left alone: transcripts/stray" in out
    assert "unknown keys: 1" in out


def test_the_command_fails_when_s3_did_not_delete(session, monkeypatch):
    put_upload(OWNER, session.session_id)
    monkeypatch.setattr(
        aws_clients.client("s3"),
        "delete_objects",
        lambda *, Bucket, Delete: {"Errors": [{"Key": o["Key"], "Code": "InternalError"} for o in Delete["Objects"]]},
    )

    with pytest.raises(CommandError, match="S3 did not delete 2 objects; run this again"):
        run("--delete", "--min-age-hours", "0")


def test_the_command_refuses_a_negative_age(aws):
    with pytest.raises(CommandError, match="cannot be negative"):
        run("--min-age-hours", "-1")
