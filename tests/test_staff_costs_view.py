"""/staff/costs/ (the real cost beside the model, the daily chart, the refresh button) and
/staff/costs/users/ (the heaviest users): staff only; one GetItem when the figures are
cached; the refresh a POST with CSRF; the chart an SVG that holds for 0, 1 and 90 days;
metadata only, never a user's text."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from botocore.stub import Stubber
from django.test import Client
from django.utils import timezone

from staff import cost_chart, costs
from tests.cost_explorer_answers import ce_client, daily_result, forecast_answers, preset_costs, put_directory_entry
from tests.web_clients import login_url, post, signed_in

DASHBOARD, REFRESH, USERS = "/staff/costs/", "/staff/costs/refresh/", "/staff/costs/users/"
SIGNED_IN_PAGE = ["dynamodb.BatchGetItem"]  # the web session and the profile, as every signed-in page


def store(daily, **more):
    figures = {
        "fetched": timezone.now().isoformat(),
        "month": timezone.now().strftime("%Y-%m"),
        "tag": "app=sessions",
        "ce_requests": 2,
        "daily": daily,
        "real": {"Amazon DynamoDB": "0.31", "Tax": "0.05"},
        "forecast": "1.27",
        "notes": [],
        "model": [
            {"service": "Amazon DynamoDB", "amount": "0.25", "counted": "2 read units", "free_tier": "25 GB"},
            {"service": "AWS Lambda", "amount": "0.10", "counted": "9 requests", "free_tier": "1 million"},
        ],
        "users": [],
        **more,
    }
    costs._store(sk=costs.COSTS_SK, figures=figures)
    return figures


def staff_client():
    client = signed_in("ada@example.com")
    client.get("/")  # the login message is shown once
    return client


@pytest.mark.parametrize("page", [DASHBOARD, USERS])
def test_anonymous_is_sent_to_log_in(aws, db, page):
    response = Client().get(page)
    assert response.status_code == 302
    assert response["Location"] == login_url(page)


def test_anonymous_cannot_refresh(aws, db, aws_calls):
    with aws_calls() as calls:
        response = Client().post(REFRESH)
    assert response.status_code == 302 and response["Location"] == login_url(REFRESH)
    assert [op for op in calls.operations() if op.startswith("ce.")] == []


@pytest.mark.parametrize("page", [DASHBOARD, USERS])
def test_a_signed_in_user_who_is_not_staff_gets_our_403(player, staff, page):
    response = signed_in("bo@example.com").get(page)
    assert response.status_code == 403
    assert response.templates[0].name == "403.html"


def test_a_user_who_is_not_staff_cannot_refresh(player, staff, aws_calls):
    client = signed_in("bo@example.com", enforce_csrf_checks=True)
    with aws_calls() as calls:
        response = post(client, REFRESH)
    assert response.status_code == 403
    assert not any(op.startswith("ce.") for op in calls.operations())


def test_cached_figures_cost_one_get_item_and_show_real_beside_model(staff, aws_calls):
    store([["2026-12-04", "0.20"], ["2026-12-05", "0.01"]])
    client = staff_client()
    with aws_calls() as calls:
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["staff/costs.html", "base.html"]
    assert calls.operations() == [*SIGNED_IN_PAGE, "dynamodb.GetItem"]
    assert response["Cache-Control"].startswith("max-age=0")
    html = response.content.decode()
    assert "resources tagged <code>app=sessions</code>" in html
    assert "<dt>Month to date</dt><dd>$0.36 real, $0.35 by the app's model</dd>" in html
    assert "<dt>Forecast for the month</dt><dd>$1.27</dd>" in html
    row = re.search(r'<th scope="row">Amazon DynamoDB</th>(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r"<td>([^<]*)</td>", row)[:3] == ["0.3100", "0.2500", "0.0600"]
    assert re.search(r'<th scope="row">Tax</th>\s*<td>0.0500</td>\s*<td>-</td>', html)
    assert "not metered by the app" in html
    assert "Refreshing makes 2 Cost Explorer requests" in html and "$0.01 each: about $0.02" in html
    assert 'action="/staff/costs/refresh/"' in html and "csrfmiddlewaretoken" in html


def test_the_first_view_fetches_the_figures_and_stores_them(staff, aws_calls):
    today = timezone.now().date()
    preset_costs(daily_result({today: {"Amazon DynamoDB": "0.02"}}))
    client = staff_client()
    with forecast_answers("0.5"), aws_calls() as calls:
        html = client.get(DASHBOARD).content.decode()
    assert calls.operations() == [
        *SIGNED_IN_PAGE,
        "dynamodb.GetItem",  # the cache: empty
        "dynamodb.UpdateItem",  # the refresh claimed
        "ce.GetCostAndUsage",
        "ce.GetCostForecast",
        "dynamodb.Query",  # the month's meter items
        "dynamodb.Query",  # the user directory
        "dynamodb.DescribeTable",  # the table's size
        "monitoring.GetMetricStatistics",  # the bucket's size
        "dynamodb.UpdateItem",  # the figures stored
    ]
    assert "<dt>Forecast for the month</dt><dd>$0.50</dd>" in html
    with aws_calls() as calls:
        client.get(DASHBOARD)
    assert calls.operations() == [*SIGNED_IN_PAGE, "dynamodb.GetItem"]


def test_the_refresh_button_fetches_once_a_minute(staff, aws_calls):
    today = timezone.now().date()
    preset_costs(daily_result({today: {"AWS Lambda": "0.02"}}))
    client = signed_in("ada@example.com", enforce_csrf_checks=True)
    assert client.post(REFRESH).status_code == 403  # no CSRF token: refused
    with forecast_answers("0.5"), aws_calls() as calls:
        response = post(client, REFRESH)
    assert response.status_code == 302 and response["Location"] == DASHBOARD
    assert [op for op in calls.operations() if op.startswith("ce.")] == ["ce.GetCostAndUsage", "ce.GetCostForecast"]
    assert "Cost figures fetched from Cost Explorer." in client.get(DASHBOARD).content.decode()
    with aws_calls() as calls:
        response = post(client, REFRESH)
    assert not any(op.startswith("ce.") for op in calls.operations())
    assert "A refresh started less than 60 seconds ago" in client.get(response["Location"]).content.decode()
    assert client.get(REFRESH).status_code == 405


def test_cost_explorer_refusing_is_said_on_the_page(staff):
    client = signed_in("ada@example.com")
    with Stubber(ce_client()) as stub:
        stub.add_client_error("get_cost_and_usage", service_error_code="AccessDeniedException", service_message="nope")
        html = client.get(DASHBOARD).content.decode()
    assert "Cost Explorer refused: AccessDeniedException: nope" in html
    assert "No figures yet." in html
    assert 'class="cost-chart"' not in html  # no days, no chart


def svg_of(html):
    return re.search(r'<figure class="cost-chart">.*?</svg>', html, re.S).group(0)


@pytest.mark.parametrize("days", [1, 90])
def test_the_chart_is_an_accessible_svg_with_a_bar_a_day(staff, days):
    start = timezone.now().date() - timedelta(days=days - 1)
    daily = [[(start + timedelta(days=n)).isoformat(), str(Decimal("0.01") * n)] for n in range(days)]
    store(daily)
    html = staff_client().get(DASHBOARD).content.decode()
    svg = svg_of(html)
    assert 'role="img"' in svg and 'aria-labelledby="cost-chart-title cost-chart-desc"' in svg
    assert 'viewBox="0 0 720 240"' in svg
    assert '<title id="cost-chart-title">Daily cost' in svg and '<desc id="cost-chart-desc">' in svg
    bars = re.findall(r'<rect class="cost-chart-bar" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"', svg)
    assert len(bars) == days
    for x, y, width, height in bars:
        x, y, width, height = float(x), float(y), float(width), float(height)
        assert 0 <= x and x + width <= 720 and 0 <= y and y + height <= 240.001 and width > 0 and height >= 0
    assert "<script" not in svg
    # The numbers are in a table too, newest first.
    table = html[html.index("<details>") :]
    assert table.index(daily[-1][0]) <= table.index(daily[0][0])


def test_the_chart_s_scale_is_round_and_holds_the_highest_day():
    drawing = cost_chart.chart([["2026-12-01", "0"], ["2026-12-02", "0.37"]])
    assert drawing["ticks"][-1].amount == Decimal("0.50")
    assert drawing["bars"][1].y < drawing["bars"][0].y == drawing["baseline"]
    assert cost_chart.chart([])["bars"] == [] and cost_chart.chart([["2026-12-01", "0"]])["bars"][0].height == 0


def test_the_users_page_is_one_get_item_and_shows_metadata_only(
    staff, make_campaign, make_session, make_summary, aws_calls
):
    sub = staff
    campaign = make_campaign(sub=sub, name="Zorblax campaign", description="Zorblax notes")
    session = make_session(sub=sub, campaign=campaign, title="Zorblax night", notes="Zorblax secret")
    make_summary(sub=sub, session=session, kind="recap", text="Zorblax recap")
    put_directory_entry(sub, "ada@example.com", transcript_bytes=3 * 2**20, summary_cost="0.0123")
    preset_costs(daily_result({timezone.now().date(): {"AWS Lambda": "0.01"}}))
    with forecast_answers("0"):
        costs.for_dashboard()
    client = staff_client()
    with aws_calls() as calls:
        response = client.get(USERS)
    assert calls.operations() == [*SIGNED_IN_PAGE, "dynamodb.GetItem"]
    html = response.content.decode()
    assert [t.name for t in response.templates][:2] == ["staff/cost_users.html", "base.html"]
    assert '<th scope="row">ada@example.com</th>' in html
    assert "3.0\xa0MB" in html and "0.0123" in html
    assert "Zorblax" not in html
    assert "Zorblax" not in client.get(DASHBOARD).content.decode()


def test_the_users_page_before_any_refresh(staff):
    html = staff_client().get(USERS).content.decode()
    assert "No refresh yet" in html and "No users counted yet" in html


def test_the_local_run_s_demo_figures_are_plausible(staff):
    """devtools/demo_costs.py: what `make run` seeds for the cost page."""
    from devtools.demo_costs import seed_demo_costs

    seed_demo_costs()
    with forecast_answers("0.3"):  # the local run's moto has none: the page says so (not here)
        html = staff_client().get(DASHBOARD).content.decode()
    assert "<dt>Month to date</dt><dd>$0.0" in html  # a few cents, as a small deployment's
    assert len(re.findall(r'<rect class="cost-chart-bar"', html)) == 90
    row = re.search(r'<th scope="row">Amazon DynamoDB</th>(.*?)</tr>', html, re.S).group(1)
    real, model = (Decimal(value) for value in re.findall(r"<td>([^<]*)</td>", row)[:2])
    assert real > 0 and model > 0
