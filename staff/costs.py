"""The cost figures staff read (/staff/costs/, manage.py cost_report): Cost Explorer's real
cost beside the app's own cost model, cached in the table because Cost Explorer charges
$0.01 a request.

The cache is one item, `OPS` / `COSTS`: the figures as JSON, when they were fetched, and
`claimed`, when the last refresh started. A refresh first claims the item with a
conditional UpdateItem (automatic: the last one started over 24 hours ago; by a staff
member: over a minute ago), so two staff members opening the page together, or a double
click, make one set of Cost Explorer requests. A past month (cost_report --month) is
cached in `OPS` / `COSTS#<yyyy-mm>` the same way, once it is asked for.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from pynamodb.exceptions import UpdateError

from campaigns_site.table_keys import COSTS_SK, OPS_PK, costs_month_sk
from staff import cost_model
from staff.cost_explorer import CostExplorer, CostExplorerUnavailable, days
from staff.cost_items import CostFigures

DAYS_CHARTED = 90
AUTOMATIC_REFRESH_AFTER = timedelta(hours=24)
STAFF_REFRESH_AFTER = timedelta(minutes=1)
# What one dashboard refresh asks Cost Explorer: the last 90 days by service and day (this
# month's figures are their sum), and the forecast to the end of the month.
DASHBOARD_REQUESTS = 2


class RefreshRefused(Exception):
    """Another refresh started too recently (the message says when the next may start)."""


@dataclass
class Figures:
    figures: dict  # as staff/costs.py builds them (JSON-ready: amounts as strings)
    fetched: datetime
    claimed: datetime | None

    def is_stale(self, now):
        return now - self.fetched >= AUTOMATIC_REFRESH_AFTER


def cached(*, sk=COSTS_SK):
    """The cached figures (one GetItem), or None before the first refresh."""
    try:
        item = CostFigures.get(OPS_PK, sk)
    except CostFigures.DoesNotExist:
        return None
    if item.figures is None:
        return None
    return Figures(figures=json.loads(item.figures), fetched=item.fetched, claimed=item.claimed)


def _claim(*, sk, unless_since):
    """Start a refresh unless one started after `unless_since`: True when this one may."""
    try:
        CostFigures(OPS_PK, sk).update(
            actions=[CostFigures.claimed.set(timezone.now()), CostFigures.entity.set(CostFigures)],
            condition=CostFigures.claimed.does_not_exist() | (CostFigures.claimed < unless_since),
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def _store(*, sk, figures):
    CostFigures(OPS_PK, sk).update(
        actions=[
            CostFigures.figures.set(json.dumps(figures, default=str)),
            CostFigures.fetched.set(datetime.fromisoformat(figures["fetched"])),
        ]
    )


def for_dashboard():
    """The cached figures, refreshed first when they are over a day old (or missing) and no
    other refresh started in that day. Cost Explorer refusing leaves the old figures (and
    its reason, when there were none)."""
    current = cached()
    now = timezone.now()
    if current is not None and not current.is_stale(now):
        return current
    if not _claim(sk=COSTS_SK, unless_since=now - AUTOMATIC_REFRESH_AFTER):
        return current
    try:
        return _refresh_claimed(previous=current)
    except CostExplorerUnavailable:
        return cached()


def refresh_now():
    """A staff member's refresh: refused within a minute of the last one's start; raises
    CostExplorerUnavailable when Cost Explorer refuses (the old figures stay)."""
    now = timezone.now()
    if not _claim(sk=COSTS_SK, unless_since=now - STAFF_REFRESH_AFTER):
        raise RefreshRefused(f"A refresh started less than {STAFF_REFRESH_AFTER.seconds} seconds ago: try again soon.")
    return _refresh_claimed(previous=cached())


def _refresh_claimed(*, previous):
    try:
        figures = dashboard_figures(previous=previous.figures if previous else None)
    except CostExplorerUnavailable as error:
        if previous is None:  # say why on the page rather than nothing
            _store(sk=COSTS_SK, figures={"fetched": timezone.now().isoformat(), "error": str(error)})
        raise
    _store(sk=COSTS_SK, figures=figures)
    return Figures(figures=figures, fetched=datetime.fromisoformat(figures["fetched"]), claimed=None)


def _today():
    return timezone.now().date()


def _month_of(day):
    return day.strftime("%Y-%m")


def _next_month(day):
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _amounts(mapping):
    return {key: str(value) for key, value in sorted(mapping.items(), key=lambda kv: -kv[1])}


def dashboard_figures(*, previous=None):
    """Cost Explorer's last 90 days and forecast, the meter's month and the heaviest users."""
    today, explorer = _today(), CostExplorer()
    month, month_start, month_end = _month_of(today), today.replace(day=1), _next_month(today)
    first_day = today - timedelta(days=DAYS_CHARTED - 1)
    by_day, estimated = explorer.daily_by_service(start=first_day, end=today + timedelta(days=1))
    real = {}
    for day, services in by_day.items():
        if day >= month_start.isoformat():
            for service, amount in services.items():
                real[service] = real.get(service, Decimal(0)) + amount
    # The forecast counts today again: add it to what was spent up to yesterday.
    remaining = explorer.forecast(start=today, end=month_end)
    spent_before_today = sum((_day_total(by_day, d) for d in days(month_start, today)), Decimal(0))
    ce_requests = explorer.requests
    if previous and previous.get("month") == month:
        ce_requests += int(previous.get("ce_requests", 0))
    model = _model(month=month, today=today, ce_requests=ce_requests)
    return {
        "fetched": timezone.now().isoformat(),
        "month": month,
        "tag": settings.COST_ALLOCATION_TAG,
        "ce_requests": ce_requests,
        "estimated": estimated,
        "daily": [[d.isoformat(), str(_day_total(by_day, d))] for d in days(first_day, today + timedelta(days=1))],
        "real": _amounts(real),
        "forecast": None if remaining is None else str(spent_before_today + remaining),
        "notes": explorer.notes,
        **model,
    }


def _day_total(by_day, day):
    return sum(by_day.get(day.isoformat(), {}).values(), Decimal(0))


def _model(*, month, today, ce_requests):
    usage = cost_model.metered_usage(month=month)
    directory = cost_model.directory_totals(month=month)
    table_bytes = cost_model.table_size_bytes()
    bucket_bytes = cost_model.bucket_size_bytes()
    s3_bytes = bucket_bytes or directory["transcript_bytes"]  # none reported yet: the directory's count
    rows = cost_model.model_rows(
        usage=usage,
        table_bytes=table_bytes,
        s3_bytes=s3_bytes,
        active_users=directory["active_users"],
        ce_requests=ce_requests,
        fraction=cost_model.month_fraction(month, today=today),
    )
    users = cost_model.heaviest_users(
        directory["users"], table_bytes=table_bytes, total_transcript_bytes=directory["transcript_bytes"]
    )
    return {
        "model": [{**row, "amount": str(Decimal(row["amount"]).quantize(Decimal("1e-8")))} for row in rows],
        "usage": {name: str(amount) for name, amount in usage.items()},
        "storage": {
            "table_bytes": table_bytes,
            "bucket_bytes": bucket_bytes,  # None or 0: S3 has not reported the bucket's size yet
            "transcript_bytes": directory["transcript_bytes"],
        },
        "users": [
            {**user, **{k: str(user[k]) for k in ("summary_cost_usd", "storage_usd_month", "total_usd")}}
            for user in users
        ],
    }


def month_figures(*, month, refresh=False):
    """A month's figures for cost_report: the dashboard's for this month, else COSTS#<month>
    (fetched with one monthly Cost Explorer request the first time, or with refresh)."""
    today = _today()
    if month == _month_of(today):
        current = None if refresh else cached()
        if current is None:
            current = refresh_now()
        return current
    sk = costs_month_sk(month)
    current = None if refresh else cached(sk=sk)
    if current is not None:
        return current
    if not _claim(sk=sk, unless_since=timezone.now() - STAFF_REFRESH_AFTER):
        raise RefreshRefused(f"A refresh of {month} started less than a minute ago.")
    start = date.fromisoformat(f"{month}-01")
    explorer = CostExplorer()
    real = explorer.month_by_service(month_start=start, next_month_start=_next_month(start))
    figures = {
        "fetched": timezone.now().isoformat(),
        "month": month,
        "tag": settings.COST_ALLOCATION_TAG,
        "ce_requests": explorer.requests,
        "real": _amounts(real),
        "forecast": None,
        "notes": ["Storage priced at today's sizes: the meter keeps no history of them."],
        **_model(month=month, today=today, ce_requests=explorer.requests),
    }
    _store(sk=sk, figures=figures)
    return Figures(figures=figures, fetched=datetime.fromisoformat(figures["fetched"]), claimed=None)


NOT_METERED = "not metered by the app"


def comparison(figures):
    """One row a service: real (Cost Explorer) beside the model, with what explains a gap."""
    real = {service: Decimal(amount) for service, amount in figures.get("real", {}).items()}
    rows = []
    for row in figures.get("model", []):
        amount = Decimal(row["amount"])
        rows.append({**row, "model": amount, "real": real.pop(row["service"], Decimal(0))})
    for service, amount in real.items():
        rows.append({"service": service, "model": None, "real": amount, "counted": NOT_METERED, "free_tier": ""})
    for row in rows:
        row["difference"] = None if row["model"] is None else row["real"] - row["model"]
    rows.sort(key=lambda row: (row["real"], row["model"] or 0), reverse=True)
    return rows


def totals(rows):
    """(real, model) summed over the comparison's rows."""
    return (
        sum((row["real"] for row in rows), Decimal(0)),
        sum((row["model"] for row in rows if row["model"] is not None), Decimal(0)),
    )
