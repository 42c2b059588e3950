import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.template.loader import render_to_string
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.conftest import PASSWORD


def log_in(client, make_user, display_name):
    make_user(display_name=display_name)
    client.post("/accounts/login/", {"login": "ada@example.com", "password": PASSWORD})
    client.get("/")  # shows (and clears) the "signed in" message


@pytest.fixture
def signed_in(client, make_user):
    log_in(client, make_user, "Ada the Bard")


def test_visitor_reads_what_the_product_does(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.templates[0].name == "home.html"
    html = response.content.decode()
    for feature in (
        "Record every session",
        "Read the transcript",
        "AI recaps",
        "Share read-only links",
        "Search everything",
    ):
        assert feature in html


def test_visitor_page_makes_no_aws_calls(client, aws, aws_calls):
    with aws_calls() as calls:
        assert client.get("/").status_code == 200
    assert calls.operations() == []


def test_visitor_is_asked_to_sign_up_or_log_in(client):
    response = client.get("/")
    html = response.content.decode()
    assert '<a class="button" href="/accounts/signup/">Create your account</a>' in html
    assert 'href="/accounts/login/">Log in</a>' in html
    assert 'href="/campaigns/"' not in html
    assert "Log out" not in html


def test_links_to_missing_pages_are_left_out(client):
    # Today's real URLconf: whatever does not resolve yet is not linked, and nothing fails.
    html = client.get("/").content.decode()
    for name, text in (("account_signup", "Create your account"), ("account_login", "Log in")):
        try:
            assert f'href="{reverse(name)}"' in html
        except NoReverseMatch:
            assert text not in html


def test_signed_in_user_is_led_to_their_campaigns(client, signed_in):
    html = client.get("/").content.decode()
    assert "Welcome back, Ada the Bard" in html
    assert '<a class="button" href="/campaigns/">Go to your campaigns</a>' in html
    assert 'href="/search/">Search</a>' in html
    assert '<form method="post" action="/accounts/logout/">' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "Create your account" not in html


def test_signed_in_user_without_campaign_pages_yet(client, signed_in):
    response = client.get("/")
    assert response.status_code == 200
    assert "Ada the Bard" in response.content.decode()


def test_display_name_is_escaped(client, make_user):
    log_in(client, make_user, "<script>alert(1)</script>")
    html = client.get("/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("cookie", "expected"), [("dark", "dark"), ("light", "light"), ("neon", "auto"), (None, "auto")]
)
def test_theme_cookie_sets_data_theme(client, cookie, expected):
    if cookie:
        client.cookies["theme"] = cookie
    html = client.get("/").content.decode()
    assert f'<html lang="en" data-theme="{expected}">' in html
    assert f'<option value="{expected}" selected>' in html


def test_messages_are_announced_by_level(rf):
    request = rf.get("/")
    request._messages = CookieStorage(request)
    messages.success(request, "Campaign saved.")
    messages.error(request, "The transcript is too large.")
    html = render_to_string("home.html", request=request)
    assert '<p class="message message-success" role="status">Campaign saved.</p>' in html
    assert '<p class="message message-error" role="alert">The transcript is too large.</p>' in html


def csrf_client():
    client = Client(enforce_csrf_checks=True)
    client.get("/")  # the theme form sets the CSRF cookie
    return client, client.cookies["csrftoken"].value


def test_set_theme_remembers_a_valid_choice(db):
    client, token = csrf_client()
    response = client.post("/preferences/theme/", {"theme": "dark", "next": "/health/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert response["Location"] == "/health/"
    cookie = response.cookies["theme"]
    assert cookie.value == "dark"
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_set_theme_ignores_an_unknown_theme(db):
    client, token = csrf_client()
    response = client.post("/preferences/theme/", {"theme": "neon", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert "theme" not in response.cookies


def test_set_theme_never_redirects_off_site(db):
    client, token = csrf_client()
    response = client.post(
        "/preferences/theme/", {"theme": "light", "next": "https://evil.example/", "csrfmiddlewaretoken": token}
    )
    assert response["Location"] == "/"


@pytest.mark.parametrize(
    "next_value",
    [
        "x",
        "home",
        "campaigns:list",
        "//evil.example/",
        "/\\evil.example/",
        "javascript:alert(1)",
        "http:/x",
        "/" + "a" * 2001,
    ],
)
def test_set_theme_goes_home_for_a_next_that_is_not_a_path_here(db, next_value):
    # "x" was a 500: redirect() took it for a URL name.
    client, token = csrf_client()
    response = client.post("/preferences/theme/", {"theme": "dark", "next": next_value, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies["theme"].value == "dark"


def test_set_theme_keeps_a_path_with_its_query_even_when_the_theme_is_unknown(db):
    client, token = csrf_client()
    response = client.post(
        "/preferences/theme/", {"theme": "neon", "next": "/search/?q=dragon", "csrfmiddlewaretoken": token}
    )
    assert response["Location"] == "/search/?q=dragon"
    assert "theme" not in response.cookies


def test_set_theme_needs_the_csrf_token(db):
    client, _ = csrf_client()
    response = client.post("/preferences/theme/", {"theme": "dark"})
    assert response.status_code == 403
    assert "theme" not in response.cookies
    assert response.templates[0].name == "403_csrf.html"


def test_set_theme_refuses_get(client):
    assert client.get("/preferences/theme/").status_code == 405


def test_health_is_ok_without_touching_aws(client, aws, aws_calls):
    with aws_calls() as calls:
        response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert calls.operations() == []
    assert "no-cache" in response["Cache-Control"]
