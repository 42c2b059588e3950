"""How the app reaches AWS: lazily, through cached clients, at one endpoint, counted."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from accounts.items import WebSession
from campaigns_site import aws as aws_module
from campaigns_site.table import TableModel

PROJECT_DIR = Path(__file__).resolve().parent.parent

# Runs in a fresh interpreter: an audit hook sees every socket connection, so any AWS
# request made while importing the app (or serving a page that needs no AWS) shows up.
IMPORT_PROBE = """
import json, sys
connections = []
sys.addaudithook(lambda event, args: event == "socket.connect" and connections.append(repr(args[1])))

from campaigns_site.wsgi import application
from campaigns_site import aws as aws_module

# boto3, botocore and PynamoDB are slow to import: a cold start must not pay for them.
heavy_at_import = sorted({"boto3", "botocore", "pynamodb"} & set(sys.modules))

from wsgiref.util import setup_testing_defaults
statuses = []
# Pages a visitor without a session cookie sees first: the URLconf (every view module)
# is loaded, yet none of them needs an AWS library.
for path in ("/health/", "/", "/accounts/login/"):
    environ = {"PATH_INFO": path, "REQUEST_METHOD": "GET"}
    setup_testing_defaults(environ)
    b"".join(application(environ, lambda status, headers: statuses.append(status)))
heavy_after_pages = sorted({"boto3", "botocore", "pynamodb"} & set(sys.modules))

print(json.dumps({
    "heavy_at_import": heavy_at_import,
    "heavy_after_pages": heavy_after_pages,
    "clients": aws_module.client.cache_info().currsize,
    "sessions": aws_module._boto3_session.cache_info().currsize,
    "connections": connections,
    "health": statuses,
}))
"""


def test_importing_and_serving_health_creates_no_client_and_calls_nothing(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "APP_ENV": "local",
        "ORM_CACHE_PATH": str(tmp_path / "orm.sqlite3"),
    }
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_PROBE], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {
        "heavy_at_import": [],
        "heavy_after_pages": [],
        "clients": 0,
        "sessions": 0,
        "connections": [],
        "health": ["200 OK"] * 3,
    }


@pytest.fixture
def endpoint_override(settings):
    original = settings.AWS_ENDPOINT_URL
    settings.AWS_ENDPOINT_URL = "http://127.0.0.1:4599"
    aws_module.reset()
    yield settings.AWS_ENDPOINT_URL
    settings.AWS_ENDPOINT_URL = original
    aws_module.reset()


def test_client_is_created_once_per_service():
    aws_module.reset()
    assert aws_module.client("s3") is aws_module.client("s3")
    assert aws_module.client("dynamodb") is not aws_module.client("s3")
    assert aws_module.client.cache_info().currsize == 2


def test_reset_forgets_clients():
    first = aws_module.client("s3")
    aws_module.reset()
    assert aws_module.client("s3") is not first


def test_clients_default_to_the_regional_aws_endpoint(settings):
    aws_module.reset()
    assert aws_module.client("dynamodb").meta.endpoint_url == f"https://dynamodb.{settings.AWS_REGION}.amazonaws.com"
    assert TableModel.Meta.host is None


@pytest.mark.parametrize("service", ["s3", "dynamodb", "cognito-idp"])
def test_clients_use_the_endpoint_override(endpoint_override, service):
    assert aws_module.client(service).meta.endpoint_url == endpoint_override


def test_s3_client_uses_path_style_addressing(endpoint_override):
    url = aws_module.client("s3").generate_presigned_url("get_object", Params={"Bucket": "bucket", "Key": "a/b.txt"})
    assert url.startswith(f"{endpoint_override}/bucket/a/b.txt?")


def test_pynamodb_models_follow_the_endpoint_after_reset(endpoint_override, settings):
    assert TableModel.Meta.host == endpoint_override
    assert WebSession.Meta.host == endpoint_override
    assert WebSession.Meta.table_name == settings.DYNAMODB_TABLE
    assert WebSession._get_connection().connection.host == endpoint_override


def test_call_log_counts_boto3_and_pynamodb_calls(aws, aws_calls):
    with aws_calls() as calls:
        aws_module.client("s3").list_buckets()
        assert WebSession.count("WEBSESSION#nobody") == 0
    assert calls.operations() == ["s3.ListBuckets", "dynamodb.Query"]
    assert calls.count("dynamodb") == 1
    assert calls.count(operation="ListBuckets") == 1
    assert len(calls) == 2


def test_call_logs_nest_and_stop_recording_when_closed(aws, aws_calls):
    s3 = aws_module.client("s3")
    with aws_calls() as outer:
        s3.list_buckets()
        with aws_calls() as inner:
            s3.list_buckets()
    s3.list_buckets()
    assert len(outer) == 2
    assert len(inner) == 1


def list_buckets_view(request):
    aws_module.client("s3").list_buckets()
    aws_module.client("s3").list_buckets()
    return HttpResponse("ok")


urlpatterns = [path("two-calls/", list_buckets_view)]


@pytest.mark.urls(__name__)
def test_debug_middleware_reports_aws_calls_per_response(aws, settings):
    settings.DEBUG = True
    response = Client().get("/two-calls/")
    assert response["X-AWS-Calls"] == "2"


@pytest.mark.urls(__name__)
def test_no_aws_calls_header_without_debug(aws, settings):
    settings.DEBUG = False
    response = Client().get("/two-calls/")
    assert "X-AWS-Calls" not in response
