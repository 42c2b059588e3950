"""Sign up: allauth's view with our form; Cognito makes the account and emails a code."""

import pytest
from django.test import Client

from accounts import cognito
from accounts import forms as account_forms
from accounts.models import User
from accounts.profiles import get_profile
from campaigns_site import aws as aws_clients
from tests.conftest import PASSWORD

# moto's pool is new in each test: its password policy is read afresh
pytestmark = pytest.mark.usefixtures("policy_read_afresh")

SIGNUP = "/accounts/signup/"


def sign_up(client, email="ada@example.com", display_name="Ada the Bard", password=PASSWORD, **extra):
    return client.post(SIGNUP, {"email": email, "display_name": display_name, "password1": password, **extra})


def cognito_user(aws, email):
    return aws_clients.client("cognito-idp").admin_get_user(UserPoolId=aws.user_pool_id, Username=email)


def test_signup_page_asks_for_email_name_and_password_with_the_pools_policy(client, aws, db):
    response = client.get(SIGNUP)
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["account/signup.html", "base.html"]
    html = response.content.decode()
    assert html.index('name="email"') < html.index('name="display_name"') < html.index('name="password1"')
    assert "At least 10 characters, with a lowercase letter and a number." in html
    assert 'name="password2"' not in html and 'name="username"' not in html


def test_password_policy_is_read_once_per_process(client, aws, db, aws_calls):
    client.get(SIGNUP)
    with aws_calls() as calls:
        client.get(SIGNUP)
    assert calls.operations() == []


def test_signup_page_still_works_when_the_policy_cannot_be_read(client, aws, db, settings):
    settings.COGNITO_USER_POOL_ID = "us-east-1_nosuchpool"
    response = client.get(SIGNUP)
    assert response.status_code == 200
    assert 'name="password1"' in response.content.decode()


def test_signup_makes_the_account_and_asks_for_the_code(aws, db):
    client = Client()
    response = sign_up(client, email="Ada+Tables@Example.com")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm/?email=ada%2Btables%40example.com"
    user = cognito_user(aws, "ada+tables@example.com")
    assert user["UserStatus"] == "UNCONFIRMED"
    sub = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")
    profile = get_profile(sub=sub)
    assert (profile.email, profile.display_name) == ("ada+tables@example.com", "Ada the Bard")
    assert User.objects.get(pk=sub).display_name == "Ada the Bard"
    # Not signed in: the email is not confirmed yet.
    assert "_auth_user_id" not in client.session
    assert "Welcome back" not in client.get("/").content.decode()


def test_existing_email_is_a_form_error(make_user):
    make_user()
    response = sign_up(Client(), display_name="Someone Else")
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "An account with this email already exists. Log in, or reset its password."
    ]


def test_weak_password_lists_the_rules_it_breaks_before_cognito_is_asked(aws, db, aws_calls):
    client = Client()
    client.get(SIGNUP)  # reads the password policy
    with aws_calls() as calls:
        response = sign_up(client, password="short")
    assert response.status_code == 200
    assert response.context["form"].errors["password1"] == ["Use at least 10 characters.", "Add a number."]
    assert calls.count("cognito-idp") == 0


@pytest.mark.parametrize(
    ("field", "value"), [("email", "not-an-email"), ("display_name", ""), ("display_name", "x" * 81)]
)
def test_invalid_fields_never_reach_cognito(aws, db, aws_calls, field, value):
    client = Client()
    client.get(SIGNUP)  # reads the password policy
    with aws_calls() as calls:
        response = sign_up(client, **{field: value})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert calls.count("cognito-idp", "SignUp") == 0


def test_display_name_is_escaped_wherever_it_is_shown(aws, db):
    client = Client()
    sign_up(client, display_name='<script>alert("x")</script>')
    client.post("/accounts/confirm/", {"email": "ada@example.com", "code": "123456"})
    client.post("/accounts/login/", {"login": "ada@example.com", "password": PASSWORD})
    html = client.get("/").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_signed_in_user_visiting_signup_goes_home(make_user):
    make_user()
    client = Client()
    client.post("/accounts/login/", {"login": "ada@example.com", "password": PASSWORD})
    assert client.get(SIGNUP)["Location"] == "/campaigns/"


def test_signup_needs_the_csrf_token(aws, db):
    client = Client(enforce_csrf_checks=True)
    assert sign_up(client).status_code == 403
    client.get(SIGNUP)
    assert sign_up(client, csrfmiddlewaretoken=client.cookies["csrftoken"].value).status_code == 302


@pytest.mark.parametrize(
    ("policy", "text"),
    [
        ({"MinimumLength": 8}, "At least 8 characters."),
        ({"MinimumLength": 12, "RequireSymbols": True}, "At least 12 characters, with a symbol."),
        (
            {"MinimumLength": 10, "RequireLowercase": True, "RequireUppercase": True, "RequireNumbers": True},
            "At least 10 characters, with a lowercase letter, an uppercase letter and a number.",
        ),
    ],
)
def test_password_help_text_says_the_pools_rules(monkeypatch, policy, text):
    monkeypatch.setattr(cognito, "cached_password_policy", lambda: policy)
    assert account_forms.password_help_text() == text
