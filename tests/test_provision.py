import json
from io import StringIO

import pytest
from django.core.management import call_command

from campaigns_site import aws as aws_clients
from campaigns_site.provision import PASSWORD_POLICY, provision


def test_table_is_on_demand_with_ttl_and_point_in_time_recovery(aws, settings):
    dynamodb = aws_clients.client("dynamodb")
    table = dynamodb.describe_table(TableName=settings.DYNAMODB_TABLE)["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert {(k["AttributeName"], k["KeyType"]) for k in table["KeySchema"]} == {("PK", "HASH"), ("SK", "RANGE")}
    assert table.get("GlobalSecondaryIndexes", []) == []
    ttl = dynamodb.describe_time_to_live(TableName=settings.DYNAMODB_TABLE)["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "ttl")
    backups = dynamodb.describe_continuous_backups(TableName=settings.DYNAMODB_TABLE)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"


def test_bucket_is_private_encrypted_and_open_to_the_site_for_uploads(aws, settings):
    s3 = aws_clients.client("s3")
    bucket = settings.TRANSCRIPT_BUCKET
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(
        block[name] for name in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
    )
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    (cors,) = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert cors["AllowedOrigins"] == [settings.SITE_ORIGIN]
    assert set(cors["AllowedMethods"]) == {"POST", "GET"}


def test_user_pool_app_client_and_staff_group(aws):
    cognito = aws_clients.client("cognito-idp")
    pool = cognito.describe_user_pool(UserPoolId=aws.user_pool_id)["UserPool"]
    assert pool["Name"] == "campaign-sessions-local"
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == PASSWORD_POLICY["MinimumLength"]
    app = cognito.describe_user_pool_client(UserPoolId=aws.user_pool_id, ClientId=aws.app_client_id)["UserPoolClient"]
    assert app["ClientName"] == "web"
    assert "ALLOW_USER_PASSWORD_AUTH" in app["ExplicitAuthFlows"]
    assert aws.app_client_secret and app["ClientSecret"] == aws.app_client_secret
    assert cognito.get_group(GroupName="staff", UserPoolId=aws.user_pool_id)["Group"]["GroupName"] == "staff"


def test_first_run_says_what_it_created(aws):
    assert any("created" in line for line in aws.lines)


def test_second_run_finds_everything_by_name_and_changes_no_ids(aws, settings):
    # As the local run does: no ids configured, so the pool and client are found by name.
    settings.COGNITO_USER_POOL_ID = ""
    settings.COGNITO_APP_CLIENT_ID = ""
    again = provision()

    assert (again.user_pool_id, again.app_client_id, again.app_client_secret) == (
        aws.user_pool_id,
        aws.app_client_id,
        aws.app_client_secret,
    )
    assert not any("created" in line for line in again.lines)
    for thing in ("table", "bucket", "user pool", "app client", "group"):
        assert any(line.startswith(thing) and "found" in line for line in again.lines), thing
    cognito = aws_clients.client("cognito-idp")
    assert len(cognito.list_user_pools(MaxResults=60)["UserPools"]) == 1
    assert len(cognito.list_user_pool_clients(UserPoolId=aws.user_pool_id)["UserPoolClients"]) == 1


def test_provision_command_prints_its_report(aws):
    # The fixture configured the first run's ids, as a deployment's settings would.
    out = StringIO()
    call_command("provision", stdout=out)

    printed = out.getvalue()
    assert "table campaign-sessions-local: found" in printed
    assert f"COGNITO_USER_POOL_ID={aws.user_pool_id}" in printed
    assert f"COGNITO_APP_CLIENT_ID={aws.app_client_id}" in printed
    assert aws.app_client_secret not in printed


def test_table_has_the_local_secondary_index(aws, settings):
    table = aws_clients.client("dynamodb").describe_table(TableName=settings.DYNAMODB_TABLE)["Table"]
    (index,) = table["LocalSecondaryIndexes"]
    assert index["IndexName"] == "LSI1"
    assert [key["AttributeName"] for key in index["KeySchema"]] == ["PK", "LSI1SK"]
    assert index["Projection"]["ProjectionType"] == "ALL"


def test_a_table_without_the_index_is_reported_not_patched(aws, settings):
    from campaigns_site.provision import ProvisionError, ensure_table

    dynamodb = aws_clients.client("dynamodb")
    dynamodb.delete_table(TableName=settings.DYNAMODB_TABLE)
    dynamodb.create_table(
        TableName=settings.DYNAMODB_TABLE,
        AttributeDefinitions=[
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST",
    )
    with pytest.raises(ProvisionError, match="LSI1"):
        ensure_table(say=lambda line: None)


def _lifecycle_rules(bucket):
    return {
        rule["ID"]: rule for rule in aws_clients.client("s3").get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    }


def test_bucket_expires_backups_after_14_days_and_aborts_unfinished_uploads(aws, settings):
    rules = _lifecycle_rules(settings.TRANSCRIPT_BUCKET)

    assert rules["expire-backups"]["Filter"] == {"Prefix": "backups/"}
    assert rules["expire-backups"]["Expiration"] == {"Days": 14}
    assert rules["expire-backups"]["Status"] == "Enabled"
    assert rules["abort-incomplete-uploads"]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}


def test_bucket_expires_the_users_export_zips_after_a_day(aws, settings):
    """exports/jobs.py writes them under exports/<sub>/ and offers them for a day; an export
    stopped midway leaves an unfinished upload, which abort-incomplete-uploads removes."""
    rules = _lifecycle_rules(settings.TRANSCRIPT_BUCKET)

    assert rules["expire-exports"]["Filter"] == {"Prefix": "exports/"}
    assert rules["expire-exports"]["Expiration"] == {"Days": 1}
    assert rules["expire-exports"]["Status"] == "Enabled"
    assert rules["abort-incomplete-uploads"]["Filter"] == {"Prefix": ""}  # every prefix, exports/ included


def test_lifecycle_keeps_the_buckets_other_rules_and_a_rerun_changes_nothing(aws, settings):
    s3 = aws_clients.client("s3")
    bucket = settings.TRANSCRIPT_BUCKET
    hand_made = {"ID": "old-exports", "Status": "Enabled", "Filter": {"Prefix": "exports/"}, "Expiration": {"Days": 3}}
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [hand_made]})

    first = provision()
    after_first = _lifecycle_rules(bucket)
    second = provision()

    assert set(after_first) == {"old-exports", "abort-incomplete-uploads", "expire-backups", "expire-exports"}
    assert after_first["old-exports"]["Filter"] == {"Prefix": "exports/"}
    assert any("lifecycle rules set" in line and "kept 1 other rule" in line for line in first.lines)
    assert any("lifecycle rules already set" in line for line in second.lines)
    assert _lifecycle_rules(bucket) == after_first
    encryption = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert encryption["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"


def test_a_bucket_without_lifecycle_rules_gets_them(aws, settings):
    s3 = aws_clients.client("s3")
    s3.delete_bucket_lifecycle(Bucket=settings.TRANSCRIPT_BUCKET)

    provision()

    assert set(_lifecycle_rules(settings.TRANSCRIPT_BUCKET)) == {
        "abort-incomplete-uploads",
        "expire-backups",
        "expire-exports",
    }


def _log_group(name):
    (group,) = [
        group
        for group in aws_clients.client("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
        if group["logGroupName"] == name
    ]
    return group


def test_the_functions_log_group_keeps_30_days_and_a_rerun_changes_nothing(aws, settings):
    name = f"/aws/lambda/{settings.LAMBDA_FUNCTION_NAME}"
    assert settings.LAMBDA_FUNCTION_NAME == "campaign-sessions-production"
    assert _log_group(name)["retentionInDays"] == 30
    assert f"log group {name}: created" in aws.lines

    again = provision()

    assert f"log group {name}: found" in again.lines
    assert f"log group {name}: retention already 30 days" in again.lines


def test_a_log_group_lambda_made_gets_the_configured_retention(aws, settings):
    settings.LAMBDA_FUNCTION_NAME = "campaign-sessions-dev"
    settings.LOG_RETENTION_DAYS = 14
    aws_clients.client("logs").create_log_group(logGroupName="/aws/lambda/campaign-sessions-dev")

    report = provision()

    assert _log_group("/aws/lambda/campaign-sessions-dev")["retentionInDays"] == 14
    assert "log group /aws/lambda/campaign-sessions-dev: retention set to 14 days" in report.lines


def test_a_retention_cloudwatch_refuses_is_one_clear_error(aws, settings):
    from campaigns_site.provision import ProvisionError, ensure_log_group

    settings.LOG_RETENTION_DAYS = 31
    with pytest.raises(ProvisionError, match="LOG_RETENTION_DAYS=31"):
        ensure_log_group(say=lambda line: None)


@pytest.fixture
def cognito_tag_resource(aws):
    """moto (5.2) has no Cognito TagResource: answer it from moto's own pool (as Stubber
    answers), so every other request is moto's."""
    from botocore.awsrequest import AWSResponse
    from moto.cognitoidp.models import cognitoidp_backends
    from moto.core import DEFAULT_ACCOUNT_ID

    cognito = aws_clients.client("cognito-idp")

    def tag_resource(params, **kwargs):
        body = json.loads(params["body"])
        pool_id = body["ResourceArn"].rsplit("/", 1)[-1]
        pool = cognitoidp_backends[DEFAULT_ACCOUNT_ID][cognito.meta.region_name].user_pools[pool_id]
        pool.extended_config["UserPoolTags"] = {**(pool.extended_config.get("UserPoolTags") or {}), **body["Tags"]}
        return AWSResponse("", 200, {}, None), {}

    cognito.meta.events.register("before-call.cognito-idp.TagResource", tag_resource, unique_id="gap-tag")
    yield
    cognito.meta.events.unregister("before-call.cognito-idp.TagResource", unique_id="gap-tag")


def test_without_a_cost_tag_nothing_is_tagged(aws, settings):
    assert settings.COST_ALLOCATION_TAG == ""
    assert "cost-allocation tag: COST_ALLOCATION_TAG unset, nothing tagged" in aws.lines
    with pytest.raises(aws_clients.client("s3").exceptions.ClientError, match="NoSuchTagSet"):
        aws_clients.client("s3").get_bucket_tagging(Bucket=settings.TRANSCRIPT_BUCKET)


def test_the_cost_tag_goes_on_every_resource_keeping_their_other_tags(aws, settings, cognito_tag_resource):
    settings.COST_ALLOCATION_TAG = "app=campaign-sessions"
    s3, dynamodb = aws_clients.client("s3"), aws_clients.client("dynamodb")
    bucket = settings.TRANSCRIPT_BUCKET
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "owner", "Value": "ops"}]})

    first = provision()
    second = provision()

    table_arn = dynamodb.describe_table(TableName=settings.DYNAMODB_TABLE)["Table"]["TableArn"]
    assert dynamodb.list_tags_of_resource(ResourceArn=table_arn)["Tags"] == [
        {"Key": "app", "Value": "campaign-sessions"}
    ]
    assert {(t["Key"], t["Value"]) for t in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]} == {
        ("owner", "ops"),
        ("app", "campaign-sessions"),
    }
    pool = aws_clients.client("cognito-idp").describe_user_pool(UserPoolId=aws.user_pool_id)["UserPool"]
    assert pool["UserPoolTags"] == {"app": "campaign-sessions"}
    group = _log_group(f"/aws/lambda/{settings.LAMBDA_FUNCTION_NAME}")
    assert aws_clients.client("logs").list_tags_for_resource(resourceArn=group["logGroupArn"])["tags"] == {
        "app": "campaign-sessions"
    }
    for thing in ("table", "bucket", "user pool", "log group"):
        assert any(line.startswith(thing) and line.endswith(": tagged app=campaign-sessions") for line in first.lines)
        assert any(line.startswith(thing) and "already tagged app=campaign-sessions" in line for line in second.lines)


def test_a_new_pool_and_log_group_are_made_with_the_tag(settings):
    from moto import mock_aws

    settings.COST_ALLOCATION_TAG = "app=campaign-sessions"
    settings.COGNITO_USER_POOL_ID = ""
    with mock_aws():
        aws_clients.refresh()
        report = provision()

    assert not any(line.endswith(": tagged app=campaign-sessions") for line in report.lines if "user pool" in line)
    assert any(line.startswith("user pool") and "already tagged" in line for line in report.lines)
    assert any(line.startswith("log group") and "already tagged" in line for line in report.lines)
