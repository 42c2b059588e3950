"""The cost meter (campaigns_site/meter.py): what requests and jobs use, added up in the
process and written per hour with one UpdateItem ADD, at most once a minute: never an
item, nor a write, per request."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from campaigns_site import aws as aws_clients
from campaigns_site import meter
from campaigns_site.meter_items import MeterHour
from campaigns_site.table_keys import OPS_PK, meter_sk
from tests.bedrock_replies import reply
from tests.fresh_processes import PRODUCTION, run
from tests.zappa_package import stage_config

HOUR = "2026-12-05T14"
SHOW_METER_SETTINGS = (
    "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'campaigns_site.settings'; django.setup(); "
    "from django.conf import settings; print(settings.COST_METER, settings.LAMBDA_MEMORY_MB)"
)


@pytest.fixture
def metered(aws, settings):
    settings.COST_METER = True
    settings.COST_METER_FLUSH_SECONDS = 3600  # the tests decide when it flushes
    meter.forget()
    meter.meter()  # as the middleware makes it when the app loads: counting from the start
    yield
    meter.forget()


def hour_item(hour=HOUR):
    item = MeterHour.get(OPS_PK, meter_sk(hour), consistent_read=True)
    return {name: value for name in meter.COUNTERS if (value := getattr(item, name)) is not None}


def test_requests_add_up_in_memory_and_one_flush_writes_their_sums(owner, campaign, metered, aws_calls, time_machine):
    time_machine.move_to(datetime(2026, 12, 5, 14, 30, tzinfo=UTC), tick=False)
    with aws_calls() as calls:
        for _ in range(5):
            assert owner.get("/").status_code == 200
            assert owner.get("/health/").status_code == 200
    # Not one write for the meter in ten requests: only what the pages read themselves.
    assert calls.count("dynamodb", "UpdateItem") == 0
    assert set(calls.operations()) <= {"dynamodb.BatchGetItem", "dynamodb.GetItem", "dynamodb.Query"}
    pending = meter.meter().pending[HOUR]
    assert pending["requests"] == 10
    assert pending["dynamodb_read_units"] > 0
    assert pending["dynamodb_write_units"] == 0
    assert pending["bytes_out"] > 10 * len("ok")
    assert pending["lambda_gb_seconds"] > 0

    with aws_calls() as calls:
        meter.meter().flush()
    assert calls.operations() == ["dynamodb.UpdateItem"]  # one hour, one write
    assert meter.meter().pending == {}
    with aws_calls() as calls:
        meter.meter().flush()  # nothing new: nothing written (its own write waits for company)
    assert calls.operations() == []
    item = hour_item()
    assert item["requests"] == 10
    assert item["dynamodb_read_units"] == pytest.approx(pending["dynamodb_read_units"])
    assert item["bytes_out"] == pending["bytes_out"]


def test_a_request_after_the_interval_flushes_once_and_adds_to_the_same_hour(owner, campaign, metered, settings):
    owner.get("/")
    meter.meter().flush()
    settings.COST_METER_FLUSH_SECONDS = 0  # every request is "a minute later"
    owner.get("/health/")
    owner.get("/health/")
    assert hour_item(meter.hour_of(timezone.now()))["requests"] == 3


def test_counts_land_in_their_own_hour(metered, aws, time_machine, settings):
    settings.LAMBDA_MEMORY_MB = 1024  # a GB-second a second
    process_meter = meter.meter()
    time_machine.move_to(datetime(2026, 12, 5, 13, 59, tzinfo=UTC), tick=False)
    process_meter.count_request(duration_seconds=0.5, bytes_out=100)
    time_machine.move_to(datetime(2026, 12, 5, 14, 0, 1, tzinfo=UTC), tick=False)
    process_meter.count_request(duration_seconds=0.25, bytes_out=50)
    process_meter.flush()
    assert hour_item("2026-12-05T13") == {"requests": 1, "lambda_gb_seconds": 0.5, "bytes_out": 100}
    assert hour_item("2026-12-05T14") == {"requests": 1, "lambda_gb_seconds": 0.25, "bytes_out": 50}


def test_gb_seconds_use_the_function_s_memory(metered, settings, aws, time_machine):
    settings.LAMBDA_MEMORY_MB = 2048
    time_machine.move_to(datetime(2026, 12, 5, 14, tzinfo=UTC), tick=False)
    meter.meter().count_request(duration_seconds=0.1, bytes_out=0)
    assert meter.meter().pending[HOUR]["lambda_gb_seconds"] == pytest.approx(0.2)


def test_s3_requests_are_counted_by_price_class_presigned_ones_too(metered, aws, settings, time_machine):
    time_machine.move_to(datetime(2026, 12, 5, 14, tzinfo=UTC), tick=False)
    s3, where = aws_clients.client("s3"), {"Bucket": settings.TRANSCRIPT_BUCKET, "Key": "transcripts/a"}
    s3.put_object(**where, Body=b"x")
    s3.get_object(**where)
    s3.head_object(**where)
    s3.delete_object(**where)
    s3.generate_presigned_url("get_object", Params=where)
    pending = meter.meter().pending[HOUR]
    assert pending["s3_tier1_requests"] == 1
    assert pending["s3_tier2_requests"] == 3  # GET, HEAD and the presigned GET; DELETE is free


def test_bedrock_tokens_are_counted_from_the_responses(metered, aws, time_machine):
    from botocore.stub import ANY, Stubber

    time_machine.move_to(datetime(2026, 12, 5, 14, tzinfo=UTC), tick=False)
    bedrock = aws_clients.client("bedrock-runtime")
    answer = reply("A troll.")
    with Stubber(bedrock) as stub:
        stub.add_response("converse", answer, {"modelId": ANY, "messages": ANY})
        bedrock.converse(modelId="amazon.nova-lite-v1:0", messages=[{"role": "user", "content": [{"text": "hi"}]}])
    pending = meter.meter().pending[HOUR]
    assert pending["bedrock_input_tokens"] == answer["usage"]["inputTokens"]
    assert pending["bedrock_output_tokens"] == answer["usage"]["outputTokens"]


def network_down(*args, **kwargs):
    raise OSError("network down")


def test_a_failed_flush_keeps_its_counts_for_the_next(metered, aws, monkeypatch, time_machine):
    time_machine.move_to(datetime(2026, 12, 5, 14, tzinfo=UTC), tick=False)
    process_meter = meter.meter()
    process_meter.count_request(duration_seconds=0.1, bytes_out=10)
    with monkeypatch.context() as broken:
        broken.setattr(MeterHour, "update", network_down)
        process_meter.flush()
    assert process_meter.pending[HOUR]["requests"] == 1
    process_meter.flush()
    assert hour_item()["requests"] == 1


def test_off_by_default_off_lambda_and_on_on_lambda(tmp_path):
    local = run(["-c", SHOW_METER_SETTINGS], {}, tmp_path)
    assert local.stdout.split() == ["False", str(stage_config("dev")["memory_size"])], local.stderr
    on_lambda = {**PRODUCTION, "AWS_LAMBDA_FUNCTION_NAME": "f", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512"}
    lambda_run = run(["-c", SHOW_METER_SETTINGS], on_lambda, tmp_path)
    assert lambda_run.stdout.split() == ["True", "512"], lambda_run.stderr


def test_requests_through_the_lambda_entry_are_metered(metered, call_lambda, time_machine):
    """Zappa's handler on a fresh container: the middleware counts its requests."""
    from tests.zappa_package import api_gateway_event

    time_machine.move_to(datetime(2026, 12, 5, 14, 30, tzinfo=UTC), tick=False)
    for _ in range(3):
        assert call_lambda(api_gateway_event("GET", "/health/"))["statusCode"] == 200
    pending = meter.meter().pending[HOUR]
    assert pending["requests"] == 3 and pending["bytes_out"] > 0
