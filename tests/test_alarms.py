"""`manage.py alarms` against moto: the budget, the alarms' topic, the failed-jobs metric
filter and the CloudWatch alarms are created, a re-run changes nothing, a change is applied.

moto (5.2) has no UpdateBudget, DescribeSubscribersForNotification, CreateSubscriber or
DeleteSubscriber: the `budgets_gaps` fixture answers those four from moto's own budgets
state (a botocore before-call handler, as Stubber answers), so every other request is moto's.
"""

import json
from io import StringIO

import pytest
from botocore.awsrequest import AWSResponse
from django.core.management import call_command
from django.core.management.base import CommandError
from moto.budgets.models import budgets_backends
from moto.core import DEFAULT_ACCOUNT_ID

from campaigns_site import aws as aws_clients
from campaigns_site.alarms import BUDGET_NAME, TOPIC_NAME
from campaigns_site.job_metrics import ENDED_JOBS_PATTERN, FAILED_JOBS_PATTERN
from tests.log_filters import ended_jobs_filter_matches, failed_jobs_filter_matches

FUNCTION = "campaign-sessions-production"
ALARMS = {
    f"{FUNCTION}-errors",
    f"{FUNCTION}-throttles",
    f"{FUNCTION}-failed-jobs",
    "campaign-sessions-local-read-throttles",
    "campaign-sessions-local-write-throttles",
}


def _moto_budget(name=BUDGET_NAME):
    return budgets_backends[DEFAULT_ACCOUNT_ID]["aws"].budgets[DEFAULT_ACCOUNT_ID][name]


def _notification(budget, wanted):
    return next(n for n in budget.notifications if n.details == wanted)


def _answer(operation, request):
    body = json.loads(request["body"])
    budget = _moto_budget(body.get("BudgetName") or body["NewBudget"]["BudgetName"])
    if operation == "UpdateBudget":
        budget.budget.update(body["NewBudget"])
        return {}
    notification = _notification(budget, body["Notification"])
    if operation == "DescribeSubscribersForNotification":
        return {"Subscribers": notification.subscribers}
    if operation == "CreateSubscriber":
        notification.subscribers = [*notification.subscribers, body["Subscriber"]]
    else:
        notification.subscribers = [s for s in notification.subscribers if s != body["Subscriber"]]
    return {}


@pytest.fixture
def budgets_gaps(aws):
    budgets = aws_clients.client("budgets")
    calls = []

    def before_call(model, params, **kwargs):
        calls.append(model.name)
        return AWSResponse("", 200, {}, None), _answer(model.name, params)

    operations = ("UpdateBudget", "DescribeSubscribersForNotification", "CreateSubscriber", "DeleteSubscriber")
    for operation in operations:
        budgets.meta.events.register(f"before-call.budgets.{operation}", before_call, unique_id=f"gap-{operation}")
    yield calls
    for operation in operations:
        budgets.meta.events.unregister(f"before-call.budgets.{operation}", unique_id=f"gap-{operation}")


def run_alarms(*args):
    out = StringIO()
    call_command("alarms", *args, stdout=out)
    return out.getvalue()


def _alarms():
    found = aws_clients.client("cloudwatch").describe_alarms(AlarmNamePrefix="campaign-sessions")["MetricAlarms"]
    return {alarm["AlarmName"]: alarm for alarm in found}


def test_creates_the_budget_topic_metric_filter_and_alarms(aws, budgets_gaps, settings):
    printed = run_alarms("--email", "ops@example.com,Lead@Example.com")

    budgets = aws_clients.client("budgets")
    budget = budgets.describe_budget(AccountId=DEFAULT_ACCOUNT_ID, BudgetName=BUDGET_NAME)["Budget"]
    assert (budget["BudgetLimit"], budget["TimeUnit"], budget["BudgetType"]) == (
        {"Amount": "10", "Unit": "USD"},
        "MONTHLY",
        "COST",
    )
    notifications = budgets.describe_notifications_for_budget(AccountId=DEFAULT_ACCOUNT_ID, BudgetName=BUDGET_NAME)
    assert {(n["NotificationType"], n["Threshold"]) for n in notifications["Notifications"]} == {
        ("ACTUAL", 80),
        ("ACTUAL", 100),
        ("FORECASTED", 100),
    }
    for notification in _moto_budget().notifications:
        assert {s["Address"] for s in notification.subscribers} == {"ops@example.com", "lead@example.com"}

    sns = aws_clients.client("sns")
    (topic,) = [t["TopicArn"] for t in sns.list_topics()["Topics"] if t["TopicArn"].endswith(f":{TOPIC_NAME}")]
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert {(s["Protocol"], s["Endpoint"]) for s in subscriptions} == {
        ("email", "ops@example.com"),
        ("email", "lead@example.com"),
    }

    logs = aws_clients.client("logs")
    filters = logs.describe_metric_filters(logGroupName=f"/aws/lambda/{FUNCTION}")["metricFilters"]
    assert {f["filterName"]: f["filterPattern"] for f in filters} == {
        "failed-jobs": FAILED_JOBS_PATTERN,
        "ended-jobs": ENDED_JOBS_PATTERN,
    }
    assert {(t["metricNamespace"], t["metricName"]) for f in filters for t in f["metricTransformations"]} == {
        (f"CampaignSessions/{FUNCTION}", "FailedJobs"),
        (f"CampaignSessions/{FUNCTION}", "EndedJobs"),
    }

    alarms = _alarms()
    assert set(alarms) == ALARMS
    assert all(alarm["AlarmActions"] == [topic] for alarm in alarms.values())
    assert alarms[f"{FUNCTION}-errors"]["Dimensions"] == [{"Name": "FunctionName", "Value": FUNCTION}]
    assert alarms["campaign-sessions-local-write-throttles"]["MetricName"] == "WriteThrottleEvents"
    failed_jobs = alarms[f"{FUNCTION}-failed-jobs"]  # a rate: failed over ended, by metric math
    queries = {query["Id"]: query for query in failed_jobs["Metrics"]}
    assert queries["rate"]["Expression"] == "IF(failed >= 3, 100 * failed / MAX([ended, failed]), 0)"
    assert queries["failed"]["MetricStat"]["Metric"]["MetricName"] == "FailedJobs"
    assert queries["ended"]["MetricStat"]["Metric"]["MetricName"] == "EndedJobs"
    assert queries["ended"]["MetricStat"]["Period"] == 3600 and failed_jobs["Threshold"] == 25
    assert "Budget and alarms in place" in printed
    assert f"budget {BUDGET_NAME}: created" in printed


def test_the_failed_jobs_pattern_matches_the_runners_failure_lines_only():
    matches = failed_jobs_filter_matches
    assert matches("ERROR sessions.summaries.runners summary job j1 of session s1 (user u) failed")
    assert matches('{"level": "ERROR", "message": "story job j2 of campaign c1 (user u) failed"}')
    assert not matches("WARNING sessions.summaries.runners summary job j1 (S#x): could not mark it failed")
    assert matches("WARNING sessions.summaries.runners summary job j1 failed with a reason (on its staff page)")
    assert not matches("INFO sessions.summaries.runners summary job j1: session s1 is gone, ending quietly")
    assert not matches("INFO sessions.summaries.job_status summary job j1 ended: failed")


def test_the_ended_jobs_pattern_matches_one_line_per_ended_job():
    assert ended_jobs_filter_matches("INFO sessions.summaries.job_status summary job j1 ended: done")
    assert ended_jobs_filter_matches('{"level": "INFO", "message": "summary job j1 ended: failed"}')
    assert not ended_jobs_filter_matches("WARNING sessions.summaries.job_status summary job j1 failed with a reason")


def test_a_rerun_changes_nothing_and_says_so(aws, budgets_gaps):
    run_alarms("--email", "ops@example.com")
    alarms_before = _alarms()

    with aws_clients.record_aws_calls() as calls:
        printed = run_alarms("--email", "ops@example.com")

    assert "nothing changed" in printed
    assert "created" not in printed and "updated" not in printed
    writes = {"CreateBudget", "UpdateBudget", "CreateNotification", "CreateSubscriber", "DeleteSubscriber"}
    writes |= {"CreateTopic", "Subscribe", "PutMetricFilter", "PutMetricAlarm", "CreateLogGroup"}
    assert writes.isdisjoint(operation for _, operation in calls)
    assert _alarms().keys() == alarms_before.keys()


def test_a_changed_amount_updates_the_budget_and_new_emails_are_added(aws, budgets_gaps):
    run_alarms("--email", "ops@example.com")

    printed = run_alarms("--monthly-usd", "25.50", "--email", "ops@example.com", "--email", "new@example.com")

    budget = aws_clients.client("budgets").describe_budget(AccountId=DEFAULT_ACCOUNT_ID, BudgetName=BUDGET_NAME)
    assert budget["Budget"]["BudgetLimit"] == {"Amount": "25.50", "Unit": "USD"}
    assert f"budget {BUDGET_NAME}: updated (10 -> 25.50 USD a month)" in printed
    assert "UpdateBudget" in budgets_gaps
    for notification in _moto_budget().notifications:
        assert {s["Address"] for s in notification.subscribers} == {"ops@example.com", "new@example.com"}
    assert "new@example.com subscribed" in printed


def test_a_changed_alarm_is_put_back(aws, budgets_gaps):
    run_alarms("--email", "ops@example.com")
    cloudwatch = aws_clients.client("cloudwatch")
    hand_made = {k: v for k, v in _alarms()[f"{FUNCTION}-errors"].items() if k in ("AlarmName", "Namespace")}
    cloudwatch.put_metric_alarm(
        **hand_made,
        MetricName="Errors",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=5,
        Threshold=50.0,
        ComparisonOperator="GreaterThanThreshold",
    )

    printed = run_alarms("--email", "ops@example.com")

    assert f"alarm {FUNCTION}-errors: updated" in printed
    errors = _alarms()[f"{FUNCTION}-errors"]
    assert (errors["Period"], errors["Threshold"], errors["EvaluationPeriods"]) == (300, 1, 1)


def test_dry_run_says_what_it_would_make_and_makes_nothing(aws):
    printed = run_alarms("--dry-run", "--email", "ops@example.com", "--function", "campaign-sessions-dev")

    assert f"budget {BUDGET_NAME}: would be created" in printed
    assert "alarm campaign-sessions-dev-errors: would be created" in printed
    assert "log group /aws/lambda/campaign-sessions-dev: would be created" in printed
    assert "none made" in printed
    assert aws_clients.client("budgets").describe_budgets(AccountId=DEFAULT_ACCOUNT_ID).get("Budgets", []) == []
    assert _alarms() == {}
    assert aws_clients.client("sns").list_topics()["Topics"] == []


def test_without_any_email_it_refuses_in_one_line(aws, settings):
    settings.ALERT_EMAILS = []
    with pytest.raises(CommandError, match="No e-mail to alert"):
        run_alarms()


def test_a_malformed_email_is_refused_before_anything_is_made(aws):
    with pytest.raises(CommandError, match="Not an e-mail address: ops.example.com"):
        run_alarms("--email", "ops.example.com")
    assert _alarms() == {}


def test_a_bad_amount_is_refused(aws):
    with pytest.raises(CommandError, match="--monthly-usd"):
        run_alarms("--monthly-usd", "lots", "--email", "ops@example.com")


def test_the_settings_are_the_defaults_and_only_tagged_filters_the_budget_by_the_tag(aws, budgets_gaps, settings):
    settings.ALERT_EMAILS = ["ops@example.com"]
    settings.COST_BUDGET_MONTHLY_USD = 40
    settings.COST_ALLOCATION_TAG = "app=campaign-sessions"
    budgets = aws_clients.client("budgets")

    run_alarms()
    whole_account = budgets.describe_budget(AccountId=DEFAULT_ACCOUNT_ID, BudgetName=BUDGET_NAME)["Budget"]
    printed = run_alarms("--only-tagged")
    tagged = budgets.describe_budget(AccountId=DEFAULT_ACCOUNT_ID, BudgetName=BUDGET_NAME)["Budget"]

    assert whole_account["BudgetLimit"]["Amount"] == "40"
    assert not whole_account.get("CostFilters")
    assert tagged["CostFilters"] == {"TagKeyValue": ["user:app$campaign-sessions"]}
    assert f"budget {BUDGET_NAME}: updated" in printed


def test_only_tagged_without_a_tag_is_refused(aws, settings):
    settings.COST_ALLOCATION_TAG = ""
    with pytest.raises(CommandError, match="COST_ALLOCATION_TAG"):
        run_alarms("--only-tagged", "--email", "ops@example.com")


def test_each_job_logs_one_ended_line_and_each_failure_one_failed_line(
    make_campaign, make_session, caplog, monkeypatch
):
    from sessions.summaries import runners
    from sessions.summaries.jobs import start_summary_job
    from sessions.summaries.summarizers.base import SummaryProviderError
    from tests.transcript_samples import sample_bytes

    campaign = make_campaign(sub="u1")
    session = make_session(sub="u1", campaign=campaign, transcript=sample_bytes("vtt", hours=0.02))
    ids = {"sub": "u1", "campaign_id": campaign.campaign_id, "session_id": session.session_id}
    with caplog.at_level("INFO"):
        start_summary_job(**ids, kinds=["recap"])  # done

        def refused(request, **kwargs):
            raise SummaryProviderError("the model refused the request", retryable=False)

        monkeypatch.setattr(runners, "summarize", refused)
        start_summary_job(**ids, kinds=["loot"])  # failed with a reason
    lines = [f"{record.levelname} {record.name} {record.getMessage()}" for record in caplog.records]
    assert sum(map(ended_jobs_filter_matches, lines)) == 2
    assert sum(map(failed_jobs_filter_matches, lines)) == 1
