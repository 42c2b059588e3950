"""Create or update the deployment's AWS resources, idempotently.

Used by `manage.py provision`, by the local run and by the test fixtures, so all three
build exactly the same table, bucket and user pool. Every step first looks at what is
there and says what it found, created or changed.
"""

from dataclasses import dataclass, field

from django.conf import settings

from campaigns_site import aws
from campaigns_site.table_keys import EXPORTS_OBJECT_PREFIX
from campaigns_site.tagging import cost_tag, ensure_cost_tags

STAFF_GROUP = "staff"
# The one local secondary index: a second sort order inside a user's partition
# (campaigns by latest activity, a campaign's sessions in play order).
LSI1 = "LSI1"


class ProvisionError(Exception):
    pass


APP_CLIENT_NAME = "web"
APP_CLIENT_AUTH_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
PASSWORD_POLICY = {
    "MinimumLength": 10,
    "RequireUppercase": False,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": False,
    "TemporaryPasswordValidityDays": 7,
}


@dataclass
class ProvisionReport:
    lines: list = field(default_factory=list)
    user_pool_id: str = ""
    app_client_id: str = ""
    app_client_secret: str = ""

    def say(self, line):
        self.lines.append(line)


def provision(*, progress=None):
    report = ProvisionReport()
    say = report.say if progress is None else (lambda line: (report.say(line), progress(line)))
    ensure_table(say=say)
    ensure_bucket(say=say)
    ensure_user_pool(report=report, say=say)
    ensure_log_group(say=say)
    ensure_cost_tags(user_pool_id=report.user_pool_id, log_group=log_group_name(), say=say)
    return report


# --- DynamoDB --------------------------------------------------------------------
def ensure_table(*, say):
    dynamodb = aws.client("dynamodb")
    name = settings.DYNAMODB_TABLE
    try:
        table = dynamodb.describe_table(TableName=name)["Table"]
        say(f"table {name}: found")
        indexes = {index["IndexName"] for index in table.get("LocalSecondaryIndexes", [])}
        if LSI1 not in indexes:
            # A local secondary index can only be made together with its table.
            raise ProvisionError(
                f"table {name} has no local secondary index {LSI1}; it can only be created with the table, "
                "so back the table up and create it anew"
            )
    except dynamodb.exceptions.ResourceNotFoundException:
        dynamodb.create_table(
            TableName=name,
            AttributeDefinitions=[
                {"AttributeName": "PK", "AttributeType": "S"},
                {"AttributeName": "SK", "AttributeType": "S"},
                {"AttributeName": "LSI1SK", "AttributeType": "S"},
            ],
            KeySchema=[
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"},
            ],
            LocalSecondaryIndexes=[
                {
                    "IndexName": LSI1,
                    "KeySchema": [
                        {"AttributeName": "PK", "KeyType": "HASH"},
                        {"AttributeName": "LSI1SK", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        dynamodb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        say(f"table {name}: created (on-demand, local secondary index {LSI1})")

    ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    if ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING") and ttl.get("AttributeName") == "ttl":
        say(f"table {name}: TTL on 'ttl' already on")
    else:
        dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"})
        say(f"table {name}: TTL on 'ttl' turned on")

    backups = dynamodb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    pitr = backups.get("PointInTimeRecoveryDescription", {}).get("PointInTimeRecoveryStatus")
    if pitr == "ENABLED":
        say(f"table {name}: point-in-time recovery already on")
    else:
        dynamodb.update_continuous_backups(
            TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
        )
        say(f"table {name}: point-in-time recovery turned on")


# --- S3 --------------------------------------------------------------------------
def bucket_cors_rules():
    return [
        {
            "AllowedOrigins": [settings.SITE_ORIGIN],
            "AllowedMethods": ["POST", "GET"],
            "AllowedHeaders": ["*"],
            "ExposeHeaders": ["ETag"],
            "MaxAgeSeconds": 3600,
        }
    ]


def ensure_bucket(*, say):
    s3 = aws.client("s3")
    name = settings.TRANSCRIPT_BUCKET
    existing = {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}
    if name in existing:
        say(f"bucket {name}: found")
    else:
        kwargs = {"Bucket": name}
        if settings.AWS_REGION != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": settings.AWS_REGION}
        s3.create_bucket(**kwargs)
        say(f"bucket {name}: created")

    # Settings are re-applied every time: each call is idempotent, and re-applying
    # corrects any drift (a hand-made change to CORS or public access).
    s3.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]
        },
    )
    s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": bucket_cors_rules()})
    ensure_lifecycle_rules(s3, name, say=say)
    say(f"bucket {name}: private, encrypted (SSE-S3), public access blocked, CORS for {settings.SITE_ORIGIN}")


# Objects S3 removes by itself: multipart uploads left unfinished (a killed upload, an
# export stopped midway), the backups retire_v1 writes (v1.0's final pg_dump) once their
# retention has passed, and the users' export zips a day after they were written
# (exports/jobs.py: the page offers them for that day).
BACKUPS_PREFIX = "backups/"
BACKUP_RETENTION_DAYS = 14  # the plan: "Backup RDS 2 weeks post-migration"
EXPORT_RETENTION_DAYS = 1
LIFECYCLE_RULES = [
    {
        "ID": "abort-incomplete-uploads",
        "Status": "Enabled",
        "Filter": {"Prefix": ""},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
    },
    {
        "ID": "expire-backups",
        "Status": "Enabled",
        "Filter": {"Prefix": BACKUPS_PREFIX},
        "Expiration": {"Days": BACKUP_RETENTION_DAYS},
    },
    {
        "ID": "expire-exports",
        "Status": "Enabled",
        "Filter": {"Prefix": EXPORTS_OBJECT_PREFIX},
        "Expiration": {"Days": EXPORT_RETENTION_DAYS},
    },
]


def ensure_lifecycle_rules(s3, name, *, say):
    """Put our rules by ID, keeping every other rule of the bucket: the request replaces the
    whole set, so a rule someone added by hand would otherwise be lost."""
    try:
        existing = s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]
    except s3.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") != "NoSuchLifecycleConfiguration":
            raise
        existing = []
    ours = {rule["ID"]: rule for rule in LIFECYCLE_RULES}
    others = [rule for rule in existing if rule.get("ID") not in ours]
    found = {rule.get("ID"): rule for rule in existing}
    if all(found.get(rule_id, {}).get(key) == value for rule_id, rule in ours.items() for key, value in rule.items()):
        say(f"bucket {name}: lifecycle rules already set ({', '.join(ours)})")
        return
    s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": others + LIFECYCLE_RULES})
    kept = f", kept {len(others)} other rule(s)" if others else ""
    say(
        f"bucket {name}: lifecycle rules set (unfinished uploads aborted after 1 day, "
        f"{BACKUPS_PREFIX} expires after {BACKUP_RETENTION_DAYS} days, "
        f"{EXPORTS_OBJECT_PREFIX} after {EXPORT_RETENTION_DAYS} day{kept})"
    )


# --- CloudWatch Logs ----------------------------------------------------------------
# The only retentions CloudWatch Logs accepts, in days.
RETENTION_DAYS_ALLOWED = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)


def log_group_name():
    """The Lambda function's log group: Lambda writes there, by this name, once it runs."""
    return f"/aws/lambda/{settings.LAMBDA_FUNCTION_NAME}"


def ensure_log_group(*, say, name=None, dry_run=False):
    """Create the function's log group if Lambda has not yet (so its retention holds from the
    first line) and keep its lines LOG_RETENTION_DAYS: left alone, Lambda keeps them forever,
    and stored logs are billed every month. Returns whether the group exists now."""
    logs = aws.client("logs")
    name, days = name or log_group_name(), settings.LOG_RETENTION_DAYS
    if days not in RETENTION_DAYS_ALLOWED:
        raise ProvisionError(f"LOG_RETENTION_DAYS={days} is not one CloudWatch Logs accepts: {RETENTION_DAYS_ALLOWED}")
    groups = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    group = next((group for group in groups if group["logGroupName"] == name), None)
    would = "would be " if dry_run else ""
    if group is None:
        if not dry_run:
            logs.create_log_group(logGroupName=name, **({"tags": cost_tag()} if cost_tag() else {}))
        say(f"log group {name}: {would}created")
    else:
        say(f"log group {name}: found")
    if group is not None and group.get("retentionInDays") == days:
        say(f"log group {name}: retention already {days} days")
    else:
        if not dry_run:
            logs.put_retention_policy(logGroupName=name, retentionInDays=days)
        say(f"log group {name}: retention {would}set to {days} days")
    return group is not None or not dry_run


# --- Cognito ---------------------------------------------------------------------
def find_user_pool(cognito, name):
    if settings.COGNITO_USER_POOL_ID:
        return settings.COGNITO_USER_POOL_ID
    for page in cognito.get_paginator("list_user_pools").paginate(MaxResults=60):
        for pool in page["UserPools"]:
            if pool["Name"] == name:
                return pool["Id"]
    return None


def ensure_user_pool(*, report, say):
    cognito = aws.client("cognito-idp")
    name = settings.COGNITO_USER_POOL_NAME
    pool_id = find_user_pool(cognito, name)
    if pool_id:
        say(f"user pool {name}: found ({pool_id})")
    else:
        pool_id = cognito.create_user_pool(
            PoolName=name,
            UserPoolTags=cost_tag(),
            Policies={"PasswordPolicy": PASSWORD_POLICY},
            UsernameAttributes=["email"],
            AutoVerifiedAttributes=["email"],
            UsernameConfiguration={"CaseSensitive": False},
            AccountRecoverySetting={"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]},
            Schema=[
                {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True},
                {"Name": "name", "AttributeDataType": "String", "Required": False, "Mutable": True},
            ],
        )["UserPool"]["Id"]
        say(f"user pool {name}: created ({pool_id})")
    report.user_pool_id = pool_id

    client = find_app_client(cognito, pool_id)
    if client:
        say(f"app client {APP_CLIENT_NAME}: found ({client['ClientId']})")
    else:
        client = cognito.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=APP_CLIENT_NAME,
            GenerateSecret=True,
            ExplicitAuthFlows=APP_CLIENT_AUTH_FLOWS,
            PreventUserExistenceErrors="ENABLED",
            EnableTokenRevocation=True,
        )["UserPoolClient"]
        say(f"app client {APP_CLIENT_NAME}: created ({client['ClientId']})")
    report.app_client_id = client["ClientId"]
    report.app_client_secret = client.get("ClientSecret", "")

    try:
        cognito.get_group(GroupName=STAFF_GROUP, UserPoolId=pool_id)
        say(f"group {STAFF_GROUP}: found")
    except cognito.exceptions.ResourceNotFoundException:
        cognito.create_group(GroupName=STAFF_GROUP, UserPoolId=pool_id, Description="Operators: staff views")
        say(f"group {STAFF_GROUP}: created")


def find_app_client(cognito, pool_id):
    wanted = settings.COGNITO_APP_CLIENT_ID
    for page in cognito.get_paginator("list_user_pool_clients").paginate(UserPoolId=pool_id, MaxResults=60):
        for summary in page["UserPoolClients"]:
            if summary["ClientId"] == wanted or (not wanted and summary["ClientName"] == APP_CLIENT_NAME):
                return cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=summary["ClientId"])[
                    "UserPoolClient"
                ]
    return None
