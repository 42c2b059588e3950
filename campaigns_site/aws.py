"""AWS access in one place.

Clients are created on first use and cached per process: nothing here talks to AWS at
import time, which keeps Lambda cold starts short. The one endpoint override
(settings.AWS_ENDPOINT_URL) drives boto3 and PynamoDB alike.

Every call is also reported to the active AwsCallLog recorders, so tests and the debug
middleware can count DynamoDB/S3/Cognito requests per page.
"""

import sys
import threading
from contextlib import contextmanager
from functools import cache

from django.conf import settings

_recorders = []
_lock = threading.Lock()


class AwsCallLog:
    """The AWS operations made while it is active, as (service, operation) pairs."""

    def __init__(self):
        self.calls = []

    def __len__(self):
        return len(self.calls)

    def __iter__(self):
        return iter(self.calls)

    def count(self, service=None, operation=None):
        return sum(
            1
            for s, o in self.calls
            if (service is None or s == service) and (operation is None or o == operation)
        )

    def operations(self):
        return [f"{s}.{o}" for s, o in self.calls]


@contextmanager
def record_aws_calls():
    log = AwsCallLog()
    with _lock:
        _recorders.append(log)
    try:
        yield log
    finally:
        with _lock:
            _recorders.remove(log)


def _record(service, operation):
    for log in list(_recorders):
        log.calls.append((service, operation))


def _on_boto_call(model, **kwargs):
    _record(model.service_model.endpoint_prefix, model.name)


def on_pynamodb_send(sender, operation_name, table_name, req_uuid):
    _record("dynamodb", operation_name)


@cache
def _boto3_session():
    import boto3  # imported here: boto3 costs ~100 ms to import on a cold start

    return boto3.session.Session(region_name=settings.AWS_REGION)


def client(service_name, *, region=None):
    """A cached boto3 client for service_name, pointed at the endpoint override if any.

    region: another region than AWS_REGION, for a service offered only in some regions
    (Bedrock models). The cache is keyed by what the client is made from, so a settings
    change (in tests) can never hand out a client made for other settings.
    """
    return _client(service_name, region or settings.AWS_REGION, settings.AWS_ENDPOINT_URL or None)


@cache
def _client(service_name, region, endpoint_url):
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 4})
    if service_name == "s3":
        # Path-style keeps presigned URLs working against moto and custom endpoints.
        config = config.merge(Config(s3={"addressing_style": "path"}, signature_version="s3v4"))
    if service_name == "bedrock-runtime":
        # The summarizer retries throttling itself, with backoff sized for model calls;
        # botocore's retries on top would multiply the attempts. A long summary can take
        # minutes to generate, beyond botocore's 60 s default read timeout.
        config = config.merge(Config(retries={"mode": "standard", "total_max_attempts": 1}, read_timeout=300))
    new_client = _boto3_session().client(service_name, region_name=region, endpoint_url=endpoint_url, config=config)
    new_client.meta.events.register("before-call", _on_boto_call)
    return new_client


client.cache_info = _client.cache_info
client.cache_clear = _client.cache_clear


def configure_pynamodb():
    """Point the table's PynamoDB models at the configured table, region and endpoint.

    campaigns_site.table calls it when first imported, and tests again whenever they
    change the endpoint. Dropping the
    cached connections makes the next request build a new one with the new values.
    """
    from campaigns_site.table import TableModel

    for model in _model_and_subclasses(TableModel):
        model.Meta.table_name = settings.DYNAMODB_TABLE
        model.Meta.region = settings.AWS_REGION
        model.Meta.host = settings.AWS_ENDPOINT_URL or None
        model._connection = None


def reset():
    """Forget every cached client and connection (after a settings change in tests).

    The boto3 session stays: it caches the parsed service models, which take far longer
    to load than a client takes to build from them."""
    global _configured_for
    client.cache_clear()
    if "campaigns_site.table" in sys.modules:
        configure_pynamodb()
    _configured_for = _configuration()


_configured_for = None


def _configuration():
    return (settings.AWS_REGION, settings.AWS_ENDPOINT_URL, settings.DYNAMODB_TABLE)


def refresh():
    """reset() only if the settings clients are made from changed since the last one.

    Test fixtures call this around every test: most tests share one configuration, and
    rebuilding clients and connections each time would dominate the suite's run time."""
    if _configuration() != _configured_for:
        reset()


def _model_and_subclasses(model):
    yield model
    for subclass in model.__subclasses__():
        yield from _model_and_subclasses(subclass)
