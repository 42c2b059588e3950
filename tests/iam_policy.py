"""The IAM side of the app's AWS requests, for tests/test_iam_policy.py (and the cutover's
tour, tests/legacy/test_cutover_iam.py).

- policy_for(settings): deploy/iam-policy.json with the production names replaced by the test's.

- iam_requests(): the (action, resource ARN, condition keys) that IAM authorises for one
  API request, from its parameters, as AWS documents it in "Actions, resources, and
  condition keys" (the Service Authorization Reference). A DynamoDB transaction or batch
  is authorised per item, against each table (and a Query on an index against the
  index's ARN); S3's HeadObject is s3:GetObject, ListObjectsV2 is s3:ListBucket on the
  bucket with the s3:prefix key; Cognito's public calls (authorised by the app client,
  not IAM) need nothing.
- IamRecorder: an aws.record_aws_calls() recorder that keeps those for every request.
- evaluate(): a small evaluator of an identity policy: Allow and Deny statements, Action
  and Resource with `*` and `?`, and the String* conditions. Anything else it refuses
  to judge (UnsupportedPolicy) rather than guess.
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from tests.zappa_package import stage_config

ACCOUNT = "123456789012"  # moto's account, and the policy's placeholder
POLICY = Path(__file__).resolve().parent.parent / "deploy" / "iam-policy.json"
PRODUCTION = stage_config("production")["aws_environment_variables"]
POOL_PLACEHOLDER = "us-east-1_REPLACEME"  # deploy/README.md: replaced with the pool's id


def policy_for(settings):
    """deploy/iam-policy.json with the production names replaced by the test's."""
    text = POLICY.read_text()
    for production, test in [
        (f":table/{PRODUCTION['DYNAMODB_TABLE']}", f":table/{settings.DYNAMODB_TABLE}"),
        (f":::{PRODUCTION['TRANSCRIPT_BUCKET']}", f":::{settings.TRANSCRIPT_BUCKET}"),
        (f":userpool/{POOL_PLACEHOLDER}", f":userpool/{settings.COGNITO_USER_POOL_ID}"),
    ]:
        assert production in text, production
        text = text.replace(production, test)
    return json.loads(text)


# Cognito operations "authorised by the app client": the Service Authorization Reference
# lists no IAM permission for them (they are called unsigned, with a client id or a token).
COGNITO_PUBLIC_OPERATIONS = frozenset(
    {
        "SignUp",
        "ConfirmSignUp",
        "ResendConfirmationCode",
        "InitiateAuth",
        "RespondToAuthChallenge",
        "ForgotPassword",
        "ConfirmForgotPassword",
        "ChangePassword",
        "GetUser",
        "GlobalSignOut",
        "RevokeToken",
        "GetTokensFromRefreshToken",
        "UpdateUserAttributes",
        "VerifyUserAttribute",
        "DeleteUser",
        "GetUserAttributeVerificationCode",
    }
)

# DynamoDB operations whose resource is the table (or the index they name).
DYNAMODB_TABLE_OPERATIONS = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "DescribeTable",
    }
)
TRANSACT_WRITE_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}
S3_OBJECT_ACTIONS = {
    "GetObject": "GetObject",
    "HeadObject": "GetObject",
    "PutObject": "PutObject",
    "DeleteObject": "DeleteObject",
    # A multipart upload is authorised as s3:PutObject at each step, but for its abort and listing.
    "CreateMultipartUpload": "PutObject",
    "UploadPart": "PutObject",
    "CompleteMultipartUpload": "PutObject",
    "AbortMultipartUpload": "AbortMultipartUpload",
    "ListParts": "ListMultipartUploadParts",
}


@dataclass(frozen=True)
class IamRequest:
    action: str  # "dynamodb:Query"
    resource: str  # its ARN
    context: tuple = ()  # condition keys: (("s3:prefix", "transcripts/..."),)
    operation: str = ""  # the API request it is part of: "dynamodb.TransactWriteItems"
    presigned: bool = False  # made by the browser with a URL or form the app signed

    def __str__(self):
        keys = "".join(f" {name}={value!r}" for name, value in self.context)
        return f"{self.action} on {self.resource}{keys} ({self.operation}{', presigned' if self.presigned else ''})"


class UnknownOperation(Exception):
    """An API request this module cannot map yet: extend iam_requests() for it."""


def iam_requests(service, operation, params, *, region, account=ACCOUNT, presigned=False):
    """The IamRequests one API request needs (none for Cognito's public calls)."""
    name = f"{service}.{operation}"

    def request(action, resource, context=()):
        return IamRequest(action, resource, tuple(context), name, presigned)

    if service == "dynamodb":

        def table(table_name, index=None):
            arn = f"arn:aws:dynamodb:{region}:{account}:table/{table_name}"
            return f"{arn}/index/{index}" if index else arn

        if operation in DYNAMODB_TABLE_OPERATIONS:
            return [request(f"dynamodb:{operation}", table(params["TableName"], params.get("IndexName")))]
        if operation in ("BatchGetItem", "BatchWriteItem"):
            return [request(f"dynamodb:{operation}", table(table_name)) for table_name in params["RequestItems"]]
        if operation == "TransactWriteItems":
            return [
                request(f"dynamodb:{TRANSACT_WRITE_ACTIONS[kind]}", table(action["TableName"]))
                for item in params["TransactItems"]
                for kind, action in item.items()
            ]
        if operation == "TransactGetItems":
            return [request("dynamodb:GetItem", table(item["Get"]["TableName"])) for item in params["TransactItems"]]
    if service == "s3":
        bucket = f"arn:aws:s3:::{params['Bucket']}"
        if operation in S3_OBJECT_ACTIONS:
            return [request(f"s3:{S3_OBJECT_ACTIONS[operation]}", f"{bucket}/{params['Key']}")]
        if operation == "CopyObject":  # a read of the source and a write of the copy
            source = params["CopySource"]
            source = f"{source['Bucket']}/{source['Key']}" if isinstance(source, dict) else source.lstrip("/")
            return [
                request("s3:GetObject", f"arn:aws:s3:::{source.split('?')[0]}"),
                request("s3:PutObject", f"{bucket}/{params['Key']}"),
            ]
        if operation == "DeleteObjects":  # authorised as s3:DeleteObject on each key
            return [request("s3:DeleteObject", f"{bucket}/{item['Key']}") for item in params["Delete"]["Objects"]]
        if operation in ("ListObjectsV2", "ListObjects"):
            return [request("s3:ListBucket", bucket, [("s3:prefix", params.get("Prefix", ""))])]
    if service == "cognito-idp":
        if operation in COGNITO_PUBLIC_OPERATIONS:
            return []
        if "UserPoolId" in params:
            return [
                request(
                    f"cognito-idp:{operation}",
                    f"arn:aws:cognito-idp:{region}:{account}:userpool/{params['UserPoolId']}",
                )
            ]
    if service == "bedrock-runtime" and operation in ("Converse", "InvokeModel"):
        return [request("bedrock:InvokeModel", bedrock_model_arn(params["modelId"], region=region, account=account))]
    if service == "ce" and operation in ("GetCostAndUsage", "GetCostForecast"):
        return [request(f"ce:{operation}", "*")]  # Cost Explorer's data has no resource ARN
    if service == "monitoring" and operation == "GetMetricStatistics":
        return [request("cloudwatch:GetMetricStatistics", "*")]  # no resource ARN either
    if service == "lambda" and operation == "Invoke":
        function = params["FunctionName"]
        if not function.startswith("arn:"):
            function = f"arn:aws:lambda:{region}:{account}:function:{function}"
        return [request("lambda:InvokeFunction", function)]
    if service == "logs" and operation == "StartQuery":  # on each log group it reads
        groups = params.get("logGroupNames") or [params["logGroupName"]]
        return [request("logs:StartQuery", f"arn:aws:logs:{region}:{account}:log-group:{group}:*") for group in groups]
    if service == "logs" and operation in ("GetQueryResults", "StopQuery"):  # no resource type: "*"
        return [request(f"logs:{operation}", "*")]
    raise UnknownOperation(name)


def bedrock_model_arn(model_id, *, region, account=ACCOUNT):
    if model_id.startswith("arn:"):
        return model_id
    if re.match(r"^(us|eu|apac|us-gov|global)\.", model_id):  # a cross-region inference profile
        return f"arn:aws:bedrock:{region}:{account}:inference-profile/{model_id}"
    return f"arn:aws:bedrock:{region}::foundation-model/{model_id}"


@dataclass
class IamRecorder:
    """For aws.record_aws_calls(recorder): every request's IamRequests, in order."""

    requests: list = field(default_factory=list)
    unknown: list = field(default_factory=list)

    def add(self, service, operation, params, *, region, presigned=False):
        # Runs inside botocore's event: it must never raise into the app's call.
        try:
            self.requests.extend(iam_requests(service, operation, params, region=region, presigned=presigned))
        except UnknownOperation as error:
            self.unknown.append(str(error))
        except (KeyError, TypeError) as error:
            self.unknown.append(f"{service}.{operation}: {error!r}")


# --- evaluation ----------------------------------------------------------------------------------
class UnsupportedPolicy(Exception):
    """The policy uses something evaluate() does not implement."""


def _as_list(value):
    return [value] if isinstance(value, str) else list(value)


def _pattern(text, *, case_sensitive):
    """IAM's wildcards: `*` any run of characters, `?` any one character."""
    regex = "".join(".*" if char == "*" else "." if char == "?" else re.escape(char) for char in text)
    return re.compile(f"^{regex}$", 0 if case_sensitive else re.IGNORECASE)


def action_matches(pattern, action):
    return bool(_pattern(pattern, case_sensitive=False).match(action))


def resource_matches(pattern, resource):
    return bool(_pattern(pattern, case_sensitive=True).match(resource))


def _condition_holds(condition, context):
    context = dict(context)
    for operator, keys in condition.items():
        if operator not in ("StringLike", "StringEquals", "StringNotLike", "StringNotEquals"):
            raise UnsupportedPolicy(f"condition operator {operator}")
        for key, values in keys.items():
            if key not in context:
                return operator.startswith("StringNot")  # a missing key fails StringLike/Equals
            value = context[key]
            if operator.endswith("Like"):
                found = any(_pattern(v, case_sensitive=True).match(value) for v in _as_list(values))
            else:
                found = value in _as_list(values)
            if found == operator.startswith("StringNot"):
                return False
    return True


def statement_applies(statement, request, *, action=None, resource=None):
    """Whether the statement covers the request (through `action` / `resource` only, when given)."""
    for unsupported in ("NotAction", "NotResource", "NotPrincipal", "Principal"):
        if unsupported in statement:
            raise UnsupportedPolicy(f"{unsupported} in {statement.get('Sid')}")
    actions = [action] if action else _as_list(statement["Action"])
    resources = [resource] if resource else _as_list(statement["Resource"])
    return (
        any(action_matches(pattern, request.action) for pattern in actions)
        and any(resource_matches(pattern, request.resource) for pattern in resources)
        and _condition_holds(statement.get("Condition", {}), request.context)
    )


def evaluate(policy, request):
    """True when the policy allows the request: an Allow covers it and no Deny does."""
    statements = policy["Statement"]
    for statement in statements:
        if statement["Effect"] not in ("Allow", "Deny"):
            raise UnsupportedPolicy(f"Effect {statement['Effect']}")
    covering = [statement["Effect"] for statement in statements if statement_applies(statement, request)]
    return "Allow" in covering and "Deny" not in covering


def unused_grants(policy, requests, *, ignore_actions=()):
    """Each (statement, action, resource) of the policy that no request needed it for."""
    unused = []
    for statement in policy["Statement"]:
        if statement["Effect"] != "Allow":
            continue
        for action in _as_list(statement["Action"]):
            if action in ignore_actions:
                continue
            for resource in _as_list(statement["Resource"]):
                if not any(
                    statement_applies(statement, request, action=action, resource=resource) for request in requests
                ):
                    unused.append(f"{statement.get('Sid')}: {action} on {resource}")
    return unused
