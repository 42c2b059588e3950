"""/staff/users/<sub>/<action>/: staff confirm (GET) then take (POST) an action on a user;
each does what it says at once and writes one audit entry (who, what, on whom, when)."""

from types import SimpleNamespace

import pytest
from botocore.stub import Stubber
from django.template.loader import render_to_string
from django.test import Client

from accounts import cognito, profiles
from accounts.deletion import mark_account_deleting
from campaigns_site import audit, dynamodb
from campaigns_site import aws as aws_clients
from campaigns_site.table_keys import user_pk
from staff import user_actions
from staff.urls import UserActionConverter
from staff.user_action_views import user_page_url
from tests.cognito_tokens import refresh_works
from tests.conftest import PASSWORD
from tests.web_clients import log_in, login_url, post, signed_in

ACTIONS = ["make-staff", "remove-staff", "sign-out-everywhere", "disable", "enable", "delete"]
CHANGING_NOTHING_ON_GET = ["dynamodb.BatchGetItem", "cognito-idp.AdminGetUser", "dynamodb.GetItem"]


def url(sub, action):
    return f"/staff/users/{sub}/{action}/"


def admin():
    """ada@example.com (staff), with CSRF checks on: every POST carries the token."""
    client = signed_in("ada@example.com", enforce_csrf_checks=True)
    client.get("/")  # the login message is shown once
    return client


def can_open_staff_pages(client):
    return client.get("/staff/").status_code == 200


def is_signed_in(client):
    return client.get("/accounts/profile/").status_code == 200


def only_entry():
    (entry,) = audit.list_actions().items
    return entry


# --- who may: anonymous → log in, not staff → 403, staff → the page -------------------------
@pytest.mark.parametrize("action", ACTIONS)
def test_anonymous_is_sent_to_log_in_for_get_and_post(player, action):
    path = url(player, action)
    assert Client().get(path)["Location"] == login_url(path)
    assert Client().post(path)["Location"] == login_url(path)
    assert cognito.user_by_sub(sub=player)["enabled"]


@pytest.mark.parametrize("action", ACTIONS)
def test_a_user_who_is_not_staff_gets_our_403_for_get_and_post(staff, player, action):
    bo = signed_in("bo@example.com", enforce_csrf_checks=True)
    response = bo.get(url(staff, action))
    assert response.status_code == 403 and response.templates[0].name == "403.html"
    assert post(bo, url(staff, action)).status_code == 403
    assert audit.list_actions().items == []
    assert cognito.user_by_sub(sub=staff)["enabled"]


@pytest.mark.parametrize("action", ACTIONS)
def test_staff_get_a_page_that_names_the_user_and_what_will_happen(staff, player, action, aws_calls):
    client = admin()
    with aws_calls() as calls:
        response = client.get(url(player, action))
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["staff/user_action_confirm.html", "base.html"]
    assert calls.operations() == CHANGING_NOTHING_ON_GET
    html = response.content.decode()
    assert "bo@example.com?</h1>" in html and '<form method="post">' in html
    assert response["Cache-Control"].startswith("max-age=0")
    assert audit.list_actions().items == []  # asking changes nothing


@pytest.mark.parametrize("action", ACTIONS)
def test_a_post_without_the_csrf_token_is_refused(staff, player, action):
    response = admin().post(url(player, action))
    assert response.status_code == 403
    assert audit.list_actions().items == []
    assert cognito.user_by_sub(sub=player)["enabled"]


def test_the_urls_name_every_action_and_only_those():
    assert set(UserActionConverter.regex.split("|")) == set(user_actions.ACTIONS) <= set(audit.ACTIONS)


def test_other_methods_are_refused(staff, player):
    assert signed_in("ada@example.com").put(url(player, "disable")).status_code == 405


def test_an_unknown_user_or_action_is_404(staff, player):
    client = admin()
    for path in (
        url("no-such-sub", "disable"),
        url("a%23b", "disable"),  # "#" cannot be part of a key
        url("bo@example.com", "disable"),  # an email is not a sub, though Cognito would take it
        url(player, "promote"),
    ):
        assert client.get(path).status_code == 404, path
        assert post(client, path).status_code == 404, path
    assert audit.list_actions().items == []


def test_the_confirm_page_shows_no_user_text(staff, player, make_campaign, make_session):
    campaign = make_campaign(sub=player, name="Quetzalcorvid campaign")
    make_session(sub=player, campaign=campaign, title="Quetzalcorvid night", notes="Quetzalcorvid notes")
    client = admin()
    for action in ACTIONS:
        assert "Quetzalcorvid" not in client.get(url(player, action)).content.decode()


# --- each action does what it says, and is recorded ----------------------------------------
def act(client, sub, action):
    response = post(client, url(sub, action))
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def assert_recorded(action, *, staff_sub, target_sub, email):
    entry = only_entry()
    assert (entry.action, entry.by, entry.by_sub, entry.target_sub, entry.target_email, entry.outcome) == (
        action,
        "ada@example.com",
        staff_sub,
        target_sub,
        email,
        "done",
    )
    assert entry.at is not None


def test_disabling_costs_these_requests(staff, player, aws_calls):
    client = admin()
    with aws_calls() as calls:
        act(client, player, "disable")
    assert calls.operations() == [
        "dynamodb.BatchGetItem",  # the staff member's web session and profile
        "cognito-idp.AdminGetUser",  # the user, by sub
        "dynamodb.GetItem",  # their profile
        "cognito-idp.AdminDisableUser",
        "dynamodb.UpdateItem",  # auth_version + 1: every web session ends at its next request
        "dynamodb.Query",  # their web sessions' pointers
        "cognito-idp.AdminUserGlobalSignOut",  # their refresh tokens
        "dynamodb.UpdateItem",  # the directory's flag (the users' list shows it)
        "dynamodb.GetItem",  # the directory entry's list of recent actions (and its version)
        "dynamodb.TransactWriteItems",  # the audit entry, and the list with it
    ]


def test_make_staff_counts_from_the_user_s_next_request(staff, player):
    bo = signed_in("bo@example.com")
    assert not can_open_staff_pages(bo)
    client = admin()
    response = act(client, player, "make-staff")
    assert response["Location"] == user_page_url(player)
    assert "bo@example.com is staff from their next page." in client.get(response["Location"]).content.decode()
    assert can_open_staff_pages(bo)
    assert profiles.get_profile(sub=player).is_staff
    assert_recorded("make-staff", staff_sub=staff, target_sub=player, email="bo@example.com")


def test_remove_staff_takes_effect_at_the_user_s_next_request(staff, make_user):
    other = make_user("cy@example.com", staff=True)
    cy = signed_in("cy@example.com")
    assert can_open_staff_pages(cy)
    act(admin(), other, "remove-staff")
    assert cy.get("/staff/").status_code == 403  # the same session, no new login
    assert signed_in("cy@example.com").get("/staff/").status_code == 403  # nor the next login
    assert_recorded("remove-staff", staff_sub=staff, target_sub=other, email="cy@example.com")


def test_sign_out_everywhere_ends_every_session_and_the_refresh_tokens(staff, player):
    laptop, phone = signed_in("bo@example.com"), signed_in("bo@example.com")
    # Signed in under the sub: moto revokes only the tokens issued under the name the
    # sign-out gives (Cognito revokes all of the user's), as in test_logout_everywhere_view.
    refresh = cognito.password_auth(email=player, password=PASSWORD)["RefreshToken"]
    assert refresh_works(refresh, username=player)
    act(admin(), player, "sign-out-everywhere")
    assert not is_signed_in(laptop) and not is_signed_in(phone)
    assert not refresh_works(refresh, username=player)
    assert is_signed_in(signed_in("bo@example.com"))  # they may sign in again
    assert_recorded("sign-out-everywhere", staff_sub=staff, target_sub=player, email="bo@example.com")


def test_disable_signs_out_at_once_and_refuses_sign_in_with_a_clear_message(staff, player):
    bo = signed_in("bo@example.com")
    act(admin(), player, "disable")
    assert not is_signed_in(bo)
    assert cognito.user_by_sub(sub=player)["enabled"] is False
    response = log_in(Client(), "bo@example.com", PASSWORD)
    assert response.status_code == 200
    assert "Sign-in is turned off for this account." in response.content.decode()
    assert_recorded("disable", staff_sub=staff, target_sub=player, email="bo@example.com")


def test_enable_restores_sign_in(staff, player):
    client = admin()
    act(client, player, "disable")
    act(client, player, "enable")
    assert cognito.user_by_sub(sub=player)["enabled"] is True
    assert log_in(Client(), "bo@example.com", PASSWORD).status_code == 302
    assert [entry.action for entry in audit.list_actions().items] == ["enable", "disable"]


def test_delete_removes_the_account_and_is_recorded(staff, player, make_campaign):
    make_campaign(sub=player)
    bo = signed_in("bo@example.com")
    client = admin()
    audit.record_action(by="ada@example.com", action="make-staff", target_sub=player, target_email="bo@example.com")
    response = act(client, player, "delete")
    assert response["Location"] in ("/staff/users/", "/staff/audit/")
    assert cognito.user_by_sub(sub=player) is None
    assert [item for page in dynamodb.query_pages(user_pk(player)) for item in page] == []
    assert not is_signed_in(bo)
    entry, earlier = audit.list_actions().items
    # The trail stays whole by sub; the deleted person's address is kept nowhere.
    assert (entry.action, entry.target_sub, entry.target_email, entry.outcome) == ("delete", player, "", "done")
    assert (earlier.action, earlier.target_sub, earlier.target_email) == ("make-staff", player, "")
    assert "2 items (CAMPAIGN 1, USAGE 1)" in entry.detail and "1 Cognito user" in entry.detail
    assert client.get(url(player, "delete")).status_code == 404  # nothing left to act on


def test_an_unfinished_deletion_can_be_finished_from_the_page(staff, player):
    mark_account_deleting(sub=player)
    aws_clients.client("cognito-idp").admin_delete_user(
        UserPoolId=cognito.settings.COGNITO_USER_POOL_ID, Username=player
    )
    client = admin()
    assert client.get(url(player, "disable")).status_code == 404  # no Cognito user to disable
    page = client.get(url(player, "delete")).content.decode()
    assert "bo@example.com?</h1>" in page and "no Cognito user any more" in page
    act(client, player, "delete")
    assert profiles.get_profile(sub=player) is None
    assert only_entry().outcome == "done"


# --- refused and failed ------------------------------------------------------------------
@pytest.mark.parametrize("action", ["remove-staff", "disable", "delete"])
def test_staff_cannot_demote_disable_or_delete_themselves(staff, action):
    client = admin()
    page = client.get(url(staff, action)).content.decode()
    assert "You cannot" in page and '<form method="post">' not in page
    response = act(client, staff, action)
    assert "You cannot" in client.get(response["Location"]).content.decode()
    assert can_open_staff_pages(client)
    assert cognito.user_by_sub(sub=staff)["enabled"]
    assert audit.list_actions().items == []


def test_a_cognito_failure_is_recorded_as_failed_and_said(staff, player):
    client = admin()
    with Stubber(aws_clients.client("cognito-idp")) as cognito_stub:
        cognito_stub.add_response(
            "admin_get_user",
            {
                "Username": player,
                "UserAttributes": [{"Name": "sub", "Value": player}, {"Name": "email", "Value": "bo@example.com"}],
                "Enabled": True,
                "UserStatus": "CONFIRMED",
            },
        )
        cognito_stub.add_client_error("admin_disable_user", service_error_code="InternalErrorException")
        response = act(client, player, "disable")
    assert (
        "Disable sign-in did not finish (InternalErrorException)" in client.get(response["Location"]).content.decode()
    )
    entry = only_entry()
    assert (entry.action, entry.outcome, entry.reason) == ("disable", "failed", "InternalErrorException")
    assert cognito.user_by_sub(sub=player)["enabled"]


# --- the user page's buttons (templates/staff/_user_actions.html) ----------------------------
@pytest.mark.parametrize(
    ("is_staff", "disabled", "shown", "hidden"),
    [
        (False, False, ["make-staff", "disable"], ["remove-staff", "enable"]),
        (True, True, ["remove-staff", "enable"], ["make-staff", "disable"]),
    ],
)
def test_the_user_page_links_each_action_to_its_confirm_page(is_staff, disabled, shown, hidden):
    entry = SimpleNamespace(is_staff=is_staff, sign_in_disabled=disabled)
    html = render_to_string("staff/_user_actions.html", {"entry": entry, "sub": "s-1"})
    for action in [*shown, "sign-out-everywhere", "delete"]:
        assert f'href="{url("s-1", action)}"' in html, action
    for action in hidden:
        assert url("s-1", action) not in html, action
    assert "<form" not in html  # links only: each confirm page has the one form


def test_a_confirm_page_says_when_the_action_would_change_nothing(staff, player):
    client = admin()
    assert "Already so" in client.get(url(player, "enable")).content.decode()  # enabled already
    assert "Already so" in client.get(url(player, "remove-staff")).content.decode()  # not staff
    assert "Already so" not in client.get(url(player, "disable")).content.decode()
    assert "Already so" not in client.get(url(player, "make-staff")).content.decode()
