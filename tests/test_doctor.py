"""manage.py doctor (campaigns_site/doctor/) against moto: the `aws` fixture's deployment is
healthy (provisioned as production is); each broken part gives its fail or warn and its fix."""

import io
import json
import re
import urllib.error
import zipfile
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from campaigns_site import aws as aws_module
from campaigns_site import provision
from campaigns_site.doctor import FAIL, OK, SKIP, WARN, summary
from campaigns_site.doctor.function import PRODUCTION_REQUIRED, zappa_stage
from campaigns_site.doctor.policy import compare, expected_policy
from campaigns_site.doctor.probe import DOCTOR_SK_PREFIX, health_check, own_item_check
from campaigns_site.doctor.run import run_checks
from campaigns_site.table_keys import OPS_PK

FUNCTION = "campaign-sessions-production"
ROLE = "campaign-sessions-production-lambda"
PROJECT_DIR = Path(__file__).resolve().parent.parent


def doctor(*args):
    out = StringIO()
    try:
        call_command("doctor", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), str(error)
    return out.getvalue(), None


def by_name(results):
    return {result.name: result for result in results}


def _role(*, statements):
    iam = aws_module.client("iam")
    arn = iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    document = {"Version": "2012-10-17", "Statement": statements}
    iam.put_role_policy(RoleName=ROLE, PolicyName="app", PolicyDocument=json.dumps(document))
    return arn


def _function(*, memory, variables, statements):
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return None\n")
    aws_module.client("lambda").create_function(
        FunctionName=FUNCTION,
        Runtime="python3.13",
        Role=_role(statements=statements),
        Handler="handler.handler",
        Code={"ZipFile": code.getvalue()},
        MemorySize=memory,
        Timeout=330,
        Environment={"Variables": variables},
    )


def _complete_environment():
    variables = dict(zappa_stage("production")["aws_environment_variables"])
    variables.update({name: "set" for name in PRODUCTION_REQUIRED if name not in variables})
    return variables


# --- a healthy deployment ----------------------------------------------------------------------
def test_a_healthy_deployment_has_no_fail(aws):
    out, error = doctor()

    assert error is None
    for line in ("table keys", "table LSI1", "table TTL", "table point-in-time recovery", "table on-demand"):
        assert re.search(rf"^ok\s+{line}\s", out, re.M), line
    for line in ("bucket public access block", "bucket encryption", "bucket CORS origin"):
        assert re.search(rf"^ok\s+{line}\s", out, re.M), line
    assert re.search(r"^ok\s+bucket lifecycle abort-incomplete-uploads", out, re.M)
    assert re.search(r"^ok\s+bucket lifecycle expire-backups", out, re.M)
    assert re.search(r"^ok\s+bucket lifecycle expire-exports", out, re.M)
    for line in ("pool password policy", "pool app client flows", "pool staff group", "probe own item"):
        assert re.search(rf"^ok\s+{line}\s", out, re.M), line
    assert re.search(r"^warn\s+table tags\s+no cost-allocation tag", out, re.M)
    assert re.search(r"^skip\s+lambda\s+no function given", out, re.M)
    assert re.search(r"^skip\s+probe health\s+SITE_ORIGIN http://127.0.0.1:8000 is local", out, re.M)
    assert re.search(r"^skip\s+pool domain", out, re.M)
    assert re.search(r"Doctor: \d+ ok, \d+ warn, 0 fail, 3 skipped\.$", out.strip())


def test_a_healthy_function_passes(aws):
    _function(memory=1769, variables=_complete_environment(), statements=expected_policy()["Statement"])
    aws_module.client("lambda").put_function_concurrency(FunctionName=FUNCTION, ReservedConcurrentExecutions=20)

    results = by_name(run_checks(function_name=FUNCTION, stage_config=zappa_stage("production")))

    for name in ("lambda runtime", "lambda memory", "lambda timeout", "lambda environment", "lambda role policy"):
        assert results[name].status == OK, results[name]
    assert results["lambda reserved concurrency"].detail == "20"


def test_the_stage_names_the_function(aws):
    out, error = doctor("--stage", "production")

    assert error is not None  # not deployed in moto
    assert re.search(rf"^fail\s+lambda exists\s+no function {FUNCTION}$", out, re.M)


def test_an_unknown_stage_is_one_line(aws):
    with pytest.raises(CommandError, match="no stage 'staging' in zappa_settings.json"):
        call_command("doctor", "--stage", "staging", stdout=StringIO())


# --- a broken one ------------------------------------------------------------------------------
def _break_the_deployment(settings):
    dynamodb, s3, cognito = (aws_module.client(s) for s in ("dynamodb", "s3", "cognito-idp"))
    table, bucket = settings.DYNAMODB_TABLE, settings.TRANSCRIPT_BUCKET
    dynamodb.update_continuous_backups(
        TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False}
    )
    dynamodb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": False, "AttributeName": "ttl"})
    s3.delete_public_access_block(Bucket=bucket)
    cors = provision.bucket_cors_rules()
    cors[0]["AllowedOrigins"] = ["https://old.example"]
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": cors})
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket, LifecycleConfiguration={"Rules": provision.LIFECYCLE_RULES[:1]}
    )
    cognito.delete_group(GroupName=provision.STAFF_GROUP, UserPoolId=settings.COGNITO_USER_POOL_ID)
    environment = _complete_environment()
    del environment["COGNITO_APP_CLIENT_ID"]
    statements = [s for s in expected_policy()["Statement"] if s["Sid"] != "SecondSortOrderQueries"]
    _function(memory=128, variables=environment, statements=statements)


def test_a_broken_deployment_fails_with_each_fix(aws, settings):
    _break_the_deployment(settings)

    out, error = doctor("--function", FUNCTION)

    assert error is not None and re.fullmatch(r"Doctor: \d+ ok, \d+ warn, 10 fail, \d+ skipped\.", error)
    expected = {
        "table point-in-time recovery": ("DISABLED", "turns point-in-time recovery on"),
        "table TTL": ("DISABLED", "turns TTL on 'ttl' on"),
        "bucket public access block": ("not blocked: BlockPublicAcls", "manage.py provision"),
        "bucket CORS origin": ("https://old.example", "Check SITE_ORIGIN"),
        "bucket lifecycle expire-backups": ("missing", "manage.py provision"),
        "bucket lifecycle expire-exports": ("missing", "manage.py provision"),
        "pool staff group": ("no group staff", "creates it"),
        "lambda memory": ("128 MB (zappa_settings.json: 1769 MB)", f"--function-name {FUNCTION} --memory-size 1769"),
        "lambda environment": ("missing: COGNITO_APP_CLIENT_ID", "merge, do not replace"),
        "lambda role policy": ("missing statements: SecondSortOrderQueries", "deploy/iam-policy.json on the role"),
    }
    for name, (detail, fix) in expected.items():
        found = re.search(rf"^fail\s+{re.escape(name)}\s+(.*)\n\s+fix: (.*)$", out, re.M)
        assert found, name
        assert detail in found[1] and fix in found[2], (name, found[0])
    assert re.search(r"^warn\s+lambda reserved concurrency\s+none", out, re.M)


def test_an_extra_grant_warns_and_a_missing_one_fails():
    policy = expected_policy()
    actual = json.loads(json.dumps(policy).replace("123456789012", "210987654321").replace("REPLACEME", "Ab12"))
    actual["Statement"] = actual["Statement"][1:] + [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]

    missing, extra = compare([actual], policy)

    assert missing == ["TableItemsNoScan"]
    assert extra == ["s3:* on *"]


def test_a_wildcard_grant_covers_what_it_includes():
    policy = expected_policy()
    broad = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}

    missing, extra = compare([broad], policy)

    assert missing == [] and extra == ["* on *"]


def test_the_required_variables_are_the_ones_settings_requires():
    source = (PROJECT_DIR / "campaigns_site" / "settings.py").read_text()
    required = set(re.findall(r'env_str\("(\w+)"[^\n]*required=PRODUCTION', source))

    assert required and required <= set(PRODUCTION_REQUIRED)
    assert {"DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"} <= set(PRODUCTION_REQUIRED)


def test_a_variable_unlike_zappa_settings_warns(aws):
    environment = {**_complete_environment(), "DYNAMODB_TABLE": "another-table"}
    _function(memory=1769, variables=environment, statements=expected_policy()["Statement"])

    result = by_name(run_checks(function_name=FUNCTION, stage_config=zappa_stage("production")))["lambda environment"]

    assert result.status == WARN and result.detail == "differs from zappa_settings.json: DYNAMODB_TABLE"
    assert "`zappa update production`" in result.fix


# --- the parts on their own --------------------------------------------------------------------
def test_a_tagged_table_has_its_tags(aws, settings):
    dynamodb = aws_module.client("dynamodb")
    arn = dynamodb.describe_table(TableName=settings.DYNAMODB_TABLE)["Table"]["TableArn"]
    dynamodb.tag_resource(ResourceArn=arn, Tags=[{"Key": "app", "Value": "campaign-sessions"}])

    assert by_name(run_checks(probe=False))["table tags"].detail == "app=campaign-sessions"


def test_a_missing_table_fails_and_the_rest_still_run(aws, settings):
    settings.DYNAMODB_TABLE = "no-such-table"

    results = run_checks(probe=False)

    assert by_name(results)["table exists"].status == FAIL
    assert by_name(results)["bucket encryption"].status == OK


def test_the_own_item_is_written_read_and_deleted(aws, settings):
    result = own_item_check()

    assert result.status == OK
    items = aws_module.client("dynamodb").query(
        TableName=settings.DYNAMODB_TABLE,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :doctor)",
        ExpressionAttributeValues={":pk": {"S": OPS_PK}, ":doctor": {"S": DOCTOR_SK_PREFIX}},
    )["Items"]
    assert items == []


def _test_client_opener(client):
    """urlopen's shape over Django's test client: the real health view, no network."""

    @contextmanager
    def open_url(url, timeout):
        response = client.get(urlsplit(url).path)
        yield SimpleNamespace(status=response.status_code, read=lambda: response.content)

    return open_url


def test_the_health_probe_gets_the_health_page(client):
    result = health_check(origin="https://campaign-sessions.example", open_url=_test_client_opener(client))

    assert result.status == OK and result.detail == "GET https://campaign-sessions.example/health/: 200"


def test_an_unreachable_site_fails_the_probe():
    def refused(url, timeout):
        raise urllib.error.URLError("Connection refused")

    result = health_check(origin="https://campaign-sessions.example", open_url=refused)

    assert result.status == FAIL and "Connection refused" in result.detail and "SITE_ORIGIN" in result.fix


def test_the_summary_counts_each_status():
    from campaigns_site.doctor import Result

    results = [Result("a", OK), Result("b", WARN), Result("c", FAIL), Result("d", OK), Result("e", SKIP)]

    assert summary(results) == "2 ok, 1 warn, 1 fail, 1 skipped"


def test_local_settings_say_so_in_their_fix(aws):
    results = [r for r in run_checks(probe=False) if r.name.startswith("settings (check --deploy)")]

    assert results and all(r.status == WARN for r in results)
    assert all("These are local settings" in r.fix for r in results)


def test_the_hosted_ui_domain_must_be_the_pool_s(aws, settings):
    settings.COGNITO_DOMAIN = "campaign-sessions.auth.us-east-1.amazoncognito.com"
    assert by_name(run_checks(probe=False))["pool domain"].status == FAIL

    aws_module.client("cognito-idp").create_user_pool_domain(
        Domain="campaign-sessions", UserPoolId=settings.COGNITO_USER_POOL_ID
    )

    assert by_name(run_checks(probe=False))["pool domain"].status == OK


def test_a_missing_bucket_and_pool_fail_without_a_traceback(aws, settings):
    settings.TRANSCRIPT_BUCKET = "no-such-bucket"
    settings.COGNITO_USER_POOL_ID = "us-east-1_nope"

    out, error = doctor("--no-probe")

    assert re.search(r"^fail\s+bucket exists\s+no bucket no-such-bucket$", out, re.M)
    assert re.search(r"^fail\s+user pool exists\s+no pool us-east-1_nope$", out, re.M)
    assert re.search(r"^skip\s+probe\s+--no-probe$", out, re.M)
    assert error is not None and ", 2 fail," in error


def test_an_aws_refusal_is_one_fail_for_its_area():
    from botocore.exceptions import ClientError

    from campaigns_site.doctor import guarded

    def refused():
        yield from []
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "DescribeTable")

    (result,) = guarded("table", refused)

    assert result.status == FAIL and result.detail.startswith("AWS refused DescribeTable: AccessDenied")


def test_an_attached_policy_counts_as_the_role_s(aws):
    iam = aws_module.client("iam")
    statements = expected_policy()["Statement"]
    _function(memory=1769, variables=_complete_environment(), statements=statements[:3])
    rest = {"Version": "2012-10-17", "Statement": statements[3:]}
    arn = iam.create_policy(PolicyName="app-rest", PolicyDocument=json.dumps(rest))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=ROLE, PolicyArn=arn)

    results = by_name(run_checks(function_name=FUNCTION, stage_config=zappa_stage("production"), probe=False))

    assert results["lambda role policy"].status == OK
