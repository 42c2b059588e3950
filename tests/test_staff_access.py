"""Every staff URL, walked from the URLconf (so a staff page added tomorrow is covered):
nobody signed in is sent to log in, a signed-in user who is not staff gets our 403, for
GET and for POST, and neither changes anything. The attacker's crawl, for /staff/.

Each page's own test file has the staff member's side (what the page shows and does).
"""

import re

import pytest

from tests.url_patterns import fill, walk
from tests.web_clients import anonymous_client, login_url, post, signed_in

STAFF_ROUTES = [route for route in walk() if route.id.startswith("/staff/")]


def _example(regex):
    """A value its converter accepts: a ULID-shaped sub or id, else the regex's own sample."""
    for candidate in ("01J8Z3V8Y4Q6W1K2M3N4P5R6S7", "0f5c9d2e-1b7a-4c55-9e1a-3f2d4c5b6a7e", "make-staff", "x"):
        if re.fullmatch(regex, candidate):
            return candidate
    # A new converter under /staff/ must be walked too, not skipped: give it a sample here.
    raise AssertionError(f"no sample value for {regex}: add one to _example")


def _path(route):
    return fill(route, {name: _example(regex) for name, regex in route.params})


def test_the_staff_pages_are_found():
    # /staff/, the members' forms and the cutover page existed before issue 15; it adds more.
    assert len(STAFF_ROUTES) >= 4


@pytest.mark.parametrize("route", STAFF_ROUTES, ids=lambda route: route.id)
@pytest.mark.parametrize("method", ["get", "post"])
def test_nobody_signed_in_is_sent_to_log_in(aws, db, route, method):
    path = _path(route)
    client = anonymous_client()
    # A POST carries a valid CSRF token, as an attacker's own page could: the staff check refuses it.
    response = client.get(path) if method == "get" else post(client, path, {"confirm": "yes"})
    assert response.status_code == 302, path
    assert response["Location"] == login_url(path)


@pytest.mark.parametrize("route", STAFF_ROUTES, ids=lambda route: route.id)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_user_who_is_not_staff_gets_our_403(player, aws_calls, route, method):
    client = signed_in("bo@example.com", enforce_csrf_checks=True)
    client.get("/")  # the login message is shown once; the cookie holds the CSRF token
    path = _path(route)
    with aws_calls() as calls:
        response = client.get(path) if method == "get" else post(client, path, {"confirm": "yes"})
    assert response.status_code == 403, path
    assert response.templates[0].name == "403.html"
    # The web session and the profile: the refusal reads and writes nothing else.
    assert calls.operations() == ["dynamodb.BatchGetItem"], path
