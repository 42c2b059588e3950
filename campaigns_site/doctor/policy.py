"""The function's role against deploy/iam-policy.json: every grant the app needs is there
(a missing one fails: some page or job will be refused), and nothing more (an extra one
warns: the role can do more than the app needs).

The committed policy has placeholders (the account 123456789012, the pool
us-east-1_REPLACEME), which match any account and pool id. Grants are compared one
(action, resource, condition) at a time, so how they are grouped into statements and
policies (inline or attached) does not matter.
"""

import json
import re
from fnmatch import fnmatchcase
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings

from campaigns_site import aws
from campaigns_site.doctor import fail, ok, warn

PLACEHOLDERS = {"123456789012": r"\d{12}", "us-east-1_REPLACEME": r"[\w-]+_[0-9A-Za-z]+"}


def expected_policy(path=None):
    return json.loads(Path(path or Path(settings.BASE_DIR) / "deploy" / "iam-policy.json").read_text())


def role_policies(role_arn):
    """Every policy document of the role: its inline policies and the attached ones' default versions."""
    iam = aws.client("iam")
    role = role_arn.rsplit("/", 1)[-1]
    documents = []
    for page in iam.get_paginator("list_role_policies").paginate(RoleName=role):
        for policy in page["PolicyNames"]:
            documents.append(iam.get_role_policy(RoleName=role, PolicyName=policy)["PolicyDocument"])
    for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=role):
        for attached in page["AttachedPolicies"]:
            version = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]["DefaultVersionId"]
            document = iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=version)
            documents.append(document["PolicyVersion"]["Document"])
    return [json.loads(unquote(d)) if isinstance(d, str) else d for d in documents]


def grants(document):
    """(sid, action, resource, condition) of each Allow in the document."""
    statements = document.get("Statement", [])
    for statement in [statements] if isinstance(statements, dict) else statements:
        if statement.get("Effect") != "Allow":
            continue
        condition = json.dumps(statement.get("Condition", {}), sort_keys=True)
        for action in _listed(statement.get("Action")):
            for resource in _listed(statement.get("Resource")):
                yield statement.get("Sid", ""), action.lower(), resource, condition


def _listed(value):
    return [value] if isinstance(value, str) else list(value or [])


def _resource_pattern(expected):
    pattern = re.escape(expected)
    for placeholder, replacement in PLACEHOLDERS.items():
        pattern = pattern.replace(re.escape(placeholder), replacement)
    return re.compile(pattern)


def covers(actual, wanted):
    """Does the actual grant allow at least what the wanted one (from the file) allows?"""
    _, action, resource, condition = actual
    _, wanted_action, wanted_resource, wanted_condition = wanted
    return (
        fnmatchcase(wanted_action, action)
        and (_resource_pattern(wanted_resource).fullmatch(resource) or resource == "*")
        and condition in (wanted_condition, "{}")
    )


def same(actual, wanted):
    return actual[1] == wanted[1] and _resource_pattern(wanted[2]).fullmatch(actual[2]) and actual[3] == wanted[3]


def compare(actual_documents, expected_document):
    """(missing statements' Sids, extra grants as "action on resource")."""
    actual = [grant for document in actual_documents for grant in grants(document)]
    wanted = list(grants(expected_document))
    missing = [w[0] for w in wanted if not any(covers(a, w) for a in actual)]
    extra = [f"{a[1]} on {a[2]}" for a in actual if not any(same(a, w) for w in wanted)]
    return list(dict.fromkeys(missing)), list(dict.fromkeys(extra))


def policy_checks(*, role_arn):
    missing, extra = compare(role_policies(role_arn), expected_policy())
    name = "lambda role policy"
    fix = f"Put deploy/iam-policy.json on the role {role_arn.rsplit('/', 1)[-1]} (deploy/README.md, 'Steps')."
    if missing:
        yield fail(name, f"missing statements: {', '.join(missing)}", fix)
    if extra:
        yield warn(
            f"{name} extra grants",
            f"{len(extra)} grant(s) beyond deploy/iam-policy.json: {'; '.join(extra[:5])}",
            "Remove them, unless the cutover needs them (deploy/iam-policy-cutover.json) for now.",
        )
    if not missing and not extra:
        yield ok(name, "matches deploy/iam-policy.json")
