"""What the local run's moto holds for the staff's operations pages, given again at every
start: moto's CloudWatch Logs and Cost Explorer are not in the local snapshot
(devtools/localaws.py keeps DynamoDB, S3 and Cognito), and both are cheap to give.

- seed_local_error_log(): a few days of the app's JSON log lines (campaigns_site.log_format's
  shape) in the local function's log group, some of them server errors with their
  tracebacks, so /staff/errors/ has something to show. moto answers a Logs Insights query
  with every line of its time range (it runs no filter): the page picks the errors itself.
- seed_cost_explorer(): Cost Explorer answers preset through moto's
  /moto-api/static/ce/cost-and-usage-results (each new GetCostAndUsage request takes the
  next one), so the cost page shows a plausible bill.
"""

import json
import random
import urllib.request
from datetime import timedelta

from django.utils import timezone

from campaigns_site import aws

LOCAL_FUNCTION_NAME = "campaign-sessions-local"
COST_METRICS = ("UnblendedCost", "BlendedCost", "AmortizedCost", "NetUnblendedCost")
# This month's bill by service, in USD: what a small deployment of this app costs.
SERVICE_COSTS = {
    "Amazon DynamoDB": "0.61",
    "Amazon Simple Storage Service": "0.23",
    "AWS Lambda": "0.18",
    "Amazon API Gateway": "0.35",
    "Amazon CloudFront": "0.12",
    "AmazonCloudWatch": "0.09",
    "Amazon Bedrock": "0.47",
    "Amazon Cognito": "0.00",
}


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


def cost_explorer_results(today):
    """GetCostAndUsage answers, in the order the cost page is expected to ask: this month by
    service, then the last 90 days by day. Every answer carries each cost metric, so the page
    finds the one it asks for. (The lead matches the order to engineer D's calls.)"""
    month_start = today.replace(day=1)
    by_service = {
        "ResultsByTime": [
            {
                "TimePeriod": {"Start": f"{month_start}", "End": f"{today + timedelta(days=1)}"},
                "Total": {},
                "Groups": [{"Keys": [name], "Metrics": _metrics(amount)} for name, amount in SERVICE_COSTS.items()],
                "Estimated": True,
            }
        ],
        "DimensionValueAttributes": [],
    }
    rng = random.Random(90)
    days = [today - timedelta(days=back) for back in range(90, 0, -1)]
    daily = {
        "ResultsByTime": [
            {
                "TimePeriod": {"Start": f"{day}", "End": f"{day + timedelta(days=1)}"},
                "Total": _metrics(f"{0.05 + 0.012 * (day.weekday() >= 5) + rng.uniform(0, 0.04):.4f}"),
                "Groups": [],
                "Estimated": day >= month_start,
            }
            for day in days
        ],
        "DimensionValueAttributes": [],
    }
    return [by_service, daily]


def _metrics(amount):
    return {metric: {"Amount": str(amount), "Unit": "USD"} for metric in COST_METRICS}


def seed_cost_explorer(*, endpoint_url, today=None, results=None):
    """Queue Cost Explorer's answers in the local moto (its /moto-api/, not an AWS call)."""
    today = today or timezone.now().date()
    body = json.dumps({"results": results or cost_explorer_results(today)}).encode()
    request = urllib.request.Request(
        f"{endpoint_url}/moto-api/static/ce/cost-and-usage-results",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (the local moto's own address)
        return response.status == 201
