"""Change password while signed in: this session stays, every other one ends."""

import pytest
from botocore.stub import ANY, Stubber
from django.test import Client
from django.urls import reverse

from accounts import cognito, profiles, websessions
from accounts.forms import password_help_text
from accounts.password_views import PASSWORD_CHANGED
from accounts.session_store import sub_of_session_key
from campaigns_site import aws as aws_clients
from tests.conftest import PASSWORD
from tests.web_clients import log_in, session_key

CHANGE = "/accounts/password/change/"
LOGIN = "/accounts/login/"
NEW_PASSWORD = "new dragon hoard 7"


def signed_in_client(email="ada@example.com", **client_options):
    client = Client(**client_options)
    if client_options.get("enforce_csrf_checks"):
        client.get(LOGIN)
        response = client.post(
            LOGIN, {"login": email, "password": PASSWORD, "csrfmiddlewaretoken": client.cookies["csrftoken"].value}
        )
    else:
        response = log_in(client, email=email)
    assert response.status_code == 302
    return client


def signed_in_as(client):
    """The display name of the client's user on its next request, or None if anonymous."""
    response = client.get(CHANGE)
    return response.context["user"].display_name if response.status_code == 200 else None


def change(client, old=PASSWORD, new=NEW_PASSWORD, again=None, **extra):
    return client.post(CHANGE, {"old_password": old, "new_password1": new, "new_password2": again or new, **extra})


def test_anonymous_visitors_are_sent_to_log_in(aws, db, aws_calls):
    assert Client().get(CHANGE)["Location"] == f"{LOGIN}?next={CHANGE}"
    with aws_calls() as calls:
        response = change(Client())
    assert response["Location"] == f"{LOGIN}?next={CHANGE}"
    assert calls.count("cognito-idp") == 0


def test_the_page_asks_for_current_and_new_password_with_the_pool_policy(make_user):
    make_user()
    response = signed_in_client().get(CHANGE)
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["account/password_change.html", "base.html"]
    assert list(response.context["form"].fields) == ["old_password", "new_password1", "new_password2"]
    html = response.content.decode()
    assert '<h1 id="page-title">Change your password</h1>' in html
    assert password_help_text() in html
    assert 'autocomplete="current-password"' in html
    assert 'href="/accounts/password/reset/?email=ada%40example.com"' in html


def test_changing_keeps_this_session_and_ends_the_others(make_user):
    sub = make_user()
    this_laptop, phone = signed_in_client(), signed_in_client()
    old_key = session_key(this_laptop)
    version_before = profiles.get_profile(sub=sub).auth_version

    response = change(this_laptop)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_profile")
    assert PASSWORD_CHANGED in this_laptop.get(response["Location"]).content.decode()
    assert profiles.get_profile(sub=sub).auth_version == version_before + 1
    assert signed_in_as(this_laptop) == "Ada the Bard"
    assert signed_in_as(phone) is None
    # This session moved to a new key (as Django's update_session_auth_hash does); the
    # other one is gone from the table, not only refused.
    new_key = session_key(this_laptop)
    assert new_key != old_key and sub_of_session_key(new_key) == sub
    assert websessions.web_session_keys(sub=sub) == [new_key]
    # The new password is the one that works.
    assert log_in(Client()).status_code == 200
    assert log_in(Client(), password=NEW_PASSWORD).status_code == 302


def test_another_users_sessions_are_left_alone(make_user):
    make_user()
    make_user("bo@example.com", display_name="Bo the Brave")
    ada, bo = signed_in_client(), signed_in_client("bo@example.com")
    change(bo)
    assert signed_in_as(ada) == "Ada the Bard"
    assert signed_in_as(bo) == "Bo the Brave"
    assert log_in(Client()).status_code == 302  # Ada's password is hers still


def test_a_wrong_current_password_is_a_field_error(make_user):
    make_user()
    client, phone = signed_in_client(), signed_in_client()
    response = change(client, old="not it at all 1")
    assert response.status_code == 200
    assert response.context["form"].errors["old_password"] == ["That is not your current password."]
    assert signed_in_as(phone) == "Ada the Bard"  # nothing ended
    assert log_in(Client()).status_code == 302


def test_a_weak_new_password_is_refused_by_the_pool_policy(make_user, aws_calls):
    make_user()
    client = signed_in_client()
    with aws_calls() as calls:
        response = change(client, new="nonumbershere")
    assert response.status_code == 200
    assert response.context["form"].errors["new_password1"] == ["Add a number."]
    # The policy was checked here first (DescribeUserPool, once per process), not by Cognito.
    assert calls.count("cognito-idp", "InitiateAuth") == calls.count("cognito-idp", "ChangePassword") == 0
    assert signed_in_as(client) == "Ada the Bard"
    assert log_in(Client()).status_code == 302


def test_the_two_new_passwords_must_match_before_cognito_is_asked(make_user, aws_calls):
    make_user()
    client = signed_in_client()
    password_help_text()  # the pool's policy, read once per process
    with aws_calls() as calls:
        response = change(client, again="something else 9")
    assert response.context["form"].errors["new_password2"] == ["The two passwords differ."]
    assert calls.count("cognito-idp") == 0


def test_a_locked_out_user_is_told_so(make_user):
    make_user()
    client = signed_in_client()
    password_help_text()
    with Stubber(aws_clients.client("cognito-idp")) as cognito_stub:
        cognito_stub.add_client_error(
            "initiate_auth", service_error_code="NotAuthorizedException", service_message="Password attempts exceeded"
        )
        response = change(client)
    assert "This account is locked for a while" in response.context["form"].non_field_errors()[0]


@pytest.mark.parametrize(
    ("cognito_error", "message"),
    [
        ("LimitExceededException", "Too many attempts. Please wait a few minutes and try again."),
        ("TooManyRequestsException", "Too many attempts. Please wait a few minutes and try again."),
        ("InternalErrorException", "The sign-in service could not do that just now. Please try again."),
    ],
)
def test_cognito_refusing_the_change_changes_nothing(make_user, cognito_error, message):
    sub = make_user()
    client, phone = signed_in_client(), signed_in_client()
    password_help_text()
    tokens = cognito.password_auth(email="ada@example.com", password=PASSWORD)  # real, verifiable tokens
    version_before = profiles.get_profile(sub=sub).auth_version
    with Stubber(aws_clients.client("cognito-idp")) as cognito_stub:  # moto cannot refuse ChangePassword so
        cognito_stub.add_response("initiate_auth", {"AuthenticationResult": tokens})
        cognito_stub.add_client_error(
            "change_password",
            service_error_code=cognito_error,
            expected_params={
                "AccessToken": tokens["AccessToken"],
                "PreviousPassword": PASSWORD,
                "ProposedPassword": ANY,
            },
        )
        response = change(client)
        cognito_stub.assert_no_pending_responses()
    assert response.context["form"].non_field_errors() == [message]
    assert profiles.get_profile(sub=sub).auth_version == version_before
    assert signed_in_as(phone) == "Ada the Bard"


def test_the_change_needs_the_csrf_token(make_user):
    make_user()
    client = signed_in_client(enforce_csrf_checks=True)
    assert change(client).status_code == 403
    assert log_in(Client()).status_code == 302  # unchanged
    response = change(client, csrfmiddlewaretoken=client.cookies["csrftoken"].value)
    assert response.status_code == 302
    assert log_in(Client(), password=NEW_PASSWORD).status_code == 302


def test_attempts_are_rate_limited_per_user(make_user, settings, aws_calls):
    make_user()
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "change_password": "2/m/user"}
    client = signed_in_client()
    for _ in range(2):
        change(client, old="not it at all 1")
    with aws_calls() as calls:
        response = change(client)
    assert response.status_code == 429
    assert calls.count("cognito-idp") == 0


def test_other_methods_are_refused(make_user):
    make_user()
    assert signed_in_client().put(CHANGE).status_code == 405
