"""The cost figures (staff/costs.py, cost_explorer.py, cost_model.py): Cost Explorer's real
cost (moto's preset results; the forecast and the errors through a handler or Stubber),
cached in the table and refreshed at most once a day, or by staff at most once a minute;
the app's model from the meter's hourly items, the table's size and the user directory."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from botocore.stub import ANY, Stubber

from campaigns_site import aws as aws_clients
from campaigns_site.meter import add_to_hour
from staff import cost_model, costs
from staff.cost_explorer import CostExplorerUnavailable
from staff.prices import PRICES
from tests.cost_explorer_answers import ce_client, daily_result, forecast_answers, preset_costs, put_directory_entry

NOW = datetime(2026, 12, 5, 14, 30, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture
def at_now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def december():
    return daily_result(
        {
            date(2026, 11, 30): {"Amazon DynamoDB": "9.00"},  # last month: in the chart, not in the month
            date(2026, 12, 1): {"Amazon DynamoDB": "0.10", "Amazon Simple Storage Service": "0.02"},
            date(2026, 12, 4): {"Amazon DynamoDB": "0.20", "AWS Lambda": "0.05"},
            TODAY: {"Amazon DynamoDB": "0.01"},
        }
    )


def ce_operations(calls):
    return [operation for operation in calls.operations() if operation.startswith("ce.")]


def test_a_refresh_reads_90_days_by_service_and_the_forecast(aws, at_now, aws_calls):
    preset_costs(december())
    with forecast_answers("0.90") as forecasts, aws_calls() as calls:
        figures = costs.for_dashboard().figures
    assert ce_operations(calls) == ["ce.GetCostAndUsage", "ce.GetCostForecast"]
    assert figures["ce_requests"] == 2
    assert figures["month"] == "2026-12"
    # This month by service, largest first; November's day is charted only.
    assert figures["real"] == {
        "Amazon DynamoDB": "0.31",
        "AWS Lambda": "0.05",
        "Amazon Simple Storage Service": "0.02",
    }
    assert len(figures["daily"]) == 90
    assert figures["daily"][0] == ["2026-09-07", "0"]
    assert figures["daily"][-1] == ["2026-12-05", "0.01"]
    assert ["2026-11-30", "9.00"] in figures["daily"]
    # The forecast runs from today: added to what was spent up to yesterday.
    assert forecasts == [{"TimePeriod": {"Start": "2026-12-05", "End": "2027-01-01"}, "Metric": "UNBLENDED_COST",
                          "Granularity": "MONTHLY"}]  # fmt: skip
    assert Decimal(figures["forecast"]) == Decimal("0.37") + Decimal("0.90")
    assert figures["estimated"] is True


def test_the_requests_are_filtered_by_the_cost_allocation_tag(aws, at_now, settings):
    settings.COST_ALLOCATION_TAG = "app=campaign-sessions-prod"
    tag = {"Tags": {"Key": "app", "Values": ["campaign-sessions-prod"], "MatchOptions": ["EQUALS"]}}
    with Stubber(ce_client()) as stub:
        stub.add_response(
            "get_cost_and_usage",
            december(),
            {
                "TimePeriod": {"Start": "2026-09-07", "End": "2026-12-06"},
                "Granularity": "DAILY",
                "Metrics": ["UnblendedCost"],
                "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}],
                "Filter": tag,
            },
        )
        stub.add_response(
            "get_cost_forecast",
            {"Total": {"Amount": "1", "Unit": "USD"}},
            {"TimePeriod": ANY, "Metric": "UNBLENDED_COST", "Granularity": "MONTHLY", "Filter": tag},
        )
        figures = costs.for_dashboard().figures
        stub.assert_no_pending_responses()
    assert figures["tag"] == "app=campaign-sessions-prod"


def test_every_page_of_a_long_answer_is_read_and_counted(aws, at_now):
    first, second = daily_result({date(2026, 12, 1): {"AWS Lambda": "1"}}), daily_result({TODAY: {"AWS Lambda": "2"}})
    with Stubber(ce_client()) as stub:
        stub.add_response("get_cost_and_usage", {**first, "NextPageToken": "page-2"})
        stub.add_response("get_cost_and_usage", second, {"NextPageToken": "page-2", **_any_query()})
        stub.add_response("get_cost_forecast", {"Total": {"Amount": "0", "Unit": "USD"}})
        figures = costs.for_dashboard().figures
    assert figures["real"] == {"AWS Lambda": "3"}
    assert figures["ce_requests"] == 3


def _any_query():
    return {"TimePeriod": ANY, "Granularity": ANY, "Metrics": ANY, "GroupBy": ANY}


def test_too_little_history_for_a_forecast_is_said_not_fatal(aws, at_now):
    with Stubber(ce_client()) as stub:
        stub.add_response("get_cost_and_usage", december())
        stub.add_client_error(
            "get_cost_forecast",
            service_error_code="DataUnavailableException",
            service_message="Insufficient amount of historical data to generate forecast.",
        )
        figures = costs.for_dashboard().figures
    assert figures["forecast"] is None
    assert figures["notes"] == [
        "No forecast: DataUnavailableException: Insufficient amount of historical data to generate forecast."
    ]
    assert figures["real"]["Amazon DynamoDB"] == "0.31"


def test_cost_explorer_refusing_the_first_refresh_is_shown_and_a_later_one_keeps_the_old_figures(aws, at_now):
    with Stubber(ce_client()) as stub:
        stub.add_client_error("get_cost_and_usage", service_error_code="AccessDeniedException", service_message="no")
        figures = costs.for_dashboard().figures
    assert figures["error"] == "AccessDeniedException: no"

    at_now.move_to(NOW + timedelta(minutes=2))
    preset_costs(december())
    with forecast_answers("1"):
        good = costs.refresh_now()
    assert good.figures["real"]["Amazon DynamoDB"] == "0.31"

    at_now.move_to(NOW + timedelta(minutes=4))
    with Stubber(ce_client()) as stub, pytest.raises(CostExplorerUnavailable, match="ThrottlingException"):
        stub.add_client_error("get_cost_and_usage", service_error_code="ThrottlingException", service_message="slow")
        costs.refresh_now()
    assert costs.cached().figures == good.figures


def test_figures_are_fetched_at_most_once_a_day_automatically(aws, at_now, aws_calls):
    preset_costs(december(), december())
    with forecast_answers("1", "1"):
        costs.for_dashboard()
        for later in (timedelta(hours=1), timedelta(hours=23, minutes=59)):
            at_now.move_to(NOW + later)
            with aws_calls() as calls:
                assert costs.for_dashboard().fetched == NOW
            assert calls.operations() == ["dynamodb.GetItem"]
        at_now.move_to(NOW + timedelta(hours=24, minutes=1))
        with aws_calls() as calls:
            assert costs.for_dashboard().fetched == NOW + timedelta(hours=24, minutes=1)
    assert ce_operations(calls) == ["ce.GetCostAndUsage", "ce.GetCostForecast"]


def test_a_refresh_another_view_started_is_not_made_again(aws, at_now, aws_calls):
    preset_costs(december())
    with forecast_answers("1"):
        costs.for_dashboard()
    at_now.move_to(NOW + timedelta(days=1, minutes=1))
    # Another view, a moment earlier, claimed the refresh as this one would.
    assert costs._claim(sk=costs.COSTS_SK, unless_since=NOW + timedelta(minutes=1))
    with aws_calls() as calls:
        shown = costs.for_dashboard()
    assert shown.fetched == NOW  # the old figures, until the other view stores its own
    assert ce_operations(calls) == []


def test_staff_may_refresh_once_a_minute(aws, at_now, aws_calls):
    preset_costs(december())
    with forecast_answers("1", "1", "1"):
        costs.refresh_now()
        at_now.move_to(NOW + timedelta(seconds=59))
        with aws_calls() as calls, pytest.raises(costs.RefreshRefused):
            costs.refresh_now()
        assert ce_operations(calls) == []
        at_now.move_to(NOW + timedelta(seconds=61))
        assert costs.refresh_now().fetched == NOW + timedelta(seconds=61)
    # The month's Cost Explorer requests add up (the model prices them).
    assert costs.cached().figures["ce_requests"] == 4


def test_the_model_prices_the_month_s_meter_and_the_storage(aws, at_now, monkeypatch):
    add_to_hour(hour="2026-11-30T23", counts={"requests": 1000})  # last month: not counted
    add_to_hour(hour="2026-12-01T00", counts={"requests": 600_000, "lambda_gb_seconds": 1000.5})
    add_to_hour(
        hour="2026-12-04T13",
        counts={"requests": 400_000, "dynamodb_read_units": 2_000_000, "dynamodb_write_units": 100_000},
    )
    put_directory_entry("s-1", "big@example.com", transcript_bytes=2**30, summary_cost="0.5")
    put_directory_entry("s-2", "old@example.com", transcript_bytes=0, summary_cost="0", last_sign_in="2026-10-01")
    monkeypatch.setattr(cost_model, "table_size_bytes", lambda: 2**29)
    monkeypatch.setattr(cost_model, "architecture", lambda: "x86_64")
    preset_costs(december())
    with forecast_answers("1"):
        figures = costs.for_dashboard().figures
    usage = {name: Decimal(amount) for name, amount in figures["usage"].items()}
    assert usage["requests"] == 1_000_000
    model = {row["service"]: Decimal(row["amount"]) for row in figures["model"]}
    assert model["AWS Lambda"] == pytest.approx(
        Decimal("0.20") + Decimal("1000.5") * PRICES["lambda_gb_second_x86_64"], abs=Decimal("1e-8")
    )
    assert model["Amazon API Gateway"] == pytest.approx(Decimal("3.50"))
    fraction = Decimal(5) / Decimal(31)  # 5 days of December: storage is billed by the day
    assert model["Amazon DynamoDB"] == pytest.approx(
        Decimal("0.25") + Decimal("0.0625") + Decimal("0.5") * Decimal("0.25") * fraction
    )
    assert model["Amazon Simple Storage Service"] == pytest.approx(Decimal("0.023") * fraction)
    assert model["Amazon Cognito"] == 0  # one active user, far under the free 10,000
    assert model["AWS Cost Explorer"] == Decimal("0.02")
    # S3 reports an empty bucket: the directory's transcript bytes stand in.
    assert figures["storage"] == {"table_bytes": 2**29, "bucket_bytes": 0, "transcript_bytes": 2**30}
    big, old = figures["users"]
    assert (big["email"], big["sub"]) == ("big@example.com", "s-1")
    # The S3 GiB a month, and all the table (their share of transcript bytes is all of it).
    assert Decimal(big["storage_usd_month"]) == pytest.approx(Decimal("0.023") + Decimal("0.125"))
    assert Decimal(big["summary_cost_usd"]) == Decimal("0.5")
    assert old["transcript_bytes"] == 0


def test_a_past_month_is_fetched_once_with_one_monthly_request_then_read_from_its_item(aws, at_now, aws_calls):
    november = daily_result({date(2026, 11, 1): {"Amazon DynamoDB": "4.2"}}, estimated=False)
    november["ResultsByTime"][0]["TimePeriod"]["End"] = "2026-12-01"  # one monthly period
    preset_costs(november)
    with aws_calls() as calls:
        figures = costs.month_figures(month="2026-11").figures
    assert ce_operations(calls) == ["ce.GetCostAndUsage"]
    assert figures["real"] == {"Amazon DynamoDB": "4.2"} and figures["forecast"] is None
    with aws_calls() as calls:
        again = costs.month_figures(month="2026-11")
    assert calls.operations() == ["dynamodb.GetItem"]
    assert again.figures == figures


def test_cost_explorer_is_asked_in_us_east_1_whatever_the_app_s_region(aws, settings):
    settings.AWS_REGION = "eu-west-1"
    assert ce_client().meta.endpoint_url == "https://ce.us-east-1.amazonaws.com"


def test_the_local_emulator_is_not_asked_for_a_forecast(aws, settings, aws_calls):
    from staff.cost_explorer import CostExplorer

    settings.AWS_ENDPOINT_URL = "http://127.0.0.1:1"  # the local run's moto: it has no forecast
    explorer = CostExplorer()
    with aws_calls() as calls:
        assert explorer.forecast(start=TODAY, end=date(2027, 1, 1)) is None
    assert calls.operations() == [] and explorer.requests == 0
    assert explorer.notes == ["No forecast: the local AWS emulator does not make one."]


def test_the_bucket_s_size_is_cloudwatch_s_latest_daily_figure(aws, at_now):
    cloudwatch = aws_clients.client("cloudwatch")
    points = [
        {"Timestamp": NOW - timedelta(days=1), "Average": float(3 * 2**30), "Unit": "Bytes"},
        {"Timestamp": NOW - timedelta(days=2), "Average": 1000.0, "Unit": "Bytes"},
    ]
    with Stubber(cloudwatch) as stub:
        stub.add_response("get_metric_statistics", {"Datapoints": points})
        stub.add_response("get_metric_statistics", {"Datapoints": []})
        assert cost_model.bucket_size_bytes() == 3 * 2**30
        assert cost_model.bucket_size_bytes() is None  # not reported yet
