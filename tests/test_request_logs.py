"""The request line (campaigns_site.request_log) and the JSON log format (log_format):
what operators query in CloudWatch Logs Insights, and what must never be in it."""

import io
import json
import logging
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import include, path

from campaigns_site.log_format import JsonFormatter
from campaigns_site.request_log import hashed_sub
from tests.fresh_processes import PRODUCTION, manage


def broken(request):
    raise RuntimeError("boom")


urlpatterns = [path("", include("campaigns_site.urls")), path("broken/", broken)]
handler500 = "campaigns_site.views.server_error"  # as campaigns_site.urls says


@pytest.fixture
def json_lines():
    """The log lines written while the test runs, in the Lambda format, parsed."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root, requests = logging.getLogger(), logging.getLogger("campaigns_site.requests")
    levels = root.level, requests.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    requests.setLevel(logging.INFO)  # as on Lambda (settings: WARNING with plain lines)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(levels[0])
        requests.setLevel(levels[1])


def request_lines(lines):
    return [line for line in lines if line["logger"] == "campaigns_site.requests"]


def test_a_signed_in_request_is_one_line_with_the_sub_hashed(owner, campaign, json_lines):
    response = owner.get("/", {"q": "secret words"})
    assert response.status_code == 200
    lines = json_lines()
    [line] = request_lines(lines)
    assert line["level"] == "INFO"
    assert line["method"] == "GET"
    assert line["path"] == "/"
    assert line["status"] == 200
    assert line["duration_ms"] > 0
    assert line["request_id"]
    assert line["user"] == hashed_sub(owner.sub)
    assert len(line["user"]) == 16
    assert line["aws_calls"] == sum(line["aws_operations"].values()) > 0
    assert any(operation.startswith("dynamodb.") for operation in line["aws_operations"])
    # PynamoDB asks DynamoDB for the capacity each call used: the line sums what came back.
    assert line["dynamodb_capacity_units"] > 0
    everything = json.dumps(lines)
    assert owner.sub not in everything
    assert "ada@example.com" not in everything
    assert "secret words" not in everything


def test_the_line_counts_the_calls_of_its_own_request_only(owner, campaign, json_lines):
    owner.get("/")
    owner.get("/health/")
    first, health = request_lines(json_lines())
    assert first["aws_calls"] > 0
    assert health["path"] == "/health/"
    assert health["aws_calls"] == 0
    assert health["aws_operations"] == {}
    assert health["request_id"] != first["request_id"]


def test_an_anonymous_request_has_no_user(anonymous, json_lines):
    anonymous.get("/accounts/login/")
    [line] = request_lines(json_lines())
    assert "user" not in line
    assert line["status"] == 200


def test_the_request_id_is_lambdas_when_zappa_gives_the_context(anonymous, json_lines):
    context = SimpleNamespace(aws_request_id="c0ffee-1234")
    anonymous.get("/health/", **{"lambda.context": context})
    [line] = request_lines(json_lines())
    assert line["request_id"] == "c0ffee-1234"


@pytest.mark.urls(__name__)
def test_an_error_is_logged_with_the_id_of_its_request(db, json_lines):
    response = Client(raise_request_exception=False).get(
        "/broken/", **{"lambda.context": SimpleNamespace(aws_request_id="req-42")}
    )
    assert response.status_code == 500
    lines = json_lines()
    [error] = [line for line in lines if line["level"] == "ERROR"]
    assert error["request_id"] == "req-42"
    assert "RuntimeError: boom" in error["exception"]
    [line] = request_lines(lines)
    assert line["request_id"] == "req-42"
    assert line["status"] == 500


def test_outside_a_request_a_json_line_has_no_request_id(json_lines):
    logging.getLogger("campaigns_site.somewhere").warning("summary job %s failed", "j1")
    [line] = json_lines()
    assert line == {"level": "WARNING", "logger": "campaigns_site.somewhere", "message": "summary job j1 failed"}


SAY_HELLO = "import logging; logging.getLogger('campaigns_site.x').warning('hello')"


def test_local_runs_log_plain_lines(tmp_path):
    result = manage({}, tmp_path, "shell", "-c", SAY_HELLO)
    assert result.returncode == 0, result.stderr
    assert "WARNING campaigns_site.x hello" in result.stderr.splitlines()


def test_lambda_logs_json_lines_unless_told_otherwise(tmp_path):
    on_lambda = {**PRODUCTION, "AWS_LAMBDA_FUNCTION_NAME": "campaign-sessions-production"}
    result = manage(on_lambda, tmp_path, "shell", "-c", SAY_HELLO)
    assert result.returncode == 0, result.stderr
    assert {"level": "WARNING", "logger": "campaigns_site.x", "message": "hello"} in [
        json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")
    ]
    plain = manage({**on_lambda, "LOG_FORMAT": "plain"}, tmp_path, "shell", "-c", SAY_HELLO)
    assert "WARNING campaigns_site.x hello" in plain.stderr.splitlines()
