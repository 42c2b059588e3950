"""AWS access in one place.

Clients are created on first use and cached per process: nothing here talks to AWS at
import time, which keeps Lambda cold starts short. The one endpoint override
(settings.AWS_ENDPOINT_URL) drives boto3 and PynamoDB alike.

Every client, PynamoDB's included, has the same timeouts and retries (CONNECT_TIMEOUT_SECONDS,
READ_TIMEOUT_SECONDS, MAX_ATTEMPTS below), sized for API Gateway's 29-second limit; only
the Bedrock client, used by summary jobs outside API Gateway, waits longer.

Every request is also reported, with its parameters, to the active recorders: AwsCallLog
counts DynamoDB/S3/Cognito requests per page (tests and the debug middleware), and the
IAM test (tests/iam_policy.py) checks each against deploy/iam-policy.json.
"""

import threading
from contextlib import contextmanager
from functools import cache, partial

from django.conf import settings

# One budget for every AWS call a web request makes: at most MAX_ATTEMPTS attempts
# (standard retry mode: the first one included), each waiting at most CONNECT + READ,
# with botocore's backoff of at most 1 s then 2 s between them: 3 x (2 + 5) + 3 = 24 s,
# inside API Gateway's 29 s. A call that still fails raises, which ends most requests
# (a page that catches it and calls again, like the staff page, could still run over).
# AWS answers these calls in milliseconds; 5 s of silence on a socket means a lost
# connection, which a fresh attempt is far likelier to get past than a longer wait.
CONNECT_TIMEOUT_SECONDS = 2
READ_TIMEOUT_SECONDS = 5
MAX_ATTEMPTS = 3
# Summary jobs run outside API Gateway (a Lambda invocation of their own, a worker
# thread): a long summary can take minutes to generate, and the summarizer retries
# throttling itself with backoff sized for model calls (BEDROCK_MAX_ATTEMPTS), so botocore
# makes one attempt only.
BEDROCK_READ_TIMEOUT_SECONDS = 300

_recorders = []
_lock = threading.Lock()


class AwsCallLog:
    """The AWS operations made while it is active, as (service, operation) pairs."""

    def __init__(self):
        self.calls = []

    def add(self, service, operation, params, *, region, presigned=False):
        # A presigned URL or form is signed locally: no request to AWS from the app.
        if not presigned:
            self.calls.append((service, operation))

    def __len__(self):
        return len(self.calls)

    def __iter__(self):
        return iter(self.calls)

    def count(self, service=None, operation=None):
        return sum(
            1 for s, o in self.calls if (service is None or s == service) and (operation is None or o == operation)
        )

    def operations(self):
        return [f"{s}.{o}" for s, o in self.calls]


@contextmanager
def record_aws_calls(log=None):
    """Reports every AWS request made inside the block to `log` (an AwsCallLog unless
    given: any object with AwsCallLog's `add`), from every thread."""
    log = AwsCallLog() if log is None else log
    with _lock:
        _recorders.append(log)
    try:
        yield log
    finally:
        with _lock:
            _recorders.remove(log)


def _record(service, operation, params, *, region, presigned=False):
    for log in list(_recorders):
        log.add(service, operation, params, region=region, presigned=presigned)


def _on_request_params(params, model, context, region, **kwargs):
    """botocore's before-parameter-build: once per API call (not per retry), and for each
    presigned URL, with the caller's parameters."""
    if context.get("is_presign_request") and model.name == "CreateBucket":
        return  # botocore's own step of a presigned POST: presigned_post() reports it with its key
    service = model.service_model.endpoint_prefix
    _record(service, model.name, params, region=region, presigned=bool(context.get("is_presign_request")))


def _on_response(parsed, model=None, **kwargs):
    """botocore's after-call: the DynamoDB capacity a response reports (PynamoDB asks for
    it on every data call; the app's own clients only where they ask) goes to recorders
    that count it (an `add_consumed_capacity(units)` method, or `add_capacity_of(operation,
    units)` to tell reads from writes), and a model's token usage (Bedrock's Converse) to
    those with `add_model_usage(usage)` (the cost meter, campaigns_site/meter.py)."""
    if not isinstance(parsed, dict):
        return
    if parsed.get("usage") and model is not None and model.service_model.endpoint_prefix == "bedrock-runtime":
        _tell("add_model_usage", parsed["usage"])
    consumed = parsed.get("ConsumedCapacity")
    if not consumed:
        return
    entries = consumed if isinstance(consumed, list) else [consumed]
    units = sum(float(entry.get("CapacityUnits") or 0) for entry in entries)
    _tell("add_consumed_capacity", units)
    _tell("add_capacity_of", model.name if model is not None else "", units)


def _tell(method, *args):
    for log in list(_recorders):
        add = getattr(log, method, None)
        if add is not None:
            add(*args)


def record_always(log):
    """Report every AWS request of the process to `log` from now on, outside any block
    (the cost meter: summary jobs and scheduled events count too); once per log."""
    with _lock:
        if log not in _recorders:
            _recorders.append(log)


def stop_recording(log):
    """Undo record_always(log)."""
    with _lock:
        if log in _recorders:
            _recorders.remove(log)


def watch(botocore_client):
    """Report the client's requests to the recorders (our clients, and PynamoDB's)."""
    events = botocore_client.meta.events
    events.register(
        "before-parameter-build",
        partial(_on_request_params, region=botocore_client.meta.region_name),
        unique_id="campaigns_site.aws.record",
    )
    events.register("after-call", _on_response, unique_id="campaigns_site.aws.consumed_capacity")
    return botocore_client


def presigned_post(*, Bucket, Key, Fields=None, Conditions=None, ExpiresIn=3600):
    """S3's generate_presigned_post, reported to the recorders as the PutObject the browser
    will make with the app's credentials.

    Signed by botocore's own S3 POST signer (S3SigV4PostAuth), as the S3 client's method
    does, but without an S3 client: making one loads S3's service model and endpoint rules
    (~40-80 ms), which the first session page of a new container would pay for a form that
    is only signed locally (docs/decisions.md, issue 17). The URL is the one the client gives
    with path-style addressing; tests/test_presigned_post.py checks the whole answer
    against the client's, field for field.
    """
    import datetime

    from botocore.auth import ISO8601, S3SigV4PostAuth
    from botocore.awsrequest import AWSRequest
    from botocore.compat import get_current_datetime

    region = settings.AWS_REGION
    _record("s3", "PutObject", {"Bucket": Bucket, "Key": Key}, region=region, presigned=True)
    fields = dict(Fields or {})
    conditions = [*(Conditions or []), {"bucket": Bucket}]
    if Key.endswith("${filename}"):
        conditions.append(["starts-with", "$key", Key[: -len("${filename}")]])
    else:
        conditions.append({"key": Key})
    fields["key"] = Key
    expires = get_current_datetime() + datetime.timedelta(seconds=ExpiresIn)
    policy = {"expiration": expires.strftime(ISO8601), "conditions": conditions}
    request = AWSRequest(method="POST", url=_bucket_url(Bucket, region))
    request.context["s3-presign-post-fields"] = fields
    request.context["s3-presign-post-policy"] = policy
    credentials = _credentials().get_frozen_credentials()
    S3SigV4PostAuth(credentials, "s3", region).add_auth(request)
    return {"url": request.url, "fields": request.context["s3-presign-post-fields"]}


def _credentials():
    """The credentials boto3's default chain finds, whose first link is the environment's
    (AWS_ACCESS_KEY_ID...: Lambda's, the tests'): read directly there when set, so that no
    boto3 session (~20-40 ms to make: its handlers, endpoint data) is made for a signature."""
    from botocore.credentials import EnvProvider

    return EnvProvider().load() or _boto3_session().get_credentials()


def _bucket_url(bucket, region):
    """The bucket's path-style URL, as the S3 client's endpoint rules make it (client_config:
    addressing_style "path"): the endpoint override's, else S3's regional endpoint (us-east-1's
    is the global one)."""
    if settings.AWS_ENDPOINT_URL:
        return f"{settings.AWS_ENDPOINT_URL.rstrip('/')}/{bucket}"
    host = "s3.amazonaws.com" if region == "us-east-1" else f"s3.{region}.amazonaws.com"
    return f"https://{host}/{bucket}"


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


def client_config(service_name):
    """The botocore Config of every client for service_name (see the constants above)."""
    from botocore.config import Config

    config = Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
    )
    if service_name == "s3":
        # Path-style keeps presigned URLs working against moto and custom endpoints.
        config = config.merge(Config(s3={"addressing_style": "path"}, signature_version="s3v4"))
    if service_name == "bedrock-runtime":
        config = config.merge(
            Config(retries={"mode": "standard", "total_max_attempts": 1}, read_timeout=BEDROCK_READ_TIMEOUT_SECONDS)
        )
    return config


@cache
def _client(service_name, region, endpoint_url):
    config = client_config(service_name)
    new_client = _boto3_session().client(service_name, region_name=region, endpoint_url=endpoint_url, config=config)
    return watch(new_client)


client.cache_info = _client.cache_info
client.cache_clear = _client.cache_clear


def reset():
    """Forget every cached client and connection (after a settings change in tests).

    The boto3 session stays: it caches the parsed service models, which take far longer
    to load than a client takes to build from them."""
    global _configured_for
    client.cache_clear()
    for callback in _reset_callbacks:
        callback()
    _configured_for = _configuration()


_configured_for = None
# What else reset() must forget, registered by its owner on import: campaigns_site.table's
# PynamoDB connections (so this module never imports the table: the table imports it).
_reset_callbacks = []


def on_reset(callback):
    """Have reset() call `callback()` too: campaigns_site.table remakes the table's
    connection with the new settings (it registers when loaded; aws imports no model)."""
    _reset_callbacks.append(callback)
    return callback


def _configuration():
    return (settings.AWS_REGION, settings.AWS_ENDPOINT_URL, settings.DYNAMODB_TABLE)


def refresh():
    """reset() only if the settings clients are made from changed since the last one.

    Test fixtures call this around every test: most tests share one configuration, and
    rebuilding clients and connections each time would dominate the suite's run time."""
    if _configuration() != _configured_for:
        reset()
