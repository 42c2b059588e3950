"""Exports asked for on a page, as jobs (exports/jobs.py, exports/tasks.py): started once
per scope, claimed once, progress written sparingly, the zip in S3 under the user's
prefix, failures (the writer's error, the deadline, a replaced job) ending failed with the
upload aborted and no object left."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from campaigns_site import aws as aws_module
from campaigns_site.table_keys import user_exports_prefix
from exports import jobs, runner, s3_object, tasks
from exports.items import CAMPAIGN_GONE, DONE, FAILED, GENERIC_FAILURE, QUEUED, RUNNING, TOOK_TOO_LONG
from tests.transcript_samples import sample_bytes

SUB = "user-export-1"

pytestmark = [pytest.mark.campaign(sub=SUB, name="Curse of Strahd"), pytest.mark.usefixtures("exporter_profile")]


@pytest.fixture
def exporter_profile(aws):
    """The writer exports an account with a profile (its manifest names the account)."""
    from accounts.profiles import create_profile

    create_profile(sub=SUB, email="exporter@example.com", display_name="Ex Porter")


def fill(campaign, make_session, *, sessions):
    """`sessions` sessions in the campaign, each with a transcript."""
    for number in range(1, sessions + 1):
        make_session(
            sub=SUB,
            campaign=campaign,
            title=f"Night {number}",
            number=number,
            transcript=sample_bytes("vtt", hours=0.01),
        )


def objects_under(prefix):
    listed = aws_module.client("s3").list_objects_v2(Bucket=settings.TRANSCRIPT_BUCKET, Prefix=prefix)
    return [found["Key"] for found in listed.get("Contents", [])]


def open_zip(key):
    body = aws_module.client("s3").get_object(Bucket=settings.TRANSCRIPT_BUCKET, Key=key)["Body"].read()
    return zipfile.ZipFile(io.BytesIO(body))


def multipart_uploads():
    return aws_module.client("s3").list_multipart_uploads(Bucket=settings.TRANSCRIPT_BUCKET).get("Uploads", [])


# --- the whole way ------------------------------------------------------------------------------
def test_an_account_export_runs_and_leaves_its_zip_under_the_users_prefix(aws, campaign, make_session):
    fill(campaign, make_session, sessions=3)

    queued = jobs.start_export(sub=SUB)

    assert queued.status == QUEUED  # as queued: the inline runner has run it since
    export = jobs.get_export(sub=SUB)
    assert (export.status, export.attempts, export.job_id) == (DONE, 1, queued.job_id)
    assert export.file_name == f"campaign-sessions-{timezone.now():%Y-%m-%d}.zip"
    assert export.object_key == f"exports/{SUB}/{export.job_id}/{export.file_name}"
    assert objects_under(user_exports_prefix(SUB)) == [export.object_key]
    archive = open_zip(export.object_key)
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["scope"] == "account" and manifest["counts"]["sessions"] == 3
    names = archive.namelist()
    assert "data/sessions.jsonl" in names and any(name.startswith("markdown/") for name in names)
    assert len([name for name in names if name.startswith("transcripts/") and "/original/" in name]) == 3
    assert export.counts.as_dict()["sessions"] == 3 and export.size == archive.fp.getbuffer().nbytes
    assert export.expires == export.finished + timedelta(days=1)
    assert export.ttl == export.expires.replace(microsecond=0)  # a TTL is in whole seconds
    assert multipart_uploads() == []


def test_a_campaign_export_is_named_after_the_campaign(aws, campaign, make_session):
    fill(campaign, make_session, sessions=1)

    jobs.start_export(sub=SUB, campaign=campaign)

    export = jobs.get_export(sub=SUB, campaign_id=campaign.campaign_id)
    assert export.status == DONE and export.campaign_name == "Curse of Strahd"
    assert export.file_name == f"curse-of-strahd-{timezone.now():%Y-%m-%d}.zip"
    manifest = json.loads(open_zip(export.object_key).read("manifest.json"))
    assert (manifest["scope"], manifest["campaign_id"]) == ("campaign", campaign.campaign_id)
    assert jobs.get_export(sub=SUB) is None  # the account's own export is another item


def test_a_second_start_while_one_is_queued_is_refused_and_after_it_ended_replaces_it(aws, campaign, manual):
    first = jobs.start_export(sub=SUB)
    with pytest.raises(jobs.ExportAlreadyRunning) as refused:
        jobs.start_export(sub=SUB)
    assert refused.value.export.job_id == first.job_id
    assert "already being made" in str(refused.value)

    tasks.export_task(sub=SUB, campaign_id=None, job_id=first.job_id)
    second = jobs.start_export(sub=SUB)

    assert second.job_id != first.job_id and jobs.get_export(sub=SUB).status == QUEUED


def test_a_job_past_its_deadline_reads_as_failed_and_can_be_started_again(aws, campaign, manual):
    first = jobs.start_export(sub=SUB)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        stale = jobs.get_export(sub=SUB)
        assert stale.is_failed and stale.failure_reason == "It did not start within 5 minutes. Try again."
        second = jobs.start_export(sub=SUB)
        # The late delivery of the first one finds it replaced and does nothing.
        assert runner.run_export(sub=SUB, campaign_id=None, job_id=first.job_id) is None
        assert runner.run_export(sub=SUB, campaign_id=None, job_id=second.job_id).status == DONE


# --- claimed once --------------------------------------------------------------------------------
def test_a_duplicated_delivery_runs_the_export_once(aws, campaign, manual, aws_calls):
    export = jobs.start_export(sub=SUB)
    tasks.export_task(sub=SUB, campaign_id=None, job_id=export.job_id)
    finished = jobs.get_export(sub=SUB)

    with aws_calls() as calls:
        assert runner.run_export(sub=SUB, campaign_id=None, job_id=export.job_id) is None

    assert calls.operations() == ["dynamodb.UpdateItem"]  # the refused claim, nothing else
    again = jobs.get_export(sub=SUB)
    assert (again.attempts, again.object_key, again.finished) == (1, finished.object_key, finished.finished)


# --- progress ------------------------------------------------------------------------------------
def test_progress_is_written_per_step_and_at_most_every_two_seconds(aws, campaign, manual, aws_calls, monkeypatch):
    seen = []

    def write_export(stream, *, sub, campaign_id=None, progress=None, **_):
        with time_machine.travel(timezone.now(), tick=False) as clock:
            for step in ("data", "transcripts", "notes"):
                for done in range(0, 501):
                    progress(step, done, 500)
                    if done == 250:
                        seen.append(jobs.get_export(sub=sub))  # what the page shows meanwhile
                    clock.shift(0.01)  # 5 s a step
        stream.write(b"PK\x05\x06" + bytes(18))  # an empty zip
        return {"sessions": 500}

    monkeypatch.setattr("exports.writer.write_export", write_export)
    export = jobs.start_export(sub=SUB)

    with aws_calls() as calls:
        ended = runner.run_export(sub=SUB, campaign_id=None, job_id=export.job_id)

    assert ended.status == DONE
    updates = calls.count("dynamodb", "UpdateItem")
    # The claim, 3 steps x (the first call, then one at 2 s and one at 4 s), the end.
    assert updates == 1 + 3 * 3 + 1
    assert [(item.step, item.status) for item in seen] == [
        ("data", RUNNING),
        ("transcripts", RUNNING),
        ("notes", RUNNING),
    ]
    assert seen[0].done == 200 and seen[0].total == 500  # as written at 2 s


# --- failures ------------------------------------------------------------------------------------
def test_a_failing_writer_fails_the_export_and_aborts_the_upload(aws, campaign, manual, monkeypatch, caplog):
    monkeypatch.setattr(s3_object, "PART_SIZE", 5 * 1024 * 1024)

    def write_export(stream, **_):
        stream.write(b"x" * (12 * 1024 * 1024))  # two parts sent: a multipart upload under way
        assert len(multipart_uploads()) == 1
        raise OSError("disk on fire")

    monkeypatch.setattr("exports.writer.write_export", write_export)
    export = jobs.start_export(sub=SUB)

    ended = runner.run_export(sub=SUB, campaign_id=None, job_id=export.job_id)

    assert (ended.status, ended.error) == (FAILED, GENERIC_FAILURE)
    assert jobs.get_export(sub=SUB).failure_reason == GENERIC_FAILURE
    assert multipart_uploads() == [] and objects_under("exports/") == []
    assert "disk on fire" in caplog.text


def test_an_export_of_a_campaign_deleted_meanwhile_fails_with_that_reason(aws, campaign, manual, monkeypatch):
    from exports import writer

    def write_export(stream, **_):
        raise writer.NothingToExport("gone")

    monkeypatch.setattr(writer, "write_export", write_export)
    export = jobs.start_export(sub=SUB, campaign=campaign)

    ended = runner.run_export(sub=SUB, campaign_id=campaign.campaign_id, job_id=export.job_id)

    assert (ended.status, ended.error) == (FAILED, CAMPAIGN_GONE)
    assert objects_under("exports/") == []


def test_a_job_running_past_its_deadline_stops_and_aborts(aws, campaign, manual, monkeypatch):
    monkeypatch.setattr(s3_object, "PART_SIZE", 5 * 1024 * 1024)

    def write_export(stream, *, progress, **_):
        progress("data", 0, 10)
        stream.write(b"x" * (6 * 1024 * 1024))
        with time_machine.travel(timezone.now() + timedelta(minutes=6)):
            progress("data", 5, 10)  # the deadline has passed: it stops here
        raise AssertionError("never reached")

    monkeypatch.setattr("exports.writer.write_export", write_export)
    export = jobs.start_export(sub=SUB)

    ended = runner.run_export(sub=SUB, campaign_id=None, job_id=export.job_id)

    assert (ended.status, ended.error) == (FAILED, TOOK_TOO_LONG)
    assert multipart_uploads() == [] and objects_under("exports/") == []


def test_a_job_replaced_while_it_runs_stops_quietly(aws, campaign, manual, monkeypatch):
    def write_export(stream, *, sub, progress, **_):
        progress("data", 0, 10)
        with time_machine.travel(timezone.now() + timedelta(minutes=6)):
            jobs.start_export(sub=sub)  # the page showed it failed; the user started again
        progress("transcripts", 0, 10)
        raise AssertionError("never reached")

    monkeypatch.setattr("exports.writer.write_export", write_export)
    export = jobs.start_export(sub=SUB)

    assert runner.run_export(sub=SUB, campaign_id=None, job_id=export.job_id) is None
    newer = jobs.get_export(sub=SUB)
    assert newer.job_id != export.job_id and newer.status == QUEUED  # untouched by the old job
    assert objects_under("exports/") == []


def test_a_refused_dispatch_fails_the_export_at_once(aws, campaign, settings):
    settings.SUMMARY_JOB_RUNNER = "celery"
    jobs.start_export(sub=SUB)
    export = jobs.get_export(sub=SUB)
    assert (export.status, export.failure_reason) == (FAILED, jobs.DISPATCH_FAILURE)
    settings.SUMMARY_JOB_RUNNER = "inline"
    jobs.start_export(sub=SUB)  # and it can be tried again
    assert jobs.get_export(sub=SUB).status == DONE


# --- the campaign's delete cascade ---------------------------------------------------------------
def test_deleting_the_campaign_removes_its_export_and_its_zip(aws, campaign, aws_calls):
    from django.conf import settings

    from campaigns_site import aws as aws_clients
    from sessions.core.campaign_deletion import delete_campaign

    jobs.start_export(sub=SUB, campaign=campaign)
    jobs.start_export(sub=SUB)
    campaign_zip = jobs.get_export(sub=SUB, campaign_id=campaign.campaign_id).object_key
    account_zip = jobs.get_export(sub=SUB).object_key
    with aws_calls() as calls:
        delete_campaign(sub=SUB, campaign_id=campaign.campaign_id)

    assert jobs.get_export(sub=SUB, campaign_id=campaign.campaign_id) is None
    assert jobs.get_export(sub=SUB).is_done  # the account's export is not the campaign's
    listed = aws_clients.client("s3").list_objects_v2(Bucket=settings.TRANSCRIPT_BUCKET, Prefix="exports/")
    assert [found["Key"] for found in listed.get("Contents", [])] == [account_zip]
    assert campaign_zip != account_zip
    # The item goes with the speaker names (no request more); the zip's key is read first.
    assert "dynamodb.DeleteItem" not in calls.operations()
    assert calls.count("dynamodb", "GetItem") >= 1 and calls.count("s3", "DeleteObjects") == 1


# --- what an export costs ------------------------------------------------------------------------
def test_the_jobs_own_requests_for_a_small_account(aws, campaign, make_session, manual, aws_calls):
    """Beyond the writer's reads: the claim, one progress write per step (all within 2 s),
    the zip in one PutObject (under one 8 MB part), the end."""
    fill(campaign, make_session, sessions=3)
    export = jobs.start_export(sub=SUB)

    with aws_calls() as calls:
        runner.run_export(sub=SUB, campaign_id=None, job_id=export.job_id)

    operations = calls.operations()
    assert operations[0] == "dynamodb.UpdateItem" and operations[-2:] == ["s3.PutObject", "dynamodb.UpdateItem"]
    assert calls.count("dynamodb", "UpdateItem") == 1 + 3 + 1
    assert not calls.count("s3", "CreateMultipartUpload") and calls.count("s3", "PutObject") == 1
