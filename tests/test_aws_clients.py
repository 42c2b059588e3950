"""Every AWS client, PynamoDB's included, gives up in time for API Gateway's 29 s limit."""

import socket
import threading
import time

import pytest
from botocore.exceptions import ReadTimeoutError

from campaigns_site import aws as aws_module
from campaigns_site.table import TableModel

API_GATEWAY_LIMIT_SECONDS = 29
# botocore's standard retry mode waits at most 2 ** (attempt - 1) s (with jitter) before
# each retry: 1 s, then 2 s for three attempts.
MAX_BACKOFF_SECONDS = sum(2**attempt for attempt in range(aws_module.MAX_ATTEMPTS - 1))
REQUEST_PATH_SERVICES = ["dynamodb", "s3", "cognito-idp", "lambda"]


def test_one_call_with_every_retry_fits_inside_api_gateways_limit():
    one_attempt = aws_module.CONNECT_TIMEOUT_SECONDS + aws_module.READ_TIMEOUT_SECONDS
    assert aws_module.MAX_ATTEMPTS * one_attempt + MAX_BACKOFF_SECONDS <= 25 < API_GATEWAY_LIMIT_SECONDS
    assert aws_module.MAX_ATTEMPTS >= 2  # one retry at least: a lost connection is common, a lost region is not


@pytest.mark.parametrize("service", REQUEST_PATH_SERVICES)
def test_request_path_clients_share_one_configuration(service):
    config = aws_module.client(service).meta.config
    assert (config.connect_timeout, config.read_timeout) == (2, 5)
    assert config.retries == {"mode": "standard", "total_max_attempts": aws_module.MAX_ATTEMPTS}


def test_pynamodb_client_has_the_same_configuration():
    aws_module.reset()
    assert (TableModel.Meta.connect_timeout_seconds, TableModel.Meta.read_timeout_seconds) == (2, 5)
    config = TableModel._get_connection().connection.client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (2, 5)
    assert config.retries == {"mode": "standard", "total_max_attempts": aws_module.MAX_ATTEMPTS}


def test_bedrock_alone_waits_long_and_leaves_retries_to_the_summarizer():
    """Summary jobs run outside API Gateway (their own Lambda invocation, a worker thread)."""
    config = aws_module.client("bedrock-runtime").meta.config
    assert config.connect_timeout == 2
    assert config.read_timeout == aws_module.BEDROCK_READ_TIMEOUT_SECONDS == 300
    assert config.retries == {"mode": "standard", "total_max_attempts": 1}


class SilentServer:
    """Accepts every connection and never answers: an AWS endpoint that hangs."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.connections = []
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def _accept(self):
        while self.running:
            try:
                self.connections.append(self.listener.accept()[0])
            except TimeoutError:
                continue

    def stop(self):
        self.running = False
        self.thread.join()
        for connection in self.connections:
            connection.close()
        self.listener.close()


@pytest.fixture
def hanging_aws(settings, monkeypatch):
    """Every client pointed at a silent endpoint, with a short read timeout (the test
    proves the timeout and the attempts apply, not their production values)."""
    server = SilentServer()
    monkeypatch.setattr(aws_module, "READ_TIMEOUT_SECONDS", 0.3)
    original = settings.AWS_ENDPOINT_URL
    settings.AWS_ENDPOINT_URL = server.url
    aws_module.reset()
    yield server
    settings.AWS_ENDPOINT_URL = original
    monkeypatch.undo()
    aws_module.reset()
    server.stop()


def transaction(settings):
    aws_module.client("dynamodb").transact_write_items(
        TransactItems=[
            {
                "ConditionCheck": {
                    "TableName": settings.DYNAMODB_TABLE,
                    "Key": {"PK": {"S": "USER#a"}, "SK": {"S": "PROFILE"}},
                    "ConditionExpression": "attribute_exists(PK)",
                }
            }
        ]
    )


CALLS = {
    "s3 GetObject": lambda settings: aws_module.client("s3").get_object(Bucket=settings.TRANSCRIPT_BUCKET, Key="k"),
    "cognito AdminGetUser": lambda settings: aws_module.client("cognito-idp").admin_get_user(
        UserPoolId="us-east-1_x", Username="a"
    ),
    "dynamodb TransactWriteItems": transaction,
    "PynamoDB GetItem": lambda settings: TableModel.get("USER#a", "PROFILE"),
}


@pytest.mark.parametrize("call", CALLS)
def test_a_hanging_endpoint_fails_the_call_after_the_read_timeout_and_the_attempts(hanging_aws, settings, call):
    started = time.monotonic()
    with pytest.raises(Exception) as raised:
        CALLS[call](settings)
    elapsed = time.monotonic() - started

    chain = [raised.value, raised.value.__cause__, raised.value.__context__]
    assert any(isinstance(error, ReadTimeoutError) for error in chain), repr(raised.value)
    assert len(hanging_aws.connections) == aws_module.MAX_ATTEMPTS
    assert elapsed <= aws_module.MAX_ATTEMPTS * 0.3 + MAX_BACKOFF_SECONDS + 1
