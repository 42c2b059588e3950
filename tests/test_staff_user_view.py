"""/staff/users/<sub>/: one user's directory entry and their usage month by month (a table
and a server-rendered SVG bar chart), for staff only; the entry with the session check and
one Query; 404 for a
sub not in the directory; metadata only, never a user's text."""

from django.conf import settings
from django.test import Client

from campaigns_site import aws, directory
from campaigns_site.table_keys import usage_month_sk, user_pk
from tests.web_clients import signed_in

PLANTED = "Quizzaxolotl"  # a word no page of the staff's may show: it is only in a user's text


def page(sub):
    return f"/staff/users/{sub}/"


def _usage(sub, month, **deltas):
    """A month of usage as campaigns_site.usage writes it: `USER#<sub>` / `USAGE#<yyyy-mm>`."""
    item = {"PK": {"S": user_pk(sub)}, "SK": {"S": usage_month_sk(month)}, "entity": {"S": "UsageMonth"}}
    item.update({name: {"N": str(value)} for name, value in deltas.items()})
    aws.client("dynamodb").put_item(TableName=settings.DYNAMODB_TABLE, Item=item)


def test_anonymous_is_sent_to_log_in(aws, db):
    response = Client().get(page("some-sub"))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/staff/users/some-sub/"


def test_a_signed_in_user_who_is_not_staff_gets_our_403(player, staff):
    response = signed_in("bo@example.com").get(page(staff))
    assert response.status_code == 403
    assert response.templates[0].name == "403.html"
    assert "ada@example.com" not in response.content.decode()


def test_staff_see_the_facts_and_the_usage_over_time_with_two_requests(staff, player, aws_calls):
    _usage(player, "2026-10", campaigns=1, sessions=2, transcript_bytes=2048)
    _usage(player, "2026-11", sessions=4, summaries=3, summary_cost_usd="0.0125")
    _usage(player, "2026-12", sessions=-1, share_links=1)
    client = signed_in("ada@example.com")
    client.get("/")  # the login message is shown once
    with aws_calls() as calls:
        response = client.get(page(player))
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["staff/user.html", "base.html"]
    assert "staff/_user_actions.html" in [t.name for t in response.templates]
    assert calls.operations() == [
        # The web session and the profile, as every signed-in page, and the directory entry
        # with the last staff actions on the account listed on it (campaigns_site.prefetch).
        "dynamodb.BatchGetItem",
        "dynamodb.Query",  # the months of usage
    ]
    assert response["Cache-Control"].startswith("max-age=0")
    html = response.content.decode()
    assert '<h1 id="page-title" class="user-email">bo@example.com</h1>' in html
    assert f"<dt>Sub</dt><dd><code>{player}</code></dd>" in html
    assert "<dt>From</dt><dd>signed up here</dd>" in html
    assert "<dt>Last sign-in</dt><dd>never</dd>" in html
    assert "<dt>Staff</dt><dd>no</dd>" in html
    # Oldest first, in the table and in the chart; the tallest bar is the busiest month.
    assert html.index('<th scope="row">2026-10</th>') < html.index('<th scope="row">2026-12</th>')
    assert "<title>2026-11: 4 sessions</title>" in html
    assert "<title>2026-12: 0 sessions</title>" in html  # nothing below zero in the chart
    rows = html.split("<tbody>")[1]
    assert '<td class="number">2.0\xa0KB</td>' in rows
    assert '<td class="number">-1</td>' in rows
    assert '<td class="number">$0.01</td>' in rows
    assert '<svg viewBox="0 0 320 120" role="img"' in html


def test_a_user_with_no_usage_yet(staff, player):
    html = signed_in("ada@example.com").get(page(player)).content.decode()
    assert "No usage recorded yet." in html
    assert 'class="usage-chart"' not in html


def test_a_user_being_deleted_says_so(staff, player):
    directory.mark_deleting(sub=player)
    html = signed_in("ada@example.com").get(page(player)).content.decode()
    assert "<dt>Being deleted</dt>" in html
    assert f"<code>manage.py delete_account {player}</code>" in html


def test_a_sub_not_in_the_directory_is_404(staff, aws_calls):
    client = signed_in("ada@example.com")
    with aws_calls() as calls:
        response = client.get(page("no-such-sub"))
    assert response.status_code == 404
    assert calls.operations() == ["dynamodb.BatchGetItem"]  # the entry is read with the session check
    assert client.get(page("bad%23sub")).status_code == 404  # "#" cannot be part of a key


def test_only_metadata_is_shown(staff, player, make_campaign, make_session, make_summary):
    campaign = make_campaign(sub=player, name=f"The {PLANTED} Campaign", description=f"About {PLANTED}")
    session = make_session(
        sub=player,
        campaign=campaign,
        title=f"{PLANTED} night",
        notes=f"Notes on {PLANTED}",
        transcript=f"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Bo>{PLANTED} speaks\n".encode(),
    )
    make_summary(sub=player, session=session, kind="recap", text=f"The {PLANTED} woke.")
    _usage(player, "2026-12", campaigns=1, sessions=1)
    html = signed_in("ada@example.com").get(page(player)).content.decode()
    assert "bo@example.com" in html
    assert PLANTED not in html


def test_the_last_staff_actions_on_the_account_are_listed(staff, player):
    from campaigns_site import audit

    audit.record_action(by="ada@example.com", action="disable", target_sub=player, target_email="bo@example.com")
    audit.record_action(by="ada@example.com", action="enable", target_sub=staff, target_email="ada@example.com")
    client = signed_in("ada@example.com")
    html = client.get(page(player)).content.decode()
    assert "ada@example.com disabled sign-in" in html
    assert "enabled sign-in" not in html  # another account's


def test_the_usage_chart_keeps_every_bar_and_label_inside_and_narrow():
    from staff.users import CHART_HEIGHT, CHART_WIDTH, MonthOfUsage, usage_bars

    (only,) = usage_bars([MonthOfUsage("2026-12", {"sessions": 3})])
    assert only.width <= CHART_WIDTH / 12 and only.label == "Dec 26" and only.value == 3
    assert 0 < only.value_y < only.y < CHART_HEIGHT
    months = [MonthOfUsage(f"{2025 + n // 12}-{n % 12 + 1:02d}", {"sessions": n - 3}) for n in range(24)]
    bars = usage_bars(months)
    assert [bar.value for bar in bars[:4]] == [0, 0, 0, 0]  # a month of deletions draws no bar below zero
    assert all(0 <= bar.x and bar.x + bar.width <= CHART_WIDTH and bar.value_y > 0 for bar in bars)
    assert bars[0].label == "Jan 25" and bars[-1].label == "Dec 26"
