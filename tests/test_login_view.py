"""Log in and log out: allauth's views with our Cognito-backed form."""

import pytest
from botocore.stub import Stubber
from django.conf import settings as django_settings
from django.test import Client

from accounts import cognito
from accounts.models import User
from accounts.session_store import SessionStore, sub_of_session_key
from campaigns_site import aws as aws_clients
from tests.conftest import PASSWORD
from tests.web_clients import log_in, session_key

LOGIN = "/accounts/login/"
LOGOUT = "/accounts/logout/"


def raw_item(pk, sk):
    response = aws_clients.client("dynamodb").get_item(
        TableName=django_settings.DYNAMODB_TABLE, Key={"PK": {"S": pk}, "SK": {"S": sk}}
    )
    return response.get("Item")


def test_login_page_uses_the_site_layout(client, db):
    response = client.get(LOGIN + "?email=ada@example.com")
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["account/login.html", "base.html"]
    html = response.content.decode()
    assert '<h1 id="page-title">Log in</h1>' in html
    assert 'value="ada@example.com"' in html  # prefilled after confirming a sign-up
    assert 'href="/accounts/signup/"' in html
    assert '<a href="/accounts/password/reset/">Forgot password?</a>' in html  # ours, on Cognito


def test_login_signs_in_and_redirects_home(make_user):
    sub = make_user()
    client = Client()
    response = log_in(client)
    assert response.status_code == 302
    assert response["Location"] == "/campaigns/"
    html = client.get("/").content.decode()
    assert "Welcome back, Ada the Bard" in html
    assert "Successfully signed in as Ada the Bard." in html
    assert User.objects.get(pk=sub).last_login is not None


def test_login_gives_a_new_key_that_carries_the_sub_and_a_pointer(make_user):
    sub = make_user()
    client = Client()
    session = client.session  # an anonymous session from before the login
    session["visited"] = True
    session.save()
    anonymous_key = session.session_key

    log_in(client)

    key = session_key(client)
    assert key != anonymous_key
    assert sub_of_session_key(key) == sub
    assert raw_item(f"WEBSESSION#{anonymous_key}", "WEBSESSION") is None  # no fixation
    session_item = raw_item(f"WEBSESSION#{key}", "WEBSESSION")
    pointer = raw_item(f"USER#{sub}", f"WEBSESSION#{key}")
    assert pointer["entity"] == {"S": "WebSessionPointer"}
    assert pointer["ttl"] == session_item["ttl"]


def test_signed_in_page_costs_one_batch_get(make_user, aws_calls):
    make_user()
    client = Client()
    log_in(client)
    client.get("/")  # the welcome message is shown (and its cookie cleared) once
    with aws_calls() as calls:
        response = client.get("/")
    assert "Welcome back" in response.content.decode()
    assert calls.operations() == ["dynamodb.BatchGetItem"]
    assert calls.count("dynamodb", "Scan") == 0


def test_a_fresh_container_knows_the_user_from_dynamodb(make_user, aws_calls):
    make_user()
    client = Client()
    log_in(client)
    User.objects.all().delete()  # what a new Lambda container has: an empty ORM cache
    with aws_calls() as calls:
        html = client.get("/").content.decode()
    assert "Welcome back, Ada the Bard" in html
    assert calls.operations() == ["dynamodb.BatchGetItem"]


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [("/health/", "/health/"), ("https://evil.example/", "/campaigns/"), ("//evil.example/", "/campaigns/")],
)
def test_next_is_honoured_only_on_this_site(make_user, next_url, expected):
    make_user()
    response = log_in(Client(), next=next_url)
    assert response.status_code == 302
    assert response["Location"] == expected


@pytest.mark.parametrize("email", ["ada@example.com", "nobody@example.com"])
def test_wrong_password_or_unknown_email_read_the_same(make_user, email):
    make_user()
    client = Client()
    response = log_in(client, email=email, password="not it at all 1")
    assert response.status_code == 200
    html = response.content.decode()
    assert "That email and password do not match." in html
    assert "Welcome back" not in client.get("/").content.decode()


def test_email_case_does_not_matter(make_user):
    make_user()
    assert log_in(Client(), email="Ada@Example.COM").status_code == 302


def test_unconfirmed_user_is_sent_to_the_confirm_page(aws, db):
    cognito.sign_up(email="new+player@example.com", password=PASSWORD)
    response = log_in(Client(), email="new+player@example.com")
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        'Please confirm your email address first: <a href="/accounts/confirm/?email=new%2Bplayer%40example.com">'
        "enter the code we sent you</a>." in html
    )


def test_locked_out_user_is_told_so(make_user):
    make_user()
    with Stubber(aws_clients.client("cognito-idp")) as cognito_stub:
        cognito_stub.add_client_error(
            "initiate_auth", service_error_code="NotAuthorizedException", service_message="Password attempts exceeded"
        )
        response = log_in(Client())
    assert "This account is locked for a while" in response.content.decode()


def test_failed_logins_are_rate_limited_before_cognito_is_asked(make_user, aws_calls):
    make_user()
    client = Client()
    for _ in range(5):
        log_in(client, password="not it at all 1")
    with aws_calls() as calls:
        response = log_in(client)  # even the right password
    assert "Too many failed login attempts" in response.content.decode()
    assert calls.count("cognito-idp") == 0


def test_signed_in_user_visiting_login_goes_home(make_user):
    make_user()
    client = Client()
    log_in(client)
    assert client.get(LOGIN)["Location"] == "/campaigns/"


def test_login_needs_the_csrf_token(make_user):
    make_user()
    client = Client(enforce_csrf_checks=True)
    assert log_in(client).status_code == 403
    client.get(LOGIN)
    token = client.cookies["csrftoken"].value
    assert log_in(client, csrfmiddlewaretoken=token).status_code == 302


def test_logout_deletes_the_session_and_its_pointer(make_user):
    sub = make_user()
    client = Client()
    log_in(client)
    key = session_key(client)

    response = client.post(LOGOUT)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert raw_item(f"WEBSESSION#{key}", "WEBSESSION") is None
    assert raw_item(f"USER#{sub}", f"WEBSESSION#{key}") is None
    html = client.get("/").content.decode()
    assert "You have signed out." in html
    assert "Welcome back" not in html
    # The old cookie, replayed, is nobody's.
    replay = Client()
    replay.cookies[django_settings.SESSION_COOKIE_NAME] = key
    assert "Welcome back" not in replay.get("/").content.decode()


def test_logout_by_get_only_asks(make_user):
    make_user()
    client = Client()
    log_in(client)
    response = client.get(LOGOUT)
    assert response.status_code == 200
    assert '<form method="post" action="/accounts/logout/">' in response.content.decode()
    assert "Welcome back" in client.get("/").content.decode()


def test_logout_needs_the_csrf_token(make_user):
    make_user()
    client = Client(enforce_csrf_checks=True)
    client.get(LOGIN)
    log_in(client, csrfmiddlewaretoken=client.cookies["csrftoken"].value)
    assert client.post(LOGOUT).status_code == 403
    assert "Welcome back" in client.get("/").content.decode()
    token = client.cookies["csrftoken"].value
    assert client.post(LOGOUT, {"csrfmiddlewaretoken": token}).status_code == 302
    assert "Welcome back" not in client.get("/").content.decode()


def test_two_users_sessions_stay_apart(make_user):
    ada, bo = make_user(), make_user("bo@example.com", display_name="Bo the Brave")
    ada_client, bo_client = Client(), Client()
    log_in(ada_client)
    log_in(bo_client, email="bo@example.com")
    assert "Welcome back, Ada the Bard" in ada_client.get("/").content.decode()
    assert "Welcome back, Bo the Brave" in bo_client.get("/").content.decode()
    assert SessionStore(session_key(bo_client))["_auth_user_id"] == bo
    bo_client.post(LOGOUT)
    assert "Welcome back, Ada the Bard" in ada_client.get("/").content.decode()
    assert ada != bo
