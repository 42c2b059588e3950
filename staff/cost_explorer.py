"""Cost Explorer's real figures for this deployment: UnblendedCost by SERVICE, filtered by
the cost-allocation tag provision puts on every resource (campaigns_site/tagging.py).

Every request costs $0.01 (each page of a paginated answer is one request), so callers
count them (`CostExplorer.requests`) and staff/costs.py caches what they return. Cost
Explorer answers from us-east-1 only, whatever the app's region. Its figures lag: a day's
costs come in over the next 24 hours (and are marked Estimated until the month closes).
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings

from campaigns_site import aws
from campaigns_site.tagging import cost_tag

CE_REGION = "us-east-1"
METRIC = "UnblendedCost"


class CostExplorerUnavailable(Exception):
    """Cost Explorer refused (not enabled, no permission, throttled): the message says why."""


def _client_error_text(error):
    details = error.response.get("Error", {})
    return f"{details.get('Code', 'Error')}: {details.get('Message', '')}".strip()


@dataclass
class CostExplorer:
    """The requests of one refresh, counted as they are made."""

    requests: int = 0
    notes: list = field(default_factory=list)

    def _call(self, operation, **params):
        from botocore.exceptions import BotoCoreError, ClientError

        self.requests += 1
        try:
            return getattr(aws.client("ce", region=CE_REGION), operation)(**params)
        except ClientError as error:
            raise CostExplorerUnavailable(_client_error_text(error)) from error
        except BotoCoreError as error:
            raise CostExplorerUnavailable(str(error)) from error

    def daily_by_service(self, *, start, end):
        """{day (yyyy-mm-dd): {service: Decimal}} for start <= day < end, and whether
        any of it is still an estimate."""
        by_day, estimated, token = {}, False, None
        while True:
            params = _query(start=start, end=end, granularity="DAILY")
            if token:
                params["NextPageToken"] = token
            answer = self._call("get_cost_and_usage", **params)
            for period in answer.get("ResultsByTime", []):
                by_day[period["TimePeriod"]["Start"]] = _by_service(period)
                estimated = estimated or bool(period.get("Estimated"))
            token = answer.get("NextPageToken")
            if not token:
                return by_day, estimated

    def month_by_service(self, *, month_start, next_month_start):
        """{service: Decimal} for one whole month (a past month: manage.py cost_report)."""
        answer = self._call(
            "get_cost_and_usage", **_query(start=month_start, end=next_month_start, granularity="MONTHLY")
        )
        totals = {}
        for period in answer.get("ResultsByTime", []):
            for service, amount in _by_service(period).items():
                totals[service] = totals.get(service, Decimal(0)) + amount
        return totals

    def forecast(self, *, start, end):
        """The forecast cost for start <= day < end, or None with a note when Cost Explorer
        has too little history to forecast (a new account or tag: it needs some weeks)."""
        if end <= start:
            return None
        if settings.AWS_ENDPOINT_URL:  # an emulator (the local run's moto) has no forecast
            self.notes.append("No forecast: the local AWS emulator does not make one.")
            return None
        params = {
            "TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()},
            "Metric": "UNBLENDED_COST",
            "Granularity": "MONTHLY",
        }
        if cost_filter := _filter():
            params["Filter"] = cost_filter
        try:
            answer = self._call("get_cost_forecast", **params)
        except CostExplorerUnavailable as error:
            self.notes.append(f"No forecast: {error}")
            return None
        return Decimal(answer["Total"]["Amount"])


def _filter():
    tag = cost_tag()
    if not tag:
        return None
    ((key, value),) = tag.items()
    return {"Tags": {"Key": key, "Values": [value], "MatchOptions": ["EQUALS"]}}


def _query(*, start, end, granularity):
    params = {
        "TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()},
        "Granularity": granularity,
        "Metrics": [METRIC],
        "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}],
    }
    if cost_filter := _filter():
        params["Filter"] = cost_filter
    return params


def _by_service(period):
    """A period's amounts by service; without groups (no cost at all), its total."""
    amounts = {}
    for group in period.get("Groups", []):
        amount = Decimal(group["Metrics"][METRIC]["Amount"])
        if amount:
            amounts[group["Keys"][0]] = amount
    return amounts


def days(start, end):
    """Every day from start to end, end excluded (Cost Explorer's periods)."""
    return [start + timedelta(days=n) for n in range((end - start).days)]
