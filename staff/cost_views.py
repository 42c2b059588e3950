"""The cost dashboard (/staff/costs/), its refresh button, and the heaviest users' costs
(/staff/costs/users/), for staff. Figures come from the cache (staff/costs.py): one
GetItem per page, unless the dashboard's figures are over a day old, when its first view
refreshes them (two Cost Explorer requests). Metadata only: amounts, counts, e-mails."""

from datetime import datetime
from decimal import Decimal

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import staff_required
from staff import cost_chart, costs
from staff.cost_explorer import CostExplorerUnavailable
from staff.prices import AS_OF, COST_EXPLORER_REQUEST_USD, REGION


def _refresh_text():
    cost = COST_EXPLORER_REQUEST_USD * costs.DASHBOARD_REQUESTS
    return (
        f"Refreshing makes {costs.DASHBOARD_REQUESTS} Cost Explorer requests (more if AWS pages its answer), "
        f"at ${COST_EXPLORER_REQUEST_USD} each: about ${cost}."
    )


@never_cache
@staff_required
@require_GET
def cost_dashboard(request):
    current = costs.for_dashboard()
    figures = current.figures if current else {}
    rows = costs.comparison(figures)
    real_total, model_total = costs.totals(rows)
    context = {
        "current": current,
        "figures": figures,
        "rows": rows,
        "real_total": real_total,
        "model_total": model_total,
        "forecast": Decimal(figures["forecast"]) if figures.get("forecast") else None,
        "chart": cost_chart.chart(figures.get("daily", [])),
        "daily": list(reversed(figures.get("daily", []))),
        "refresh_text": _refresh_text(),
        "prices_as_of": AS_OF,
        "prices_region": REGION,
        "fetched": datetime.fromisoformat(figures["fetched"]) if figures.get("fetched") else None,
    }
    return render(request, "staff/costs.html", context)


@never_cache
@staff_required
@require_POST
def cost_refresh(request):
    try:
        costs.refresh_now()
    except costs.RefreshRefused as refused:
        messages.error(request, str(refused))
    except CostExplorerUnavailable as error:
        messages.error(request, f"Cost Explorer refused, the figures shown are the last ones: {error}")
    else:
        messages.success(request, "Cost figures fetched from Cost Explorer.")
    return redirect("staff_costs")


@never_cache
@staff_required
@require_GET
def cost_users(request):
    """The heaviest users, as the last refresh found them: one GetItem, never a refresh."""
    current = costs.cached()
    figures = current.figures if current else {}
    users = [
        {
            **user,
            "storage_usd_month": Decimal(user["storage_usd_month"]),
            "summary_cost_usd": Decimal(user["summary_cost_usd"]),
            "total_usd": Decimal(user["total_usd"]),
        }
        for user in figures.get("users", [])
    ]
    context = {
        "users": users,
        "figures": figures,
        "fetched": datetime.fromisoformat(figures["fetched"]) if figures.get("fetched") else None,
        "prices_as_of": AS_OF,
    }
    return render(request, "staff/cost_users.html", context)
