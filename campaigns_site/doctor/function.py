"""The Lambda function, against zappa_settings.json (the stage's runtime, memory, timeout and
variables) and the variables production requires (campaigns_site/settings.py)."""

import json
from pathlib import Path

from django.conf import settings

from campaigns_site import aws
from campaigns_site.doctor import fail, ok, skip, warn
from campaigns_site.doctor.policy import policy_checks

DEFAULT_RUNTIME = "python3.13"
# The variables settings.py refuses to start without when APP_ENV=production (required=PRODUCTION,
# production_secret_key, DJANGO_ALLOWED_HOSTS); they are set on the function by hand, never
# committed (deploy/README.md, "Environment"). tests/test_doctor.py keeps this list in step.
PRODUCTION_REQUIRED = ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "COGNITO_USER_POOL_ID", "COGNITO_APP_CLIENT_ID")


def zappa_stage(stage, *, path=None):
    """The stage's settings from zappa_settings.json, with what it `extends` filled in."""
    stages = json.loads(Path(path or Path(settings.BASE_DIR) / "zappa_settings.json").read_text())
    if stage not in stages:
        raise KeyError(f"no stage {stage!r} in zappa_settings.json (stages: {', '.join(stages)})")
    config = dict(stages[stage])
    if "extends" in config:
        config = {**zappa_stage(config.pop("extends"), path=path), **config}
    return config


def zappa_function_name(stage, config):
    """Zappa names the function <project_name>-<stage>."""
    return f"{config['project_name']}-{stage}"


def function_checks(*, name, stage, stage_config):
    if not name:
        yield skip("lambda", "no function given: pass --function NAME or --stage STAGE to check it")
        return
    lambda_client = aws.client("lambda")
    try:
        function = lambda_client.get_function_configuration(FunctionName=name)
    except lambda_client.exceptions.ResourceNotFoundException:
        yield fail("lambda exists", f"no function {name}", "Deploy it (`zappa deploy STAGE`) or check --function.")
        return
    yield ok("lambda exists", name)
    yield check_runtime(function, wanted=stage_config.get("runtime", DEFAULT_RUNTIME), stage=stage)
    yield check_size(function, "memory", wanted=stage_config.get("memory_size"), stage=stage)
    yield check_size(function, "timeout", wanted=stage_config.get("timeout_seconds"), stage=stage)
    yield check_concurrency(lambda_client.get_function_concurrency(FunctionName=name), name=name)
    yield check_environment(
        function.get("Environment", {}).get("Variables", {}),
        wanted=stage_config.get("aws_environment_variables", {}),
        stage=stage,
    )
    yield from policy_checks(role_arn=function["Role"])


def check_runtime(function, *, wanted, stage):
    if function.get("Runtime") != wanted:
        return fail(
            "lambda runtime",
            f"{function.get('Runtime')} (zappa_settings.json: {wanted})",
            f"Deploy again with `zappa update {stage}` (it sets the runtime from zappa_settings.json).",
        )
    return ok("lambda runtime", wanted)


# What zappa_settings.json calls each size, Lambda's name for it and the CLI's option.
SIZES = {"memory": ("MemorySize", "MB", "--memory-size"), "timeout": ("Timeout", "s", "--timeout")}


def check_size(function, label, *, wanted, stage):
    key, unit, option = SIZES[label]
    found = function.get(key)
    if wanted is not None and found != wanted:
        return fail(
            f"lambda {label}",
            f"{found} {unit} (zappa_settings.json: {wanted} {unit})",
            f"`zappa update {stage}`, or aws lambda update-function-configuration "
            f"--function-name {function['FunctionName']} {option} {wanted}",
        )
    return ok(f"lambda {label}", f"{found} {unit}")


def check_concurrency(concurrency, *, name):
    reserved = concurrency.get("ReservedConcurrentExecutions")
    if reserved is None:
        return warn(
            "lambda reserved concurrency",
            "none: a flood of requests could scale it (and the bill) without limit",
            f"aws lambda put-function-concurrency --function-name {name} --reserved-concurrent-executions 20 "
            "(a ceiling the account's concurrency and the table's traffic can bear)",
        )
    return ok("lambda reserved concurrency", str(reserved))


def check_environment(variables, *, wanted, stage):
    missing = [name for name in (*PRODUCTION_REQUIRED, *wanted) if not variables.get(name)]
    differing = [name for name, value in wanted.items() if variables.get(name) and variables[name] != value]
    if missing:
        return fail(
            "lambda environment",
            f"missing: {', '.join(dict.fromkeys(missing))}: the function will not start",
            "Set them on the function (deploy/README.md, 'Environment'): merge, do not replace, the variables.",
        )
    if differing:
        return warn(
            "lambda environment",
            f"differs from zappa_settings.json: {', '.join(differing)}",
            f"`zappa update {stage}` sets aws_environment_variables "
            "(or fix zappa_settings.json, if the function is right).",
        )
    return ok("lambda environment", f"{len(variables)} variables, none missing")
