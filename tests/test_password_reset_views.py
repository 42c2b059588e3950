"""Forgot password: ask for a code (page 1), then set a new password with it (page 2)."""

import re

import pytest
from botocore.stub import Stubber
from django.test import Client

from accounts import cognito, deletion, profiles, services, websessions
from accounts.forms import password_help_text
from accounts.password_views import CODE_SENT, LOCAL_CODE_SESSION_KEY, PASSWORD_RESET
from campaigns_site import aws as aws_clients
from tests.conftest import PASSWORD
from tests.web_clients import log_in

RESET = "/accounts/password/reset/"
CODE = "/accounts/password/reset/code/"
LOGIN = "/accounts/login/"
NEW_PASSWORD = "new dragon hoard 7"
CODE_PAGE_FOR_ADA = CODE + "?email=ada%40example.com"


def signed_in_as(client):
    """The display name of the client's user on its next request, or None if anonymous."""
    response = client.get("/accounts/password/change/")  # signed-in only: anyone else is sent to log in
    return response.context["user"].display_name if response.status_code == 200 else None


def ask_for_code(client, email="ada@example.com"):
    return client.post(RESET, {"email": email})


def reset(client, code, email="ada@example.com", password=NEW_PASSWORD, again=None):
    data = {"email": email, "code": code, "new_password1": password, "new_password2": again or password}
    return client.post(CODE, data)


def local_code_on_page(client, email="ada@example.com"):
    html = client.get(CODE, {"email": email}).content.decode()
    found = re.search(r'<code id="local-reset-code">([^<]+)</code>', html)
    return found.group(1) if found else None


def message_after(client, response):
    """The flash message shown on the page the response redirects to."""
    html = client.get(response["Location"]).content.decode()
    return re.findall(r'<p class="message message-\w+" role="\w+">([^<]*)</p>', html)


def stub_account(cognito_stub, sub, status="CONFIRMED"):
    """What AdminGetUser says about Ada, for tests where Stubber stands in for Cognito."""
    cognito_stub.add_response(
        "admin_get_user",
        {
            "Username": sub,
            "UserAttributes": [{"Name": "sub", "Value": sub}, {"Name": "email", "Value": "ada@example.com"}],
            "Enabled": True,
            "UserStatus": status,
        },
    )


# --- page 1: ask for a code ----------------------------------------------------------


def test_the_login_page_links_to_the_reset(client, db):
    html = client.get(LOGIN).content.decode()
    assert f'<a href="{RESET}">Forgot password?</a>' in html


def test_page_one_asks_for_the_email(client, db):
    response = client.get(RESET + "?email=ada@example.com")
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["account/password_reset.html", "base.html"]
    html = response.content.decode()
    assert '<h1 id="page-title">Reset your password</h1>' in html
    assert 'value="ada@example.com"' in html
    assert f'<form method="post" action="{RESET}" novalidate>' in html


def test_the_email_from_the_link_is_escaped(client, db):
    html = client.get(RESET, {"email": '"><script>alert(1)</script>'}).content.decode()
    assert "<script>alert(1)" not in html


def test_asking_sends_a_code_and_leads_to_page_two(make_user, aws_calls):
    make_user()
    client = Client()
    with aws_calls() as calls:
        response = ask_for_code(client, email="Ada@Example.com")
    assert response.status_code == 302
    assert response["Location"] == CODE_PAGE_FOR_ADA
    assert "cognito-idp.ForgotPassword" in calls.operations()
    assert message_after(client, response) == [CODE_SENT.format(email="ada@example.com")]


def make_unconfirmed(make_user):
    make_user()  # provisions; Ada is someone else
    services.sign_up(email="new@example.com", password=PASSWORD, display_name="New")


def make_being_deleted(make_user):
    sub = make_user("new@example.com")
    deletion.mark_account_deleting(sub=sub)


def make_unknown(make_user):
    make_user()


@pytest.mark.parametrize("account", [make_unknown, make_unconfirmed, make_being_deleted])
def test_page_one_answers_the_same_for_any_email(make_user, aws_calls, account):
    make_user("known@example.com")
    account(make_user)
    known, other = Client(), Client()
    known_response = ask_for_code(known, email="known@example.com")
    with aws_calls() as calls:
        other_response = ask_for_code(other, email="new@example.com")

    assert other_response.status_code == known_response.status_code == 302
    assert other_response["Location"] == CODE + "?email=new%40example.com"
    assert message_after(other, other_response) == [CODE_SENT.format(email="new@example.com")]
    assert message_after(known, known_response) == [CODE_SENT.format(email="known@example.com")]
    assert "cognito-idp.ForgotPassword" not in calls.operations()  # nobody gets a code


@pytest.mark.parametrize(
    "cognito_error",
    # Per-user refusals, which would tell that the account exists: LimitExceeded (too
    # many codes for this user), a disabled or admin-created user, no verified email,
    # an email that could not be delivered.
    ["LimitExceededException", "NotAuthorizedException", "InvalidParameterException", "CodeDeliveryFailureException"],
)
def test_cognito_refusing_to_send_a_code_reads_the_same(make_user, cognito_error):
    sub = make_user()
    client = Client()
    with Stubber(aws_clients.client("cognito-idp")) as cognito_stub:
        stub_account(cognito_stub, sub)
        cognito_stub.add_client_error("forgot_password", service_error_code=cognito_error)
        response = ask_for_code(client)
        cognito_stub.assert_no_pending_responses()
    assert response["Location"] == CODE_PAGE_FOR_ADA
    assert message_after(client, response) == [CODE_SENT.format(email="ada@example.com")]


def test_cognito_busy_for_everyone_is_said(make_user):
    make_user()
    with Stubber(aws_clients.client("cognito-idp")) as cognito_stub:
        cognito_stub.add_client_error("admin_get_user", service_error_code="TooManyRequestsException")
        response = ask_for_code(Client())
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [cognito.MESSAGES["TooManyRequestsException"]]


def test_an_invalid_email_never_reaches_cognito(aws, db, aws_calls):
    with aws_calls() as calls:
        response = ask_for_code(Client(), email="not an email")
    assert "email" in response.context["form"].errors
    assert calls.count("cognito-idp") == 0


def test_requests_are_rate_limited_per_email(make_user, settings, aws_calls):
    make_user()
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "reset_password": "20/m/ip,2/m/key"}
    client = Client()
    for _ in range(2):
        assert ask_for_code(client, email="ADA@example.com").status_code == 302
    with aws_calls() as calls:
        response = ask_for_code(client)
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert calls.count("cognito-idp") == 0
    assert ask_for_code(client, email="bo@example.com").status_code == 302  # another address still may


def test_requests_are_rate_limited_per_ip(make_user, settings):
    make_user()
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "reset_password": "2/m/ip,5/m/key"}
    client = Client()
    ask_for_code(client, email="one@example.com")
    ask_for_code(client, email="two@example.com")
    assert ask_for_code(client).status_code == 429


# --- the code the embedded Cognito made: local runs only ---------------------------------


def test_a_local_run_shows_the_code_on_page_two(make_user, settings):
    settings.PRODUCTION = False
    make_user()
    client = Client()
    ask_for_code(client)
    code = local_code_on_page(client)
    assert re.fullmatch(r"moto-confirmation-code:\d{6}", code)
    html = client.get(CODE_PAGE_FOR_ADA).content.decode()
    assert "the embedded Cognito sends no email" in html
    assert local_code_on_page(client, email="bo@example.com") is None  # only for the address asked for
    assert local_code_on_page(Client()) is None  # only in the browser that asked


def test_a_local_run_says_when_it_made_no_code(make_user, settings):
    settings.PRODUCTION = False
    make_user()
    client = Client()
    ask_for_code(client, email="nobody@example.com")
    html = client.get(CODE, {"email": "nobody@example.com"}).content.decode()
    assert "made no code to show here" in html
    assert 'id="local-reset-code"' not in html


def test_production_never_shows_nor_keeps_a_code(make_user, settings):
    make_user()
    settings.PRODUCTION = True
    client = Client()
    ask_for_code(client)  # moto still sends its header: it must go nowhere
    assert LOCAL_CODE_SESSION_KEY not in client.session
    html = client.get(CODE_PAGE_FOR_ADA).content.decode()
    assert "moto-confirmation-code" not in html
    assert "embedded Cognito" not in html
    assert "Enter the code from the email we sent you" in html


# --- page 2: the code and the new password ---------------------------------------------


def test_page_two_asks_for_code_and_new_password_with_the_pool_policy(make_user):
    make_user()
    response = Client().get(CODE_PAGE_FOR_ADA)
    assert [t.name for t in response.templates][:2] == ["account/password_reset_code.html", "base.html"]
    form = response.context["form"]
    assert list(form.fields) == ["email", "code", "new_password1", "new_password2"]
    assert form["email"].value() == "ada@example.com"
    html = response.content.decode()
    assert password_help_text() == "At least 10 characters, with a lowercase letter and a number."
    assert password_help_text() in html
    # A new code is one click away, the email kept (it had to be typed again).
    assert f'<a class="button button-quiet" href="{RESET}?email=ada%40example.com">Send a new code</a>' in html


def test_page_two_escapes_the_email(client, db):
    html = client.get(CODE, {"email": '"><script>alert(1)</script>'}).content.decode()
    assert "<script>alert(1)" not in html


def test_resetting_sets_the_password_and_ends_every_session(make_user):
    sub = make_user()
    laptop, phone = Client(), Client()
    log_in(laptop)
    log_in(phone)
    version_before = profiles.get_profile(sub=sub).auth_version
    assert len(websessions.web_session_keys(sub=sub)) == 2

    browser = Client()
    ask_for_code(browser)
    response = reset(browser, local_code_on_page(browser))

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?email=ada%40example.com"
    html = browser.get(response["Location"]).content.decode()
    assert PASSWORD_RESET in html
    assert 'value="ada@example.com"' in html  # the login form, filled in
    assert LOCAL_CODE_SESSION_KEY not in browser.session
    assert profiles.get_profile(sub=sub).auth_version == version_before + 1
    assert websessions.web_session_keys(sub=sub) == []
    assert signed_in_as(laptop) is None
    assert signed_in_as(phone) is None
    assert "That email and password do not match." in log_in(Client()).content.decode()
    new_browser = Client()
    assert log_in(new_browser, password=NEW_PASSWORD).status_code == 302
    assert signed_in_as(new_browser) == "Ada the Bard"


def test_another_users_sessions_are_left_alone(make_user):
    make_user()
    make_user("bo@example.com", display_name="Bo the Brave")
    bo = Client()
    log_in(bo, email="bo@example.com")
    browser = Client()
    ask_for_code(browser)
    reset(browser, local_code_on_page(browser))
    assert signed_in_as(bo) == "Bo the Brave"


def test_a_signed_in_user_who_resets_is_logged_out_too(make_user):
    make_user()
    client = Client()
    log_in(client)
    ask_for_code(client)
    response = reset(client, local_code_on_page(client))
    assert response["Location"] == "/accounts/login/?email=ada%40example.com"
    assert PASSWORD_RESET in client.get(response["Location"]).content.decode()
    assert signed_in_as(client) is None


def test_someone_signed_in_who_resets_another_account_is_logged_out(make_user):
    make_user()
    make_user("bo@example.com", display_name="Bo the Brave")
    bo = Client()
    log_in(bo, email="bo@example.com")
    ask_for_code(bo)
    reset(bo, local_code_on_page(bo))
    # Whoever holds Ada's code is taken for Ada: this browser keeps no one's session.
    assert signed_in_as(bo) is None
    assert log_in(Client(), email="bo@example.com").status_code == 302  # Bo's account is untouched


def test_a_code_for_another_request_is_refused_by_moto(make_user):
    make_user()
    client = Client()
    ask_for_code(client)
    code = local_code_on_page(client)
    wrong = "moto-confirmation-code:" + ("111111" if not code.endswith("111111") else "222222")
    response = reset(client, wrong)
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [
        'That code has expired. <a href="/accounts/password/reset/?email=ada%40example.com">Ask for a new one</a>.'
    ]
    assert log_in(Client()).status_code == 302  # the old password still works


@pytest.mark.parametrize(
    ("cognito_error", "field", "message"),
    [
        ("CodeMismatchException", "code", "That code is not right. Check the latest email and try again."),
        ("UserNotFoundException", "code", "That code is not right. Check the latest email and try again."),
        (
            "ExpiredCodeException",
            "code",
            'That code has expired. <a href="/accounts/password/reset/?email=ada%40example.com">Ask for a new one</a>.',
        ),
        ("TooManyFailedAttemptsException", "__all__", "Too many attempts. Please wait a few minutes and try again."),
        ("LimitExceededException", "__all__", "Too many attempts. Please wait a few minutes and try again."),
    ],
)
def test_a_refused_code_is_a_form_error_and_changes_nothing(make_user, cognito_error, field, message):
    sub = make_user()
    other_device = Client()
    log_in(other_device)
    password_help_text()  # read the pool's policy before Stubber stands in for Cognito
    client = Client()
    with Stubber(aws_clients.client("cognito-idp")) as cognito_stub:
        stub_account(cognito_stub, sub)
        cognito_stub.add_client_error("confirm_forgot_password", service_error_code=cognito_error)
        response = reset(client, "123456")
        cognito_stub.assert_no_pending_responses()
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert signed_in_as(other_device) == "Ada the Bard"


def test_a_weak_password_is_refused_with_the_rule_it_breaks(make_user):
    sub = make_user()
    password_help_text()
    with Stubber(aws_clients.client("cognito-idp")) as cognito_stub:  # moto checks no policy here; Cognito does
        stub_account(cognito_stub, sub)
        cognito_stub.add_client_error(
            "confirm_forgot_password",
            service_error_code="InvalidPasswordException",
            service_message="Password does not conform to policy: Password must have symbol characters",
        )
        # Passes the rules read from the pool (a rule added since is Cognito's to find).
        response = reset(Client(), "123456", password="numbers 42 here")
    assert response.context["form"].errors["new_password1"] == ["Add a symbol, such as ! or #."]
    assert "At least 10 characters, with a lowercase letter and a number." in response.content.decode()


def test_the_two_passwords_must_match_before_cognito_is_asked(make_user, aws_calls):
    make_user()
    password_help_text()  # the pool's policy, read once per process
    with aws_calls() as calls:
        response = reset(Client(), "123456", again="something else 9")
    assert response.context["form"].errors["new_password2"] == ["The two passwords differ."]
    assert calls.count("cognito-idp") == 0


@pytest.mark.parametrize("account", [make_unknown, make_unconfirmed, make_being_deleted])
def test_an_account_that_may_not_reset_reads_like_a_wrong_code(make_user, aws_calls, account):
    account(make_user)
    with aws_calls() as calls:
        response = reset(Client(), "123456", email="new@example.com")
    assert response.context["form"].errors["code"] == [cognito.MESSAGES["CodeMismatchException"]]
    assert "cognito-idp.ConfirmForgotPassword" not in calls.operations()


def test_codes_are_rate_limited(make_user, settings, aws_calls):
    make_user()
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "reset_password_from_key": "2/m/ip"}
    client = Client()
    for _ in range(2):
        reset(client, "123456", again="differs 123")
    with aws_calls() as calls:
        response = reset(client, "123456")
    assert response.status_code == 429
    assert calls.count("cognito-idp") == 0


def test_both_pages_need_the_csrf_token(make_user):
    make_user()
    client = Client(enforce_csrf_checks=True)
    assert client.post(RESET, {"email": "ada@example.com"}).status_code == 403
    assert reset(client, "123456").status_code == 403
    client.get(RESET)
    token = client.cookies["csrftoken"].value
    assert client.post(RESET, {"email": "ada@example.com", "csrfmiddlewaretoken": token}).status_code == 302
    code = local_code_on_page(client)
    data = {"email": "ada@example.com", "code": code, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert client.post(CODE, {**data, "csrfmiddlewaretoken": token}).status_code == 302
    assert log_in(Client(), password=NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize("path", [RESET, CODE])
def test_other_methods_are_refused(client, db, path):
    assert client.put(path).status_code == 405


def test_the_lambda_role_allows_every_admin_call_of_the_reset(make_user, aws_calls, lambda_policy_actions):
    make_user()
    client = Client()
    with aws_calls() as calls:
        ask_for_code(client)
        reset(client, local_code_on_page(client))
    needs_iam = {op.replace("cognito-idp.", "cognito-idp:") for op in calls.operations() if ".Admin" in op}
    assert needs_iam == {"cognito-idp:AdminGetUser", "cognito-idp:AdminUserGlobalSignOut"}
    assert needs_iam <= lambda_policy_actions


@pytest.fixture
def lambda_policy_actions():
    import json
    from pathlib import Path

    policy = json.loads((Path(__file__).resolve().parent.parent / "deploy" / "iam-policy.json").read_text())
    actions = set()
    for statement in policy["Statement"]:
        listed = statement["Action"]
        actions.update([listed] if isinstance(listed, str) else listed)
    return actions
