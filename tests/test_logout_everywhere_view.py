"""Log out everywhere: every web session of the user ends, and Cognito revokes its refresh tokens."""

import json
from pathlib import Path

import pytest
from botocore.stub import Stubber
from django.conf import settings as django_settings
from django.test import Client

from accounts import cognito, profiles, websessions
from accounts.password_views import LOGGED_OUT_EVERYWHERE
from campaigns_site import aws as aws_clients
from tests.cognito_tokens import refresh_works
from tests.conftest import PASSWORD

EVERYWHERE = "/accounts/logout/everywhere/"
LOGIN = "/accounts/login/"


def signed_in_client(email="ada@example.com", **client_options):
    client = Client(**client_options)
    client.get(LOGIN)
    data = {"login": email, "password": PASSWORD}
    if client_options.get("enforce_csrf_checks"):
        data["csrfmiddlewaretoken"] = client.cookies["csrftoken"].value
    assert client.post(LOGIN, data).status_code == 302
    return client


def signed_in_as(client):
    """The display name of the client's user on its next request, or None if anonymous."""
    response = client.get(EVERYWHERE)  # signed-in only: anyone else is sent to log in
    return response.context["user"].display_name if response.status_code == 200 else None


def test_anonymous_visitors_are_sent_to_log_in(aws, db, aws_calls):
    assert Client().get(EVERYWHERE)["Location"] == f"{LOGIN}?next={EVERYWHERE}"
    with aws_calls() as calls:
        response = Client().post(EVERYWHERE)
    assert response["Location"] == f"{LOGIN}?next={EVERYWHERE}"
    assert calls.operations() == []


def test_get_only_asks(make_user):
    make_user()
    client = signed_in_client()
    response = client.get(EVERYWHERE)
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["account/logout_everywhere.html", "base.html"]
    html = response.content.decode()
    assert f'<form method="post" action="{EVERYWHERE}">' in html
    assert "this one included" in html
    assert signed_in_as(client) == "Ada the Bard"


def test_the_logout_page_links_here(make_user):
    make_user()
    html = signed_in_client().get("/accounts/logout/").content.decode()
    assert f'<a href="{EVERYWHERE}">Log out everywhere</a>' in html


def test_logging_out_everywhere_ends_every_session_of_the_user_only(make_user):
    sub = make_user()
    make_user("bo@example.com", display_name="Bo the Brave")
    laptop, phone, bo = signed_in_client(), signed_in_client(), signed_in_client("bo@example.com")
    # Signed in under the sub: moto revokes only tokens issued under the name that the
    # sign-out gives (Cognito revokes all of the user's, whichever alias signed in).
    refresh_token = cognito.password_auth(email=sub, password=PASSWORD)["RefreshToken"]
    assert refresh_works(refresh_token, username=sub)
    version_before = profiles.get_profile(sub=sub).auth_version

    response = laptop.post(EVERYWHERE)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert LOGGED_OUT_EVERYWHERE in laptop.get("/").content.decode()
    assert signed_in_as(laptop) is None
    assert signed_in_as(phone) is None
    assert signed_in_as(bo) == "Bo the Brave"
    assert websessions.web_session_keys(sub=sub) == []
    assert profiles.get_profile(sub=sub).auth_version == version_before + 1
    assert not refresh_works(refresh_token, username=sub)
    assert signed_in_client().get(EVERYWHERE).status_code == 200  # the password still logs in


def test_an_old_cookie_replayed_is_nobodys(make_user):
    make_user()
    client = signed_in_client()
    old_key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    client.post(EVERYWHERE)
    replay = Client()
    replay.cookies[django_settings.SESSION_COOKIE_NAME] = old_key
    assert signed_in_as(replay) is None


def test_web_sessions_end_even_when_cognito_cannot_sign_out(make_user, caplog):
    sub = make_user()
    client, phone = signed_in_client(), signed_in_client()
    with Stubber(aws_clients.client("cognito-idp")) as cognito_stub:
        cognito_stub.add_client_error("admin_user_global_sign_out", service_error_code="InternalErrorException")
        response = client.post(EVERYWHERE)
    assert response["Location"] == "/"
    assert signed_in_as(phone) is None
    assert websessions.web_session_keys(sub=sub) == []
    assert f"Cognito did not revoke the refresh tokens of user {sub}" in caplog.text


def test_it_needs_the_csrf_token(make_user):
    make_user()
    client = signed_in_client(enforce_csrf_checks=True)
    assert client.post(EVERYWHERE).status_code == 403
    assert signed_in_as(client) == "Ada the Bard"
    response = client.post(EVERYWHERE, {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert response.status_code == 302
    assert signed_in_as(client) is None


@pytest.mark.parametrize("method", ["put", "delete"])
def test_other_methods_are_refused(make_user, method):
    make_user()
    client = signed_in_client()
    assert getattr(client, method)(EVERYWHERE).status_code == 405
    assert signed_in_as(client) == "Ada the Bard"


def test_the_lambda_role_may_sign_users_out(make_user, aws_calls):
    make_user()
    client = signed_in_client()
    with aws_calls() as calls:
        client.post(EVERYWHERE)
    assert calls.count("cognito-idp") == 1
    assert "cognito-idp.AdminUserGlobalSignOut" in calls.operations()
    policy = json.loads((Path(__file__).resolve().parent.parent / "deploy" / "iam-policy.json").read_text())
    allowed = [statement["Action"] for statement in policy["Statement"]]
    assert any("cognito-idp:AdminUserGlobalSignOut" in actions for actions in allowed if isinstance(actions, list))
