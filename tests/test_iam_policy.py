"""The Lambda role's policy (deploy/iam-policy.json) allows every AWS request the app makes
on Lambda, with its exact resource ARN, and grants nothing those requests do not use.

A tour drives every URL of the site (as a visitor, a new user, a signed-in owner with
staff rights, and through a share link), and the summary and story jobs as Lambda runs
them (dispatched with lambda:Invoke, then run as the task invocation, writing with
Bedrock). Every AWS request made while a page is served or a job runs is recorded with
its parameters (campaigns_site.aws's recorders) and turned into the (action, resource,
condition keys) IAM authorises (tests/iam_policy.py), then evaluated against the policy
with the production names replaced by the test's table, bucket and pool. Presigned URLs
and forms count: the browser makes those requests with the role's credentials.

Not on the tour: the operators' commands (provision, alarms, sweep_orphans, rebuild_search_index,
fill_share_registry, finish_deletions, shift_traffic), which run with operator credentials
(deploy/README.md); the requests of account deletion are on it, since "delete my account" runs
the cascade in the request.
"""

import importlib
import json
import re
from unittest import mock

import pytest
from botocore.stub import ANY, Stubber
from django.core.signals import request_finished, request_started
from django.test import Client
from django.urls import get_resolver

from accounts import cognito
from campaigns.repository import list_campaigns_for_user, mark_campaign_deleting
from campaigns_site import aws as aws_module
from sessions.core.repository import get_session, list_sessions_for_campaign
from sessions.sharing.items import hash_token
from sessions.summaries import registry as job_registry
from tests.bedrock_replies import reply
from tests.conftest import PASSWORD
from tests.cost_explorer_answers import forecast_answers
from tests.iam_policy import (
    ACCOUNT,
    IamRecorder,
    IamRequest,
    action_matches,
    evaluate,
    iam_requests,
    policy_for,
    resource_matches,
    unused_grants,
)
from tests.legacy_users import OLD_PASSWORD, make_legacy_user, old_hash
from tests.transcript_samples import sample_bytes
from tests.uploads import confirm, forms_of, post_to_s3, upload_form_of
from tests.web_clients import anonymous_client, post

FUNCTION = "campaign-sessions-production"  # the production stage's function (Zappa: <project>-<stage>)
REGION = "us-east-1"
# Written by the Lambda service from the function's output, never by the app.
LAMBDA_SERVICE_ACTIONS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")
# The views that answer 404 for every request (allauth pages replaced by nothing yet).
NOT_AVAILABLE = "accounts.views.not_available"
# allauth routes no request reaches: accounts.urls' not_available "password/reset/key/<path:key>/"
# comes first and takes every path under it.
SHADOWED = {"accounts/password/reset/key/done/", "accounts/password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$"}


class ServingRecorder(IamRecorder):
    """Records only while the app serves a request or runs a job: not the test's own
    set-up (users made with admin calls, items read to find ids)."""

    def __init__(self):
        super().__init__()
        self.serving = False
        self.routes = set()

    def add(self, *args, **kwargs):
        if self.serving:
            super().add(*args, **kwargs)

    def started(self, **_):
        self.serving = True

    def finished(self, **_):
        self.serving = False


@pytest.fixture
def recorder():
    recorder = ServingRecorder()
    request_started.connect(recorder.started)
    request_finished.connect(recorder.finished)
    with aws_module.record_aws_calls(recorder):
        yield recorder
    request_started.disconnect(recorder.started)
    request_finished.disconnect(recorder.finished)


class Visitor:
    """A test client that remembers every route it reached, and checks each answer."""

    def __init__(self, client, routes):
        self.client, self.routes = client, routes

    def _seen(self, response, expected):
        assert response.status_code == expected, (response.status_code, response.content.decode()[:2000])
        if response.resolver_match:
            self.routes.add(response.resolver_match.route)
        return response

    def get(self, path, expected=200, **params):
        return self._seen(self.client.get(path, params), expected)

    def post(self, path, data=None, expected=302):
        return self._seen(post(self.client, path, data), expected)


def sign_in(make_user, email, *, staff=False):
    make_user(email, display_name="Tour Guide", staff=staff)
    client = anonymous_client()
    assert post(client, "/accounts/login/", {"login": email, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def lambda_and_bedrock(settings, monkeypatch):
    """As on Lambda in production: jobs go to Zappa's task invocation, Bedrock writes."""
    settings.SUMMARY_PROVIDER = "bedrock"
    settings.BEDROCK_MODEL_ID = "amazon.nova-lite-v1:0"
    settings.BEDROCK_REGION = None
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", FUNCTION)
    invoked = []

    def remember(params, **_):
        invoked.append(json.loads(params["Payload"]))

    lambda_client = aws_module.client("lambda")
    lambda_client.meta.events.register("before-parameter-build.lambda.Invoke", remember)
    with Stubber(lambda_client) as lambda_stub, Stubber(aws_module.client("bedrock-runtime")) as bedrock_stub:
        yield invoked, lambda_stub, bedrock_stub
    lambda_client.meta.events.unregister("before-parameter-build.lambda.Invoke", remember)


def run_invoked_tasks(recorder, invoked):
    """What the task invocation does with each payload Zappa's handler routes."""
    while invoked:
        payload = invoked.pop(0)
        module, name = payload["task_path"].rsplit(".", 1)
        task = getattr(importlib.import_module(module), name)
        recorder.started()
        try:
            task(**payload["kwargs"])
        finally:
            recorder.finished()


def tour_as_v1_users(make_user, routes):
    """v1.0 users as the importer leaves them: an old password that becomes Cognito's, one
    the pool's policy refuses (then the new one chosen for it), a Discord/Google-only one."""
    make_legacy_user(make_user, "old@example.com")
    Visitor(anonymous_client(), routes).post("/accounts/login/", {"login": "old@example.com", "password": OLD_PASSWORD})
    make_legacy_user(make_user, "short@example.com", password_hash=old_hash("short1"))
    refused = Visitor(anonymous_client(), routes)
    refused.post("/accounts/login/", {"login": "short@example.com", "password": "short1"})
    refused.get("/accounts/password/new/")
    refused.post("/accounts/password/new/", {"new_password1": "new horse 45", "new_password2": "new horse 45"})
    make_legacy_user(make_user, "discord@example.com", social_only=True)
    social = Visitor(anonymous_client(), routes)
    social.post("/accounts/login/", {"login": "discord@example.com", "password": "anything 1234"}, expected=200)
    social.get("/accounts/password/old-discord-google/")


def take_the_tour(settings, make_user, recorder, lambda_and_bedrock):
    invoked, lambda_stub, bedrock_stub = lambda_and_bedrock
    settings.SUMMARY_JOB_RUNNER = "lambda"
    routes = recorder.routes

    # A visitor, then a new user signing up and resetting a password (Cognito's public calls).
    visitor = Visitor(anonymous_client(), routes)
    visitor.get("/")
    visitor.get("/health/")
    visitor.get("/favicon.ico", expected=ANY_STATUS)
    visitor.post("/preferences/theme/", {"theme": "dark", "next": "/"})
    visitor.get("/accounts/signup/")
    visitor.post("/accounts/signup/", {"email": "new@example.com", "display_name": "Newcomer", "password1": PASSWORD})
    visitor.get("/accounts/confirm/", email="new@example.com")
    visitor.post("/accounts/confirm/resend/", {"email": "new@example.com"})
    visitor.post("/accounts/confirm/", {"email": "new@example.com", "code": "123456"})
    visitor.get("/accounts/password/reset/")
    visitor.post("/accounts/password/reset/", {"email": "new@example.com"})
    code_page = visitor.get("/accounts/password/reset/code/", email="new@example.com").content.decode()
    code = re.search(r'<code id="local-reset-code">([^<]+)</code>', code_page).group(1)
    visitor.post(
        "/accounts/password/reset/code/",
        {
            "email": "new@example.com",
            "code": code,
            "new_password1": "another horse 43",
            "new_password2": "another horse 43",
        },
    )
    # allauth's own pages that the app never links to (they work on the ORM cache, if at all).
    for path in (
        "/accounts/inactive/",
        "/accounts/login/code/confirm/",
        "/accounts/password/reset/key/done/",
        "/accounts/confirm-email/abc/",
        "/accounts/password/reset/key/1-abc/",
    ):
        visitor.get(path, expected=ANY_ANSWER)
    visitor.get("/accounts/login/")
    visitor.post("/accounts/login/", {"login": "new@example.com", "password": "another horse 43"})
    tour_as_v1_users(make_user, routes)

    # The owner (staff too, for the staff page): campaigns and sessions.
    owner = Visitor(sign_in(make_user, "gm@example.com", staff=True), routes)
    owner.get("/")
    owner.get("/campaigns/")
    owner.get("/campaigns/new/")
    owner.post("/campaigns/new/", {"name": "Dragon Heist", "game_system": "D&D 5e", "description": ""})
    owner.post("/campaigns/new/", {"name": "Curse of Strahd", "game_system": "D&D 5e", "description": ""})
    profile = owner.client.get("/").context["user"]
    sub = profile.sub
    campaigns = {c.name: c for c in list_campaigns_for_user(sub=sub).items}
    heist, strahd = campaigns["Dragon Heist"], campaigns["Curse of Strahd"]
    campaign_url = f"/campaigns/{heist.campaign_id}/"
    owner.get(campaign_url)
    owner.get(f"{campaign_url}edit/")
    owner.post(
        f"{campaign_url}edit/",
        {"name": "Dragon Heist", "game_system": "D&D 5e", "description": "Waterdeep", "version": heist.version},
    )
    owner.get(f"{campaign_url}sessions/new/")
    owner.post(
        f"{campaign_url}sessions/new/",
        {"title": "The Yawning Portal", "number": "1", "played_on": "2024-05-31", "notes": "Troll"},
    )
    owner.post(
        f"{campaign_url}sessions/new/",
        {"title": "Trollskull Alley", "number": "2", "played_on": "2024-06-07", "notes": ""},
    )
    sessions = {s.title: s for s in list_sessions_for_campaign(sub=sub, campaign_id=heist.campaign_id).items}
    session = sessions["The Yawning Portal"]
    session_url = f"{campaign_url}sessions/{session.session_id}/"

    # The transcript: upload through S3 (presigned POST), confirm, read, download (presigned GET).
    page = owner.get(session_url)
    uploaded = post_to_s3(upload_form_of(page), sample_bytes("vtt", hours=0.05), "night.vtt")
    routes.add(confirm_route(owner, uploaded))
    owner.get(f"{session_url}transcript/upload/")
    owner.get(f"{session_url}transcript/")
    owner.get(f"{session_url}transcript/", page="2", expected=ANY_STATUS)
    owner.get(f"{session_url}transcript/download/", expected=302)  # to the presigned GET
    speakers = owner.get(f"{session_url}transcript/speakers/")
    (speaker_form,) = forms_of(speakers)
    owner.post(f"{session_url}transcript/speakers/", {**speaker_form.fields, "player_0": "Ann", "character_0": "Vex"})
    session = get_session(sub=sub, campaign_id=heist.campaign_id, session_id=session.session_id)  # its version now
    owner.get(f"{session_url}edit/")
    owner.post(
        f"{session_url}edit/",
        {
            "title": "The Yawning Portal",
            "number": "1",
            "played_on": "2024-05-31",
            "notes": "A troll",
            "version": session.version,
        },
    )

    # Summaries and the story so far: dispatched to Lambda, run as the task, written by Bedrock.
    for _ in range(2):
        lambda_stub.add_response(
            "invoke", {"StatusCode": 202}, {"FunctionName": FUNCTION, "InvocationType": "Event", "Payload": ANY}
        )
    bedrock_stub.add_response("converse", reply("- The party met a troll"))
    owner.post(f"{session_url}summaries/", {"kinds": ["recap"], "length": "brief"})
    run_invoked_tasks(recorder, invoked)
    owner.get(f"{session_url}summaries/status/")
    owner.get(f"{session_url}summaries/recap/edit/")
    recap_version = owner.client.get(f"{session_url}summaries/recap/edit/").context["form"]["version"].value()
    owner.post(f"{session_url}summaries/recap/edit/", {"text": "The party met a troll.", "version": recap_version})
    bedrock_stub.add_response("converse", reply("The story so far: a troll."))
    owner.get(f"{campaign_url}story/")
    owner.post(f"{campaign_url}story/", {"length": "brief", "replace_edits": "1"})
    run_invoked_tasks(recorder, invoked)
    owner.get(f"{campaign_url}story/status/")
    owner.get(f"{campaign_url}story/")

    # Search, sharing (the owner's pages, the visitor's, revoking).
    owner.get("/search/", q="troll")
    owner.get("/search/", q="troll", campaign=heist.campaign_id)
    owner.get(f"{session_url}share/")
    made = owner.post(
        f"{session_url}share/",
        {"scope": "transcript", "expires_on": "", "view_limit": "", "label": "Table"},
        expected=ANY_STATUS,
    )
    token = re.search(
        r"/share/([A-Za-z0-9_-]{20,})/",
        made.content.decode() if made.status_code == 200 else owner.client.get(made["Location"]).content.decode(),
    ).group(1)
    link_url = f"{session_url}share/{hash_token(token)}/"
    owner.get(f"{link_url}preview/")
    owner.get(f"{link_url}preview/transcript/")
    reader = Visitor(Client(), routes)
    reader.get(f"/share/{token}/")
    reader.get(f"/share/{token}", expected=ANY_STATUS)
    reader.get(f"/share/{token}/transcript/")
    # Staff across users: the job and share registries; a retry and a revoke asked for
    # (a job that did not fail, a link revoked meanwhile: refused, back to the list).
    recap_job = job_registry.get_entry(sub=sub, campaign_id=heist.campaign_id, session_id=session.session_id)
    owner.get("/staff/jobs/")
    owner.get("/staff/jobs/", show="failed")
    retry = {"owner": sub, "campaign": heist.campaign_id, "session": session.session_id, "job": recap_job.job_id}
    owner.get("/staff/jobs/retry/", expected=302, **retry)
    owner.post("/staff/jobs/retry/", retry)
    owner.get("/staff/shares/")
    owner.get("/staff/shares/revoke/", link=hash_token(token))  # asks to confirm
    owner.get(f"{link_url}revoke/")  # asks to confirm
    owner.post(f"{link_url}revoke/")
    owner.post("/staff/shares/revoke/", {"link": hash_token(token)})

    tour_exports(owner, recorder, lambda_and_bedrock, campaign_id=heist.campaign_id)

    # Moving, archiving, deleting.
    owner.get(f"{session_url}move/")
    owner.post(f"{session_url}move/", {"to_campaign": strahd.campaign_id})
    moved_url = f"/campaigns/{strahd.campaign_id}/sessions/{session.session_id}/"
    owner.post(f"{moved_url}transcript/delete/")
    owner.get(f"{moved_url}delete/", expected=ANY_STATUS)
    owner.post(f"{moved_url}delete/")
    owner.post(f"{campaign_url}archive/")
    owner.get("/campaigns/archived/")
    owner.post(f"{campaign_url}unarchive/")
    owner.get(f"{campaign_url}delete/")
    owner.post(f"{campaign_url}delete/")
    mark_campaign_deleting(sub=sub, campaign_id=strahd.campaign_id)  # a delete that stopped midway
    owner.get("/campaigns/deleting/")
    owner.post(f"/campaigns/{strahd.campaign_id}/finish-delete/")

    # The account: profile, staff page, password, sessions, sign-out, deletion.
    owner.get("/staff/")
    owner.get("/staff/cutover/")
    owner.get("/staff/errors/")  # a Logs Insights query over the function's own log group
    owner.post("/staff/errors/refresh/", {"window": "7d"})
    owner.get("/staff/migration/")
    owner.get("/staff/users/", email="gm")
    owner.get(f"/staff/users/{sub}/")
    with forecast_answers("1.5"):  # the cost page's first view fetches the figures
        owner.get("/staff/costs/")
    owner.post("/staff/costs/refresh/")  # within a minute: refused, no request
    owner.get("/staff/costs/users/")
    owner.post("/staff/members/add/", {"email": "new@example.com"})
    owner.post("/staff/members/remove/", {"email": "new@example.com"})
    tour_staff_actions(owner)
    owner.get("/accounts/profile/")
    owner.post("/accounts/profile/", {"display_name": "Tour Leader"})
    owner.get("/accounts/password/change/")
    owner.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": "third horse 44", "new_password2": "third horse 44"},
    )
    owner.post("/accounts/logout/everywhere/")
    owner = Visitor(anonymous_client(), routes)
    owner.post("/accounts/login/", {"login": "gm@example.com", "password": "third horse 44"})
    owner.post("/accounts/logout/")
    owner.post("/accounts/login/", {"login": "gm@example.com", "password": "third horse 44"})
    owner.get("/accounts/delete/")
    owner.post("/accounts/delete/", {"password": "third horse 44", "confirm": "on"})
    lambda_stub.assert_no_pending_responses()
    bedrock_stub.assert_no_pending_responses()


def tour_exports(owner, recorder, lambda_and_bedrock, *, campaign_id):
    """Exports: asked for on the profile and on the campaign page, run as Lambda's task,
    listed, downloaded (a presigned GET); one more that fails once a part is sent, so its
    multipart upload is aborted. The account's zip is left for the account's deletion."""
    from exports import s3_object, writer

    invoked, lambda_stub, _ = lambda_and_bedrock
    for _ in range(3):
        lambda_stub.add_response(
            "invoke", {"StatusCode": 202}, {"FunctionName": FUNCTION, "InvocationType": "Event", "Payload": ANY}
        )
    owner.post("/accounts/exports/account/")
    owner.post(f"/accounts/exports/campaigns/{campaign_id}/")
    run_invoked_tasks(recorder, invoked)
    owner.get("/accounts/exports/")
    owner.get("/accounts/exports/account/download/", expected=302)
    owner.get(f"/accounts/exports/campaigns/{campaign_id}/download/", expected=302)

    def fails_after_a_part(stream, **_):
        stream.write(b"x" * 100)
        raise OSError("the disk is full")

    owner.post(f"/accounts/exports/campaigns/{campaign_id}/")  # replaces the finished one
    with mock.patch.object(s3_object, "PART_SIZE", 64), mock.patch.object(writer, "write_export", fails_after_a_part):
        run_invoked_tasks(recorder, invoked)


def tour_staff_actions(owner):
    """Staff's actions on another user (each asked, then taken), then the audit log."""
    newcomer = cognito.find_user(email="new@example.com")["sub"]
    for action in ("make-staff", "remove-staff", "sign-out-everywhere", "disable", "enable", "delete"):
        owner.get(f"/staff/users/{newcomer}/{action}/")
        owner.post(f"/staff/users/{newcomer}/{action}/")
    owner.get("/staff/audit/")


class _AnyStatus:
    def __init__(self, below):
        self.below = below

    def __eq__(self, other):
        return 200 <= other < self.below


ANY_STATUS = _AnyStatus(400)  # a page or a redirect
ANY_ANSWER = _AnyStatus(500)  # never a server error


def confirm_route(owner, uploaded):
    response = confirm(owner.client, uploaded)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response.resolver_match.route


def routes_of_the_site():
    """Every route a request can reach, as resolver_match.route spells them: not those an
    earlier route of the same path shadows, nor those that always answer 404."""
    found, seen = set(), set()

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern).removeprefix("^")  # as the resolver joins them
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, route)
            elif route not in seen and route not in SHADOWED:
                seen.add(route)
                if f"{pattern.callback.__module__}.{pattern.callback.__name__}" != NOT_AVAILABLE:
                    found.add(route)

    walk(get_resolver().url_patterns, "")
    return found


@pytest.fixture
def tour(settings, make_user, recorder, lambda_and_bedrock):
    take_the_tour(settings, make_user, recorder, lambda_and_bedrock)
    return recorder


def test_the_tour_visits_every_page_of_the_site(tour):
    missing = sorted(routes_of_the_site() - tour.routes)
    assert not missing, f"routes the tour does not visit: {missing}"


def test_the_policy_allows_every_request_the_app_makes_and_grants_nothing_else(tour, settings):
    policy = policy_for(settings)
    assert not tour.unknown, f"requests tests/iam_policy.py cannot map yet: {tour.unknown}"
    assert tour.requests

    refused = sorted({str(request) for request in tour.requests if not evaluate(policy, request)})
    assert not refused, "refused by deploy/iam-policy.json:\n" + "\n".join(refused)

    unused = unused_grants(policy, tour.requests, ignore_actions=LAMBDA_SERVICE_ACTIONS)
    assert not unused, "granted but never used:\n" + "\n".join(unused)


def test_the_evaluator_refuses_what_the_policy_does_not_name(settings, aws):
    """The check above is only as good as the evaluator: it must refuse the index before it
    was granted, another table, another user's prefix-less listing, another model."""
    from tests.iam_policy import IamRequest

    policy = policy_for(settings)
    table = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{settings.DYNAMODB_TABLE}"
    assert evaluate(policy, IamRequest("dynamodb:Query", f"{table}/index/LSI1"))
    assert evaluate(policy, IamRequest("DynamoDB:query", table))  # actions ignore case
    assert not evaluate(policy, IamRequest("dynamodb:Query", f"{table}-other"))
    assert not evaluate(policy, IamRequest("dynamodb:Query", f"{table}/index/GSI1"))
    assert not evaluate(policy, IamRequest("dynamodb:Scan", table))
    bucket = f"arn:aws:s3:::{settings.TRANSCRIPT_BUCKET}"
    assert evaluate(policy, IamRequest("s3:ListBucket", bucket, (("s3:prefix", "transcripts/a/b/"),)))
    assert not evaluate(policy, IamRequest("s3:ListBucket", bucket, (("s3:prefix", ""),)))
    assert not evaluate(policy, IamRequest("s3:ListBucket", bucket))
    assert not evaluate(policy, IamRequest("s3:GetObject", f"{bucket}/other/key"))
    assert not evaluate(
        policy, IamRequest("bedrock:InvokeModel", f"arn:aws:bedrock:{REGION}::foundation-model/amazon.nova-pro-v1:0")
    )
    assert action_matches("s3:Get*", "s3:GetObject") and not action_matches("s3:Get?", "s3:GetObject")
    assert resource_matches("arn:aws:s3:::b/t?", "arn:aws:s3:::b/tx")
    assert not resource_matches("arn:aws:s3:::B/*", "arn:aws:s3:::b/x")  # resources are case-sensitive


def test_a_grant_no_request_needs_is_reported():
    policy = {
        "Statement": [
            {
                "Sid": "Items",
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:Scan"],
                "Resource": ["arn:aws:dynamodb:us-east-1:1:table/t", "arn:aws:dynamodb:us-east-1:1:table/t/index/*"],
            },
        ]
    }
    used = [IamRequest("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:1:table/t")]
    assert unused_grants(policy, used) == [
        "Items: dynamodb:GetItem on arn:aws:dynamodb:us-east-1:1:table/t/index/*",
        "Items: dynamodb:Scan on arn:aws:dynamodb:us-east-1:1:table/t",
        "Items: dynamodb:Scan on arn:aws:dynamodb:us-east-1:1:table/t/index/*",
    ]


def test_requests_are_authorised_per_table_item_and_key():
    """What AWS authorises for the multi-item requests, and Cognito's public calls."""
    table = "arn:aws:dynamodb:us-east-1:123456789012:table/t"
    transaction = {
        "TransactItems": [
            {"Put": {"TableName": "t"}},
            {"ConditionCheck": {"TableName": "t"}},
            {"Update": {"TableName": "t"}},
            {"Delete": {"TableName": "t"}},
        ]
    }
    assert [r.action for r in iam_requests("dynamodb", "TransactWriteItems", transaction, region="us-east-1")] == [
        "dynamodb:PutItem",
        "dynamodb:ConditionCheckItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
    ]
    (query,) = iam_requests("dynamodb", "Query", {"TableName": "t", "IndexName": "LSI1"}, region="us-east-1")
    assert query.resource == f"{table}/index/LSI1"
    (batch,) = iam_requests("dynamodb", "BatchGetItem", {"RequestItems": {"t": {}}}, region="us-east-1")
    assert (batch.action, batch.resource) == ("dynamodb:BatchGetItem", table)
    deletes = iam_requests(
        "s3", "DeleteObjects", {"Bucket": "b", "Delete": {"Objects": [{"Key": "a"}, {"Key": "c"}]}}, region="us-east-1"
    )
    assert [(r.action, r.resource) for r in deletes] == [
        ("s3:DeleteObject", "arn:aws:s3:::b/a"),
        ("s3:DeleteObject", "arn:aws:s3:::b/c"),
    ]
    (head,) = iam_requests("s3", "HeadObject", {"Bucket": "b", "Key": "k"}, region="us-east-1")
    assert head.action == "s3:GetObject"
    assert iam_requests("cognito-idp", "InitiateAuth", {"ClientId": "c"}, region="us-east-1") == []
