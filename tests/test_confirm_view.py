"""Confirm a sign-up with Cognito's emailed code; ask for a new code."""

import pytest
from botocore.stub import ANY, Stubber
from django.test import Client

from accounts import cognito
from campaigns_site import aws as aws_clients
from tests.conftest import PASSWORD

CONFIRM = "/accounts/confirm/"
RESEND = "/accounts/confirm/resend/"


@pytest.fixture
def unconfirmed(aws, db):
    return cognito.sign_up(email="ada@example.com", password=PASSWORD, display_name="Ada the Bard")


def user_status(aws, email="ada@example.com"):
    return aws_clients.client("cognito-idp").admin_get_user(UserPoolId=aws.user_pool_id, Username=email)["UserStatus"]


def test_local_run_says_no_email_is_sent_and_fills_in_a_code(client, db, settings):
    settings.PRODUCTION = False
    response = client.get(CONFIRM + "?email=ada@example.com")
    assert response.status_code == 200
    html = response.content.decode()
    assert "the embedded Cognito sends no email and accepts any code" in html
    assert 'value="ada@example.com"' in html
    assert 'value="123456"' in html
    # Issue 11: no visible way to get a new code. The form is there in a local run too (its
    # answer says that any code works), as a button.
    resend = html[html.index(f'<form method="post" action="{RESEND}"') :]
    resend = resend[: resend.index("</form>")]
    assert '<input type="hidden" name="email" value="ada@example.com">' in resend
    assert '<button type="submit" class="button button-quiet">Send a new code</button>' in resend


def test_production_asks_for_the_emailed_code(client, db, settings):
    settings.PRODUCTION = True
    html = client.get(CONFIRM + "?email=ada@example.com").content.decode()
    assert "embedded Cognito" not in html
    assert "We emailed you a code." in html
    assert 'value="123456"' not in html
    assert f'<form method="post" action="{RESEND}"' in html and ">Send a new code</button>" in html


def test_without_an_email_in_the_address_the_new_code_form_asks_for_it(client, db, settings):
    settings.PRODUCTION = True
    html = client.get(CONFIRM).content.decode()
    resend = html[html.index(f'<form method="post" action="{RESEND}"') :]
    assert '<input id="resend-email" type="email" name="email"' in resend[: resend.index("</form>")]


def test_the_email_from_the_link_is_escaped(client, db):
    html = client.get(CONFIRM, {"email": '"><script>alert(1)</script>'}).content.decode()
    assert "<script>alert(1)" not in html


def test_confirming_leads_to_login_with_the_email_filled_in(aws, unconfirmed):
    client = Client()
    response = client.post(CONFIRM, {"email": "Ada@example.com", "code": "123456"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?email=ada%40example.com"
    assert user_status(aws) == "CONFIRMED"
    html = client.get(response["Location"]).content.decode()
    assert "Your email address is confirmed. Log in to start." in html
    assert 'value="ada@example.com"' in html
    # Not signed in by confirming: the password is asked for.
    assert "_auth_user_id" not in client.session
    login = client.post("/accounts/login/", {"login": "ada@example.com", "password": PASSWORD})
    assert login.status_code == 302


@pytest.mark.parametrize(
    ("cognito_error", "message"),
    [
        ("CodeMismatchException", "That code is not right. Check the latest email and try again."),
        ("ExpiredCodeException", "That code has expired. Ask for a new one."),
        ("TooManyFailedAttemptsException", "Too many attempts. Please wait a few minutes and try again."),
        ("LimitExceededException", "Too many attempts. Please wait a few minutes and try again."),
        ("UserNotFoundException", "That code is not right. Check the latest email and try again."),
    ],
)
def test_a_refused_code_is_a_form_error(aws, unconfirmed, cognito_error, message):
    with Stubber(aws_clients.client("cognito-idp")) as cognito_stub:
        cognito_stub.add_client_error("confirm_sign_up", service_error_code=cognito_error)
        response = Client().post(CONFIRM, {"email": "ada@example.com", "code": "000000"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [message]
    assert user_status(aws) == "UNCONFIRMED"


def test_confirming_twice_points_to_login(aws, unconfirmed):
    Client().post(CONFIRM, {"email": "ada@example.com", "code": "123456"})
    with Stubber(aws_clients.client("cognito-idp")) as cognito_stub:  # moto does not refuse it; Cognito does
        cognito_stub.add_client_error(
            "confirm_sign_up",
            service_error_code="NotAuthorizedException",
            service_message="User cannot be confirmed. Current status is CONFIRMED",
        )
        response = Client().post(CONFIRM, {"email": "ada@example.com", "code": "123456"})
    assert (
        'This account is already confirmed: <a href="/accounts/login/?email=ada%40example.com">log in</a>.'
        in response.content.decode()
    )


def test_missing_code_never_reaches_cognito(aws, db, aws_calls):
    with aws_calls() as calls:
        response = Client().post(CONFIRM, {"email": "ada@example.com", "code": ""})
    assert "code" in response.context["form"].errors
    assert calls.operations() == []


def test_resend_asks_cognito_for_a_new_code(aws, unconfirmed, settings):
    settings.PRODUCTION = True
    client = Client()
    with Stubber(aws_clients.client("cognito-idp")) as cognito_stub:  # moto lacks ResendConfirmationCode
        cognito_stub.add_response(
            "resend_confirmation_code",
            {"CodeDeliveryDetails": {"Destination": "a***@e***", "DeliveryMedium": "EMAIL"}},
            {"ClientId": aws.app_client_id, "Username": "ada@example.com", "SecretHash": ANY},
        )
        response = client.post(RESEND, {"email": "ada@example.com"})
        cognito_stub.assert_no_pending_responses()
    assert response["Location"] == "/accounts/confirm/?email=ada%40example.com"
    assert "we have sent it a new code" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("cognito_error", "message"),
    [
        ("LimitExceededException", "Too many attempts. Please wait a few minutes and try again."),
        ("InvalidParameterException", "This account is already confirmed: log in."),
        ("UserNotFoundException", "If an account waits for confirmation, we have sent it a new code."),
    ],
)
def test_resend_refusals(aws, db, settings, cognito_error, message):
    settings.PRODUCTION = True
    client = Client()
    with Stubber(aws_clients.client("cognito-idp")) as cognito_stub:
        cognito_stub.add_client_error("resend_confirmation_code", service_error_code=cognito_error)
        response = client.post(RESEND, {"email": "ada@example.com"})
    assert message in client.get(response["Location"]).content.decode()


def test_resend_in_a_local_run_explains_instead(aws, db, settings, aws_calls):
    settings.PRODUCTION = False
    client = Client()
    with aws_calls() as calls:
        response = client.post(RESEND, {"email": "ada@example.com"})
    assert calls.operations() == []
    assert "The local Cognito sends no email: any code works." in client.get(response["Location"]).content.decode()


def test_resend_refuses_get(client, db):
    assert client.get(RESEND).status_code == 405


def test_confirm_and_resend_need_the_csrf_token(aws, unconfirmed):
    client = Client(enforce_csrf_checks=True)
    assert client.post(CONFIRM, {"email": "ada@example.com", "code": "123456"}).status_code == 403
    assert client.post(RESEND, {"email": "ada@example.com"}).status_code == 403
    assert user_status(aws) == "UNCONFIRMED"
    client.get(CONFIRM)
    token = client.cookies["csrftoken"].value
    response = client.post(CONFIRM, {"email": "ada@example.com", "code": "123456", "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_confirm_attempts_are_rate_limited(aws, unconfirmed, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "confirm_signup": "2/m/ip"}
    client = Client()
    for _ in range(2):
        client.post(CONFIRM, {"email": "ada@example.com", "code": ""})
    response = client.post(CONFIRM, {"email": "ada@example.com", "code": "123456"})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert user_status(aws) == "UNCONFIRMED"
