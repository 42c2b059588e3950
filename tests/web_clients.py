"""Test clients for page tests: signed in (through the real login form) or anonymous, all
with CSRF checks on, so every POST a test makes carries the token as a browser's would."""

import re
from urllib.parse import quote

from django.conf import settings
from django.test import Client

from tests.conftest import PASSWORD


def signed_in_client(make_user, email, display_name):
    """A client logged in as a new user; `client.sub` is the user's Cognito sub."""
    sub = make_user(email, display_name=display_name)
    client = anonymous_client()
    response = post(client, "/accounts/login/", {"login": email, "password": PASSWORD})
    assert response.status_code == 302, "log in failed"
    client.get("/")  # shows (and clears) the "signed in" message: later pages show only their own
    client.sub = sub
    return client


def anonymous_client():
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")  # sets the CSRF cookie, as any page with a form does
    return client


def post(client, url, data=None):
    """POST with the CSRF token the client's cookie holds (it changes at login)."""
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def login_url(path):
    """Where login_required sends an anonymous visitor of `path` (the path kept as `next`)."""
    return f"/accounts/login/?next={quote(path, safe='/')}"


def signed_in(email="ada@example.com", **client_options):
    """A client of an existing user, logged in through the login page's form (no `sub`)."""
    client = Client(**client_options)
    token = csrf_token(client.get("/accounts/login/").content.decode())
    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 302, "the login failed"
    return client


def log_in(client, email="ada@example.com", password=PASSWORD, **extra):
    """POST the login form (the client checks no CSRF token)."""
    return client.post("/accounts/login/", {"login": email, "password": password, **extra})


def session_key(client):
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def csrf_token(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def header(html):
    return html.split("</header>")[0]
