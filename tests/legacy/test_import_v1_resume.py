"""A run of import_v1 killed at any moment continues without duplicates or gaps: killed
at several points (the Nth AWS request of a clean run, from early to late), then run
again, it leaves exactly what a run that was never killed leaves."""

import hashlib

import pytest
from import_runs import run_import_v1, whole_table
from kills import Killed, KillFrom
from moto import mock_aws
from v1_data import put_v1_objects

from campaigns_site import aws as aws_module
from campaigns_site.aws import AwsCallLog, record_aws_calls
from campaigns_site.provision import provision

pytestmark = pytest.mark.django_db

# Where to kill, as a fraction of a clean run's AWS requests.
KILL_POINTS = [0.03, 0.2, 0.45, 0.7, 0.97]


def fresh_aws(settings, dataset, bucket):
    """Wipe moto and provision again, as the `aws` fixture does."""
    mock_aws().reset()  # every backend: the table, both buckets, the pool
    settings.COGNITO_USER_POOL_ID = ""  # provision makes a new pool, not look for the old one
    aws_module.refresh()
    report = provision()
    settings.COGNITO_USER_POOL_ID = report.user_pool_id
    settings.COGNITO_APP_CLIENT_ID = report.app_client_id
    settings.COGNITO_APP_CLIENT_SECRET = report.app_client_secret
    put_v1_objects(aws_module.client("s3"), bucket=bucket, dataset=dataset)


def snapshot():
    """The table and bucket, with each user's random `sub` replaced by their e-mail."""
    items = whole_table()
    for item in items:
        if item.get("entity") == "SearchItem":
            item.pop("updated")  # when the index was written: internal, not the session's
    subs = {item["PK"][len("USER#") :]: item["email"] for item in items if item["SK"] == "PROFILE"}
    s3 = aws_module.client("s3")
    from django.conf import settings

    objects = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=settings.TRANSCRIPT_BUCKET):
        for entry in page.get("Contents", []):
            body = s3.get_object(Bucket=settings.TRANSCRIPT_BUCKET, Key=entry["Key"])["Body"].read()
            objects[entry["Key"]] = hashlib.sha256(body).hexdigest()
    lines = [repr(item) for item in items] + [f"{key} {digest}" for key, digest in objects.items()]
    for sub, email in subs.items():
        lines = [line.replace(sub, f"<{email}>") for line in lines]
    return sorted(lines)


_CLEAN_RUN = {}  # made once: the data set and the snapshot (subs replaced) are the same every time


@pytest.fixture
def clean_run(aws, v1_small_database, v1_small_bucket, tmp_path):
    """(the snapshot a never-killed run leaves, its number of AWS requests)."""
    if not _CLEAN_RUN:
        log = AwsCallLog()
        with record_aws_calls(log):
            run_import_v1(v1_small_database, v1_small_bucket, tmp_path)
        _CLEAN_RUN["run"] = snapshot(), len(log)
    return _CLEAN_RUN["run"]


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_killed_run_goes_on_without_duplicates_or_gaps(
    point, clean_run, settings, v1_small_database, v1_small_dataset, tmp_path
):
    expected, requests = clean_run
    bucket = "campaign-sessions-v1"
    fresh_aws(settings, v1_small_dataset, bucket)
    with pytest.raises(Killed), record_aws_calls(KillFrom(int(requests * point))):
        run_import_v1(v1_small_database, bucket, tmp_path)
    report, _ = run_import_v1(v1_small_database, bucket, tmp_path)
    assert report["resumed_after"] or point < 0.1  # killed this early, no account was finished yet
    found = snapshot()
    assert [line for line in found if line not in expected] == []
    assert [line for line in expected if line not in found] == []
    again, output = run_import_v1(v1_small_database, bucket, tmp_path)
    assert again["imported"] == {} and "Nothing changed" in output
