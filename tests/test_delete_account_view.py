""" "Delete my account": password again, an explicit tick, then the resumable cascade."""

import io

import pytest
from botocore.stub import Stubber
from django.core.management import call_command
from django.test import Client

from accounts import deletion
from accounts.deletion import is_being_deleted
from accounts.profile_views import DELETION_NOT_STARTED, DELETION_UNFINISHED, GOODBYE
from accounts.profiles import get_profile
from campaigns_site import aws as aws_clients
from tests.account_data import assert_all_gone, assert_intact, make_account, partition
from tests.conftest import PASSWORD
from tests.web_clients import csrf_token

DELETE = "/accounts/delete/"
CONFIRMED = {"password": PASSWORD, "confirm": "on"}


def signed_in(email, **client_options):
    client = Client(**client_options)
    token = csrf_token(client.get("/accounts/login/").content.decode())
    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 302, "the login failed"
    client.get("/")  # the login message is shown once
    return client


def is_signed_in(client):
    return "Welcome back" in client.get("/").content.decode()


def snapshot(account):
    """What must stay as it is: taken after the logins, which add web sessions."""
    account["partition"] = partition(account["sub"])
    return account


@pytest.fixture
def signed_in_gm(aws, db):
    account = make_account("gm@example.com", campaigns=2, objects=3)
    account["client"] = signed_in("gm@example.com")
    return snapshot(account)


@pytest.fixture
def signed_in_player(aws, db):
    account = make_account("player@example.com", campaigns=1, objects=1)
    account["client"] = signed_in("player@example.com")
    return snapshot(account)


def test_anonymous_is_sent_to_log_in_and_nothing_changes(signed_in_gm):
    for response in (Client().get(DELETE), Client().post(DELETE, CONFIRMED)):
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=/accounts/delete/"
    assert_intact(signed_in_gm)


def test_the_page_says_what_goes_and_asks_for_password_and_tick(signed_in_gm):
    response = signed_in_gm["client"].get(DELETE)
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["account/delete.html", "base.html"]
    html = response.content.decode()
    for what in (
        "campaigns",
        "play sessions",
        "transcript",
        "summaries",
        "share links",
        "sign-ins",
        "your login itself (gm@example.com)",
    ):
        assert what in html
    assert 'type="password" name="password"' in html and 'autocomplete="current-password"' in html
    assert 'type="checkbox" name="confirm"' in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_owner_deletes_everything_and_is_logged_out_with_a_goodbye(signed_in_gm, signed_in_player, aws_calls):
    with aws_calls() as calls:
        response = signed_in_gm["client"].post(DELETE, CONFIRMED)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert calls.count("cognito-idp", "InitiateAuth") == 1  # the password, checked by Cognito
    assert calls.count("dynamodb", "Scan") == 0

    home = signed_in_gm["client"].get("/").content.decode()
    assert GOODBYE in home
    assert "Every session, remembered." in home  # the page for visitors: nobody is signed in
    assert_all_gone(signed_in_gm)
    assert_intact(signed_in_player)
    assert is_signed_in(signed_in_player["client"])


def test_the_deleted_users_cached_row_is_gone(signed_in_gm, signed_in_player):
    from accounts.models import User

    assert User.objects.filter(sub=signed_in_gm["sub"]).exists()  # the login cached it
    signed_in_gm["client"].post(DELETE, CONFIRMED)
    assert not User.objects.filter(sub=signed_in_gm["sub"]).exists()
    assert not User.objects.filter(email="gm@example.com").exists()
    assert User.objects.filter(sub=signed_in_player["sub"]).exists()


def test_another_containers_row_goes_at_the_accounts_next_request(signed_in_gm):
    from accounts.models import User

    # Being deleted from elsewhere (another container, or the command): this container's
    # row goes at the session's next request, which finds the profile marked.
    deletion.mark_account_deleting(sub=signed_in_gm["sub"])
    assert User.objects.filter(sub=signed_in_gm["sub"]).exists()
    assert not is_signed_in(signed_in_gm["client"])
    assert not User.objects.filter(sub=signed_in_gm["sub"]).exists()


def test_the_deleted_login_no_longer_works(signed_in_gm):
    signed_in_gm["client"].post(DELETE, CONFIRMED)
    response = Client().post("/accounts/login/", {"login": "gm@example.com", "password": PASSWORD})
    assert response.status_code == 200
    assert "That email and password do not match." in response.content.decode()


def test_a_wrong_password_changes_nothing(signed_in_gm, aws_calls):
    with aws_calls() as calls:
        response = signed_in_gm["client"].post(DELETE, {**CONFIRMED, "password": "not it at all 1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "That password is not right. Nothing was deleted." in html
    assert "not it at all 1" not in html  # a password field is never filled back in
    assert calls.count("dynamodb", "UpdateItem") == 0  # not even marked
    assert_intact(signed_in_gm)
    assert is_signed_in(signed_in_gm["client"])


def test_without_the_tick_cognito_is_not_even_asked(signed_in_gm, aws_calls):
    with aws_calls() as calls:
        response = signed_in_gm["client"].post(DELETE, {"password": PASSWORD})
    assert response.status_code == 200
    assert "Tick the box to confirm that you want to delete everything." in response.content.decode()
    assert calls.count("cognito-idp") == 0
    assert_intact(signed_in_gm)


def test_a_locked_out_account_is_told_so(signed_in_gm):
    with Stubber(aws_clients.client("cognito-idp")) as cognito_stub:
        cognito_stub.add_client_error(
            "initiate_auth", service_error_code="NotAuthorizedException", service_message="Password attempts exceeded"
        )
        response = signed_in_gm["client"].post(DELETE, CONFIRMED)
    assert response.status_code == 200
    assert "This account is locked for a while" in response.content.decode()
    assert_intact(signed_in_gm)


def test_a_post_needs_the_csrf_token(signed_in_gm):
    client = signed_in("gm@example.com", enforce_csrf_checks=True)
    signed_in_gm["partition"] = partition(signed_in_gm["sub"])  # this login added a web session
    assert client.post(DELETE, CONFIRMED).status_code == 403
    assert_intact(signed_in_gm)

    token = csrf_token(client.get(DELETE).content.decode())
    assert client.post(DELETE, {**CONFIRMED, "csrfmiddlewaretoken": token})["Location"] == "/"
    assert_all_gone(signed_in_gm)


def test_another_user_can_only_delete_their_own_account(signed_in_gm, signed_in_player):
    # Extra fields naming the owner are ignored: the view knows only request.user.
    response = signed_in_player["client"].post(
        DELETE, {**CONFIRMED, "sub": signed_in_gm["sub"], "email": "gm@example.com"}
    )
    assert response["Location"] == "/"
    # Whatever the request named, the signed-in user's account went, and only that one.
    assert_all_gone(signed_in_player)
    assert_intact(signed_in_gm)
    assert is_signed_in(signed_in_gm["client"])


class Interrupted(Exception):
    pass


@pytest.mark.parametrize(
    ("step", "login_refusal"),
    [
        ("sign_out_everywhere", "This account is being deleted."),  # before the web sessions went
        ("delete_transcripts", "This account is being deleted."),
        ("delete_profile", "That email and password do not match."),  # the Cognito user is gone already
    ],
)
def test_an_interrupted_deletion_logs_out_refuses_login_and_the_command_finishes_it(
    signed_in_gm, signed_in_player, monkeypatch, step, login_refusal
):
    def step_fails(**kwargs):
        raise Interrupted(f"{step}: AWS went away")

    monkeypatch.setattr(deletion, step, step_fails)
    response = signed_in_gm["client"].post(DELETE, CONFIRMED)

    assert response.status_code == 302 and response["Location"] == "/"
    home = signed_in_gm["client"].get("/").content.decode()
    assert DELETION_UNFINISHED in home
    assert "Every session, remembered." in home  # logged out
    assert is_being_deleted(get_profile(sub=signed_in_gm["sub"]))
    login = Client().post("/accounts/login/", {"login": "gm@example.com", "password": PASSWORD})
    assert login_refusal in login.content.decode()
    assert not is_signed_in(signed_in_gm["client"])

    monkeypatch.undo()
    call_command("delete_account", signed_in_gm["sub"], "--yes", stdout=io.StringIO())
    assert_all_gone(signed_in_gm)
    assert_intact(signed_in_player)


def test_when_even_the_mark_fails_nothing_changes_and_the_user_stays(signed_in_gm, monkeypatch):
    def table_unreachable(**kwargs):
        raise Interrupted("DynamoDB went away")

    monkeypatch.setattr(deletion, "mark_account_deleting", table_unreachable)
    response = signed_in_gm["client"].post(DELETE, CONFIRMED)
    assert response["Location"] == DELETE
    assert DELETION_NOT_STARTED in signed_in_gm["client"].get(DELETE).content.decode()
    assert_intact(signed_in_gm)
    assert is_signed_in(signed_in_gm["client"])
