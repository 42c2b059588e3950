"""Every management command that talks to AWS (campaigns_site/operations.py): it finds the
running local run's AWS by itself, and says in one line what is wrong when it cannot
reach AWS, never with a traceback."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from campaigns_site import aws as aws_clients
from campaigns_site import operations
from campaigns_site.operations import NOT_RUNNING, announce_local_aws, use_running_local_aws, withdraw_local_aws

ROOT = Path(__file__).resolve().parent.parent
UNKNOWN_SUB = "33333333-aaaa-4bbb-8ccc-000000000003"
# Every command of the project that reaches AWS, with arguments that make it do so.
COMMANDS = [
    ("provision",),
    ("sweep_orphans",),
    ("rebuild_search_index", "--all"),
    ("fill_share_registry",),
    ("delete_account", UNKNOWN_SUB, "--yes"),
    ("finish_deletions",),
]
CREDENTIAL_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
)


@pytest.fixture
def nothing_set(tmp_path, settings, monkeypatch):
    """A shell with no AWS credentials, no endpoint and no local run: a newcomer's."""
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    local_file = tmp_path / "local-aws.json"
    monkeypatch.setattr(operations, "local_aws_file", lambda: local_file)
    settings.AWS_ENDPOINT_URL = None
    settings.COGNITO_USER_POOL_ID = ""
    settings.COGNITO_APP_CLIENT_ID = ""
    _forget_credentials()
    yield local_file
    _forget_credentials()


def _forget_credentials():
    aws_clients._boto3_session.cache_clear()  # it holds the credentials it found first
    aws_clients.reset()


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue()


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command[0])
def test_with_nothing_set_a_command_says_the_local_aws_is_not_running(nothing_set, command):
    with pytest.raises(CommandError) as raised:
        run(*command)

    assert str(raised.value) == NOT_RUNNING


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command[0])
def test_a_command_finds_the_running_local_aws_by_itself(served_aws, nothing_set, settings, monkeypatch, command, db):
    from campaigns_site.provision import provision

    settings.AWS_ENDPOINT_URL = served_aws.endpoint_url
    with monkeypatch.context() as operator:
        for name, value in operations.LOCAL_CREDENTIALS.items():
            operator.setenv(name, value)
        _forget_credentials()
        report = provision()  # finds what the fixture made: the ids runlocal announces
    settings.AWS_ENDPOINT_URL = None
    announce_local_aws(
        endpoint_url=served_aws.endpoint_url,
        user_pool_id=report.user_pool_id,
        app_client_id=report.app_client_id,
        path=nothing_set,
    )
    _forget_credentials()
    assert settings.AWS_ENDPOINT_URL is None and "AWS_ACCESS_KEY_ID" not in os.environ

    output = run(*command)

    assert settings.AWS_ENDPOINT_URL == served_aws.endpoint_url
    assert settings.COGNITO_USER_POOL_ID == report.user_pool_id
    assert output.strip().splitlines()[-1] == EXPECTED_LAST_LINES[command[0]]


EXPECTED_LAST_LINES = {
    "provision": "  COGNITO_APP_CLIENT_SECRET=<in the app client; not printed>",
    "sweep_orphans": "  unknown keys: 0",
    "rebuild_search_index": "Search items rebuilt.",
    "fill_share_registry": "share links: 0 found, 0 entries added to the registry",
    "delete_account": f"Account {UNKNOWN_SUB} deleted: nothing (already deleted).",
    "finish_deletions": "No unfinished campaign deletions left.",
}


def test_a_stopped_local_run_is_not_used(nothing_set, settings):
    # Killed without cleaning up: the file is there, nothing answers on its port.
    nothing_set.write_text(json.dumps({"endpoint_url": "http://127.0.0.1:9", "pid": 1}))

    assert use_running_local_aws() is None
    assert settings.AWS_ENDPOINT_URL is None
    with pytest.raises(CommandError, match="The local AWS is not running"):
        run("sweep_orphans")


def test_an_endpoint_that_does_not_answer_is_one_line(nothing_set, settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y")
    settings.AWS_ENDPOINT_URL = "http://127.0.0.1:9"
    _forget_credentials()

    with pytest.raises(CommandError, match=r"^Cannot reach http://127\.0\.0\.1:9: .* Is it running"):
        run("finish_deletions")


def test_the_run_command_announces_only_while_it_runs(tmp_path):
    path = tmp_path / "local-aws.json"
    announce_local_aws(endpoint_url="http://127.0.0.1:5100", user_pool_id="p", app_client_id="c", path=path)
    assert json.loads(path.read_text())["endpoint_url"] == "http://127.0.0.1:5100"

    withdraw_local_aws(path=path)
    assert not path.exists()


def test_another_runs_announcement_is_left_alone(tmp_path):
    path = tmp_path / "local-aws.json"
    path.write_text(json.dumps({"endpoint_url": "http://127.0.0.1:5101", "pid": os.getpid() + 1}))

    withdraw_local_aws(path=path)
    assert path.exists()


def test_manage_py_prints_one_line_and_fails(tmp_path):
    """The issue's case, as a newcomer meets it: no traceback, one line on stderr, status 1."""
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "ORM_CACHE_PATH": str(tmp_path / "orm.sqlite3"),
    }
    # manage.py as is, except that the local run's file is looked for in tmp_path (a local
    # run of this checkout may be running while the tests are).
    script = (
        "import sys; from pathlib import Path; sys.path.insert(0, '.');"
        "import campaigns_site.operations as o;"
        f"o.local_aws_file = lambda: Path({str(tmp_path / 'local-aws.json')!r});"
        "import manage; sys.argv = ['manage.py', 'sweep_orphans']; manage.main()"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaigns_site.settings")
    finished = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )

    assert finished.returncode == 1
    assert finished.stderr.strip().splitlines() == [f"CommandError: {NOT_RUNNING}"]


def test_runlocal_describes_its_aws_while_it_serves_and_not_after(tmp_path, settings, monkeypatch, db):
    """The real run command, up to the server: the file other commands read names its moto
    while it serves, and is gone once it stops. Its first banner gives the demo's link."""
    from moto import mock_aws

    from devtools.localaws import MOTO_SETTINGS
    from devtools.management.commands import runlocal
    from staff import last_errors

    environment = dict(os.environ)
    for name, value in MOTO_SETTINGS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(runlocal, "local_state_path", lambda: tmp_path / "aws-state.pickle")
    monkeypatch.setattr(runlocal.signal, "signal", lambda *args: None)
    for name in (
        "AWS_ENDPOINT_URL",
        "SITE_ORIGIN",
        "COGNITO_USER_POOL_ID",
        "COGNITO_APP_CLIENT_ID",
        "COGNITO_APP_CLIENT_SECRET",
        "AWS_REGION",
        "LAMBDA_FUNCTION_NAME",
    ):
        setattr(settings, name, getattr(settings, name))  # restored after the test: the command sets them
    seen = {}

    def serve(command, addrport, use_reloader):
        seen.update(json.loads(operations.local_aws_file().read_text()))
        seen["answers"] = operations._answers(seen["endpoint_url"])
        # The staff's demo: the local log group's errors, Cost Explorer's preset answers.
        seen["errors"] = [row.request_id for row in last_errors.last_errors().rows]
        month = {"Start": "2026-12-01", "End": "2026-12-06"}
        seen["bill"] = aws_clients.client("ce").get_cost_and_usage(
            TimePeriod=month, Granularity="MONTHLY", Metrics=["UnblendedCost"]
        )["ResultsByTime"]

    monkeypatch.setattr(runlocal.Command, "serve", serve)
    mock_aws().reset()
    try:
        banner = run("runlocal", "127.0.0.1:8799", "--aws-port", "0", "--noreload")
    finally:
        os.environ.clear()
        os.environ.update(environment)
        mock_aws().reset()
        aws_clients.reset()

    assert seen["answers"] and seen["endpoint_url"].startswith("http://127.0.0.1:")
    assert seen["user_pool_id"] and seen["app_client_id"]
    assert not operations.local_aws_file().exists()
    assert "Demo share:  http://127.0.0.1:8799/share/" in banner
    assert "Staff login: staff@example.com / keep-the-lights-on-15   (just created;" in banner
    assert seen["errors"] == ["4c1e0b7a-demo-0001", "4c1e0b7a-demo-0002", "4c1e0b7a-demo-0003"]
    assert seen["bill"][0]["Groups"][0]["Keys"] == ["Amazon DynamoDB"]


def test_what_each_aws_failure_says(settings):
    from botocore.exceptions import ClientError, NoCredentialsError
    from pynamodb.exceptions import GetError

    from campaigns_site.operations import NO_CREDENTIALS, describe_aws_error

    refused = ClientError({"Error": {"Code": "AccessDeniedException", "Message": "not allowed"}}, "Scan")
    assert describe_aws_error(refused) == (
        "AWS refused Scan: AccessDeniedException: not allowed (run operations commands with operator credentials)"
    )
    wrapped = GetError(
        "Failed to get item",
        cause=ClientError({"Error": {"Code": "ResourceNotFoundException", "Message": "no table"}}, "GetItem"),
    )
    assert describe_aws_error(wrapped).startswith(
        "AWS refused GetItem: ResourceNotFoundException: no table (is it provisioned?"
    )
    assert describe_aws_error(ValueError("a bug")) is None  # not about AWS: the traceback stays

    settings.PRODUCTION = True
    assert describe_aws_error(NoCredentialsError()) == NO_CREDENTIALS
