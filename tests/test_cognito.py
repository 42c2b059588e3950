import pytest

from accounts import cognito
from accounts.cognito import CognitoError
from campaigns_site import aws as aws_clients

PASSWORD = "correct horse 42"


@pytest.fixture
def confirmed_user(aws):
    sub = cognito.sign_up(email="alice@example.com", password=PASSWORD, display_name="Alice")
    cognito.confirm_sign_up(email="alice@example.com", code="123456")  # moto accepts any code
    return sub


def test_sign_up_returns_sub_and_login_works_after_confirmation(confirmed_user):
    result = cognito.password_auth(email="alice@example.com", password=PASSWORD)
    assert result["IdToken"] and result["AccessToken"]


def test_unconfirmed_user_is_told_to_confirm(aws):
    cognito.sign_up(email="bob@example.com", password=PASSWORD)
    with pytest.raises(CognitoError) as error:
        cognito.password_auth(email="bob@example.com", password=PASSWORD)
    assert error.value.code == "UserNotConfirmedException"
    assert "confirm" in error.value.message


def test_wrong_password_and_unknown_email_read_the_same(confirmed_user):
    with pytest.raises(CognitoError) as wrong:
        cognito.password_auth(email="alice@example.com", password="not it at all 1")
    with pytest.raises(CognitoError) as unknown:
        cognito.password_auth(email="nobody@example.com", password=PASSWORD)
    assert wrong.value.message == unknown.value.message


def test_existing_email_and_weak_password(confirmed_user):
    with pytest.raises(CognitoError) as existing:
        cognito.sign_up(email="alice@example.com", password=PASSWORD)
    assert existing.value.code == "UsernameExistsException"
    with pytest.raises(CognitoError) as weak:
        cognito.sign_up(email="carol@example.com", password="short")
    assert weak.value.code == "InvalidPasswordException"
    # moto names no rule ("does not confirm to the configured password policy"): our general words.
    assert weak.value.message == cognito.MESSAGES["InvalidPasswordException"]


def test_forgot_password_round_trip(confirmed_user):
    response = cognito.forgot_password(email="alice@example.com")
    code = response["ResponseMetadata"]["HTTPHeaders"]["x-moto-forgot-password-confirmation-code"]
    cognito.confirm_forgot_password(email="alice@example.com", code=code, password="a new password 7")
    assert cognito.password_auth(email="alice@example.com", password="a new password 7")


def test_secret_hash_is_sent_when_the_client_has_a_secret(settings, aws):
    assert settings.COGNITO_APP_CLIENT_SECRET
    assert set(cognito.secret_hash("alice@example.com")) == {"SecretHash"}
    settings.COGNITO_APP_CLIENT_SECRET = ""
    assert cognito.secret_hash("alice@example.com") == {}


def test_delete_user_is_resumable(confirmed_user):
    cognito.delete_user(sub=confirmed_user)
    cognito.delete_user(sub=confirmed_user)  # already gone: no error
    pool = aws_clients.client("cognito-idp").list_users(UserPoolId=cognito.settings.COGNITO_USER_POOL_ID)
    assert pool["Users"] == []


def test_password_policy_comes_from_the_pool(aws):
    assert cognito.password_policy()["MinimumLength"] == 10
