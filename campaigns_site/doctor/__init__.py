"""`manage.py doctor`: checks a deployment end to end (deploy/README.md, "Checking a deployment").

Every check is a plain function returning a Result: what was checked, ok / warn / fail /
skip, what was found, and for warn and fail how to fix it. The areas (one module each:
table, bucket, pool, function, policy, settings_checks, probe) each give their results
in order; `run_checks` runs them all and never stops at the first failure, so one run
shows everything that is wrong. Doctor only reads, except the probe's own item, which it
writes, reads back and deletes.
"""

from dataclasses import dataclass

OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skip"


@dataclass(frozen=True)
class Result:
    name: str
    status: str
    detail: str = ""
    fix: str = ""


def ok(name, detail=""):
    return Result(name, OK, detail)


def warn(name, detail, fix):
    return Result(name, WARN, detail, fix)


def fail(name, detail, fix):
    return Result(name, FAIL, detail, fix)


def skip(name, detail):
    return Result(name, SKIP, detail)


def summary(results):
    """The summary line: "12 ok, 2 warn, 1 fail" (and the skipped ones, when any)."""
    counts = {status: sum(1 for result in results if result.status == status) for status in (OK, WARN, FAIL, SKIP)}
    line = f"{counts[OK]} ok, {counts[WARN]} warn, {counts[FAIL]} fail"
    return line + (f", {counts[SKIP]} skipped" if counts[SKIP] else "")


def guarded(area, check, /, *args, **kwargs):
    """`check`'s results, or one fail saying why it could not run (AWS refused, not found):
    one broken area must not hide the others."""
    from campaigns_site.operations import describe_aws_error

    results = []
    try:
        for result in check(*args, **kwargs):
            results.append(result)
    except Exception as error:
        message = describe_aws_error(error)
        if message is None:
            raise
        results.append(fail(area, message, "Check the credentials and the settings; `manage.py provision` if missing."))
    return results
