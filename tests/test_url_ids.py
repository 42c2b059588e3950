"""Every id in a URL must name the object acted on, or 404 (issue 11, item 9).

For every URL with more than one id (walked from the URLconf: a new one is covered the
day it is added), each id in turn is swapped for another real id of the same owner that
does not go with the others (the session of another campaign, a share link of another
session, a summary kind the session does not have) and for one that does not exist. Each
such URL, as the owner, with GET and with POST (the page's own form, CSRF token and all,
so that the view would act if it took the URL's word), answers 404 (or 405 for a method
the view never takes) and changes nothing in the table or the bucket.
"""

from urllib.parse import quote

import pytest
from django.conf import settings
from django.core import signing

from campaigns_site import aws as aws_clients
from campaigns_site.table_keys import new_id
from tests.url_patterns import fill, walk
from tests.url_world import module_world, refresh
from tests.web_clients import post

ID_PARAMETERS = {"campaign_id", "session_id", "token_hash", "kind"}
MULTI_ID_ROUTES = [route for route in walk() if len({name for name, _ in route.params} & ID_PARAMETERS) > 1]
UNKNOWN = {"campaign_id": "0" * 26, "session_id": "0" * 26, "token_hash": "0" * 64, "kind": "no_such_kind"}


@pytest.fixture(scope="module")
def multi_id_world(django_db_setup, django_db_blocker):
    """Built once for the module (tests/url_world.py): nothing here may change it."""
    with module_world(django_db_blocker, routes=MULTI_ID_ROUTES) as world:
        yield world


@pytest.fixture
def objects(multi_id_world, db):
    """The ids a URL names (a session with a transcript, summaries and a share link), and,
    for each, other real ids of the owner that do not go with the rest: another campaign,
    a session of that campaign, a link of another session of the same campaign and one of
    the other campaign, a kind of summary this session lacks."""
    world = multi_id_world
    refresh(world)
    named = world.named
    swaps = {
        "campaign_id": [named["second_campaign_id"]],
        "session_id": [named["elsewhere_session_id"]],
        "token_hash": [named["sibling_link"], named["elsewhere_link"]],
        "kind": ["loot"],
    }
    return world, named["shared"], swaps


def upload_token(world, acted_on):
    """A token as the upload form signs it, for the session acted on (transcript_uploaded
    takes one): the URL's ids must match it too."""
    payload = {
        "sub": world.subs["owner"],
        "campaign": acted_on["campaign_id"],
        "session": acted_on["session_id"],
        "upload": new_id(),
    }
    return signing.dumps(payload, salt="sessions.transcript-upload")


def everything_stored():
    """The whole table (but the web sessions, which a request may touch) and the bucket."""
    table = aws_clients.client("dynamodb").scan(TableName=settings.DYNAMODB_TABLE)["Items"]
    items = sorted(
        (
            item
            for item in table
            if not item["PK"]["S"].startswith("WEBSESSION#") and not item["SK"]["S"].startswith("WEBSESSION#")
        ),
        key=lambda item: (item["PK"]["S"], item["SK"]["S"]),
    )
    bucket = aws_clients.client("s3").list_objects_v2(Bucket=settings.TRANSCRIPT_BUCKET).get("Contents", [])
    return items, sorted((item["Key"], item["ETag"]) for item in bucket)


def form_data(world, route):
    """The fields of the form that posts to the route's view, as the owner's pages fill
    them in (tests/url_world.py found them): what a real submission would send."""
    fields = world.forms.get(route.callback, {})
    return {name: next((value for value in reversed(values) if value), "") for name, values in fields.items()}


@pytest.mark.parametrize("route", MULTI_ID_ROUTES, ids=[route.id for route in MULTI_ID_ROUTES])
def test_a_url_whose_ids_do_not_go_together_is_404_and_changes_nothing(objects, route):
    world, acted_on, swaps = objects
    owner = world.clients["owner"]
    names = [name for name, _ in route.params]
    right = fill(route, acted_on)
    data, query = form_data(world, route), ""
    if route.id.endswith("/transcript/uploaded/"):
        token = upload_token(world, acted_on)
        data, query = {"upload": token}, f"?upload={quote(token)}"
    assert owner.get(right + query).status_code in (200, 302, 405), "the real URL works"
    checked = 0
    for name in names:
        for wrong_id in [*swaps[name], UNKNOWN[name]]:
            wrong = fill(route, {**acted_on, name: wrong_id}) + query
            before = everything_stored()
            for method, response in (("GET", owner.get(wrong)), ("POST", post(owner, wrong, data))):
                refused_method = response.status_code == 405 and method not in response.get("Allow", "")
                # A link that is not there (any more) cannot be told from one revoked a moment
                # ago: revoking it again says so, on the right session's page, and deletes nothing.
                already_revoked = (
                    route.id.endswith("/revoke/")
                    and wrong_id == UNKNOWN["token_hash"]
                    and response.status_code == 302
                    and response["Location"] == fill(route, acted_on).split(f"{acted_on['token_hash']}/")[0]
                )
                assert response.status_code == 404 or refused_method or already_revoked, (
                    f"{method} {wrong} ({name} swapped): {response.status_code}"
                )
                checked += response.status_code == 404
            assert everything_stored() == before, f"{wrong} ({name} swapped) changed something"
    assert checked >= len(names), "each id swapped is refused with a 404"


def test_the_walk_finds_the_urls_with_several_ids():
    ids = {route.id for route in MULTI_ID_ROUTES}
    assert "/campaigns/<campaign_id>/sessions/<session_id>/share/<token_hash>/revoke/" in ids
    assert "/campaigns/<campaign_id>/sessions/<session_id>/summaries/<kind>/edit/" in ids
    assert "/campaigns/<campaign_id>/sessions/<session_id>/summaries/status/" in ids
    assert len(ids) >= 17
