"""CognitoBackend: Cognito checks the password, the DynamoDB profile is the user."""

from datetime import UTC, datetime

import pytest
from django.test import Client

from accounts import cognito, profiles
from accounts.backends import CognitoBackend
from accounts.cognito import CognitoError
from accounts.items import Profile
from accounts.models import User
from campaigns_site import aws as aws_clients
from campaigns_site.table import PROFILE_SK, user_pk
from tests.conftest import PASSWORD


def test_authenticate_returns_the_user_keyed_by_sub(make_user):
    sub = make_user()
    user = CognitoBackend().authenticate(None, email="ada@example.com", password=PASSWORD)
    assert (user.pk, user.email, user.display_name, user.is_staff) == (sub, "ada@example.com", "Ada the Bard", False)
    assert not user.has_usable_password()  # the password lives in Cognito only


def test_authenticate_ignores_other_credentials(make_user):
    make_user()
    assert CognitoBackend().authenticate(None, username="ada@example.com", password=PASSWORD) is None
    assert CognitoBackend().authenticate(None, email="ada@example.com") is None


@pytest.mark.parametrize(
    ("email", "password"), [("ada@example.com", "not it at all 1"), ("nobody@example.com", PASSWORD)]
)
def test_wrong_credentials_are_nobody(make_user, email, password):
    make_user()
    assert CognitoBackend().authenticate(None, email=email, password=password) is None


def test_other_cognito_refusals_reach_the_caller_as_a_message(aws, db):
    cognito.sign_up(email="bo@example.com", password=PASSWORD)  # not confirmed
    with pytest.raises(CognitoError) as error:
        CognitoBackend().authenticate(None, email="bo@example.com", password=PASSWORD)
    assert error.value.code == "UserNotConfirmedException"


def test_a_user_made_in_cognito_alone_gets_a_profile_at_first_login(aws, db):
    # e.g. created by an operator, or a sign-up whose profile write failed
    sub = cognito.sign_up(email="bo@example.com", password=PASSWORD, display_name="Bo")
    cognito.confirm_sign_up(email="bo@example.com", code="1")
    assert profiles.get_profile(sub=sub) is None

    user = CognitoBackend().authenticate(None, email="bo@example.com", password=PASSWORD)

    profile = profiles.get_profile(sub=sub)
    # (The display name comes from the token's `name` claim, which moto's tokens leave out.)
    assert (profile.email, profile.auth_version, profile.is_staff) == ("bo@example.com", 1, False)
    assert user.pk == sub


def test_staff_comes_from_the_cognito_group_at_login(make_user):
    sub = make_user(staff=True)
    user = CognitoBackend().authenticate(None, email="ada@example.com", password=PASSWORD)
    assert user.is_staff
    assert profiles.get_profile(sub=sub).is_staff

    aws_clients.client("cognito-idp").admin_remove_user_from_group(
        UserPoolId=cognito.settings.COGNITO_USER_POOL_ID, Username="ada@example.com", GroupName="staff"
    )
    user = CognitoBackend().authenticate(None, email="ada@example.com", password=PASSWORD)
    assert not user.is_staff
    assert not profiles.get_profile(sub=sub).is_staff


def test_email_comes_from_the_verified_token(make_user):
    sub = make_user()
    Profile(user_pk(sub), PROFILE_SK).update(actions=[Profile.email.set("old@example.com")])
    CognitoBackend().authenticate(None, email="ada@example.com", password=PASSWORD)
    assert profiles.get_profile(sub=sub).email == "ada@example.com"


def test_an_id_token_that_does_not_verify_is_refused(make_user, settings, monkeypatch):
    make_user()
    from accounts import services

    real_password_auth = cognito.password_auth

    def token_for_another_app_client(**credentials):
        result = real_password_auth(**credentials)
        settings.COGNITO_APP_CLIENT_ID = "another-app-client"  # the token's audience no longer matches
        return result

    monkeypatch.setattr(services.cognito, "password_auth", token_for_another_app_client)
    with pytest.raises(CognitoError) as error:
        CognitoBackend().authenticate(None, email="ada@example.com", password=PASSWORD)
    assert error.value.code == "InvalidToken"
    assert error.value.message == services.UNAVAILABLE


def test_get_user_builds_the_row_a_fresh_container_lacks(make_user):
    sub = make_user()
    User.objects.all().delete()  # a new container: empty ORM cache
    user = CognitoBackend().get_user(sub)
    assert (user.pk, user.email, user.display_name) == (sub, "ada@example.com", "Ada the Bard")
    assert User.objects.get(pk=sub).display_name == "Ada the Bard"


def test_get_user_refreshes_the_row_from_the_profile(make_user):
    sub = make_user()
    Profile(user_pk(sub), PROFILE_SK).update(
        actions=[Profile.display_name.set("Ada the Sage"), Profile.is_staff.set(True)]
    )
    profiles.bump_auth_version(sub=sub)
    user = CognitoBackend().get_user(sub)
    assert (user.display_name, user.is_staff, user.auth_version) == ("Ada the Sage", True, 2)
    assert User.objects.get(pk=sub).auth_version == 2


def test_get_user_without_a_profile_is_nobody(aws, db):
    assert CognitoBackend().get_user("no-such-sub") is None


def test_get_user_refuses_an_account_being_deleted(make_user):
    sub = make_user()
    Profile(user_pk(sub), PROFILE_SK).update(actions=[Profile.deleting_since.set(datetime.now(UTC))])
    assert CognitoBackend().get_user(sub) is None


def test_get_user_takes_the_profile_loaded_with_the_session(make_user, aws_calls):
    sub = make_user()
    profiles.hand_over_profile(sub=sub, profile=profiles.get_profile(sub=sub))
    with aws_calls() as calls:
        assert CognitoBackend().get_user(sub).pk == sub
    assert calls.operations() == []
    # One-shot: the next lookup reads the table.
    with aws_calls() as calls:
        assert CognitoBackend().get_user(sub).pk == sub
    assert calls.operations() == ["dynamodb.GetItem"]


def test_a_handed_over_absence_means_the_profile_is_gone(make_user, aws_calls):
    sub = make_user()
    profiles.hand_over_profile(sub=sub, profile=None)
    with aws_calls() as calls:
        assert CognitoBackend().get_user(sub) is None
    assert calls.operations() == []


def test_a_profile_handed_over_for_another_sub_is_not_used(make_user, aws_calls):
    ada, bo = make_user(), make_user("bo@example.com", display_name="Bo")
    profiles.hand_over_profile(sub=bo, profile=profiles.get_profile(sub=bo))
    with aws_calls() as calls:
        assert CognitoBackend().get_user(ada).display_name == "Ada the Bard"
    assert calls.operations() == ["dynamodb.GetItem"]


def test_a_stale_row_holding_the_email_gives_way(make_user):
    # An account deleted and made again: the same email, a new sub.
    User.objects.create_user(sub="sub-of-a-deleted-account", email="ada@example.com")
    sub = make_user()
    assert CognitoBackend().get_user(sub).email == "ada@example.com"
    assert not User.objects.filter(pk="sub-of-a-deleted-account").exists()


def test_session_auth_hash_follows_sub_and_auth_version(settings):
    ada = User(sub="sub-ada", email="ada@example.com", auth_version=1)
    assert ada.get_session_auth_hash() == User(sub="sub-ada", email="changed@example.com").get_session_auth_hash()
    assert ada.get_session_auth_hash() != User(sub="sub-ada", auth_version=2).get_session_auth_hash()
    assert ada.get_session_auth_hash() != User(sub="sub-bo", auth_version=1).get_session_auth_hash()
    old_hash = ada.get_session_auth_hash()
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    assert ada.get_session_auth_hash() != old_hash
    assert old_hash in list(ada.get_session_auth_fallback_hash())


def test_bumping_auth_version_ends_the_session_on_its_next_request(make_user):
    sub = make_user()
    client = Client()
    client.post("/accounts/login/", {"login": "ada@example.com", "password": PASSWORD})
    assert "Welcome back" in client.get("/").content.decode()

    profiles.bump_auth_version(sub=sub)

    html = client.get("/").content.decode()
    assert "Welcome back" not in html and "Every session, remembered." in html
