"""What the local run's moto holds for the staff's operations pages, given again at every
start: moto's CloudWatch Logs and Cost Explorer are not in the local snapshot
(devtools/localaws.py keeps DynamoDB, S3 and Cognito), and both are cheap to give.

- seed_local_error_log(): a few days of the app's JSON log lines (campaigns_site.log_format's
  shape) in the local function's log group, some of them server errors with their
  tracebacks, so /staff/errors/ has something to show. moto answers a Logs Insights query
  with every line of its time range (it runs no filter): the page picks the errors itself.
- Cost Explorer's answer is devtools/demo_costs.py's (preset_cost_explorer), given at
  every start too.
"""

import json
import random
from datetime import timedelta

from django.utils import timezone

from campaigns_site import aws

LOCAL_FUNCTION_NAME = "campaign-sessions-local"


def demo_log_lines(now):
    """(time, line) of the demo log, oldest first: ordinary requests and four failures."""
    lines = []
    rng = random.Random(15)
    for minutes_ago in range(4 * 24 * 60, 0, -97):
        path = rng.choice(["/campaigns/", "/", "/search/", "/health/", "/accounts/login/"])
        lines.append((now - timedelta(minutes=minutes_ago), _request_line(f"ok{minutes_ago}", path, 200)))
    failures = [
        (25, "4c1e0b7a-demo-0001", "/campaigns/01JDEMO000000000000000000/", "ValueError: bad played_on date"),
        (135, "4c1e0b7a-demo-0002", "/search/", "botocore.exceptions.ReadTimeoutError: Read timeout on endpoint URL"),
        (60 * 9, "4c1e0b7a-demo-0003", "/staff/costs/", "KeyError: 'ResultsByTime'"),
        (60 * 52, "4c1e0b7a-demo-0004", "/share/x/transcript/", "ConnectionResetError: [Errno 104] reset by peer"),
    ]
    for minutes_ago, request_id, path, exception in failures:
        at = now - timedelta(minutes=minutes_ago)
        lines.append((at, _error_line(request_id, path, exception)))
        lines.append((at + timedelta(milliseconds=3), _request_line(request_id, path, 500)))
    return sorted(lines, key=lambda pair: pair[0])


def _request_line(request_id, path, status):
    return {
        "level": "INFO",
        "logger": "campaigns_site.requests",
        "message": f"GET {path} {status}",
        "request_id": request_id,
        "method": "GET",
        "path": path,
        "status": status,
        "duration_ms": 41.0,
        "aws_calls": 2,
    }


def _error_line(request_id, path, exception):
    traceback = (
        "Traceback (most recent call last):\n"
        '  File "/var/task/django/core/handlers/exception.py", line 55, in inner\n'
        "    response = get_response(request)\n"
        f"{exception}"
    )
    return {
        "level": "ERROR",
        "logger": "django.request",
        "message": f"Internal Server Error: {path}",
        "request_id": request_id,
        "exception": traceback,
    }


def seed_local_error_log(*, function=LOCAL_FUNCTION_NAME, now=None):
    """Write the demo log into /aws/lambda/<function> (made if missing). Returns how many lines."""
    now = now or timezone.now()
    logs, group = aws.client("logs"), f"/aws/lambda/{function}"
    if not logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]:
        logs.create_log_group(logGroupName=group)
    stream = f"{now:%Y/%m/%d}/[$LATEST]demo{int(now.timestamp())}"
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    events = [
        {"timestamp": int(at.timestamp() * 1000), "message": json.dumps(line)} for at, line in demo_log_lines(now)
    ]
    logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)
    return len(events)
