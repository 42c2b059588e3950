"""Staff: the `staff_required` decorator and the staff overview page."""

import io
import json
import platform
from pathlib import Path

import django
import pytest
from botocore.stub import Stubber
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.http import HttpResponse
from django.test import Client, RequestFactory

from accounts import cognito
from accounts.decorators import staff_required
from accounts.models import User
from accounts.profiles import get_profile
from accounts.staff import list_staff as staff_list
from campaigns_site import audit
from campaigns_site import aws as aws_clients
from tests.web_clients import header, signed_in

STAFF = "/staff/"
POLICY = Path(__file__).resolve().parent.parent / "deploy" / "iam-policy.json"


# --- the decorator -------------------------------------------------------------------
@staff_required
def staff_only_view(request):
    return HttpResponse("for staff")


def request_by(user):
    request = RequestFactory().get("/somewhere/?page=2")
    request.user = user
    return request


def test_decorator_sends_nobody_to_log_in_with_next():
    response = staff_only_view(request_by(AnonymousUser()))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/somewhere/%3Fpage%3D2"


def test_decorator_refuses_a_signed_in_user_who_is_not_staff():
    with pytest.raises(PermissionDenied):
        staff_only_view(request_by(User(sub="s-1", email="bo@example.com", is_staff=False)))


def test_decorator_lets_staff_through():
    response = staff_only_view(request_by(User(sub="s-2", email="ada@example.com", is_staff=True)))
    assert response.content == b"for staff"
    assert staff_only_view.__name__ == "staff_only_view"


# --- the page ------------------------------------------------------------------------
def test_anonymous_is_sent_to_log_in(aws, db):
    response = Client().get(STAFF)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/staff/"


def test_a_signed_in_user_who_is_not_staff_gets_our_403(player, staff):
    response = signed_in("bo@example.com").get(STAFF)
    assert response.status_code == 403
    assert response.templates[0].name == "403.html"
    html = response.content.decode()
    assert "You can't open this page" in html
    assert "DynamoDB table" not in html
    assert ">Staff</a>" not in header(html)


def test_staff_see_the_deployment_for_two_describe_calls_and_the_staff_list(staff, player, aws_calls, settings):
    client = signed_in("ada@example.com")
    client.get("/")  # the login message is shown once
    with aws_calls() as calls:
        response = client.get(STAFF)
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["staff/home.html", "base.html"]
    assert calls.operations() == [
        "dynamodb.BatchGetItem",
        "dynamodb.DescribeTable",
        "cognito-idp.DescribeUserPool",
        # (the summary fallbacks' item, sessions/summaries/fallbacks.py: with the web session)
        "cognito-idp.ListUsersInGroup",
    ]

    html = response.content.decode()
    for label, value in [
        ("APP_ENV", "local"),
        ("DynamoDB table", settings.DYNAMODB_TABLE),
        ("Transcript bucket", settings.TRANSCRIPT_BUCKET),
        ("Cognito user pool", settings.COGNITO_USER_POOL_ID),
        ("Lambda function", "not on Lambda"),
        ("Python", platform.python_version()),
        ("Django", django.get_version()),
        ("Status", "ACTIVE"),
        ("Billing", "PAY_PER_REQUEST"),
        ("Indexes", "LSI1"),
        ("Users (estimated)", "2"),
    ]:
        assert f"<dt>{label}</dt><dd>{value}</dd>" in html, label
    assert "<dt>Items (approximate)</dt>" in html and "<dt>Size (approximate)</dt>" in html
    assert "about every six hours" in html
    assert "manage.py delete_account &lt;sub&gt; --yes" in html
    # Names and ids only: no secret reaches the page.
    assert settings.SECRET_KEY not in html
    assert settings.COGNITO_APP_CLIENT_SECRET and settings.COGNITO_APP_CLIENT_SECRET not in html
    assert 'href="/staff/" aria-current="page">Staff</a>' in header(html)


def test_on_lambda_the_page_names_the_function_and_its_version(staff, monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "campaign-sessions-production")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
    html = signed_in("ada@example.com").get(STAFF).content.decode()
    assert "<dt>Lambda function</dt><dd>campaign-sessions-production (version $LATEST)</dd>" in html


def test_a_describe_call_that_is_refused_is_shown_not_raised(staff):
    client = signed_in("ada@example.com")
    with Stubber(aws_clients.client("dynamodb")) as dynamodb_stub:
        dynamodb_stub.add_client_error("describe_table", service_error_code="AccessDeniedException")
        response = client.get(STAFF)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not available: DescribeTable failed: AccessDeniedException." in html
    assert "<dt>Users (estimated)</dt><dd>1</dd>" in html  # the rest of the page is still there


def test_the_lambda_role_allows_every_call_the_page_makes(staff, player, aws_calls):
    client = signed_in("ada@example.com")
    with aws_calls() as calls:
        client.get(STAFF)
        client.post("/staff/members/add/", {"email": "bo@example.com"})
        client.post("/staff/members/remove/", {"email": "bo@example.com"})
    allowed = set()
    for statement in json.loads(POLICY.read_text())["Statement"]:
        actions = statement["Action"]
        allowed.update([actions] if isinstance(actions, str) else actions)
    needed = {f"{service}:{operation}" for service, operation in calls}
    assert needed == {
        "dynamodb:BatchGetItem",
        "dynamodb:DescribeTable",
        "dynamodb:UpdateItem",
        "dynamodb:GetItem",  # the target's directory entry: its list of recent actions
        "dynamodb:TransactWriteItems",  # the audit log's entry of each change, listed on the entry
        "cognito-idp:DescribeUserPool",
        "cognito-idp:ListUsersInGroup",
        "cognito-idp:AdminGetUser",
        "cognito-idp:AdminAddUserToGroup",
        "cognito-idp:AdminRemoveUserFromGroup",
    }
    # IAM authorises a transaction by its actions (a Put, an Update: tests/test_iam_policy.py).
    assert needed - {"dynamodb:TransactWriteItems"} | {"dynamodb:PutItem", "dynamodb:UpdateItem"} <= allowed


def test_staff_status_follows_the_cognito_group_from_the_next_login(staff):
    client = signed_in("ada@example.com")
    assert client.get(STAFF).status_code == 200
    assert ">Staff</a>" in header(client.get("/").content.decode())

    aws_clients.client("cognito-idp").admin_remove_user_from_group(
        UserPoolId=cognito.settings.COGNITO_USER_POOL_ID, Username="ada@example.com", GroupName="staff"
    )
    # Pages never ask Cognito: the session keeps the status it logged in with ...
    assert client.get(STAFF).status_code == 200
    # ... and the next login syncs it from the ID token's `cognito:groups` claim.
    again = signed_in("ada@example.com")
    assert again.get(STAFF).status_code == 403
    assert client.get(STAFF).status_code == 403  # the profile is shared: every session follows


# --- changing the staff: manage.py staff and the page's actions ---------------------------
def staff_command(*args):
    out = io.StringIO()
    call_command("staff", *args, stdout=out)
    return out.getvalue()


def in_staff_group(email):
    return email in [member["email"] for member in staff_list()]


def test_removed_staff_lose_access_at_their_next_request_in_the_same_session(staff):
    client = signed_in("ada@example.com")
    assert client.get(STAFF).status_code == 200
    output = staff_command("remove", "Ada@example.com")
    assert "ada@example.com" in output and "no longer staff" in output
    assert client.get(STAFF).status_code == 403  # the same web session, no new login
    assert ">Staff</a>" not in header(client.get("/").content.decode())
    assert not in_staff_group("ada@example.com")
    assert get_profile(sub=staff).is_staff is False
    assert signed_in("ada@example.com").get(STAFF).status_code == 403  # and the next login agrees


def test_added_staff_get_access_at_their_next_request(player, staff):
    client = signed_in("bo@example.com")
    assert client.get(STAFF).status_code == 403
    staff_command("add", "bo@example.com")
    assert client.get(STAFF).status_code == 200
    assert in_staff_group("bo@example.com")
    assert signed_in("bo@example.com").get(STAFF).status_code == 200  # the next login keeps it


def test_the_command_lists_the_staff_and_names_an_unknown_email(staff, player):
    output = staff_command("list")
    assert "ada@example.com" in output and "bo@example.com" not in output and "1 staff." in output
    with pytest.raises(CommandError, match="No account uses nobody@example.com"):
        staff_command("add", "nobody@example.com")


def test_staff_add_and_remove_others_from_the_page(staff, player):
    admin = signed_in("ada@example.com")
    bo = signed_in("bo@example.com")
    page = admin.get(STAFF).content.decode()
    assert 'action="/staff/members/add/"' in page and "ada@example.com" in page

    response = post(admin, "/staff/members/add/", {"email": "bo@example.com"})
    assert response.status_code == 302 and response["Location"] == STAFF
    assert "bo@example.com is staff from their next page." in admin.get(STAFF).content.decode()
    assert bo.get(STAFF).status_code == 200

    page = admin.get(STAFF).content.decode()
    assert 'action="/staff/members/remove/"' in page and 'value="bo@example.com"' in page
    post(admin, "/staff/members/remove/", {"email": "bo@example.com"})
    assert bo.get(STAFF).status_code == 403
    assert not in_staff_group("bo@example.com")
    recorded = [(e.action, e.by, e.target_email) for e in audit.list_actions().items]
    assert recorded == [
        ("remove-staff", "ada@example.com", "bo@example.com"),
        ("make-staff", "ada@example.com", "bo@example.com"),
    ]


def test_the_page_refuses_removing_yourself_and_unknown_emails(staff):
    admin = signed_in("ada@example.com")
    post(admin, "/staff/members/remove/", {"email": "ada@example.com"})
    assert "You cannot remove yourself here" in admin.get(STAFF).content.decode()
    assert admin.get(STAFF).status_code == 200
    post(admin, "/staff/members/add/", {"email": "nobody@example.com"})
    assert "No account uses nobody@example.com." in admin.get(STAFF).content.decode()


def test_only_staff_can_change_the_staff_and_only_by_post_with_csrf(staff, player):
    bo = signed_in("bo@example.com")
    assert post(bo, "/staff/members/add/", {"email": "bo@example.com"}).status_code == 403
    assert post(Client(), "/staff/members/remove/", {"email": "ada@example.com"}).status_code == 302  # to log in
    admin = signed_in("ada@example.com")
    assert admin.get("/staff/members/add/").status_code == 405
    strict = signed_in("ada@example.com", enforce_csrf_checks=True)
    assert strict.post("/staff/members/add/", {"email": "bo@example.com"}).status_code == 403
    assert not in_staff_group("bo@example.com")
    assert in_staff_group("ada@example.com")


def post(client, url, data):
    token = client.cookies.get("csrftoken")
    return client.post(url, {**data, "csrfmiddlewaretoken": token.value if token else ""})
