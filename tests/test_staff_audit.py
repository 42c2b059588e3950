"""/staff/audit/: the audit log for staff, newest first, a page at a time (one Query, signed
cursors), usable on a phone; metadata only."""

import json
from datetime import UTC, datetime, timedelta

import time_machine
from django.test import Client

from campaigns_site import audit
from tests.iam_policy import POLICY
from tests.web_clients import post, signed_in

PAGE = "/staff/audit/"
START = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def record(n, **fields):
    with time_machine.travel(START + timedelta(minutes=n), tick=False):
        return audit.record_action(
            **{
                "by": "ada@example.com",
                "by_sub": "sub-ada",
                "action": "disable",
                "target_sub": f"sub-{n}",
                "target_email": f"user{n}@example.com",
                **fields,
            }
        )


def staff_client():
    client = signed_in("ada@example.com", enforce_csrf_checks=True)
    client.get("/")  # the login message is shown once
    return client


def test_anonymous_is_sent_to_log_in(aws, db):
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/staff/audit/"


def test_a_signed_in_user_who_is_not_staff_gets_our_403(player, staff):
    record(1)
    response = signed_in("bo@example.com").get(PAGE)
    assert response.status_code == 403
    assert response.templates[0].name == "403.html"
    assert "user1@example.com" not in response.content.decode()


def test_staff_see_an_empty_log_for_one_query(staff, aws_calls):
    client = staff_client()
    with aws_calls() as calls:
        response = client.get(PAGE)
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["staff/audit.html", "base.html"]
    assert calls.operations() == [
        "dynamodb.BatchGetItem",  # the web session and the profile, as every signed-in page
        "dynamodb.Query",  # a page of the log
    ]
    html = response.content.decode()
    assert "Nothing yet: no action has been taken on a user." in html
    assert 'aria-current="page">Audit log</a>' in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_staff_see_who_did_what_to_whom_when_and_how_it_went(staff):
    record(1, action="make-staff", by=audit.OPERATOR, by_sub="")
    record(2, outcome=audit.FAILED, reason="InternalErrorException")
    record(3, action="delete", detail="deleted 2 web sessions, 1 Cognito user, 1 profile")
    html = staff_client().get(PAGE).content.decode()
    assert '<div class="table-scroll">' in html
    # Newest first.
    assert html.index("user3@example.com") < html.index("user2@example.com") < html.index("user1@example.com")
    assert '<time datetime="2026-12-05T09:03:00+00:00">5 Dec 2026, 09:03:00</time>' in html
    assert "<td>manage.py (operator)</td>" in html and "<td>made staff</td>" in html
    assert '<span class="badge badge-warning">failed</span> InternalErrorException' in html
    assert "<td>deleted the account</td>" in html and "deleted 2 web sessions, 1 Cognito user, 1 profile" in html


def test_the_log_pages_with_a_signed_cursor(staff, monkeypatch):
    monkeypatch.setattr(audit, "PAGE_SIZE", 2)
    for n in range(3):
        record(n)
    client = staff_client()
    first = client.get(PAGE)
    html = first.content.decode()
    assert "user2@example.com" in html and "user1@example.com" in html and "user0@example.com" not in html
    cursor = first.context["page"].next_cursor
    assert 'rel="next">Older →</a>' in html
    second = client.get(PAGE, {"cursor": cursor}).content.decode()
    assert "user0@example.com" in second and "user2@example.com" not in second
    assert f'<a href="{PAGE}">← Newest</a>' in second


def test_the_log_shows_no_user_text(staff, player, make_campaign, make_session):
    campaign = make_campaign(sub=player, name="Quetzalcorvid campaign")
    make_session(sub=player, campaign=campaign, title="Quetzalcorvid night", notes="Quetzalcorvid notes")
    client = staff_client()
    post(client, f"/staff/users/{player}/disable/")
    post(client, f"/staff/users/{player}/delete/")
    html = client.get(PAGE).content.decode()
    assert "bo@example.com" in html and "deleted the account" in html
    assert "Quetzalcorvid" not in html


def test_a_forged_cursor_starts_again_at_the_newest(staff):
    response = staff_client().get(PAGE, {"cursor": "forged"})
    assert response.status_code == 302 and response["Location"] == PAGE


def test_a_post_is_refused(staff):
    client = staff_client()
    assert post(client, PAGE).status_code == 405


def test_the_lambda_role_allows_every_call_the_page_makes(staff, aws_calls):
    record(1)
    client = staff_client()
    with aws_calls() as calls:
        client.get(PAGE)
    allowed = set()
    for statement in json.loads(POLICY.read_text())["Statement"]:
        actions = statement["Action"]
        allowed.update([actions] if isinstance(actions, str) else actions)
    needed = {f"{service}:{operation}" for service, operation in calls}
    assert needed == {"dynamodb:BatchGetItem", "dynamodb:Query"}
    assert needed <= allowed
