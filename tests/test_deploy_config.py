"""The Zappa stages and the Lambda role's policy say what DESIGN.md and the README promise."""

import ast
import fnmatch
import json
import subprocess
from pathlib import PurePosixPath

import pytest

from tests.zappa_package import ROOT, stage_config

STAGES = ["dev", "production"]
# What Zappa's handler and the app import on Lambda: never left out of the package.
RUNTIME_PACKAGES = [
    "boto3",
    "botocore",
    "s3transfer",
    "dateutil",
    "jmespath",
    "urllib3",
    "django",
    "werkzeug",
    "zappa",
    "pynamodb",
    "allauth",
    "jwt",
    "cryptography",
    "whitenoise",
    "ulid",
    "asgiref",
    "sqlparse",
]


@pytest.fixture(scope="module")
def policy():
    return json.loads((ROOT / "deploy" / "iam-policy.json").read_text())


@pytest.mark.parametrize("stage", STAGES)
def test_stage_runs_the_wsgi_app_on_python_313_without_debug(stage):
    config = stage_config(stage)
    assert config["app_function"] == "campaigns_site.wsgi.application"
    assert config["runtime"] == "python3.13"
    assert config["debug"] is False
    assert config["log_level"] == "INFO"
    assert config["environment_variables"]["APP_ENV"] == "production"
    assert config["keep_warm"] is False
    assert 512 <= config["memory_size"] <= 3008
    # Summary jobs run as asynchronous invocations of this function (Zappa's @task) and
    # may take up to SUMMARY_JOB_TIMEOUT_SECONDS (default 300): the function's timeout must
    # outlast them. Web requests are still cut at 29 s by API Gateway.
    assert 300 < config["timeout_seconds"] <= 900


@pytest.mark.parametrize("stage", STAGES)
def test_stage_uses_its_own_least_privilege_role(stage):
    config = stage_config(stage)
    assert config["manage_roles"] is False
    assert fnmatch.fnmatch(config["role_arn"], f"arn:aws:iam::*:role/campaign-sessions-{stage}-lambda")


@pytest.mark.parametrize("stage", STAGES)
def test_no_secret_is_committed_in_the_stage(stage):
    config = stage_config(stage)
    variables = {**config.get("environment_variables", {}), **config.get("aws_environment_variables", {})}
    assert not {"DJANGO_SECRET_KEY", "COGNITO_APP_CLIENT_SECRET", "AWS_SECRET_ACCESS_KEY"} & set(variables)


@pytest.mark.parametrize("stage", STAGES)
def test_exclusions_keep_botocore_models_and_runtime_packages(stage):
    config = stage_config(stage)
    patterns = config["exclude"] + config["exclude_glob"]
    for shipped in ["service-2.json.gz", "endpoints.json.gz", "site.css.gz", "botocore", "handler.py"]:
        assert not [p for p in patterns if fnmatch.fnmatch(shipped, p)], shipped
    assert not set(RUNTIME_PACKAGES) & set(config["exclude"])


@pytest.mark.parametrize("stage", STAGES)
def test_project_paths_that_must_not_ship_are_excluded(stage):
    globs = set(stage_config(stage)["exclude_glob"])
    assert {
        "tests",
        "docs",
        ".local",
        "scripts",
        "samples",
        ".venv",
        "build",
        "node_modules",
        ".git",
    } <= globs  # samples: collected into static files


def shipped_project_files(stage):
    """The project files `scripts/build-lambda STAGE` packages: what it copies (git's view:
    tracked plus new, nothing ignored), less what Zappa removes from its copy by exclude_glob
    (each pattern globbed from the project's top, as zappa.core does)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "--deduplicate"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    globs = stage_config(stage)["exclude_glob"]
    excluded = {path.relative_to(ROOT).as_posix() for glob in globs for path in ROOT.glob(glob)}
    return [
        name
        for name in listed
        if (ROOT / name).is_file() and not {name, *map(str, PurePosixPath(name).parents)} & excluded
    ]


def _imported_packages(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module.split(".")[0]


@pytest.mark.parametrize("stage", STAGES)
def test_the_package_holds_no_development_only_code(stage):
    shipped = shipped_project_files(stage)
    assert "campaigns_site/settings.py" in shipped and "sessions/views.py" in shipped  # the listing is real
    assert [name for name in shipped if name.split("/")[0] == "devtools"] == []
    # Nor does anything shipped import it, or what only it uses (moto's server, joserfc).
    dev_only = {"devtools", "moto", "joserfc"}
    importers = {name for name in shipped if name.endswith(".py") and dev_only & set(_imported_packages(ROOT / name))}
    assert importers == set()


def test_stages_use_their_own_table_and_bucket():
    dev, production = (stage_config(stage)["aws_environment_variables"] for stage in STAGES)
    for name in ("DYNAMODB_TABLE", "TRANSCRIPT_BUCKET", "COGNITO_USER_POOL_NAME", "DJANGO_ALLOWED_HOSTS"):
        assert dev[name] and production[name] and dev[name] != production[name]


def statements(policy):
    for statement in policy["Statement"]:
        actions = statement["Action"]
        resources = statement["Resource"]
        yield (
            statement,
            [actions] if isinstance(actions, str) else actions,
            [resources] if isinstance(resources, str) else resources,
        )


# Actions the Service Authorization Reference gives no resource type: IAM names them only
# with "*". Each is alone in its statement, so "*" grants nothing else: Logs Insights'
# answers (the last errors), Cost Explorer's figures and the bucket's size metric (the
# cost page).
ACTIONS_WITHOUT_RESOURCES = {
    "logs:GetQueryResults",
    "ce:GetCostAndUsage",
    "ce:GetCostForecast",
    "cloudwatch:GetMetricStatistics",
}


def test_policy_names_every_resource(policy):
    for statement, actions, resources in statements(policy):
        assert statement["Effect"] == "Allow"
        if set(actions) <= ACTIONS_WITHOUT_RESOURCES:
            assert resources == ["*"], statement["Sid"]
            continue
        assert "*" not in resources, statement["Sid"]
        assert all(not action.endswith(":*") and action != "*" for action in actions), statement["Sid"]


def test_policy_reaches_only_the_production_stage_resources(policy):
    """Each resource is the production stage's own: its table (or the table's index), its
    bucket, its pool, its function and log group, the configured model. Which actions on
    which of them the app needs, and that it needs all of them, is tests/test_iam_policy.py's."""
    from django.conf import settings

    env = stage_config("production")["aws_environment_variables"]
    table = f"arn:aws:dynamodb:us-east-1:123456789012:table/{env['DYNAMODB_TABLE']}"
    bucket = f"arn:aws:s3:::{env['TRANSCRIPT_BUCKET']}"
    function = "arn:aws:lambda:us-east-1:123456789012:function:campaign-sessions-production"
    log_group = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/campaign-sessions-production:"
    own = [
        table,
        f"{table}/index/*",
        bucket,
        f"{bucket}/transcripts/*",
        f"{bucket}/exports/*",  # the users' export zips (exports/jobs.py)
        function,
        f"{log_group}*",
        "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_REPLACEME",
        f"arn:aws:bedrock:us-east-1::foundation-model/{settings.BEDROCK_MODEL_ID}",
    ]
    for statement, actions, resources in statements(policy):
        if set(actions) <= ACTIONS_WITHOUT_RESOURCES:
            continue
        assert all(any(fnmatch.fnmatchcase(resource, pattern) for pattern in own) for resource in resources), statement


def test_policy_never_scans_nor_manages_the_table(policy):
    actions = {action for _, statement_actions, _ in statements(policy) for action in statement_actions}
    assert not {"dynamodb:Scan", "dynamodb:DeleteTable", "dynamodb:CreateTable", "dynamodb:UpdateTable"} & actions
    assert not {"s3:DeleteBucket", "s3:PutBucketPolicy", "lambda:UpdateFunctionCode"} & actions


def test_the_function_may_invoke_only_itself_for_its_background_tasks(policy):
    """Summary jobs invoke the function itself asynchronously (Zappa's @task protocol),
    by its name: that one function, InvokeFunction only, nothing else of Lambda."""
    invoking = [
        (statement, actions, resources)
        for statement, actions, resources in statements(policy)
        if any(action.startswith("lambda:") for action in actions)
    ]
    assert len(invoking) == 1
    _, actions, resources = invoking[0]
    assert actions == ["lambda:InvokeFunction"]
    assert resources == ["arn:aws:lambda:us-east-1:123456789012:function:campaign-sessions-production"]


def test_the_summary_job_timeout_fits_inside_the_function_timeout():
    from django.conf import settings

    for stage in STAGES:
        assert settings.SUMMARY_JOB_TIMEOUT_SECONDS + 20 <= stage_config(stage)["timeout_seconds"]


def _no_duplicate_keys(pairs):
    keys = [key for key, _ in pairs]
    duplicates = {key for key in keys if keys.count(key) > 1}
    assert not duplicates, f"zappa_settings.json names {sorted(duplicates)} twice: JSON keeps only the last"
    return dict(pairs)


def test_production_schedules_the_cutovers_sync_and_drain_every_minute():
    """Both scheduled functions of the cutover, in one `events` list (a second `events` key
    would silently replace the first), each importable by the path Zappa calls."""
    import importlib

    json.loads((ROOT / "zappa_settings.json").read_text(), object_pairs_hook=_no_duplicate_keys)
    events = {event["function"]: event["expression"] for event in stage_config("production")["events"]}
    assert events == {
        "cutover.scheduled.sync_v1_event": "rate(1 minute)",
        "cutover.scheduled_drain.drain_outbox_event": "rate(1 minute)",
        # The staff's share counts and newest list (issue 17: the page never counts).
        "sessions.sharing.scheduled.count_shares_event": "rate(1 hour)",
    }
    for path in events:
        module, name = path.rsplit(".", 1)
        assert callable(getattr(importlib.import_module(module), name))
