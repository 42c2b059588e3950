"""/staff/users/: the user directory in email order, 25 a page by signed cursor, searchable
by email prefix, for staff only; one Query (no Scan); metadata only, never a user's text."""

from datetime import UTC, datetime

from django.test import Client

from campaigns_site import directory
from campaigns_site.directory import DirectoryEntry
from campaigns_site.table_keys import DIRECTORY_PK, directory_sk
from tests.web_clients import signed_in

PAGE = "/staff/users/"
PLANTED = "Quizzaxolotl"  # a word no page of the staff's may show: it is only in a user's text


def test_anonymous_is_sent_to_log_in(aws, db):
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/staff/users/"


def test_a_signed_in_user_who_is_not_staff_gets_our_403(player, staff):
    response = signed_in("bo@example.com").get(PAGE)
    assert response.status_code == 403
    assert response.templates[0].name == "403.html"
    assert "bo@example.com</a>" not in response.content.decode()


def test_staff_see_every_user_with_their_counts_in_one_query(staff, player, aws_calls):
    DirectoryEntry(DIRECTORY_PK, directory_sk(player)).update(
        actions=[
            DirectoryEntry.campaigns.add(2),
            DirectoryEntry.sessions.add(7),
            DirectoryEntry.transcript_bytes.add(3 * 1024 * 1024),
            DirectoryEntry.summaries.add(12),
            DirectoryEntry.share_links.add(1),
        ]
    )
    directory.set_sign_in_disabled(sub=player, disabled=True)
    client = signed_in("ada@example.com")
    client.get("/")  # the login message is shown once
    with aws_calls() as calls:
        response = client.get(PAGE)
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["staff/users.html", "base.html"]
    assert calls.operations() == [
        "dynamodb.BatchGetItem",  # the web session and the profile, as every signed-in page
        "dynamodb.Query",  # one page of the directory, on LSI1
    ]
    assert response["Cache-Control"].startswith("max-age=0")
    html = response.content.decode()
    assert html.index("ada@example.com</a>") < html.index("bo@example.com</a>")  # email order
    assert f'<a href="/staff/users/{player}/">bo@example.com</a>' in html
    bo_row = html.split("bo@example.com</a>")[1].split("</tr>")[0]
    cells = [cell.split(">", 1)[1].split("</td")[0] for cell in bo_row.split("<td")[1:]]
    disabled = '<span class="badge badge-warning">disabled</span>'
    assert cells[2:] == ["2", "7", "3.0\xa0MB", "12", "1", "new", "-", disabled]
    ada_row = html.split("ada@example.com</a>")[1].split("</tr>")[0]
    assert "<td>staff</td>" in ada_row and "never" not in ada_row  # signed in just now
    assert "<td>enabled</td>" in ada_row
    assert '<div class="table-scroll">' in html


def test_search_is_a_lower_cased_prefix_of_the_email(staff, make_user):
    make_user("adam@example.org")
    make_user("bo@example.com")
    html = signed_in("ada@example.com").get(PAGE, {"email": "  ADA"}).content.decode()
    assert "ada@example.com</a>" in html and "adam@example.org</a>" in html
    assert "bo@example.com</a>" not in html
    assert 'value="ada"' in html  # the search stays in its box
    html = signed_in("ada@example.com").get(PAGE, {"email": "zed"}).content.decode()
    assert "No account's email starts with “zed”." in html


def _directory_of(count):
    for number in range(count):
        directory.record_sign_up(
            sub=f"sub-{number:03d}",
            email=f"user{number:03d}@example.net",
            created=datetime(2025, 1, 1, tzinfo=UTC),
            origin="v1",
        )


def _emails(html):
    return [part.split("</a>")[0] for part in html.split('/">')[1:] if "@example.net" in part.split("</a>")[0]]


def test_pages_of_25_follow_a_signed_cursor_that_keeps_the_search(staff):
    _directory_of(30)
    client = signed_in("ada@example.com")
    first = client.get(PAGE, {"email": "user"}).content.decode()
    assert _emails(first) == [f"user{n:03d}@example.net" for n in range(25)]
    assert "<td>v1.0</td>" in first
    next_link = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert next_link.startswith("?email=user&cursor=")
    second = client.get(PAGE + next_link).content.decode()
    assert _emails(second) == [f"user{n:03d}@example.net" for n in range(25, 30)]
    assert 'rel="next"' not in second
    assert '<a href="/staff/users/?email=user">← First</a>' in second


def test_a_tampered_cursor_reads_nothing_and_offers_the_first_page(staff, aws_calls):
    _directory_of(30)
    client = signed_in("ada@example.com")
    first = client.get(PAGE).content.decode()
    cursor = first.split("cursor=")[1].split('"')[0]
    with aws_calls() as calls:
        response = client.get(PAGE, {"cursor": cursor[:-2] + "xx"})
    assert response.status_code == 400
    assert calls.operations() == ["dynamodb.BatchGetItem"]  # the web session only
    assert 'href="/staff/users/"' in response.content.decode()
    # A cursor of the whole list does not continue a search either.
    assert client.get(PAGE, {"cursor": cursor, "email": "user"}).status_code == 400


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
    html = signed_in("ada@example.com").get(PAGE).content.decode()
    assert "bo@example.com</a>" in html
    assert PLANTED not in html
