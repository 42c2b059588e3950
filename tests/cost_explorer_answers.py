"""Cost Explorer's answers for tests: GetCostAndUsage through moto's preset results (moto
serves them in order, one per distinct request), GetCostForecast (which moto does not
implement) answered by a handler in front of that one operation; errors with Stubber."""

import json
from contextlib import contextmanager
from datetime import date, timedelta

import requests
from botocore.awsrequest import AWSResponse
from django.conf import settings

from campaigns_site import aws
from campaigns_site.table_keys import DIRECTORY_PK, directory_sk

PRESETS_URL = "http://motoapi.amazonaws.com/moto-api/static/ce/cost-and-usage-results"


def ce_client():
    return aws.client("ce", region="us-east-1")


def daily_result(amounts, *, estimated=True):
    """A GetCostAndUsage answer: `amounts` is {day (date or yyyy-mm-dd): {service: amount}}."""
    periods = []
    for day, services in sorted(amounts.items(), key=lambda kv: str(kv[0])):
        start = date.fromisoformat(str(day))
        periods.append(
            {
                "TimePeriod": {"Start": start.isoformat(), "End": (start + timedelta(days=1)).isoformat()},
                "Total": {},
                "Groups": [
                    {"Keys": [service], "Metrics": {"UnblendedCost": {"Amount": str(amount), "Unit": "USD"}}}
                    for service, amount in services.items()
                ],
                "Estimated": estimated,
            }
        )
    return {"ResultsByTime": periods, "DimensionValueAttributes": []}


def preset_costs(*results):
    """Queue GetCostAndUsage answers in moto (in-process: the mock serves this URL too)."""
    response = requests.post(PRESETS_URL, json={"results": list(results)}, timeout=5)
    assert response.status_code == 201, response.text


@contextmanager
def forecast_answers(*amounts):
    """GetCostForecast answers, in order (an Exception instance is raised instead); the
    requests made are kept in the list yielded."""
    queue, seen = list(amounts), []

    def answer(model, params, **_):
        if model.name != "GetCostForecast":
            return None
        seen.append(json.loads(params["body"]))
        amount = queue.pop(0)
        if isinstance(amount, Exception):
            raise amount
        return AWSResponse(None, 200, {}, None), {"Total": {"Amount": str(amount), "Unit": "USD"}}

    client = ce_client()
    client.meta.events.register_first("before-call.cost-explorer.GetCostForecast", answer)
    try:
        yield seen
    finally:
        client.meta.events.unregister("before-call.cost-explorer.GetCostForecast", answer)


def put_directory_entry(sub, email, *, transcript_bytes, summary_cost, last_sign_in="2026-12-01T10:00:00Z"):
    aws.client("dynamodb").put_item(
        TableName=settings.DYNAMODB_TABLE,
        Item={
            "PK": {"S": DIRECTORY_PK},
            "SK": {"S": directory_sk(sub)},
            "email": {"S": email},
            "transcript_bytes": {"N": str(transcript_bytes)},
            "summary_cost_usd": {"N": str(summary_cost)},
            "summaries": {"N": "3"},
            "last_sign_in": {"S": last_sign_in},
        },
    )
