"""At most two DynamoDB requests per signed-in GET page, the session check included (issue 17).

Every GET route of the URLconf (walked, so a page added tomorrow is counted too) is opened
by a signed-in owner whose account has everything a page can show: a campaign with a
transcribed session, summaries (one of v1.0's own kinds), speaker names, a story so far,
summary jobs, share links and exports. Staff pages are opened by a staff member. The
public share pages (opened with no session) must keep to two as well. A page over its budget fails with every
page's count listed.

Below: the guards of campaigns_site.prefetch (another user's keys are never read, nothing is
kept unless the web session's user is the key's, a POST plans nothing, an item is taken
once and forgotten after the view), and the session's list of its share links' hashes.
"""

import pytest

from tests.url_patterns import fill, walk
from tests.web_clients import signed_in

BUDGET = 2

# Pages still above the budget, with the count they have now: none of them may grow.
OVER_BUDGET = {
    # The search page: the session check, then in one round trip of parallel requests my
    # campaigns (the form's choices), my speaker names, the heads and each word's group, then
    # the shown results' snippets: 3 round trips (sessions/search/services.py).
    "/search/?q=mists": 5,
}

# The public share pages: opened without a session (a signed-in visitor costs the same).
PUBLIC = ("/share/<token>/", "/share/<token>", "/share/<token>/transcript/")

# Staff pages that ask services moto does not offer (their own tests stub them):
NOT_WALKED = {
    "/staff/costs/": "Cost Explorer's forecast (tests/test_staff_costs_view.py stubs it)",
}

# Pages that are not pages of the app: a route whose view only redirects elsewhere or that
# allauth keeps for flows we do not use still counts, so nothing is skipped but these params.
SAMPLE = {"action": "make-staff"}


def _world(make_user, make_summary):
    from datetime import timedelta

    from django.utils.timezone import now

    from campaigns.repository import create_campaign
    from exports import jobs as exports
    from sessions.core.repository import create_session, get_session
    from sessions.sharing.registry import count_links
    from sessions.sharing.repository import create_share_link
    from sessions.summaries import jobs as summary_jobs
    from sessions.summaries.imported import imported_summary, save_imported_summary
    from sessions.transcripts.repository import save_speaker_names
    from tests.transcript_samples import sample_bytes
    from tests.transcript_uploads import store_transcript

    sub = make_user("ada@example.com", staff=True)
    campaign = create_campaign(sub=sub, name="Secret Strahd")
    session = create_session(
        sub=sub, campaign_id=campaign.campaign_id, title="The Death House", number=1, played_on="2024-05-31"
    )
    ids = {"campaign_id": campaign.campaign_id, "session_id": session.session_id}
    store_transcript(sub=sub, **ids, data=sample_bytes("vtt", hours=0.01), filename="night.vtt")
    summary_jobs.start_summary_job(sub=sub, **ids, kinds=["recap", "npcs"])
    summary_jobs.start_story_job(sub=sub, campaign_id=campaign.campaign_id)
    save_speaker_names(
        sub=sub,
        campaign_id=campaign.campaign_id,
        expected_version=0,
        names={"Ada": {"player": "Ada", "character": "Ireena"}},
    )
    # A summary of v1.0's own kind (imported): the public pages read it by key too (issue 17).
    save_imported_summary(summary=imported_summary(sub=sub, **ids, kind="session_mood", text="Grim.", created=now()))
    create_share_link(sub=sub, **ids, scope="summaries")
    made = create_share_link(sub=sub, **ids, scope="transcript")
    exports.start_export(sub=sub)
    exports.start_export(sub=sub, campaign=campaign)
    create_session(sub=sub, campaign_id=campaign.campaign_id, title="No transcript yet")
    assert get_session(sub=sub, **ids).transcript_bytes
    # The hourly count has run (sessions/sharing/scheduled.py; upgrade_data's count_shares
    # after a deploy), then a link was made: the staff's share page reads its first page by
    # key. Never counted at all (a new table's first hour), that page asks a Query: 3.
    count_links(now=now() - timedelta(hours=3))  # and its counts are late: the page does not count
    create_share_link(sub=sub, **ids, scope="recap")
    return {
        **ids,
        "token_hash": made.pointer.token_hash,
        "token": made.token,
        "kind": "recap",
        "sub": sub,
        **SAMPLE,
    }


def _paths(params):
    for route in walk():
        if route.id in NOT_WALKED:
            continue
        if any(name.startswith("regex:") for name, _ in route.params):
            continue  # allauth's own regex routes (social logins): pages of flows we do not use
        # A parameter the world has no object for (allauth's keys): a value that names nothing.
        yield route.id, fill(route, {name: "x" for name, _ in route.params} | params)


def _count(client, path, aws_calls):
    with aws_calls() as calls:
        response = client.get(path)
    assert response.status_code < 500, path
    import os

    if os.environ.get("DEBUG_PAGES") and os.environ["DEBUG_PAGES"] in path:
        print(path, calls.operations())
    return sum(1 for operation in calls.operations() if operation.startswith("dynamodb."))


@pytest.mark.usefixtures("empty_transcript_cache")
def test_no_signed_in_page_makes_a_third_dynamodb_request(make_user, make_summary, aws_calls):
    from django.test import Client

    params = _world(make_user, make_summary)
    owner = signed_in("ada@example.com")
    owner.get("/")
    counts = {}
    for route_id, path in _paths(params):
        client = Client() if route_id in PUBLIC else owner
        counts[route_id] = _count(client, path, aws_calls)
    counts["/search/?q=mists"] = _count(owner, "/search/?q=mists", aws_calls)
    listing = "\n".join(f"{count}  {page}" for page, count in sorted(counts.items(), key=lambda pair: -pair[1]))
    over = {page: count for page, count in counts.items() if count > OVER_BUDGET.get(page, BUDGET)}
    assert not over, f"over budget: {over}\nevery page:\n{listing}"
    # A pinned page that got cheaper is pinned lower (or leaves the list): the list stays true.
    cheaper = {page: counts.get(page) for page, pinned in OVER_BUDGET.items() if counts.get(page) != pinned}
    assert not cheaper, f"pinned above their count now: {cheaper}\nevery page:\n{listing}"


# --- the page's items read with the session check: only its own user's, only for that request ---
def session_page(session):
    return f"/campaigns/{session.campaign_id}/sessions/{session.session_id}/"


class KeysRead:
    """The parameters of the requests made while it records (record_aws_calls takes any `add`)."""

    def __init__(self):
        self.requests = []

    def add(self, service, operation, params, **_):
        self.requests.append((f"{service}.{operation}", params))


def test_another_user_reads_nothing_of_the_owner_s_session(other, session):
    from campaigns_site.aws import record_aws_calls

    with record_aws_calls(KeysRead()) as log:
        response = other.get(session_page(session))
    # The planned keys are built from the visitor's own sub: the owner's items are never read.
    assert response.status_code == 404
    assert [operation for operation, _ in log.requests] == ["dynamodb.BatchGetItem"]
    keys = next(iter(log.requests[0][1]["RequestItems"].values()))["Keys"]
    assert len(keys) > 2 and all(session.pk not in repr(key) for key in keys)
    assert all(other.sub in repr(key) or "WEBSESSION" in repr(key) for key in keys)


def test_nobody_signed_in_plans_no_read(anonymous, session, aws_calls):
    with aws_calls() as calls:
        response = anonymous.get(session_page(session))
    assert response.status_code == 302
    assert calls.count("dynamodb") == 0


@pytest.mark.parametrize("stored_user", ["the key's", "someone else"])
def test_the_items_are_kept_only_when_the_session_s_user_is_the_key_s(owner, session, stored_user):
    """A web session whose data names another user than its key (it cannot happen: the key
    is rotated when the user changes) keeps nothing of what was read with it."""
    from django.contrib.auth import SESSION_KEY
    from django.test import RequestFactory

    from accounts.items import WebSession
    from accounts.session_store import SessionStore
    from campaigns_site import prefetch
    from campaigns_site.table_keys import WEB_SESSION_SK, web_session_pk
    from sessions.summaries.repository import session_page_keys

    key = "a" * 32 + "-" + owner.sub
    store = SessionStore()
    WebSession(
        web_session_pk(key),
        WEB_SESSION_SK,
        data=store.encode({SESSION_KEY: owner.sub if stored_user == "the key's" else "someone-else"}),
        expires=store.get_expiry_date(),
    ).save()
    request = RequestFactory().get("/")
    request.session = SessionStore(key)

    def view(request, campaign_id, session_id):
        request.session.load()
        return prefetch.take(session_page_keys(owner.sub, campaign_id, session_id))

    view.prefetch_keys = session_page_keys
    ids = {"campaign_id": session.campaign_id, "session_id": session.session_id}
    with prefetch.planned(request, view, ids):
        found, missing = view(request, **ids)
    if stored_user == "the key's":
        assert {item.sk for item in found} == {session.sk, f"CAMPAIGN#{session.campaign_id}"} and missing == []
    else:
        assert found == [] and len(missing) == len(session_page_keys(owner.sub, **ids))


def test_a_post_plans_no_read_and_each_item_is_taken_once(owner, session):
    from django.test import RequestFactory

    from campaigns_site import prefetch
    from sessions.core.lookups import session_keys

    class Unread:
        _session_cache = None

    def view(request, **ids):
        return prefetch.planned_keys(owner.sub)

    view.prefetch_keys = session_keys
    ids = {"campaign_id": session.campaign_id, "session_id": session.session_id}
    for method, planned in (("post", False), ("get", True)):
        request = getattr(RequestFactory(), method)("/")
        request.session = Unread()
        with prefetch.planned(request, view, ids):
            assert bool(view(request, **ids)) is planned
    request = RequestFactory().get("/")
    request.session = Unread()
    with prefetch.planned(request, view, ids):
        prefetch.keep(sub=owner.sub, items=[session])
        assert prefetch.take_one(session.pk, session.sk) == (True, session)
        assert prefetch.take_one(session.pk, session.sk) == (False, None)  # the second read asks the table
    assert prefetch.take_one(session.pk, session.sk) == (False, None)  # forgotten once the view returned


# --- the session lists its share links' hashes: read by key, in the page's second request ---
def _forget_the_list(session):
    """The session as it was before issue 17: links made, none listed on it."""
    from campaigns_site.transactions import Transaction
    from sessions.core.items import PlaySession

    transaction = Transaction()
    transaction.update(session.pk, session.sk, actions=[PlaySession.share_link_hashes.remove()])
    transaction.commit()


def _stored(session):
    from sessions.core.repository import get_session

    return get_session(sub=session.owner_sub, campaign_id=session.campaign_id, session_id=session.session_id)


def _link(owner, session, label):
    from sessions.sharing.repository import create_share_link

    ids = {"campaign_id": session.campaign_id, "session_id": session.session_id}
    return create_share_link(sub=owner.sub, **ids, scope="recap", label=label)


def test_making_and_revoking_links_keeps_the_list(owner, session):
    from sessions.sharing.repository import revoke_share_link

    first, second = _link(owner, session, "First"), _link(owner, session, "Second")
    assert _stored(session).share_link_hashes == {first.link.token_hash, second.link.token_hash}
    ids = {"campaign_id": session.campaign_id, "session_id": session.session_id}
    assert revoke_share_link(sub=owner.sub, **ids, token_hash=first.link.token_hash)
    assert _stored(session).share_link_hashes == {second.link.token_hash}
    assert revoke_share_link(sub=owner.sub, **ids, token_hash=second.link.token_hash)
    assert _stored(session).share_link_hashes is None
    html = owner.get(session_page(session)).content.decode()
    assert "First" not in html and "Second" not in html


def test_links_made_before_the_list_are_still_shown_and_listed_by_the_command(owner, session, aws_calls):
    from django.core.management import call_command

    _link(owner, session, "Made before")
    _forget_the_list(session)
    with aws_calls() as calls:
        html = owner.get(session_page(session)).content.decode()
    assert "Made before" in html
    assert calls.operations() == ["dynamodb.BatchGetItem", "dynamodb.Query", "dynamodb.BatchGetItem"]  # as before

    call_command("list_share_links_on_sessions")
    call_command("list_share_links_on_sessions")  # safe to re-run
    with aws_calls() as calls:
        html = owner.get(session_page(session)).content.decode()
    assert "Made before" in html
    assert calls.operations() == ["dynamodb.BatchGetItem", "dynamodb.BatchGetItem"]


def test_a_new_link_lists_the_links_made_before_it(owner, session):
    old = _link(owner, session, "Made before")
    _forget_the_list(session)
    new = _link(owner, session, "Made after")
    assert _stored(session).share_link_hashes == {old.link.token_hash, new.link.token_hash}
    html = owner.get(f"{session_page(session)}share/").content.decode()
    assert "Made before" in html and "Made after" in html


def test_a_planned_key_the_session_check_reads_anyway_is_read_once(owner):
    from django.test import RequestFactory

    from accounts.session_store import SessionStore
    from campaigns_site import prefetch
    from campaigns_site.table_keys import PROFILE_SK, user_pk
    from tests.web_clients import session_key

    def view(request):
        request.session.load()  # one BatchGetItem: a key twice in it would be refused
        return prefetch.take_one(user_pk(owner.sub), PROFILE_SK)

    view.prefetch_keys = lambda sub: [(user_pk(sub), PROFILE_SK)]
    request = RequestFactory().get("/")
    request.session = SessionStore(session_key(owner))
    with prefetch.planned(request, view, {}):
        read, profile = view(request)
    assert read and profile.email == "ada@example.com"
