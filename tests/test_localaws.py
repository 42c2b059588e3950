"""The embedded local AWS keeps its data across a restart of the run command.

A restart is played in this process: stop the server (which saves), forget every moto
object as a new process would not have them, then start a new server from the file.
"""

import time

import boto3
import pytest
import requests
from botocore.config import Config
from moto import mock_aws

from campaigns_site import aws as aws_clients
from campaigns_site.provision import provision
from devtools.localaws import MOTO_SETTINGS, LocalAws, LocalAwsError, aws_mode, changes_state

PASSWORD = "first-password-1"
NEW_PASSWORD = "second-password-2"
BODY = bytes(range(256)) * 64  # every byte value, 16 KiB


@pytest.fixture
def local_aws(tmp_path, settings, monkeypatch):
    """A function that starts LocalAws on a free port and points settings and clients at it."""
    started = []
    for name, value in MOTO_SETTINGS.items():
        monkeypatch.setenv(name, value)  # restored afterwards: other tests expect moto's defaults

    def start():
        server = LocalAws(state_path=tmp_path / "aws-state.pickle", port=0)
        server.start()
        started.append(server)
        settings.AWS_ENDPOINT_URL = server.endpoint_url
        aws_clients.reset()
        return server

    mock_aws().reset()
    yield start
    for server in started:
        server.stop()
    mock_aws().reset()
    aws_clients.reset()


def restart(server, start):
    server.stop()
    mock_aws().reset()  # a new process starts with no moto objects
    return start()


def client(server, service):
    return boto3.client(
        service,
        endpoint_url=server.endpoint_url,
        region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}),
    )


def test_items_objects_and_users_survive_a_restart(local_aws, settings):
    server = local_aws()
    report = provision()
    cognito, s3, dynamodb = (client(server, name) for name in ("cognito-idp", "s3", "dynamodb"))
    sub = sign_up(cognito, report, "gm@example.com")
    token = log_in(cognito, report, "gm@example.com", PASSWORD)["AccessToken"]
    cognito.admin_add_user_to_group(UserPoolId=report.user_pool_id, Username="gm@example.com", GroupName="staff")
    # Passwords changed with a token were lost by moto's recorder; they must survive here.
    cognito.change_password(AccessToken=token, PreviousPassword=PASSWORD, ProposedPassword=NEW_PASSWORD)
    dynamodb.put_item(
        TableName=settings.DYNAMODB_TABLE,
        Item={"PK": {"S": f"USER#{sub}"}, "SK": {"S": "PROFILE"}, "avatar": {"B": BODY[:100]}},
    )
    s3.put_object(Bucket=settings.TRANSCRIPT_BUCKET, Key=f"transcripts/{sub}/one.bin", Body=BODY)

    server = restart(server, local_aws)
    cognito, s3, dynamodb = (client(server, name) for name in ("cognito-idp", "s3", "dynamodb"))

    again = provision()
    assert (again.user_pool_id, again.app_client_id, again.app_client_secret) == (
        report.user_pool_id,
        report.app_client_id,
        report.app_client_secret,
    )
    assert any("found" in line for line in again.lines)
    tokens = log_in(cognito, report, "gm@example.com", NEW_PASSWORD)
    assert attribute(cognito.get_user(AccessToken=tokens["AccessToken"])["UserAttributes"], "sub") == sub
    groups = cognito.admin_list_groups_for_user(UserPoolId=report.user_pool_id, Username="gm@example.com")
    assert [group["GroupName"] for group in groups["Groups"]] == ["staff"]
    item = dynamodb.get_item(
        TableName=settings.DYNAMODB_TABLE, Key={"PK": {"S": f"USER#{sub}"}, "SK": {"S": "PROFILE"}}
    )
    assert item["Item"]["avatar"]["B"] == BODY[:100]
    assert s3.get_object(Bucket=settings.TRANSCRIPT_BUCKET, Key=f"transcripts/{sub}/one.bin")["Body"].read() == BODY
    assert requests.get(f"{server.endpoint_url}/{report.user_pool_id}/.well-known/jwks.json").json()["keys"]


def test_browser_uploads_through_presigned_post_survive(local_aws, settings):
    server = local_aws()
    provision()
    post = client(server, "s3").generate_presigned_post(settings.TRANSCRIPT_BUCKET, "uploads/notes.txt")
    response = requests.post(post["url"], data=post["fields"], files={"file": ("notes.txt", b"\x00binary\xff")})
    assert response.status_code == 204

    server = restart(server, local_aws)

    stored = client(server, "s3").get_object(Bucket=settings.TRANSCRIPT_BUCKET, Key="uploads/notes.txt")
    assert stored["Body"].read() == b"\x00binary\xff"


def test_changes_are_saved_without_a_clean_stop(local_aws, settings):
    server = local_aws()
    provision()
    marker = b"written just before a crash 7f3a"
    client(server, "s3").put_object(Bucket=settings.TRANSCRIPT_BUCKET, Key="late.txt", Body=marker)
    assert wait_for(lambda: server.state_path.exists() and marker in server.state_path.read_bytes())

    # As after a crash: the file alone, no final save.
    crashed = LocalAws(state_path=server.state_path, port=0)
    mock_aws().reset()
    crashed.start()
    try:
        body = client(crashed, "s3").get_object(Bucket=settings.TRANSCRIPT_BUCKET, Key="late.txt")["Body"].read()
    finally:
        crashed.stop()
    assert body == marker


def test_restarts_do_not_grow_the_state(local_aws):
    server = local_aws()
    provision()
    server.stop()
    sizes = [server.state_path.stat().st_size]
    for _ in range(2):
        server = restart(server, local_aws)
        provision()
        server.stop()
        sizes.append(server.state_path.stat().st_size)
    assert sizes[0] == sizes[1] == sizes[2]


def test_a_busy_port_is_a_clear_error(local_aws):
    server = local_aws()
    with pytest.raises(LocalAwsError, match="another `manage.py runlocal`"):
        LocalAws(state_path=server.state_path.with_name("other.pickle"), port=server.port).start()


def test_an_unreadable_state_file_is_kept_and_explained(tmp_path):
    state = tmp_path / "aws-state.pickle"
    state.write_bytes(b"not a snapshot")
    with pytest.raises(LocalAwsError, match="reset-local"):
        LocalAws(state_path=state, port=0).start()
    assert state.read_bytes() == b"not a snapshot"


@pytest.mark.parametrize(
    ("environ", "use_real_aws", "mode"),
    [
        ({}, False, "embedded"),
        ({"RUN_MAIN": "true", "AWS_ENDPOINT_URL": "http://127.0.0.1:5100"}, False, "child"),
        ({"RUN_MAIN": "true"}, True, "child"),
        ({"AWS_ENDPOINT_URL": "http://localhost:4566"}, False, "external"),
        ({}, True, "real"),
    ],
)
def test_moto_starts_only_in_the_first_process(environ, use_real_aws, mode):
    assert aws_mode(environ=environ, use_real_aws=use_real_aws) == mode


@pytest.mark.parametrize(
    ("method", "path", "target", "changes"),
    [
        ("GET", "/bucket/key", "", False),
        ("PUT", "/bucket/key", "", True),
        ("POST", "/bucket", "", True),
        ("POST", "/", "DynamoDB_20120810.Query", False),
        ("POST", "/", "DynamoDB_20120810.TransactWriteItems", True),
        ("POST", "/", "AWSCognitoIdentityProviderService.InitiateAuth", True),
        ("POST", "/", "AWSCognitoIdentityProviderService.ListUsers", False),
        ("POST", "/moto-api/seed", "", False),
    ],
)
def test_only_writes_schedule_a_save(method, path, target, changes):
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "HTTP_X_AMZ_TARGET": target}
    assert changes_state(environ) is changes


def wait_for(condition, attempts=200):
    for _ in range(attempts):
        if condition():
            return True
        time.sleep(0.05)
    return False


def sign_up(cognito, report, email):
    cognito.sign_up(
        ClientId=report.app_client_id,
        Username=email,
        Password=PASSWORD,
        SecretHash=secret_hash(report, email),
        UserAttributes=[{"Name": "email", "Value": email}],
    )
    cognito.admin_confirm_sign_up(UserPoolId=report.user_pool_id, Username=email)
    user = cognito.admin_get_user(UserPoolId=report.user_pool_id, Username=email)
    return attribute(user["UserAttributes"], "sub")


def log_in(cognito, report, email, password):
    return cognito.initiate_auth(
        ClientId=report.app_client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password, "SECRET_HASH": secret_hash(report, email)},
    )["AuthenticationResult"]


def secret_hash(report, username):
    import base64
    import hashlib
    import hmac

    digest = hmac.new(report.app_client_secret.encode(), (username + report.app_client_id).encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


def attribute(attributes, name):
    return next(a["Value"] for a in attributes if a["Name"] == name)
