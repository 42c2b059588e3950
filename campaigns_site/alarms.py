"""The deployment's budget and alarms, as code (`manage.py alarms`), idempotently.

What it makes, each found by its name and changed only when it differs:
- an AWS Budget of COST_BUDGET_MONTHLY_USD a month (the whole account's costs, or only
  those tagged COST_ALLOCATION_TAG with --only-tagged), e-mailing ALERT_EMAILS at 80 % and
  100 % of actual cost and at 100 % forecast;
- an SNS topic, with ALERT_EMAILS subscribed (each must confirm the e-mail AWS sends), that
  the CloudWatch alarms notify: the Lambda's errors and throttles, the table's read and
  write throttles, and failed summary and story jobs;
- the failed-job metric: a metric filter on the function's log group counting the line the
  job runners log when a job fails (sessions.summaries.job_status), so a job costs no extra
  request. It matches the words of the message, so plain and JSON log lines alike.

Runs with operator credentials, never on Lambda (deploy/README.md lists the permissions).
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from campaigns_site import aws
from campaigns_site.job_metrics import ensure_job_metrics, failed_jobs_rate_alarm

BUDGET_NAME = "campaign-sessions-monthly"
TOPIC_NAME = "campaign-sessions-alarms"
# (type, threshold in % of the budget): e-mailed when cost goes over it.
BUDGET_NOTIFICATIONS = (("ACTUAL", 80), ("ACTUAL", 100), ("FORECASTED", 100))


class AlarmsError(Exception):
    pass


@dataclass
class AlarmsReport:
    lines: list = field(default_factory=list)
    changed: int = 0

    def say(self, line, *, changed=False):
        self.lines.append(line)
        self.changed += changed


def ensure_alarms(*, emails, monthly_usd, function_name, cost_tag="", dry_run=False, progress=None):
    """Make or update the budget, topic, metric filter and alarms; returns what it did."""
    emails = sorted({email.strip().lower() for email in emails if email.strip()})
    if not emails:
        raise AlarmsError("No e-mail to alert: pass --email or set ALERT_EMAILS.")
    malformed = [email for email in emails if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email)]
    if malformed:
        raise AlarmsError(f"Not an e-mail address: {', '.join(malformed)}")
    report = AlarmsReport()

    def say(line, *, changed=False):
        report.say(line, changed=changed)
        if progress:
            progress(line)

    account_id = aws.client("sts").get_caller_identity()["Account"]
    budget = budget_definition(monthly_usd=monthly_usd, cost_tag=cost_tag)
    ensure_budget(aws.client("budgets"), account_id=account_id, budget=budget, emails=emails, say=say, dry_run=dry_run)
    topic_arn = ensure_topic(emails=emails, say=say, dry_run=dry_run)
    ensure_job_metrics(function_name=function_name, say=say, dry_run=dry_run)
    for alarm in alarm_definitions(function_name=function_name, table=settings.DYNAMODB_TABLE, topic_arn=topic_arn):
        ensure_alarm(alarm, say=say, dry_run=dry_run)
    return report


def _verb(dry_run, done):
    return f"would be {done}" if dry_run else done


# --- the budget ------------------------------------------------------------------------
def budget_definition(*, monthly_usd, cost_tag=""):
    budget = {
        "BudgetName": BUDGET_NAME,
        "BudgetLimit": {"Amount": str(Decimal(monthly_usd)), "Unit": "USD"},
        "TimeUnit": "MONTHLY",
        "BudgetType": "COST",
    }
    if cost_tag:
        key, value = cost_tag.split("=", 1)
        budget["CostFilters"] = {"TagKeyValue": [f"user:{key}${value}"]}
    return budget


def _same_budget(found, wanted):
    return Decimal(found["BudgetLimit"]["Amount"]) == Decimal(wanted["BudgetLimit"]["Amount"]) and (
        found.get("CostFilters") or {}
    ) == (wanted.get("CostFilters") or {})


def _notification(kind, threshold):
    return {
        "NotificationType": kind,
        "ComparisonOperator": "GREATER_THAN",
        "Threshold": float(threshold),
        "ThresholdType": "PERCENTAGE",
    }


def _label(notification):
    return f"{notification['NotificationType'].lower()} > {notification['Threshold']:g} %"


def ensure_budget(budgets, *, account_id, budget, emails, say, dry_run=False):
    name, amount = budget["BudgetName"], budget["BudgetLimit"]["Amount"]
    subscribers = [{"SubscriptionType": "EMAIL", "Address": email} for email in emails]
    wanted = [_notification(kind, threshold) for kind, threshold in BUDGET_NOTIFICATIONS]
    try:
        found = budgets.describe_budget(AccountId=account_id, BudgetName=name)["Budget"]
    except budgets.exceptions.NotFoundException:
        if not dry_run:
            budgets.create_budget(
                AccountId=account_id,
                Budget=budget,
                NotificationsWithSubscribers=[{"Notification": n, "Subscribers": subscribers} for n in wanted],
            )
        alerts = ", ".join(_label(n) for n in wanted)
        say(f"budget {name}: {_verb(dry_run, 'created')} ({amount} USD a month; {alerts})", changed=True)
        return
    if _same_budget(found, budget):
        say(f"budget {name}: found, {amount} USD a month")
    else:
        if not dry_run:
            budgets.update_budget(AccountId=account_id, NewBudget=budget)
        old = found["BudgetLimit"]["Amount"]
        say(f"budget {name}: {_verb(dry_run, 'updated')} ({old} -> {amount} USD a month)", changed=True)
    _ensure_budget_notifications(budgets, account_id, name, wanted, subscribers, say=say, dry_run=dry_run)


def _ensure_budget_notifications(budgets, account_id, name, wanted, subscribers, *, say, dry_run):
    keys = ("NotificationType", "ComparisonOperator", "Threshold", "ThresholdType")
    found = budgets.describe_notifications_for_budget(AccountId=account_id, BudgetName=name).get("Notifications", [])
    found_keys = {tuple(n[k] for k in keys) for n in found}
    ids = {"AccountId": account_id, "BudgetName": name}
    for notification in wanted:
        if tuple(notification[k] for k in keys) not in found_keys:
            if not dry_run:
                budgets.create_notification(**ids, Notification=notification, Subscribers=subscribers)
            say(f"budget {name}: alert {_label(notification)} {_verb(dry_run, 'added')}", changed=True)
            continue
        pages = budgets.get_paginator("describe_subscribers_for_notification").paginate(
            **ids, Notification=notification
        )
        have = {s["Address"].lower() for page in pages for s in page["Subscribers"] if s["SubscriptionType"] == "EMAIL"}
        for subscriber in subscribers:
            if subscriber["Address"] not in have:
                if not dry_run:
                    budgets.create_subscriber(**ids, Notification=notification, Subscriber=subscriber)
                say(
                    f"budget {name}: {subscriber['Address']} {_verb(dry_run, 'added')} to {_label(notification)}",
                    changed=True,
                )
        for address in sorted(have - {s["Address"] for s in subscribers}):
            if not dry_run:
                subscriber = {"SubscriptionType": "EMAIL", "Address": address}
                budgets.delete_subscriber(**ids, Notification=notification, Subscriber=subscriber)
            say(f"budget {name}: {address} {_verb(dry_run, 'removed')} from {_label(notification)}", changed=True)
        if have == {s["Address"] for s in subscribers}:
            say(f"budget {name}: alert {_label(notification)} found, to {', '.join(sorted(have))}")


# --- the alarms' topic -----------------------------------------------------------------
def _find_topic(sns):
    for page in sns.get_paginator("list_topics").paginate():
        for topic in page["Topics"]:
            if topic["TopicArn"].rsplit(":", 1)[-1] == TOPIC_NAME:
                return topic["TopicArn"]
    return None


def ensure_topic(*, emails, say, dry_run=False):
    """The SNS topic the alarms notify, with every e-mail subscribed; returns its ARN.
    Subscriptions of addresses no longer listed are kept: one unconfirmed cannot be removed,
    and unsubscribing is one click in any alarm e-mail."""
    sns = aws.client("sns")
    arn = _find_topic(sns)
    if arn:
        say(f"topic {TOPIC_NAME}: found")
    elif dry_run:
        say(f"topic {TOPIC_NAME}: would be created")
        arn = f"arn:aws:sns:{settings.AWS_REGION}:<account>:{TOPIC_NAME}"
        for email in emails:
            say(f"topic {TOPIC_NAME}: {email} would be subscribed", changed=True)
        return arn
    else:
        arn = sns.create_topic(Name=TOPIC_NAME)["TopicArn"]
        say(f"topic {TOPIC_NAME}: created", changed=True)
    pages = sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=arn)
    have = {s["Endpoint"].lower() for page in pages for s in page["Subscriptions"] if s["Protocol"] == "email"}
    for email in emails:
        if email in have:
            say(f"topic {TOPIC_NAME}: {email} already subscribed")
            continue
        if not dry_run:
            sns.subscribe(TopicArn=arn, Protocol="email", Endpoint=email)
        say(f"topic {TOPIC_NAME}: {email} {_verb(dry_run, 'subscribed')} (AWS e-mails a link to confirm)", changed=True)
    return arn


# --- the alarms ------------------------------------------------------------------------
def _alarm(name, description, namespace, metric, dimensions, *, topic_arn, period=300, threshold=1):
    return {
        "AlarmName": name,
        "AlarmDescription": description,
        "Namespace": namespace,
        "MetricName": metric,
        "Dimensions": [{"Name": key, "Value": value} for key, value in dimensions.items()],
        "Statistic": "Sum",
        "Period": period,
        "EvaluationPeriods": 1,
        "Threshold": float(threshold),
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        # No data is no errors: a quiet night must not raise an alarm.
        "TreatMissingData": "notBreaching",
        "ActionsEnabled": True,
        "AlarmActions": [topic_arn],
        "OKActions": [topic_arn],
    }


def alarm_definitions(*, function_name, table, topic_arn):
    function = {"FunctionName": function_name}
    return [
        _alarm(
            f"{function_name}-errors",
            "The Lambda function raised (a 5xx, or a job's invocation failed).",
            "AWS/Lambda",
            "Errors",
            function,
            topic_arn=topic_arn,
        ),
        _alarm(
            f"{function_name}-throttles",
            "Lambda refused invocations: the account's or the function's concurrency is used up.",
            "AWS/Lambda",
            "Throttles",
            function,
            topic_arn=topic_arn,
        ),
        *(
            _alarm(
                f"{table}-{kind.lower()}-throttles",
                f"DynamoDB throttled {kind.lower()}s on the table (on-demand: a sudden peak, or a hot partition).",
                "AWS/DynamoDB",
                f"{kind}ThrottleEvents",
                {"TableName": table},
                topic_arn=topic_arn,
            )
            for kind in ("Read", "Write")
        ),
        failed_jobs_rate_alarm(function_name=function_name, topic_arn=topic_arn),
    ]


def _differences(found, wanted):
    return sorted(key for key, value in wanted.items() if found.get(key) != value)


def ensure_alarm(alarm, *, say, dry_run=False):
    cloudwatch = aws.client("cloudwatch")
    name = alarm["AlarmName"]
    found = cloudwatch.describe_alarms(AlarmNames=[name], AlarmTypes=["MetricAlarm"])["MetricAlarms"]
    if found and not _differences(found[0], alarm):
        say(f"alarm {name}: found")
        return
    if not dry_run:
        cloudwatch.put_metric_alarm(**alarm)
    if found:
        say(f"alarm {name}: {_verb(dry_run, 'updated')} ({', '.join(_differences(found[0], alarm))})", changed=True)
    else:
        what = f"{alarm['Namespace']} {alarm['MetricName']}" if "MetricName" in alarm else "metric math"
        say(f"alarm {name}: {_verb(dry_run, 'created')} ({what})", changed=True)
