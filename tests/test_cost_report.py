"""`manage.py cost_report [--month YYYY-MM] [--refresh]`: the dashboard's figures as text,
from the cache unless told to refresh or the month was never fetched."""

from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from botocore.stub import Stubber
from django.core.management import CommandError, call_command

from tests.cost_explorer_answers import ce_client, daily_result, forecast_answers, preset_costs

NOW = datetime(2026, 12, 5, 14, 30, tzinfo=UTC)


@pytest.fixture
def on_report_day(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def report(*args):
    out = StringIO()
    call_command("cost_report", *args, stdout=out)
    return out.getvalue().splitlines()


def ce_calls(calls):
    return [operation for operation in calls.operations() if operation.startswith("ce.")]


def test_this_month_is_fetched_once_then_read_from_the_cache(aws, on_report_day, aws_calls):
    preset_costs(daily_result({date(2026, 12, 1): {"Amazon DynamoDB": "0.31", "Tax": "0.02"}}))
    with forecast_answers("0.69"), aws_calls() as calls:
        lines = report()
    assert ce_calls(calls) == ["ce.GetCostAndUsage", "ce.GetCostForecast"]
    assert lines[0] == "Cost of 2026-12, the whole account (no tag filter)"
    assert lines[1].startswith("Figures fetched 2026-12-05 14:30 UTC; model at us-east-1 list prices of ")
    assert lines[2].split() == ["Service", "Real", "Model"]
    assert lines[3].split() == ["Amazon", "DynamoDB", "0.3100", "0.0000"]
    assert ["Tax", "0.0200", "-"] in [line.split() for line in lines]
    total = next(line for line in lines if line.startswith("Total (USD)"))
    assert total.split()[2:4] == ["0.3300", "0.0200"]  # the model: the two Cost Explorer requests
    assert "Forecast for the whole month: $1.02" in lines  # 0.33 spent before today, 0.69 to come

    with aws_calls() as calls:
        again = report()
    assert calls.operations() == ["dynamodb.GetItem"]
    assert again == lines


def test_refresh_asks_again_at_most_once_a_minute(aws, on_report_day):
    preset_costs(daily_result({date(2026, 12, 1): {"AWS Lambda": "1"}}))
    with forecast_answers("1", "1"):
        report()
        with pytest.raises(CommandError, match="less than 60 seconds ago"):
            report("--refresh")
        on_report_day.move_to(NOW + timedelta(minutes=2))
        assert "Figures fetched 2026-12-05 14:32 UTC" in report("--refresh")[1]


def test_a_past_month(aws, on_report_day, aws_calls):
    november = daily_result({date(2026, 11, 1): {"Amazon Simple Storage Service": "0.40"}}, estimated=False)
    preset_costs(november)
    with aws_calls() as calls:
        lines = report("--month", "2026-11")
    assert ce_calls(calls) == ["ce.GetCostAndUsage"]
    assert lines[0].startswith("Cost of 2026-11")
    assert not any(line.startswith("Forecast") for line in lines)
    assert "Note: Storage priced at today's sizes: the meter keeps no history of them." in lines


@pytest.mark.parametrize(
    ("month", "message"),
    [("2026-13", "--month must be YYYY-MM, not '2026-13'"), ("2027-01", "--month 2027-01 has not started yet")],
)
def test_a_bad_month_is_one_clear_line(aws, on_report_day, month, message):
    with pytest.raises(CommandError, match=message):
        report("--month", month)


def test_cost_explorer_refusing_is_one_clear_line(aws, on_report_day):
    with Stubber(ce_client()) as stub:
        stub.add_client_error("get_cost_and_usage", service_error_code="AccessDeniedException", service_message="no")
        with pytest.raises(CommandError, match="Cost Explorer refused: AccessDeniedException: no"):
            report()
