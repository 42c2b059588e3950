"""One log line per request (logger "campaigns_site.requests"), for operators.

It says which request it was (Lambda's request id), whose (the user's sub hashed: never
the sub or the e-mail), what (method and path, without the query string, which can hold
a user's search words), how it ended (status, duration) and what it cost in AWS calls
(counted by service and operation, with the DynamoDB capacity the responses reported).

It is cheap: no AWS call of its own, no AWS library import, and it never loads the
session or the user just to log them (only a user the request already loaded is named).
"""

import hashlib
import logging
import time
import uuid
from collections import Counter

from django.conf import settings

from campaigns_site import meter
from campaigns_site.aws import record_aws_calls
from campaigns_site.log_format import current_request_id

log = logging.getLogger("campaigns_site.requests")

HASHED_SUB_LENGTH = 16


def hashed_sub(sub):
    """The user's sub as logs name it: a truncated sha256, stable across requests so one
    user's lines can be grouped, yet not the id itself."""
    return hashlib.sha256(sub.encode()).hexdigest()[:HASHED_SUB_LENGTH]


def request_id_of(request):
    """Lambda's aws_request_id when Zappa passed the context in the WSGI environ, else a new id."""
    context = request.META.get("lambda.context")
    return getattr(context, "aws_request_id", None) or uuid.uuid4().hex


class RequestAwsCalls:
    """A per-request recorder (campaigns_site.aws.record_aws_calls): AWS calls counted by
    "service.Operation", and the DynamoDB capacity units the responses reported."""

    def __init__(self):
        self.calls = Counter()
        self.capacity_units = 0.0

    def add(self, service, operation, params, *, region, presigned=False):
        if not presigned:
            self.calls[f"{service}.{operation}"] += 1

    def add_consumed_capacity(self, capacity_units):
        self.capacity_units += capacity_units


def _signed_in_user(request):
    # Only a user the request already loaded (django.contrib.auth caches it there):
    # loading it here would read the session from the table on pages that never do.
    user = request.__dict__.get("_cached_user")
    if user is not None and user.is_authenticated:
        return user
    return None


def _meter_request(response, duration_ms):
    """The request's share of the hour's counters (campaigns_site/meter.py); its AWS calls
    are counted by the meter itself, and the sums written at most once a minute."""
    if response.streaming:
        bytes_out = int(response.get("Content-Length") or 0)
    else:
        bytes_out = len(response.content)
    process_meter = meter.meter()
    process_meter.count_request(duration_seconds=duration_ms / 1000, bytes_out=bytes_out)
    process_meter.flush_if_due()


class RequestLogMiddleware:
    """Writes the request line; first in MIDDLEWARE, so it measures the whole request."""

    def __init__(self, get_response):
        self.get_response = get_response
        if settings.COST_METER:
            meter.meter()  # counting from the start: the first request's AWS calls too

    def __call__(self, request):
        request_id = request_id_of(request)
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        try:
            with record_aws_calls(RequestAwsCalls()) as aws_calls:
                response = self.get_response(request)
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            fields = {
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "aws_calls": sum(aws_calls.calls.values()),
                "aws_operations": dict(aws_calls.calls),
                "dynamodb_capacity_units": aws_calls.capacity_units,
            }
            user = _signed_in_user(request)
            if user is not None:
                fields["user"] = hashed_sub(user.sub)
            log.info(
                "%s %s %s %.1fms %d AWS calls",
                request.method,
                request.path,
                response.status_code,
                duration_ms,
                fields["aws_calls"],
                extra={"fields": fields},
            )
            if settings.COST_METER:
                _meter_request(response, duration_ms)
            return response
        finally:
            current_request_id.reset(token)
