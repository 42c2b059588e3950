"""What the staff overview shows: this deployment at a glance, for three cheap AWS calls.

DescribeTable and DescribeUserPool read metadata, never items: no Scan, and the cost does
not grow with the data. One GetItem reads the last times Bedrock refused a summary job
and the offline summarizer wrote instead (sessions.summaries.fallbacks). Both are allowed by
deploy/iam-policy.json (tests/test_staff_views.py checks every call the page makes
against it). A call that fails shows why instead of breaking the page: an operator opens it when something is wrong.
"""

import logging
import os
import platform
from dataclasses import dataclass, field

import allauth
import boto3
import django
import pynamodb
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from pynamodb.exceptions import PynamoDBException

from campaigns_site import aws
from sessions.summaries.fallbacks import recent_fallbacks

log = logging.getLogger(__name__)

# The operations commands README.md and deploy/README.md document, for the operator's terminal.
OPS_COMMANDS = [
    ("manage.py provision", "create or correct the table, bucket and user pool (safe to re-run)"),
    (
        "manage.py delete_account <sub> --yes",
        "delete an account and everything it owns, or finish an interrupted deletion",
    ),
    (
        "manage.py finish_deletions [--sub <sub>]",
        "finish campaign deletions that stopped midway (without --sub: a Scan)",
    ),
    (
        "manage.py staff add|remove <email>, manage.py staff list",
        "change or list the staff (the Cognito group and the profile: counts from their next request)",
    ),
    ("manage.py doctor --stage production", "check the deployment end to end: ok, warn or fail, with the fix"),
    ("manage.py alarms --email <address>", "the monthly budget and the CloudWatch alarms (safe to re-run)"),
    ("manage.py cost_report [--month YYYY-MM]", "the cost page in a terminal: real beside model, by service"),
    (
        "manage.py rebuild_directory, recount_usage --all, fill_share_registry",
        "fill and repair the users' directory, their counters and the share registry (safe to re-run)",
    ),
    ("make build STAGE=production", "build the Lambda package"),
]


@dataclass
class Described:
    """The answer of one Describe call: `facts` as (label, value) pairs, or `error`."""

    facts: list = field(default_factory=list)
    error: str = ""


@dataclass
class Overview:
    deployment: list  # (label, value)
    runtime: list  # (label, value)
    table: Described
    bucket: str
    user_pool: Described
    fallbacks: "SummaryFallbacks" = None
    commands: list = field(default_factory=lambda: OPS_COMMANDS)


@dataclass
class SummaryFallbacks:
    """The last fallbacks to the offline summarizer (newest first), how many in all, or `error`."""

    recent: list = field(default_factory=list)  # sessions.summaries.fallbacks.Fallback
    count: int = 0
    error: str = ""


def deployment_overview():
    return Overview(
        deployment=deployment_settings(),
        runtime=runtime_versions(),
        table=describe_table(),
        bucket=settings.TRANSCRIPT_BUCKET,
        user_pool=describe_user_pool(),
        fallbacks=summary_fallbacks(),
    )


def deployment_settings():
    # Names and ids only: never the secret key or the app client's secret.
    return [
        ("APP_ENV", settings.APP_ENV),
        ("DEBUG", "on" if settings.DEBUG else "off"),
        ("Site origin", settings.SITE_ORIGIN),
        ("Allowed hosts", ", ".join(settings.ALLOWED_HOSTS)),
        ("AWS region", settings.AWS_REGION),
        ("AWS endpoint", settings.AWS_ENDPOINT_URL or "AWS itself (no override)"),
        ("DynamoDB table", settings.DYNAMODB_TABLE),
        ("Transcript bucket", settings.TRANSCRIPT_BUCKET),
        ("Cognito user pool", settings.COGNITO_USER_POOL_ID or "(not set)"),
        ("Cognito app client", settings.COGNITO_APP_CLIENT_ID or "(not set)"),
        ("Web session lifetime", f"{settings.SESSION_COOKIE_AGE // 3600} hours"),
        ("Summaries written by", summary_provider()),
    ]


def summary_provider():
    if settings.SUMMARY_PROVIDER == "bedrock":
        region = settings.BEDROCK_REGION or settings.AWS_REGION
        return f"Amazon Bedrock, {settings.BEDROCK_MODEL_ID} in {region} (the offline summarizer when it refuses)"
    return "the offline summarizer (SUMMARY_PROVIDER=offline)"


def summary_fallbacks():
    try:
        recent, count = recent_fallbacks()
    except (PynamoDBException, BotoCoreError) as error:
        log.warning("staff overview: reading the summary fallbacks failed: %s", error)
        return SummaryFallbacks(error=f"GetItem failed: {type(error).__name__}.")
    return SummaryFallbacks(recent=recent, count=count)


def runtime_versions():
    # The Lambda runtime sets these; the function version is "$LATEST" unless published.
    function = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
    version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "?")
    return [
        ("Lambda function", f"{function} (version {version})" if function else "not on Lambda"),
        ("Python", platform.python_version()),
        ("Django", django.get_version()),
        ("django-allauth", allauth.__version__),
        ("PynamoDB", pynamodb.__version__),
        ("boto3", boto3.__version__),
    ]


def describe_table():
    try:
        table = aws.client("dynamodb").describe_table(TableName=settings.DYNAMODB_TABLE)["Table"]
    except (ClientError, BotoCoreError) as error:
        return _unavailable("DescribeTable", error)
    return Described(
        facts=[
            ("Status", table.get("TableStatus", "?")),
            ("Billing", table.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")),
            # DynamoDB refreshes these two about every six hours: an estimate, not a count.
            ("Items (approximate)", f"{table.get('ItemCount', 0):,}"),
            ("Size (approximate)", _bytes(table.get("TableSizeBytes", 0))),
            ("Indexes", ", ".join(index["IndexName"] for index in table.get("LocalSecondaryIndexes", [])) or "none"),
        ]
    )


def describe_user_pool():
    if not settings.COGNITO_USER_POOL_ID:
        return Described(error="No user pool id is configured.")
    try:
        pool = aws.client("cognito-idp").describe_user_pool(UserPoolId=settings.COGNITO_USER_POOL_ID)["UserPool"]
    except (ClientError, BotoCoreError) as error:
        return _unavailable("DescribeUserPool", error)
    return Described(
        facts=[
            ("Name", pool.get("Name", "?")),
            # Cognito's own word: "estimated".
            ("Users (estimated)", f"{pool.get('EstimatedNumberOfUsers', 0):,}"),
        ]
    )


def _unavailable(operation, error):
    code = getattr(error, "response", {}).get("Error", {}).get("Code") or type(error).__name__
    log.warning("staff overview: %s failed: %s", operation, error)
    return Described(error=f"{operation} failed: {code}.")


def _bytes(size):
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:,} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
