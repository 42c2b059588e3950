"""Every URL, whatever it is sent: never a server error (issue 11, item 8).

For every URL pattern of the URLconf (walked from get_resolver(), so a new page is covered
the day it is added: ours, allauth's and the share pages), Hypothesis sends generated
requests and the test asserts that none answers 5xx or raises out of the test client
(Django's Client re-raises a view's exception). Each example draws:

- the visitor: the owner of the world's objects, another signed-in user, or nobody;
- GET or POST (a POST carries the visitor's valid CSRF token, so the view body runs);
- a value for every path converter: real ids of the world (together, so that the page
  renders, or mixed with another user's and random ones) and values made from the
  converter's own regex;
- a value (or several) for every field of the forms that post to the URL, found on the
  world's pages (tests/url_world.py), plus extra fields no form has; values include
  payloads signed with our key and the salts of the values we sign (an upload token, a
  page cursor) but of shapes we never sign;
- query parameters the views read (QUERY_PARAMETERS, from `grep request.GET`) and
  random ones;
- cookies the site reads (theme, share grant, web session key, messages) with any value.

The world (two users, their campaigns, sessions, a transcript, summaries, share links) is
built once per module inside one mock_aws; a fixture signs the users in again and
rebuilds objects that a request deleted or moved. Examples per URL: FUZZ_EXAMPLES
(default 10); `FUZZ_EXAMPLES=200 pytest tests/test_fuzz_urls.py` searches harder.
"""

import os
from urllib.parse import urlencode

import pytest
from django.core import signing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaigns_site.converters import ITEM_ID_REGEX
from sessions.core.kinds import KINDS, LENGTHS
from tests.url_patterns import fill, walk
from tests.url_world import module_world, refresh, view_key

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # nothing written to the work tree; a failure prints its example
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Every name a view reads from request.GET (grep "request.GET"), and names that pages link with.
QUERY_PARAMETERS = [
    "page",
    "line",
    "t",
    "speaker",
    "q",
    "first",
    "cursor",
    "campaign",
    "played_from",
    "played_to",
    "upload",
    "email",
    "next",
    "refreshed",
    "code",
]
COOKIES = ["theme", "share_grant", "sessionid", "messages"]  # a bad csrftoken is only ever a 403


ROUTES = list(walk())


# Past findings, each with its own test: `next=x` on the theme form (tests/test_home_view.py),
# signed upload tokens and cursors of another shape (tests/test_transcript_views.py,
# tests/test_pagination.py).


# --- the world --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module (tests/url_world.py), with the forms of every page that renders."""
    with module_world(django_db_blocker, routes=ROUTES) as world:
        QUERY_PARAMETERS.extend(sorted(world.get_form_fields - set(QUERY_PARAMETERS)))
        yield world


@pytest.fixture
def fresh_world(world, db):
    """The users signed in and the objects there, whatever the previous test's requests did."""
    refresh(world)
    return world


# --- what is sent -----------------------------------------------------------------------------------
TRICKY = [
    "",
    " ",
    "0",
    "-1",
    "1",
    "00",
    "1e309",
    "nan",
    "99999999999999999999999999",
    "x" * 5000,
    "/",
    "//evil.example/",
    "https://evil.example/",
    "../../etc/passwd",
    "%00",
    "\x00",
    "\x1b[31mred",
    "<script>alert(1)</script>",
    "a#b",
    "a/b",
    "2024-02-30",
    "0000-01-01",
    "9999-12-31",
    "12:34:56",
    "99:99",
    "-00:01",
    "true",
    "on",
    "None",
    "{}",
    "[]",
    "🐉",
    "\u202e",
    "\ud7ff",
    "SPEAKER_00",
    "recap",
    "transcript",
    "brief",
]


# Salts of the values the site signs and reads back (the upload token, page cursors): a
# payload signed with our key but of a shape we never sign must be refused, not a 500.
SIGNED_SALTS = ["sessions.transcript-upload", "campaigns_site.pagination"]


def signed_values(world, real):
    leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20), st.sampled_from(real))

    def nested(children):
        return st.one_of(st.lists(children, max_size=3), st.dictionaries(st.text(max_size=6), children, max_size=3))

    anything = st.recursive(leaves, nested, max_leaves=8)
    subs = st.sampled_from(sorted(world.subs.values()))
    some = st.one_of(st.sampled_from(real), anything)
    upload = st.fixed_dictionaries({"sub": subs, "campaign": some, "session": some, "upload": some})
    cursor = st.fixed_dictionaries({"p": subs.map(lambda sub: f"USER#{sub}"), "s": st.text(max_size=10), "k": anything})
    payloads = st.one_of(anything, upload, cursor)
    return st.builds(lambda payload, salt: signing.dumps(payload, salt=salt), payloads, st.sampled_from(SIGNED_SALTS))


def values(world):
    """Any value a field or parameter could get."""
    real = sorted({value for pool in world.pools.values() for value in pool})
    return st.one_of(
        signed_values(world, real),
        st.sampled_from(TRICKY),
        st.text(max_size=40),
        st.integers().map(str),
        st.dates().map(str),
        st.from_regex(ITEM_ID_REGEX, fullmatch=True),
        st.sampled_from(real),
        st.sampled_from(sorted(KINDS) + sorted(LENGTHS)),
    )


def path_value(world, name, regex):
    """A value for one converter: a real one, or one its regex matches."""
    generated = st.from_regex(regex, fullmatch=True).filter(lambda value: "\n" not in value)
    if name == "token":  # <str:token>: any text without "/"
        generated = st.one_of(generated, st.text(min_size=1, max_size=80).filter(lambda value: "/" not in value))
    real = world.pools.get(name)
    return st.one_of(st.sampled_from(real), generated) if real else generated


def draw_path(data, world, route):
    params = {}
    names = [name for name, _ in route.params]
    if names and data.draw(st.sampled_from([True, True, False]), label="real objects"):
        base = data.draw(st.sampled_from(world.coherent), label="objects")
        if all(name in base for name in names):
            params = dict(base)
    if "kind" in names and "kind" in params:
        params["kind"] = data.draw(st.sampled_from([params["kind"], *KINDS, "story_so_far"]), label="kind")
    for name, regex in route.params:
        if name not in params:
            params[name] = data.draw(path_value(world, name, regex), label=name)
    return fill(route, params)


def draw_fields(data, world, route):
    known = world.forms.get(view_key(route.callback), {})
    one = values(world)
    body = {}
    for name, seen in known.items():
        choice = data.draw(st.sampled_from(["seen", "any", "several", "absent"]), label=f"{name} how")
        if choice == "seen" and seen:
            body[name] = data.draw(st.sampled_from(seen), label=name)
        elif choice == "any":
            body[name] = data.draw(one, label=name)
        elif choice == "several":
            body[name] = data.draw(st.lists(one, min_size=2, max_size=3), label=name)
    extra = data.draw(st.dictionaries(st.text(min_size=1, max_size=10), one, max_size=2), label="extra fields")
    return {**extra, **body}


def draw_query(data, world):
    names = st.one_of(st.sampled_from(QUERY_PARAMETERS), st.text(min_size=1, max_size=10))
    return data.draw(st.dictionaries(names, values(world), max_size=4), label="query")


def draw_cookies(data):
    printable = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters=';,"\\'), max_size=60)
    return data.draw(st.dictionaries(st.sampled_from(COOKIES), printable, max_size=2), label="cookies")


def send(world, visitor, method, path, query, body, cookies):
    client = world.clients[visitor]
    saved = {name: client.cookies[name].value for name in cookies if name in client.cookies}
    for name, value in cookies.items():
        client.cookies[name] = value
    try:
        url = f"{path}?{urlencode(query, doseq=True)}" if query else path
        if method == "GET":
            return client.get(url)
        csrf = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""
        return client.post(url, {**body, "csrfmiddlewaretoken": csrf})
    finally:
        for name in cookies:
            if name in saved:
                client.cookies[name] = saved[name]
            else:
                del client.cookies[name]


# --- the test ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("route", ROUTES, ids=[route.id for route in ROUTES])
@FUZZ
@given(data=st.data())
def test_no_request_gets_a_server_error(fresh_world, route, data):
    # The owner most often: only they get past the ownership checks into the views' bodies.
    visitor = data.draw(st.sampled_from(["owner", "owner", "other", "anonymous"]), label="visitor")
    method = data.draw(st.sampled_from(["GET", "POST"]), label="method")
    path = draw_path(data, fresh_world, route)
    query = draw_query(data, fresh_world)
    body = draw_fields(data, fresh_world, route) if method == "POST" else {}
    cookies = draw_cookies(data)
    response = send(fresh_world, visitor, method, path, query, body, cookies)
    if os.environ.get("FUZZ_STATS"):
        with open(os.environ["FUZZ_STATS"], "a") as out:
            out.write(f"{route.id}\t{visitor}\t{method}\t{response.status_code}\n")
    assert response.status_code < 500, f"{method} {path} {query} {body} {cookies}: {response.status_code}"


def test_the_walk_finds_every_kind_of_page(world):
    """The URLconf walk reaches ours, allauth's and the share pages, and the form discovery
    finds the forms of pages that have some."""
    ids = {route.id for route in ROUTES}
    assert {
        "/preferences/theme/",
        "/accounts/login/",
        "/share/<token>/",
        "/campaigns/<campaign_id>/sessions/<session_id>/share/<token_hash>/revoke/",
    } <= ids
    by_id = {route.id: route for route in ROUTES}
    assert "theme" in world.forms[view_key(by_id["/preferences/theme/"].callback)]
    assert "login" in world.forms[view_key(by_id["/accounts/login/"].callback)]
    assert "kinds" in world.forms[view_key(by_id["/campaigns/<campaign_id>/sessions/<session_id>/summaries/"].callback)]
