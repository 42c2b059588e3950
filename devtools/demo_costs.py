"""Plausible cost figures for the local run's cost page (/staff/costs/): 90 days of Cost
Explorer answers preset in the local moto (its `/moto-api/static/ce/cost-and-usage-results`
queue: the next GetCostAndUsage gets them), and a meter item a day for this month so far,
as a small deployment's would look. Deterministic; local only (devtools is not shipped)."""

import hashlib
from datetime import timedelta

import requests
from django.conf import settings
from django.utils import timezone

from campaigns_site.meter import add_to_hour

# A small deployment's day: (service, base amount in USD).
DAILY_BASE = (
    ("Amazon DynamoDB", 0.004),
    ("Amazon Simple Storage Service", 0.0015),
    ("AmazonCloudWatch", 0.002),
    ("Amazon Bedrock", 0.003),
    ("AWS Lambda", 0.0),
)
DAY_OF_TRAFFIC = {
    "requests": 1800,
    "lambda_gb_seconds": 190.0,
    "bytes_out": 42_000_000,
    "dynamodb_read_units": 5200.5,
    "dynamodb_write_units": 640,
    "s3_tier1_requests": 12,
    "s3_tier2_requests": 95,
    "bedrock_input_tokens": 48_000,
    "bedrock_output_tokens": 3_600,
}


def _wobble(day, service):
    """0.5 to 1.5, the same for the same day and service."""
    digest = hashlib.sha256(f"{day}{service}".encode()).digest()
    return 0.5 + digest[0] / 255


def cost_answer(today, days=90):
    first = today - timedelta(days=days - 1)
    periods = []
    for n in range(days):
        day = first + timedelta(days=n)
        groups = [
            {
                "Keys": [service],
                "Metrics": {"UnblendedCost": {"Amount": f"{base * _wobble(day, service):.6f}", "Unit": "USD"}},
            }
            for service, base in DAILY_BASE
        ]
        periods.append(
            {
                "TimePeriod": {"Start": day.isoformat(), "End": (day + timedelta(days=1)).isoformat()},
                "Total": {},
                "Groups": groups,
                "Estimated": True,
            }
        )
    return {"ResultsByTime": periods, "DimensionValueAttributes": []}


def preset_cost_explorer(*, endpoint_url=None):
    """Queue the next Cost Explorer answer in the local moto (its /moto-api/, not an AWS
    call): moto keeps no queue in the local snapshot, so the local run does this at each start."""
    today = timezone.now().date()
    base = endpoint_url or settings.AWS_ENDPOINT_URL or "http://motoapi.amazonaws.com"
    response = requests.post(
        f"{base}/moto-api/static/ce/cost-and-usage-results", json={"results": [cost_answer(today)]}, timeout=10
    )
    response.raise_for_status()


def seed_meter_days():
    """This month's meter items so far, one a day (written once, with the demo's data)."""
    today = timezone.now().date()
    for day in range(1, today.day + 1):
        add_to_hour(hour=f"{today:%Y-%m}-{day:02d}T12", counts=dict(DAY_OF_TRAFFIC))


def seed_demo_costs(*, endpoint_url=None):
    """Preset the next Cost Explorer answer and write this month's meter items (one a day)."""
    preset_cost_explorer(endpoint_url=endpoint_url)
    seed_meter_days()
