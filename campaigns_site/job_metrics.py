"""The summary jobs' failure rate, from the function's own log lines (`manage.py alarms`).

Two metric filters on the function's log group count the lines the jobs already write:
one when a job ends (done or failed: sessions.summaries.job_status logs "summary job <id>
ended: <status>"), one when a job fails (the runners' and job_status' failure lines). An
alarm divides the two over an hour. A job costs no extra request and no custom metric
call; the patterns match the words of the message, so plain and JSON log lines alike.
"""

from campaigns_site import aws
from campaigns_site.provision import ensure_log_group

# One namespace per function, so a dev stage's failures never count towards production's.
METRIC_NAMESPACE = "CampaignSessions/{function}"
FAILED_JOBS_METRIC = "FailedJobs"
FAILED_JOBS_FILTER = "failed-jobs"
# "summary job <id> of session <id> (user <sub>) failed" (and "story job ... failed") with
# the traceback, or "summary job <id> failed with a reason"; "could not mark it failed"
# follows a failure already counted, and the "ended: failed" line is the other metric's.
FAILED_JOBS_PATTERN = '"job" "failed" -"could not mark" -"ended:"'
ENDED_JOBS_METRIC = "EndedJobs"
ENDED_JOBS_FILTER = "ended-jobs"
ENDED_JOBS_PATTERN = '"job" "ended:"'
JOB_METRICS = (
    (FAILED_JOBS_FILTER, FAILED_JOBS_METRIC, FAILED_JOBS_PATTERN),
    (ENDED_JOBS_FILTER, ENDED_JOBS_METRIC, ENDED_JOBS_PATTERN),
)
# The alarm: at least this share of the hour's ended jobs failed, once at least
# FAILED_JOBS_AT_LEAST of them did (one failure in two jobs on a quiet night is no alarm).
FAILED_JOBS_PERCENT = 25
FAILED_JOBS_AT_LEAST = 3


def _changed(line):
    """Whether one of provision's lines says it changed something."""
    return not (line.endswith(": found") or " already " in line)


def ensure_job_metrics(*, function_name, say, dry_run=False):
    """Both metric filters on the function's log group (made with provision's retention if
    Lambda has not made it yet), each created or corrected only when it differs."""
    group = f"/aws/lambda/{function_name}"
    exists = ensure_log_group(say=lambda line: say(line, changed=_changed(line)), name=group, dry_run=dry_run)
    for name, metric, pattern in JOB_METRICS:
        _ensure_metric_filter(
            group, name, metric, pattern, function_name=function_name, exists=exists, say=say, dry_run=dry_run
        )


def _ensure_metric_filter(group, name, metric, pattern, *, function_name, exists, say, dry_run):
    logs = aws.client("logs")
    found = logs.describe_metric_filters(logGroupName=group, filterNamePrefix=name)["metricFilters"] if exists else []
    transformation = {
        "metricName": metric,
        "metricNamespace": METRIC_NAMESPACE.format(function=function_name),
        "metricValue": "1",
        "defaultValue": 0.0,
    }
    current = next((f for f in found if f["filterName"] == name), None)
    if current and current["filterPattern"] == pattern:
        transformations = current["metricTransformations"]
        if [{key: t.get(key) for key in transformation} for t in transformations] == [transformation]:
            say(f"metric filter {name} on {group}: found")
            return
    if not dry_run:
        logs.put_metric_filter(
            logGroupName=group, filterName=name, filterPattern=pattern, metricTransformations=[transformation]
        )
    done = ("updated" if current else "created") if not dry_run else f"would be {'updated' if current else 'created'}"
    say(f"metric filter {name} on {group}: {done} ({transformation['metricNamespace']} {metric})", changed=True)


def _hourly_sum(query_id, metric, function_name):
    return {
        "Id": query_id,
        "MetricStat": {
            # Dimensions as DescribeAlarms answers them, so a re-run finds nothing to change.
            "Metric": {
                "Namespace": METRIC_NAMESPACE.format(function=function_name),
                "MetricName": metric,
                "Dimensions": [],
            },
            "Period": 3600,
            "Stat": "Sum",
        },
        "ReturnData": False,
    }


def failed_jobs_rate_alarm(*, function_name, topic_arn):
    """The share of the hour's jobs that failed, in %, by metric math: 0 below
    FAILED_JOBS_AT_LEAST failures; MAX keeps it defined when a failure's "ended" line is
    missing (the write that marks it failed failed too)."""
    expression = f"IF(failed >= {FAILED_JOBS_AT_LEAST}, 100 * failed / MAX([ended, failed]), 0)"
    return {
        "AlarmName": f"{function_name}-failed-jobs",
        "AlarmDescription": (
            f"At least {FAILED_JOBS_PERCENT} % of the summary and story jobs that ended within an hour failed "
            f"(and at least {FAILED_JOBS_AT_LEAST}): /staff/jobs/ has their reasons, the function's log the tracebacks."
        ),
        "Metrics": [
            _hourly_sum("failed", FAILED_JOBS_METRIC, function_name),
            _hourly_sum("ended", ENDED_JOBS_METRIC, function_name),
            {"Id": "rate", "Expression": expression, "Label": "failed jobs (%)", "ReturnData": True},
        ],
        "EvaluationPeriods": 1,
        "Threshold": float(FAILED_JOBS_PERCENT),
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "TreatMissingData": "notBreaching",  # no jobs is no failure
        "ActionsEnabled": True,
        "AlarmActions": [topic_arn],
        "OKActions": [topic_arn],
    }
