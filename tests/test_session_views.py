"""Play session pages (sessions/views.py): access for the owner, another signed-in user and
nobody; the requests each page makes; validation; stale edits; delete; move."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.repository import create_campaign, get_campaign, set_campaign_archived
from campaigns_site.refusals import still_changing_message
from sessions.core.forms import NOTES_MAX_BYTES, NOTES_MAX_LENGTH, TITLE_MAX_LENGTH
from sessions.core.play_order import MAX_NUMBER
from sessions.core.repository import create_session, get_session, list_sessions_for_campaign, update_session
from tests.web_clients import login_url, post

UNICODE = "Ünïcödé 🐉 竜 — naïve café"
AUTH = "dynamodb.BatchGetItem"  # what a signed-in page costs for authentication


def url(session, path=""):
    return f"/campaigns/{session.campaign_id}/sessions/{session.session_id}/{path}"


def new_url(campaign):
    return f"/campaigns/{campaign.campaign_id}/sessions/new/"


def stored(owner, session):
    return get_session(sub=owner.sub, campaign_id=session.campaign_id, session_id=session.session_id)


def session_data(**changes):
    return {"title": "Into the Mists", "number": "2", "played_on": "2024-06-07", "notes": "", **changes}


def edit_data(session, **changes):
    return {
        "title": session.title,
        "number": "" if session.number is None else session.number,
        "played_on": session.played_on or "",
        "notes": session.notes,
        "version": session.version,
        **changes,
    }


def titles(owner, campaign):
    return [s.title for s in list_sessions_for_campaign(sub=owner.sub, campaign_id=campaign.campaign_id).items]


# --- access: owner, another signed-in user, nobody -------------------------------------------
PAGES = ["", "edit/", "delete/", "move/"]
POSTS = ["edit/", "delete/", "move/"]


@pytest.mark.parametrize("path", PAGES)
def test_owner_opens_every_page_of_their_session(owner, session, path):
    response = owner.get(url(session, path))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The Death House" in html and "Secret Strahd" in html


def test_owner_opens_the_new_session_page(owner, campaign):
    response = owner.get(new_url(campaign))
    assert response.status_code == 200
    assert "Secret Strahd" in response.content.decode()


@pytest.mark.parametrize("path", PAGES)
def test_another_user_gets_a_404_that_names_nothing(other, session, path):
    response = other.get(url(session, path))
    assert response.status_code == 404
    html = response.content.decode()
    assert "This page is not on the map" in html
    for secret in ("The Death House", "Secret Strahd", "mimic"):
        assert secret not in html


def test_another_user_cannot_open_the_new_session_page(other, campaign):
    response = other.get(new_url(campaign))
    assert response.status_code == 404
    assert "Secret Strahd" not in response.content.decode()


@pytest.mark.parametrize("path", POSTS)
def test_another_users_posts_are_404_and_change_nothing(owner, other, campaign, session, path):
    theirs = create_campaign(sub=other.sub, name="Theirs")
    data = edit_data(session, title="Stolen") | {"to_campaign": theirs.campaign_id}
    response = post(other, url(session, path), data)
    assert response.status_code == 404
    assert "The Death House" not in response.content.decode()
    again = stored(owner, session)
    assert (again.title, again.version) == ("The Death House", 1)
    assert get_campaign(sub=owner.sub, campaign_id=campaign.campaign_id).session_count == 1


def test_another_user_cannot_add_a_session_to_my_campaign(owner, other, campaign):
    response = post(other, new_url(campaign), session_data(title="Planted"))
    assert response.status_code == 404
    assert titles(owner, campaign) == []
    assert titles(other, campaign) == []  # nothing written in their own partition either
    assert get_campaign(sub=owner.sub, campaign_id=campaign.campaign_id).session_count == 0


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(anonymous, session, path):
    response = anonymous.get(url(session, path))
    assert response.status_code == 302
    assert response["Location"] == login_url(url(session, path))


@pytest.mark.parametrize("path", POSTS)
def test_anonymous_posts_change_nothing(owner, anonymous, session, path):
    response = post(anonymous, url(session, path), edit_data(session, title="Stolen"))
    assert response["Location"] == login_url(url(session, path))
    assert stored(owner, session).title == "The Death House"


def test_anonymous_cannot_add_a_session(owner, anonymous, campaign):
    response = post(anonymous, new_url(campaign), session_data())
    assert response["Location"] == login_url(new_url(campaign))
    assert titles(owner, campaign) == []


@pytest.mark.parametrize("path", POSTS)
def test_posts_need_the_csrf_token(owner, session, path):
    assert owner.post(url(session, path), edit_data(session, title="Forged")).status_code == 403
    assert stored(owner, session).title == "The Death House"


def test_a_session_under_another_of_my_campaigns_is_404(owner, session):
    elsewhere = create_campaign(sub=owner.sub, name="Elsewhere")
    response = owner.get(f"/campaigns/{elsewhere.campaign_id}/sessions/{session.session_id}/")
    assert response.status_code == 404


def test_a_session_of_a_campaign_being_deleted_is_404(owner, campaign, session):
    from campaigns.repository import mark_campaign_deleting

    mark_campaign_deleting(sub=owner.sub, campaign_id=campaign.campaign_id)
    assert owner.get(url(session)).status_code == 404
    assert post(owner, new_url(campaign), session_data()).status_code == 404


# --- requests per page -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        # The session page reads its items with the web session (campaigns_site.prefetch).
        ("get", "", [AUTH]),
        ("get", "edit/", [AUTH, "dynamodb.BatchGetItem"]),
        ("post", "edit/", [AUTH, "dynamodb.TransactWriteItems"]),
        ("get", "delete/", [AUTH, "dynamodb.BatchGetItem"]),
        ("get", "move/", [AUTH, "dynamodb.Query"]),
    ],
)
def test_pages_cost(owner, session, aws_calls, method, path, expected):
    with aws_calls() as calls:
        if method == "get":
            assert owner.get(url(session, path)).status_code == 200
        else:
            assert post(owner, url(session, path), edit_data(session, title="Renamed")).status_code == 302
    assert calls.operations() == expected


def test_adding_costs_one_transaction(owner, campaign, aws_calls):
    with aws_calls() as calls:
        owner.get(new_url(campaign))
    assert calls.operations() == [AUTH, "dynamodb.GetItem"]
    with aws_calls() as calls:
        assert post(owner, new_url(campaign), session_data()).status_code == 302
    assert calls.operations() == [AUTH, "dynamodb.TransactWriteItems"]


def test_delete_and_move_cost(owner, campaign, session, aws_calls):
    target = create_campaign(sub=owner.sub, name="Target")
    with aws_calls() as calls:
        post(owner, url(session, "move/"), {"to_campaign": target.campaign_id})
    # The page's own read and choices, then the move: the session, its summaries and share
    # links, and one transaction.
    assert calls.operations() == [
        AUTH,
        "dynamodb.BatchGetItem",
        "dynamodb.Query",
        "dynamodb.GetItem",
        "dynamodb.Query",
        "dynamodb.Query",
        "dynamodb.TransactWriteItems",
    ]
    moved = get_session(sub=owner.sub, campaign_id=target.campaign_id, session_id=session.session_id)
    with aws_calls() as calls:
        post(owner, url(moved, "delete/"))
    assert calls.operations() == [
        AUTH,
        "dynamodb.GetItem",
        "s3.ListObjectsV2",
        "dynamodb.Query",
        "dynamodb.Query",
        "dynamodb.TransactWriteItems",
    ]
    assert calls.count("dynamodb", "Scan") == 0


# --- create and read --------------------------------------------------------------------
def test_add_a_session_and_read_it(owner, campaign):
    response = post(owner, new_url(campaign), session_data(notes="Line one\nLine two"))
    assert response.status_code == 302
    session_id = response["Location"].rstrip("/").split("/")[-1]
    assert response["Location"] == f"/campaigns/{campaign.campaign_id}/sessions/{session_id}/"
    html = owner.get(response["Location"]).content.decode()
    assert "Session added." in html
    assert '<h1 id="page-title">Into the Mists</h1>' in html
    assert '<span class="session-number">#2</span>' in html
    assert '<time datetime="2024-06-07">Friday 7 June 2024</time>' in html
    assert "<p>Line one<br>Line two</p>" in prose(html)
    assert get_campaign(sub=owner.sub, campaign_id=campaign.campaign_id).session_count == 1


def prose(html):
    """The notes as the session page shows them."""
    start = html.index('<div class="prose summary-text">')
    return re.sub(r">\s+<", "><", html[start : html.index("</section>", start)])


def test_notes_show_as_summaries_do_with_lists_and_escaped(owner, campaign):
    # Issue 11: "- " lines showed as plain text, while summaries show them as a list.
    notes = "Loot:\n- <b>gold</b> & gems\n- a sword\n\nNext time: the crypt."
    response = post(owner, new_url(campaign), session_data(notes=notes))
    html = owner.get(response["Location"]).content.decode()
    assert (
        "<p>Loot:</p><ul><li>&lt;b&gt;gold&lt;/b&gt; &amp; gems</li><li>a sword</li></ul><p>Next time: the crypt.</p>"
    ) in prose(html)
    assert "<b>gold</b>" not in html


def test_title_is_all_a_session_needs(owner, campaign):
    response = post(owner, new_url(campaign), {"title": "Just a title"})
    assert response.status_code == 302
    html = owner.get(response["Location"]).content.decode()
    assert "No date" in html and "No notes yet." in html


def test_unicode_and_emoji_round_trip_exactly(owner, campaign):
    notes = f"{UNICODE}\n\n  🎲 rolled a 20 ✓"
    response = post(owner, new_url(campaign), session_data(title=UNICODE, notes=notes))
    session_id = response["Location"].rstrip("/").split("/")[-1]
    saved = get_session(sub=owner.sub, campaign_id=campaign.campaign_id, session_id=session_id)
    assert (saved.title, saved.notes) == (UNICODE, notes)
    html = owner.get(response["Location"]).content.decode()
    assert f'<h1 id="page-title">{UNICODE}</h1>' in html
    assert f"<p>{UNICODE}</p>" in prose(html) and "🎲 rolled a 20 ✓</p>" in prose(html)
    form = owner.get(response["Location"] + "edit/").context["form"]
    assert (form.initial["title"], form.initial["notes"]) == (UNICODE, notes)


def test_user_text_is_escaped(owner, campaign):
    response = post(owner, new_url(campaign), session_data(title="<script>x()</script>", notes="<img src=x>"))
    html = owner.get(response["Location"]).content.decode()
    assert "<script>x()</script>" not in html and "<img src=x>" not in html
    assert "&lt;script&gt;x()&lt;/script&gt;" in html and "&lt;img src=x&gt;" in html


def test_the_campaign_page_lists_sessions_in_play_order(owner, campaign):
    for title, number, played_on in [("B", "2", "2024-06-07"), ("A", "1", "2024-05-31"), ("Undated", "", "")]:
        post(owner, new_url(campaign), session_data(title=title, number=number, played_on=played_on))
    post(owner, new_url(campaign), session_data(title="A, part two", number="1", played_on="2024-05-31"))
    assert titles(owner, campaign) == ["B", "A, part two", "A", "Undated"]
    html = owner.get(f"/campaigns/{campaign.campaign_id}/").content.decode()
    assert html.index("#2</span> B</a>") < html.index("A, part two") < html.index(">Undated</a>")
    assert "4 sessions" in html


def test_the_campaign_page_pages_through_sessions(owner, campaign):
    for number in range(1, 28):
        create_session(sub=owner.sub, campaign_id=campaign.campaign_id, title=f"Session {number}", number=number)
    first = owner.get(f"/campaigns/{campaign.campaign_id}/")
    assert [s.number for s in first.context["sessions"].items] == list(range(27, 2, -1))
    assert "Older →" in first.content.decode()
    older = owner.get(f"/campaigns/{campaign.campaign_id}/?cursor={first.context['sessions'].next_cursor}")
    assert [s.number for s in older.context["sessions"].items] == [2, 1]
    assert "Older →" not in older.content.decode()


def test_a_bad_session_cursor_asks_to_start_over(owner, campaign):
    response = owner.get(f"/campaigns/{campaign.campaign_id}/?cursor=forged")
    assert response.status_code == 400
    assert "Start over from the first page" in response.content.decode()


# --- validation ---------------------------------------------------------------------------
def _today():
    return timezone.localdate()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Give the session a title."),
        ({"title": "  "}, "title", "Give the session a title."),
        ({"title": "x" * (TITLE_MAX_LENGTH + 1)}, "title", "Keep the title to 200 characters (this one has 201)."),
        (
            {"notes": "x" * (NOTES_MAX_LENGTH + 1)},
            "notes",
            "Keep the notes to 20,000 characters (this one has 20,001).",
        ),
        # Under the character cap, over the byte cap: 4 bytes a dragon.
        ({"notes": "🐉" * (NOTES_MAX_BYTES // 4 + 1)}, "notes", "too long to store"),
        ({"number": "-1"}, "number", "Enter 0 or a higher number."),
        ({"number": "1.5"}, "number", "Enter a whole number"),
        ({"number": "twelve"}, "number", "Enter a whole number"),
        ({"number": str(MAX_NUMBER + 1)}, "number", f"Enter a number up to {MAX_NUMBER}."),
        ({"played_on": "2024-02-30"}, "played_on", "Enter a date, like 2024-05-31."),
        ({"played_on": "31/05/2024"}, "played_on", "Enter a date, like 2024-05-31."),
        ({"played_on": "1969-12-31"}, "played_on", "before 1970: check the year"),
        ({"played_on": "9999-12-31"}, "played_on", "more than a year ahead"),
    ],
)
def test_add_validates_with_clear_messages(owner, campaign, changes, field, message):
    response = post(owner, new_url(campaign), session_data(**changes))
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html and 'aria-invalid="true"' in html
    assert titles(owner, campaign) == []


def test_dates_from_1970_to_a_year_ahead_are_fine(owner, campaign):
    for played_on in ("1970-01-01", (_today() + timedelta(days=365)).isoformat(), _today().isoformat()):
        assert post(owner, new_url(campaign), session_data(played_on=played_on)).status_code == 302


def test_the_date_picker_offers_the_same_range(owner, campaign):
    html = owner.get(new_url(campaign)).content.decode()
    latest = _today() + timedelta(days=366)
    assert f'type="date" name="played_on" min="1970-01-01" max="{latest.isoformat()}"' in html


def test_numbers_may_repeat_and_start_at_zero(owner, campaign):
    for _ in range(2):
        assert post(owner, new_url(campaign), session_data(number="0")).status_code == 302
    assert post(owner, new_url(campaign), session_data(number=str(MAX_NUMBER))).status_code == 302
    numbers = [s.number for s in list_sessions_for_campaign(sub=owner.sub, campaign_id=campaign.campaign_id).items]
    assert numbers == [MAX_NUMBER, 0, 0]


def test_the_longest_allowed_notes_are_saved(owner, campaign):
    notes = "é" * NOTES_MAX_LENGTH  # 2 bytes each: 40,000 bytes, under the byte cap
    assert post(owner, new_url(campaign), session_data(notes=notes)).status_code == 302


# --- edit and stale edits ---------------------------------------------------------------
def test_edit_saves_and_can_clear_the_optional_fields(owner, session):
    response = post(owner, url(session, "edit/"), edit_data(session, title="Renamed", number="", played_on=""))
    assert response["Location"] == url(session)
    again = stored(owner, session)
    assert (again.title, again.number, again.played_on, again.version) == ("Renamed", None, None, 2)
    assert "Session saved." in owner.get(url(session)).content.decode()


def test_the_edit_form_carries_its_version(owner, session):
    html = owner.get(url(session, "edit/")).content.decode()
    assert '<input type="hidden" name="version" value="1" id="id_version">' in html
    assert 'value="2024-05-31"' in html


def test_a_stale_edit_shows_what_changed_and_overwrites_nothing(owner, session):
    update_session(
        sub=owner.sub,
        campaign_id=session.campaign_id,
        session_id=session.session_id,
        expected_version=1,
        title="The Death House",
        number=1,
        played_on="2024-06-01",
        notes="Their notes",
    )

    response = post(owner, url(session, "edit/"), edit_data(session, number="3", notes="My notes"))

    assert response.status_code == 200
    again = stored(owner, session)
    assert (again.notes, again.number, again.version) == ("Their notes", 1, 2)
    assert [(d.label, d.yours, d.saved) for d in response.context["differences"]] == [
        ("Number", "3", "1"),
        ("Date played", "2024-05-31", "2024-06-01"),
        ("Notes", "My notes", "Their notes"),
    ]
    html = response.content.decode()
    assert "was saved by someone else while you were editing it" in html
    assert '<input type="hidden" name="version" value="2" id="id_version">' in html
    assert f'href="{url(session)}">discard your edit</a>' in html

    retry = post(owner, url(session, "edit/"), edit_data(session, number="3", notes="My notes", version=2))
    assert retry.status_code == 302
    assert (stored(owner, session).notes, stored(owner, session).version) == ("My notes", 3)


def test_editing_a_session_moved_meanwhile_is_404(owner, session):
    target = create_campaign(sub=owner.sub, name="Target")
    post(owner, url(session, "move/"), {"to_campaign": target.campaign_id})
    response = post(owner, url(session, "edit/"), edit_data(session, title="Too late"))
    assert response.status_code == 404
    moved = get_session(sub=owner.sub, campaign_id=target.campaign_id, session_id=session.session_id)
    assert moved.title == "The Death House"


def test_an_edit_validates(owner, session):
    response = post(owner, url(session, "edit/"), edit_data(session, title="", number="-4"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Give the session a title." in html and "Enter 0 or a higher number." in html
    assert stored(owner, session).version == 1


# --- delete ----------------------------------------------------------------------------
def test_delete_asks_first_then_deletes(owner, campaign, session):
    html = owner.get(url(session, "delete/")).content.decode()
    assert "Delete “The Death House”?" in html and "It cannot be undone." in html
    assert stored(owner, session) is not None

    response = post(owner, url(session, "delete/"))
    assert response["Location"] == f"/campaigns/{campaign.campaign_id}/"
    html = owner.get(response["Location"]).content.decode()
    assert "Session deleted." in html and "No sessions yet." in html
    assert stored(owner, session) is None
    assert get_campaign(sub=owner.sub, campaign_id=campaign.campaign_id).session_count == 0
    assert owner.get(url(session)).status_code == 404


# --- move --------------------------------------------------------------------------------
def test_move_offers_my_other_active_campaigns(owner, other, campaign, session):
    create_campaign(sub=owner.sub, name="Waterdeep")
    shelved = create_campaign(sub=owner.sub, name="Shelved")
    set_campaign_archived(sub=owner.sub, campaign_id=shelved.campaign_id, archived=True)
    create_campaign(sub=other.sub, name="Not mine")

    form = owner.get(url(session, "move/")).context["form"]
    assert [label for _, label in form.fields["to_campaign"].choices] == ["Choose a campaign", "Waterdeep"]


def test_move_takes_the_session_to_the_other_campaign(owner, campaign, session):
    target = create_campaign(sub=owner.sub, name="Waterdeep 🐉")
    response = post(owner, url(session, "move/"), {"to_campaign": target.campaign_id})
    new_url_ = f"/campaigns/{target.campaign_id}/sessions/{session.session_id}/"
    assert response["Location"] == new_url_
    html = owner.get(new_url_).content.decode()
    assert "Session moved to “Waterdeep 🐉”." in html
    assert owner.get(url(session)).status_code == 404
    assert titles(owner, target) == ["The Death House"]
    assert titles(owner, campaign) == []
    assert get_campaign(sub=owner.sub, campaign_id=campaign.campaign_id).session_count == 0
    assert get_campaign(sub=owner.sub, campaign_id=target.campaign_id).session_count == 1


@pytest.mark.parametrize("choice", ["", "01J00000000000000000000000", "not-an-id", "same"])
def test_move_refuses_what_is_not_on_the_list(owner, other, campaign, session, choice):
    create_campaign(sub=owner.sub, name="Waterdeep")
    if choice == "same":
        choice = campaign.campaign_id
    response = post(owner, url(session, "move/"), {"to_campaign": choice})
    assert response.status_code == 200
    assert "Pick" in response.context["form"].errors["to_campaign"][0]
    assert stored(owner, session).title == "The Death House"


def test_move_refuses_another_users_campaign(owner, other, campaign, session):
    create_campaign(sub=owner.sub, name="Waterdeep")
    theirs = create_campaign(sub=other.sub, name="Theirs")
    response = post(owner, url(session, "move/"), {"to_campaign": theirs.campaign_id})
    assert response.status_code == 200
    assert "Pick one of your campaigns from the list." in response.content.decode()
    assert stored(owner, session) is not None
    assert titles(other, theirs) == []


def test_move_into_a_campaign_deleted_meanwhile_says_so(owner, campaign, session, monkeypatch):
    target = create_campaign(sub=owner.sub, name="Doomed")
    from campaigns.repository import mark_campaign_deleting
    from sessions.core import repository

    real_move = repository.move_session

    def move_after_the_target_goes(**kwargs):
        mark_campaign_deleting(sub=owner.sub, campaign_id=target.campaign_id)
        return real_move(**kwargs)

    monkeypatch.setattr(repository, "move_session", move_after_the_target_goes)
    response = post(owner, url(session, "move/"), {"to_campaign": target.campaign_id})
    assert response.status_code == 200
    assert "That campaign is no longer available." in response.content.decode()
    assert stored(owner, session) is not None


def test_a_move_refused_while_summaries_are_made_says_the_session_is_changing(owner, session, monkeypatch):
    target = create_campaign(sub=owner.sub, name="Elsewhere")
    from sessions.core import repository

    def refuse(**kwargs):
        raise repository.SummariesBeingMade(session.session_id)

    monkeypatch.setattr(repository, "move_session", refuse)
    response = post(owner, url(session, "move/"), {"to_campaign": target.campaign_id})
    assert response.status_code == 200
    assert still_changing_message("session") in response.content.decode()


def test_move_with_no_other_campaign_says_what_to_do(owner, session):
    html = owner.get(url(session, "move/")).content.decode()
    assert "You have no other campaign to move it to." in html
    assert 'href="/campaigns/new/"' in html
    assert 'name="to_campaign"' not in html
