"""/staff/shares/ and /staff/shares/revoke/: share links across users for staff only, from
the share registry (two requests with the session check, no Scan; the counts made by the
hourly count, never by the page); a revoke after a confirm page, as the owner, and the link stops working;
ids, dates and counts only: never the token, the label, nor the session's text."""

import pytest
from django.test import Client

from campaigns_site import audit
from campaigns_site.table import summary_sk, user_pk
from sessions.sharing import registry
from sessions.sharing.repository import create_share_link, open_share_link
from sessions.summaries.items import Summary
from tests.transcript_samples import sample_bytes
from tests.web_clients import csrf_token, post, signed_in

PAGE = "/staff/shares/"
REVOKE = "/staff/shares/revoke/"
OWNER = "owner-sub-2"
SECRET = "Quokkafjord"  # planted in the user's text: never on a staff page
AUTH = "dynamodb.BatchGetItem"  # the web session and the profile, as every signed-in page


@pytest.fixture
def link(make_campaign, make_session):
    """Another user's link, viewed twice; the session's title, notes, transcript, summary
    and the link's label hold SECRET."""
    campaign = make_campaign(sub=OWNER, name=f"Campaign {SECRET}")
    transcript = sample_bytes("vtt", hours=0.02).replace(b"the", f"the {SECRET}".encode())
    session = make_session(
        sub=OWNER, campaign=campaign, title=f"Title {SECRET}", notes=f"Notes {SECRET}", transcript=transcript
    )
    Summary(
        user_pk(OWNER),
        summary_sk(campaign.campaign_id, session.session_id, "recap"),
        kind="recap",
        text=f"Recap {SECRET}",
        provider="offline",
    ).save()
    made = create_share_link(
        sub=OWNER,
        campaign_id=campaign.campaign_id,
        session_id=session.session_id,
        scope="transcript",
        label=f"Label {SECRET}",
    )
    open_share_link(token=made.token)
    open_share_link(token=made.token)
    return made


def test_anonymous_is_sent_to_log_in(aws, db):
    for path in (PAGE, REVOKE):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={path}"
    posted = Client().post(REVOKE, {})
    assert posted.status_code == 302 and posted["Location"].startswith("/accounts/login/")


def test_a_signed_in_user_who_is_not_staff_gets_our_403(player, staff, link):
    client = signed_in("bo@example.com")
    for path in (PAGE, REVOKE):
        response = client.get(path)
        assert response.status_code == 403
        assert response.templates[0].name == "403.html"
    assert post(client, REVOKE, {"link": link.link.token_hash}).status_code == 403
    assert registry.get_entry(token_hash=link.link.token_hash).revoked is None


def test_staff_see_counts_views_and_the_most_viewed_and_never_the_users_text(staff, link, aws_calls):
    client = signed_in("ada@example.com")
    client.get("/")  # the login message is shown once
    with aws_calls() as calls:
        response = client.get(PAGE)
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["staff/shares.html", "base.html"]
    # Never counted yet (a new table's first hour): no counts, and the registry's Query.
    assert calls.operations() == [AUTH, "dynamodb.Query", "dynamodb.BatchGetItem"]
    assert "Not counted yet" in response.content.decode()
    registry.fresh_stats()  # the hourly count (sessions/sharing/scheduled.py)
    with aws_calls() as calls:
        response = client.get(PAGE)
    # The counts and the newest list with the session check, the first page by key: two.
    assert calls.operations() == [AUTH, "dynamodb.BatchGetItem"]
    assert calls.count("dynamodb", "Scan") == 0
    html = response.content.decode()
    assert "<dt>Live</dt><dd>1</dd>" in html and "<dt>Total views</dt><dd>2</dd>" in html
    assert "<dt>Revoked</dt><dd>0</dd>" in html
    assert link.link.token_hash[:10] in html and OWNER in html and link.link.session_id in html
    assert html.count(f"<code>{link.link.token_hash[:10]}</code>") == 2  # most viewed, and the list
    assert SECRET not in html
    assert link.token not in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_forged_cursor_starts_over(staff, aws):
    assert signed_in("ada@example.com").get(PAGE, {"cursor": "forged"}).status_code == 400


def test_a_revoke_asks_to_confirm_then_the_link_stops_working(staff, link, aws_calls):
    client = signed_in("ada@example.com")
    token_hash = link.link.token_hash
    with aws_calls() as calls:
        confirm = client.get(REVOKE, {"link": token_hash})
    assert confirm.status_code == 200
    assert calls.operations() == [AUTH, "dynamodb.GetItem"]
    html = confirm.content.decode()
    assert f"Revoke link {token_hash[:10]}?" in html and SECRET not in html and link.token not in html
    assert open_share_link(token=link.token) is not None  # asking revoked nothing

    with aws_calls() as calls:
        response = client.post(REVOKE, {"link": token_hash, "csrfmiddlewaretoken": csrf_token(html)})
    assert response.status_code == 302 and response["Location"] == PAGE
    assert calls.operations() == [
        AUTH,
        "dynamodb.GetItem",  # the registry's entry
        "dynamodb.TransactWriteItems",  # the revoke
        "dynamodb.GetItem",  # the owner's directory entry (none here): the audit entry's list
        "dynamodb.PutItem",  # the audit entry
    ]
    assert open_share_link(token=link.token) is None
    (recorded,) = audit.list_actions().items  # who revoked which link, in the audit log
    assert (recorded.action, recorded.detail, recorded.by) == (
        "revoke-share",
        f"link {token_hash[:10]}",
        "ada@example.com",
    )
    assert Client().get(f"/share/{link.token}/").status_code == 404
    assert registry.get_entry(token_hash=token_hash).revoked is not None
    listed = client.get(PAGE).content.decode()
    assert f"Link {token_hash[:10]} is revoked" in listed and "revoked" in listed and SECRET not in listed

    again = client.post(REVOKE, {"link": token_hash, "csrfmiddlewaretoken": csrf_token(html)})
    assert again.status_code == 302
    assert "revoked or gone already" in client.get(PAGE).content.decode()


def test_the_revoke_needs_csrf_and_a_registry_id(staff, link):
    client = signed_in("ada@example.com", enforce_csrf_checks=True)
    assert client.post(REVOKE, {"link": link.link.token_hash}).status_code == 403
    assert client.get(REVOKE, {"link": "SHARE#x"}).status_code == 404
    assert client.get(REVOKE, {"link": link.token}).status_code == 404  # a token is not an id here
    assert open_share_link(token=link.token) is not None


def _row_of(html, token_hash):
    """The list's row of a link (the table's last one holding its short id)."""
    return html.split(f"<code>{token_hash[:10]}</code>")[-1].split("</tr>")[0]


def test_the_page_in_two_shows_live_views_and_revokes_after_the_count(staff, player, link, aws_calls):
    registry.fresh_stats()  # the hourly count: 2 views then
    owner_session = registry.get_entry(token_hash=link.link.token_hash)
    later = create_share_link(
        sub=OWNER, campaign_id=owner_session.campaign_id, session_id=owner_session.session_id, scope="recap"
    )
    open_share_link(token=link.token)
    open_share_link(token=later.token)
    client = signed_in("ada@example.com")
    client.get("/")
    with aws_calls() as calls:
        html = client.get(PAGE).content.decode()
    assert calls.operations() == [AUTH, "dynamodb.BatchGetItem"]
    assert "<dt>Total views</dt><dd>2</dd>" in html  # the counts as of the count
    assert "<td>3</td>" in _row_of(html, link.link.token_hash) and "<td>1</td>" in _row_of(html, later.link.token_hash)
    post(client, REVOKE, {"link": later.link.token_hash})
    with aws_calls() as calls:
        html = client.get(PAGE).content.decode()
    assert calls.operations() == [AUTH, "dynamodb.BatchGetItem"]
    assert 'badge-warning">revoked' in _row_of(html, later.link.token_hash)
    assert "Revoke…" not in _row_of(html, later.link.token_hash)
    assert "<td>3</td>" in _row_of(html, link.link.token_hash)
    # Not staff, or not signed in: nothing of it (the page's keys were read, then refused).
    assert signed_in("bo@example.com").get(PAGE).status_code == 403
    assert Client().get(PAGE).status_code == 302
