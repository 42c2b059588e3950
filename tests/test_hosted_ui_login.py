"""The hosted UI door (COGNITO_DOMAIN): allauth's amazon_cognito provider with PKCE.

The door's settings come from settings.py itself, run again with COGNITO_DOMAIN in the
environment; the URLconfs are imported again under them, as a fresh process would. Cognito's
hosted UI (token and userinfo endpoints) is mocked with `responses`; the pool, its users
and its JWKS are moto's, and ID tokens are signed with the key moto's pool signs with.
"""

import base64
import hashlib
import importlib
import os
import runpy
import time
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import responses
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import clear_url_caches
from moto.core.models import override_responses_real_send
from moto.utilities.utils import load_resource

from accounts import cognito, profiles
from accounts.models import User
from accounts.session_store import SessionStore, sub_of_session_key
from accounts.tokens import issuer
from campaigns_site.provision import STAFF_GROUP
from tests.conftest import PASSWORD
from tests.web_clients import log_in, session_key

DOMAIN = "auth.example.com"
LOGIN = "/accounts/amazon-cognito/login/"
CALLBACK = "/accounts/amazon-cognito/login/callback/"
TOKEN_URL = f"https://{DOMAIN}/oauth2/token"
USERINFO_URL = f"https://{DOMAIN}/oauth2/userInfo"
SETTINGS_FILE = str(django_settings.BASE_DIR / "campaigns_site" / "settings.py")


def door_settings(**env):
    """What settings.py sets differently when COGNITO_DOMAIN is set (with `env` for both runs)."""

    def run(extra):
        with mock.patch.dict(os.environ, {**env, **extra}):
            return runpy.run_path(SETTINGS_FILE)

    without, with_door = run({"COGNITO_DOMAIN": ""}), run({"COGNITO_DOMAIN": DOMAIN})
    missing = object()
    return {name: value for name, value in with_door.items() if name.isupper() and without.get(name, missing) != value}


def import_urlconfs_again():
    """allauth's URLconf reads INSTALLED_APPS when imported: import it (and ours) again."""
    import allauth.urls
    from allauth.socialaccount import providers

    import campaigns_site.urls

    providers.registry.provider_map.clear()  # registered from INSTALLED_APPS, once per process
    providers.registry.loaded = False
    importlib.reload(allauth.urls)
    importlib.reload(campaigns_site.urls)
    clear_url_caches()


@pytest.fixture(scope="module")
def socialaccount_tables(django_db_setup, django_db_blocker):
    """allauth's socialaccount tables in the test database, as the shipped ORM-cache template has them.

    Only looked into (always empty): a login never writes a row there.
    """
    apps = door_settings(COGNITO_USER_POOL_ID="us-east-1_tables", COGNITO_APP_CLIENT_ID="tables")["INSTALLED_APPS"]
    with django_db_blocker.unblock(), override_settings(INSTALLED_APPS=apps):
        call_command("migrate", "socialaccount", verbosity=0)


@pytest.fixture
def door(aws, db, socialaccount_tables):
    """The door on, for the pool and app client the `aws` fixture provisioned."""
    overrides = door_settings(
        COGNITO_USER_POOL_ID=aws.user_pool_id,
        COGNITO_APP_CLIENT_ID=aws.app_client_id,
        COGNITO_APP_CLIENT_SECRET=aws.app_client_secret,
    )
    try:
        with override_settings(**overrides):
            import_urlconfs_again()
            yield
    finally:
        import_urlconfs_again()


@pytest.fixture
def hosted_ui(door):
    """Cognito's hosted UI endpoints, mocked. moto keeps answering AWS (the pool's JWKS)
    and hands every other request to this mock, which refuses any it was not given."""
    endpoints = responses.RequestsMock(assert_all_requests_are_fired=False)
    override_responses_real_send(endpoints)
    yield endpoints
    override_responses_real_send(None)


def pool_key():
    """The private key moto's user pools sign with (moto ships it)."""
    return jwt.PyJWK.from_dict(load_resource("cognitoidp/resources/jwks-private.json")).key


def id_token(sub, email, *, key=pool_key, algorithm="RS256", **claims):
    """An ID token as the hosted UI issues it, signed with moto's pool key unless told otherwise."""
    now = int(time.time())
    payload = {
        "sub": sub,
        "email": email,
        "email_verified": True,
        "iss": issuer(),
        "aud": django_settings.COGNITO_APP_CLIENT_ID,
        "token_use": "id",
        "auth_time": now,
        "iat": now,
        "exp": now + 3600,
        "cognito:username": sub,
        **claims,
    }
    return jwt.encode(payload, key() if callable(key) else key, algorithm=algorithm, headers={"kid": "dummy"})


def start(client, next_url="/health/"):
    """POST the login button's form; returns the authorize redirect's query parameters."""
    response = client.post(LOGIN, {"next": next_url})
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert (location.scheme, location.netloc, location.path) == ("https", DOMAIN, "/oauth2/authorize")
    return {name: values[0] for name, values in parse_qs(location.query).items()}


def finish(client, endpoints, token, *, state, userinfo=None, code="code-from-cognito"):
    """Cognito sends the browser back with a code; the callback trades it for tokens."""
    claims = jwt.decode(token, options={"verify_signature": False})
    endpoints.post(
        TOKEN_URL,
        json={
            "access_token": "access-token-from-cognito",
            "id_token": token,
            "refresh_token": "refresh-token-from-cognito",
            "token_type": "Bearer",
            "expires_in": 3600,
        },
    )
    endpoints.get(USERINFO_URL, json=userinfo or {k: claims[k] for k in ("sub", "email", "email_verified")})
    return client.get(CALLBACK, {"code": code, "state": state})


def hosted_user(email="hana@example.com"):
    """A confirmed Cognito user with no profile yet: one who signed up on the hosted page."""
    sub = cognito.sign_up(email=email, password=PASSWORD, display_name="Hana the Ranger")
    cognito.confirm_sign_up(email=email, code="123456")
    return sub


def signed_in_sub(client):
    key = session_key(client)
    return SessionStore(key).get("_auth_user_id"), sub_of_session_key(key)


def requests_to(endpoints, url):
    return [call.request for call in endpoints.calls if call.request.url.split("?")[0] == url]


# --- the door on ---------------------------------------------------------------------


def test_login_page_offers_the_hosted_page(door):
    html = Client().get("/accounts/login/?next=/health/").content.decode()
    assert f'<form method="post" action="{LOGIN}">' in html
    assert "Sign in with the hosted page" in html
    assert '<input type="hidden" name="next" value="/health/">' in html


def test_start_redirects_to_cognito_with_pkce_and_state(door, aws):
    params = start(Client())
    assert params["client_id"] == aws.app_client_id
    assert params["redirect_uri"] == f"http://testserver{CALLBACK}"
    assert params["response_type"] == "code"
    assert set(params["scope"].split()) == {"openid", "email", "profile"}
    assert params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) == 43  # base64url of a SHA-256, unpadded
    assert params["state"]


def test_first_login_creates_the_profile_and_signs_in(hosted_ui, aws, aws_calls):
    sub = hosted_user()
    assert profiles.get_profile(sub=sub) is None
    client = Client()
    params = start(client)

    response = finish(
        client, hosted_ui, id_token(sub, "hana@example.com", name="Hana the Ranger"), state=params["state"]
    )

    assert response.status_code == 302
    assert response["Location"] == "/health/"
    assert signed_in_sub(client) == (sub, sub)  # the same kind of session as a password login
    profile = profiles.get_profile(sub=sub)
    assert (profile.email, profile.display_name, profile.is_staff) == ("hana@example.com", "Hana the Ranger", False)
    assert User.objects.get(pk=sub).email == "hana@example.com"

    # The code went back with the PKCE verifier that matches the challenge, and the app's credentials.
    [token_request] = requests_to(hosted_ui, TOKEN_URL)
    sent = {name: values[0] for name, values in parse_qs(token_request.body).items()}
    verifier = sent["code_verifier"]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert challenge == params["code_challenge"]
    assert sent["code"] == "code-from-cognito"
    assert sent["grant_type"] == "authorization_code"
    assert sent["redirect_uri"] == f"http://testserver{CALLBACK}"
    assert (sent["client_id"], sent["client_secret"]) == (aws.app_client_id, aws.app_client_secret)
    [userinfo_request] = requests_to(hosted_ui, USERINFO_URL)
    assert userinfo_request.headers["Authorization"] == "Bearer access-token-from-cognito"

    # Signed-in pages cost what they cost after a password login, on any container.
    html = client.get("/").content.decode()
    assert "Welcome back, Hana the Ranger" in html
    assert "Successfully signed in as Hana the Ranger." in html
    User.objects.all().delete()  # a fresh Lambda container
    with aws_calls() as calls:
        assert "Welcome back, Hana the Ranger" in client.get("/").content.decode()
    assert calls.operations() == ["dynamodb.BatchGetItem"]


def test_a_saved_theme_becomes_the_browser_s_at_a_hosted_login(hosted_ui):
    sub = hosted_user()
    first = Client()
    params = start(first, next_url="/")
    finish(first, hosted_ui, id_token(sub, "hana@example.com"), state=params["state"])
    profiles.set_preferences(sub=sub, theme="dark")

    browser = Client()  # another device: no theme cookie
    params = start(browser, next_url="/")
    response = finish(browser, hosted_ui, id_token(sub, "hana@example.com"), state=params["state"])
    assert response["Location"] == "/"
    assert response.cookies["theme"].value == "dark"
    assert 'data-theme="dark"' in browser.get("/").content.decode()


def test_hosted_and_password_logins_are_the_same_account(hosted_ui):
    from allauth.socialaccount.models import SocialAccount, SocialToken

    sub = hosted_user()
    logins = []
    for name in ("Hana the Ranger", "Renamed in Cognito"):
        client = Client()
        params = start(client, next_url="/")
        token = id_token(sub, "hana@example.com", name=name)
        assert finish(client, hosted_ui, token, state=params["state"])["Location"] == "/"
        logins.append(signed_in_sub(client))
        if len(logins) == 1:
            created = profiles.get_profile(sub=sub).created  # made by the first login

    password_client = Client()
    assert log_in(password_client, email="hana@example.com")["Location"] != "/accounts/login/"
    logins.append(signed_in_sub(password_client))

    assert logins == [(sub, sub)] * 3
    profile = profiles.get_profile(sub=sub)
    assert profile.created == created  # reused, never made again
    assert profile.display_name == "Hana the Ranger"  # the profile's own once it exists, as after a password login
    assert list(User.objects.values_list("pk", flat=True)) == [sub]
    # Nothing durable hangs on allauth's per-container rows: none are written.
    assert SocialAccount.objects.count() == 0
    assert SocialToken.objects.count() == 0


def test_staff_comes_from_the_id_tokens_groups(hosted_ui):
    sub = hosted_user()
    client = Client()
    params = start(client)
    finish(
        client, hosted_ui, id_token(sub, "hana@example.com", **{"cognito:groups": [STAFF_GROUP]}), state=params["state"]
    )
    assert profiles.get_profile(sub=sub).is_staff is True
    assert User.objects.get(pk=sub).is_staff is True


def test_userinfo_about_someone_else_is_refused(hosted_ui, make_user):
    sub, other = hosted_user(), make_user()
    client = Client()
    params = start(client)
    userinfo = {"sub": other, "email": "ada@example.com", "email_verified": "true"}
    response = finish(client, hosted_ui, id_token(sub, "hana@example.com"), state=params["state"], userinfo=userinfo)
    assert response.status_code == 401
    assert "_auth_user_id" not in client.session


def test_an_account_being_deleted_cannot_come_in(hosted_ui, make_user):
    sub = make_user()
    profile = profiles.get_profile(sub=sub)
    profile.update(actions=[profile.__class__.deleting_since.set(profile.created)])
    client = Client()
    params = start(client)
    response = finish(client, hosted_ui, id_token(sub, "ada@example.com"), state=params["state"])
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
    assert "This account is being deleted." in client.get("/accounts/login/").content.decode()


def test_connecting_accounts_is_refused(hosted_ui):
    # allauth's "connect" would save a SocialAccount row that no other container has.
    sub = hosted_user()
    client = Client()
    response = client.post(LOGIN, {"process": "connect"})
    state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
    response = finish(client, hosted_ui, id_token(sub, "hana@example.com"), state=state)
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
    assert profiles.get_profile(sub=sub) is None


def test_the_state_must_be_the_one_this_browser_was_given(hosted_ui):
    sub = hosted_user()
    client = Client()
    start(client)
    response = finish(client, hosted_ui, id_token(sub, "hana@example.com"), state="not-the-state-we-sent")
    assert response.status_code == 401
    assert len(hosted_ui.calls) == 0  # the code was never traded
    assert "_auth_user_id" not in client.session
    assert profiles.get_profile(sub=sub) is None


def test_a_state_from_another_browser_is_refused(hosted_ui):
    sub = hosted_user()
    params = start(Client())
    thief = Client()
    response = finish(thief, hosted_ui, id_token(sub, "hana@example.com"), state=params["state"])
    assert response.status_code == 401
    assert len(hosted_ui.calls) == 0
    assert "_auth_user_id" not in thief.session


def _other_key():
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda sub: id_token(sub, "hana@example.com", key=_other_key()), id="other-key"),
        pytest.param(lambda sub: id_token(sub, "hana@example.com", key=None, algorithm="none"), id="unsigned"),
        pytest.param(lambda sub: id_token(sub, "hana@example.com", aud="another-client"), id="other-audience"),
        pytest.param(lambda sub: id_token(sub, "hana@example.com", iss="https://evil.example"), id="other-issuer"),
        pytest.param(lambda sub: id_token(sub, "hana@example.com", exp=int(time.time()) - 3600), id="expired"),
        pytest.param(lambda sub: id_token(sub, "hana@example.com", token_use="access"), id="access-token"),
        pytest.param(lambda sub: "", id="missing"),
    ],
)
def test_an_id_token_that_does_not_verify_is_refused(hosted_ui, forge):
    sub = hosted_user()
    client = Client()
    params = start(client)
    token = forge(sub)
    if token:
        response = finish(client, hosted_ui, token, state=params["state"])
    else:
        hosted_ui.post(TOKEN_URL, json={"access_token": "access-token-from-cognito", "token_type": "Bearer"})
        response = client.get(CALLBACK, {"code": "code-from-cognito", "state": params["state"]})
    assert response.status_code == 401
    assert "_auth_user_id" not in client.session
    assert profiles.get_profile(sub=sub) is None
    assert requests_to(hosted_ui, USERINFO_URL) == []  # nothing is asked with an unverified login


# --- the door off (the default) ------------------------------------------------------


def test_without_a_domain_there_is_no_door(client, db):
    assert "allauth.socialaccount" not in django_settings.INSTALLED_APPS
    assert client.post(LOGIN).status_code == 404
    assert client.get(CALLBACK, {"code": "code-from-cognito", "state": "any"}).status_code == 404
    html = client.get("/accounts/login/").content.decode()
    assert "hosted page" not in html
    assert "amazon-cognito" not in html


# --- one ORM-cache template for both ----------------------------------------------------


def test_one_orm_cache_template_serves_the_door_on_and_off(tmp_path):
    from tests.fresh_processes import PRODUCTION, manage

    door_on = {**PRODUCTION, "COGNITO_DOMAIN": DOMAIN}
    # scripts/build-lambda migrates the template with the door on...
    assert manage(door_on, tmp_path, "migrate", "-v", "0").returncode == 0
    # ...so a stage runs from it whether its COGNITO_DOMAIN is set or not.
    for env in (PRODUCTION, door_on):
        result = manage(env, tmp_path, "migrate", "--check")
        assert result.returncode == 0, result.stdout + result.stderr


def test_a_template_made_without_the_door_lacks_its_tables(tmp_path):
    from tests.fresh_processes import PRODUCTION, manage

    assert manage(PRODUCTION, tmp_path, "migrate", "-v", "0").returncode == 0
    result = manage({**PRODUCTION, "COGNITO_DOMAIN": DOMAIN}, tmp_path, "migrate", "--check", "--plan")
    assert result.returncode != 0
    assert "socialaccount" in result.stdout
