"""manage.py retire_v1 with v1.0's real PostgreSQL (the harness's) and moto: the gate, the
final dump in the bucket's backups/, the restore check in a scratch database, the record."""

import io
import zipfile
from datetime import timedelta

import psycopg
import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from campaigns_site import aws as aws_module
from cutover import pg_backup, retire
from cutover.state import record_shift

FUNCTION = "campaign-sessions-production"


@pytest.fixture
def capture(v1_small_database):
    """v1_capture installed on the source; yields a check that the capture is gone after the run."""
    call_command("v1_capture", "install", "--source", v1_small_database, stdout=io.StringIO())
    # v1.0's schema has no triggers of its own: every one there is the capture's.
    return lambda: _user_triggers(v1_small_database) == []


def _user_triggers(dsn):
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal").fetchall()


def _scratch_databases(dsn):
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'cutover_restore_check_%'").fetchall()


def _shift_to_100(days_ago, *, to_percent=100, rollback=False):
    with time_machine.travel(timezone.now() - timedelta(days=days_ago), tick=False):
        record_shift(by="ops", from_percent=50, to_percent=to_percent, gates=[], rollback=rollback)


def run(*options, source):
    out, err = io.StringIO(), io.StringIO()
    call_command("retire_v1", "--source", source, *options, stdout=out, stderr=err)
    return out.getvalue()


def _backups(bucket):
    listed = aws_module.client("s3").list_objects_v2(Bucket=bucket, Prefix="backups/")
    return [item["Key"] for item in listed.get("Contents", [])]


def test_refuses_when_nothing_moved_to_100_percent(aws, capture, v1_small_database, settings):
    with pytest.raises(CommandError, match="no traffic shift is recorded"):
        run(source=v1_small_database)
    assert _backups(settings.TRANSCRIPT_BUCKET) == []


@pytest.mark.parametrize(
    ("days_ago", "to_percent", "rollback", "why"),
    [
        (10, 50, False, "is to 50 %, not 100 %"),
        (10, 0, True, r"\(a rollback on .*\) is to 0 %"),
        (2, 100, False, r"100 % since .*, 2.0 days: it must hold 7 days, until "),
    ],
)
def test_refuses_unless_100_percent_has_held_and_says_why(
    aws, capture, v1_small_database, settings, days_ago, to_percent, rollback, why
):
    _shift_to_100(days_ago, to_percent=to_percent, rollback=rollback)
    with pytest.raises(CommandError, match=f"^Not retiring: .*{why}"):
        run(source=v1_small_database)
    assert _backups(settings.TRANSCRIPT_BUCKET) == []
    assert retire.get_retirement() is None


def _pending_entry():
    from campaigns_site.outbox import OutboxEntry
    from campaigns_site.table_keys import OUTBOX_PK, new_id

    OutboxEntry(OUTBOX_PK, new_id(), sub="s", keys=[["USER#s", "PROFILE"]], created=timezone.now()).save()


def test_refuses_while_the_outbox_holds_writes_v1_cannot_take(aws, capture, v1_small_database, settings):
    _shift_to_100(8)
    _pending_entry()
    # The mirror's own role cannot reach v1.0: the drain fails, the entry stays, retire refuses.
    settings.V1_MIRROR_DSN = "postgresql://nobody@127.0.0.1:1/v1?connect_timeout=1"
    with pytest.raises(CommandError, match="1 outbox entries are not in v1.0 yet"):
        run(source=v1_small_database)
    assert _backups(settings.TRANSCRIPT_BUCKET) == []


def test_drains_the_outbox_into_v1_before_it_stops_the_mirror(aws, capture, v1_small_database, settings):
    from campaigns_site.outbox import count_pending

    _shift_to_100(8)
    _pending_entry()
    run(source=v1_small_database)
    assert count_pending() == 0


def test_retires_dumps_encrypted_restores_and_records(aws, capture, v1_small_database, settings):
    _shift_to_100(8)

    out = run(source=v1_small_database)

    (key,) = _backups(settings.TRANSCRIPT_BUCKET)
    assert key.startswith("backups/v1-final-") and key.endswith(".dump")
    head = aws_module.client("s3").head_object(Bucket=settings.TRANSCRIPT_BUCKET, Key=key)
    assert head["ServerSideEncryption"] == "AES256"
    assert capture()
    assert "created the scratch database cutover_restore_check_" in out
    assert "dropped the scratch database cutover_restore_check_" in out
    assert _scratch_databases(v1_small_database) == []
    assert "every table's row count matches the dump's" in out
    with psycopg.connect(v1_small_database) as conn:
        counts = pg_backup.count_rows(conn)
    done = retire.get_retirement()
    assert done.row_counts == counts and counts["users"] > 0 and counts["summaries"] > 0
    assert (done.backup_key, done.backup_bytes) == (key, head["ContentLength"])
    deletable = (timezone.now() + timedelta(days=14)).strftime("%Y-%m-%d")
    assert f"may be deleted after {deletable}" in out
    assert f"the backup s3://{settings.TRANSCRIPT_BUCKET}/{key} expires then too" in out
    assert "no --function" in out and "aws lambda update-function-configuration" in out
    assert "postgres@" not in out  # the DSN is never printed, only what it names

    again = run(source=v1_small_database)

    assert "v1.0 is already retired" in again and f"may be deleted after {deletable}" in again
    assert _backups(settings.TRANSCRIPT_BUCKET) == [key]


def test_force_retires_before_100_percent_has_held_and_says_so(aws, capture, v1_small_database, settings):
    _shift_to_100(1)

    out = run("--force", source=v1_small_database)

    assert "--force: retiring although 100 % since" in out
    assert retire.get_retirement().forced


def test_dry_run_says_what_it_would_do_and_changes_nothing(aws, capture, v1_small_database, settings):
    _shift_to_100(8)

    out = run("--dry-run", source=v1_small_database)

    assert "would dump v1.0 into s3://" in out and "SSE-S3, AES256" in out
    assert "Dry run: nothing changed." in out
    assert _backups(settings.TRANSCRIPT_BUCKET) == [] and retire.get_retirement() is None
    assert _scratch_databases(v1_small_database) == []


def _lambda_function(variables):
    iam = aws_module.client("iam")
    role = iam.create_role(RoleName="lambda", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return None\n")
    aws_module.client("lambda").create_function(
        FunctionName=FUNCTION,
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": code.getvalue()},
        Environment={"Variables": variables},
    )


def test_with_function_the_mirror_and_sync_variables_leave_the_lambda(aws, capture, v1_small_database, settings):
    _lambda_function({"V1_MIRROR_DSN": "postgresql://x", "V1_SOURCE_DSN": "postgresql://x", "DYNAMODB_TABLE": "t"})
    _shift_to_100(8)

    out = run("--function", FUNCTION, source=v1_small_database)

    variables = aws_module.client("lambda").get_function_configuration(FunctionName=FUNCTION)["Environment"]
    assert variables["Variables"] == {"DYNAMODB_TABLE": "t"}
    assert f"removed V1_MIRROR_DSN, V1_SOURCE_DSN from {FUNCTION}'s environment" in out
    assert "no --function" not in out


def test_a_scratch_database_it_cannot_reach_fails_with_one_line(aws, capture, v1_small_database, settings):
    _shift_to_100(8)

    with pytest.raises(CommandError) as refused:
        run("--scratch-dsn", "postgresql://postgres:hunter2@127.0.0.1:1/nowhere", source=v1_small_database)

    message = str(refused.value)
    assert message.startswith("The backup did not restore, v1.0 is not retired: Cannot reach the scratch database")
    assert "hunter2" not in message and "\n" not in message
    assert retire.get_retirement() is None


def test_a_corrupt_backup_does_not_restore_and_the_scratch_database_is_dropped(aws, v1_small_database, settings):
    bucket = settings.TRANSCRIPT_BUCKET
    aws_module.client("s3").put_object(Bucket=bucket, Key="backups/broken.dump", Body=b"PGDMP" + b"\0garbage" * 100)

    with pytest.raises(pg_backup.BackupFailed, match=r"pg_restore of backups/broken.dump failed \(exit 1\)"):
        with pg_backup.scratch_database(v1_small_database, say=lambda line: None) as scratch:
            pg_backup.restore_and_count(bucket=bucket, key="backups/broken.dump", scratch_dsn=scratch)

    assert _scratch_databases(v1_small_database) == []


def test_a_kms_key_setting_encrypts_the_dump_with_it(aws, v1_database, settings):
    key_id = aws_module.client("kms").create_key()["KeyMetadata"]["KeyId"]

    backup = pg_backup.dump_to_bucket(
        source_dsn=v1_database, bucket=settings.TRANSCRIPT_BUCKET, key="backups/kms.dump", kms_key=key_id
    )

    head = aws_module.client("s3").head_object(Bucket=settings.TRANSCRIPT_BUCKET, Key="backups/kms.dump")
    assert (head["ServerSideEncryption"], backup.encryption) == ("aws:kms", "aws:kms")
    assert key_id in head["SSEKMSKeyId"]


def test_a_large_stream_goes_up_in_parts_and_a_failed_dump_leaves_nothing(aws, settings, monkeypatch):
    from boto3.s3.transfer import TransferConfig

    monkeypatch.setattr(
        pg_backup, "TRANSFER", TransferConfig(multipart_threshold=5 * 2**20, multipart_chunksize=5 * 2**20)
    )
    bucket = settings.TRANSCRIPT_BUCKET
    backup = pg_backup.Backup(bucket=bucket, key="backups/parts.dump", encryption="AES256")
    big = ["head", "-c", str(12 * 2**20), "/dev/zero"]

    pg_backup._stream_into_bucket(
        big, env=None, backup=backup, extra={"ServerSideEncryption": "AES256"}, on_bytes=lambda n: None
    )

    head = aws_module.client("s3").head_object(Bucket=bucket, Key="backups/parts.dump")
    assert head["ETag"].endswith('-3"') and backup.size == 12 * 2**20 == head["ContentLength"]
    failing = pg_backup.Backup(bucket=bucket, key="backups/failed.dump", encryption="AES256")
    with pytest.raises(pg_backup.BackupFailed, match=r"pg_dump failed \(exit 3\): half"):
        pg_backup._stream_into_bucket(
            ["sh", "-c", "echo some bytes; echo half >&2; exit 3"],
            env=None,
            backup=failing,
            extra={},
            on_bytes=lambda n: None,
        )
    assert "backups/failed.dump" not in _backups(bucket)


def test_an_unreachable_source_is_refused_before_anything_changes(aws, settings):
    _lambda_function({"V1_MIRROR_DSN": "postgresql://x"})
    _shift_to_100(8)

    with pytest.raises(CommandError, match=r"^Not retiring: Cannot reach v1.0's database \(nowhere on 127.0.0.1:1 as"):
        run("--function", FUNCTION, source="postgresql://postgres:hunter2@127.0.0.1:1/nowhere")

    variables = aws_module.client("lambda").get_function_configuration(FunctionName=FUNCTION)["Environment"]
    assert variables["Variables"] == {"V1_MIRROR_DSN": "postgresql://x"}
