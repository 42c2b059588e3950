"""Campaign pages (campaigns/views.py): access for the owner, another signed-in user and
nobody; the requests each page makes; validation; paging; stale edits; archive; delete."""

import re

import pytest

from campaigns import repository
from campaigns.forms import DESCRIPTION_MAX_LENGTH, GAME_SYSTEM_MAX_LENGTH, NAME_MAX_LENGTH
from campaigns_site.errors import StillChanging
from campaigns_site.refusals import still_changing_message
from sessions.core.campaign_deletion import delete_campaign
from sessions.core.repository import create_session, get_session, list_sessions_for_campaign
from tests.web_clients import anonymous_client, login_url, post

UNICODE = "Ünïcödé 🐉 竜 — naïve café"
AUTH = "dynamodb.BatchGetItem"  # what a signed-in page costs for authentication


pytestmark = pytest.mark.campaign(description="Gothic horror", game_system="D&D 5e")


def url(name, campaign=None):
    return f"/campaigns/{campaign.campaign_id}/{name}" if campaign else f"/campaigns/{name}"


def stored(owner, campaign):
    return repository.get_campaign(sub=owner.sub, campaign_id=campaign.campaign_id)


def names_listed(client, path="/campaigns/"):
    return [campaign.name for campaign in client.get(path).context["page"].items]


def edit_data(campaign, **changes):
    return {
        "name": campaign.name,
        "game_system": campaign.game_system,
        "description": campaign.description,
        "version": campaign.version,
        **changes,
    }


# --- access: owner, another signed-in user, nobody -------------------------------------------
PAGES = ["", "edit/", "delete/"]
POSTS = ["edit/", "archive/", "unarchive/", "delete/", "finish-delete/"]


@pytest.mark.parametrize("path", PAGES)
def test_owner_opens_every_page_of_their_campaign(owner, campaign, path):
    response = owner.get(url(path, campaign))
    assert response.status_code == 200
    assert "Secret Strahd" in response.content.decode()


@pytest.mark.parametrize("path", ["", "archived/", "deleting/", "new/"])
def test_owner_opens_the_lists_and_the_new_campaign_page(owner, path):
    assert owner.get(url(path)).status_code == 200


@pytest.mark.parametrize("path", PAGES)
def test_another_user_gets_a_404_that_names_nothing(other, campaign, path):
    response = other.get(url(path, campaign))
    assert response.status_code == 404
    html = response.content.decode()
    assert "This page is not on the map" in html
    assert "Secret Strahd" not in html and "Gothic horror" not in html


@pytest.mark.parametrize("path", POSTS)
def test_another_users_posts_are_404_and_change_nothing(owner, other, campaign, path):
    response = post(other, url(path, campaign), edit_data(campaign, name="Stolen"))
    assert response.status_code == 404
    assert "Secret Strahd" not in response.content.decode()
    again = stored(owner, campaign)
    assert (again.name, again.version, again.archived, again.state) == ("Secret Strahd", 1, False, "ACTIVE")


def test_another_user_sees_only_their_own_lists(owner, other, campaign):
    assert names_listed(owner) == ["Secret Strahd"]
    assert names_listed(other) == []
    assert names_listed(other, "/campaigns/archived/") == []


def test_another_user_cannot_finish_deleting_my_campaign(owner, other, campaign, monkeypatch):
    interrupted_delete(owner, campaign, monkeypatch)
    assert post(other, url("finish-delete/", campaign)).status_code == 404
    assert [c.name for c in repository.list_campaigns_being_deleted(sub=owner.sub).items] == ["Secret Strahd"]


@pytest.mark.parametrize("path", ["", "archived/", "deleting/", "new/"])
def test_anonymous_visitors_are_sent_to_log_in(anonymous, path):
    response = anonymous.get(url(path))
    assert response.status_code == 302
    assert response["Location"] == login_url(url(path))


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_get_a_login_link_not_the_campaign(anonymous, campaign, path):
    response = anonymous.get(url(path, campaign))
    assert response.status_code == 302
    assert response["Location"] == login_url(url(path, campaign))


@pytest.mark.parametrize("path", POSTS)
def test_anonymous_posts_change_nothing(owner, anonymous, campaign, path):
    response = post(anonymous, url(path, campaign), edit_data(campaign, name="Stolen"))
    assert response.status_code == 302
    assert response["Location"] == login_url(url(path, campaign))
    again = stored(owner, campaign)
    assert (again.name, again.archived, again.state) == ("Secret Strahd", False, "ACTIVE")


def test_anonymous_cannot_create(owner, anonymous):
    response = post(anonymous, "/campaigns/new/", {"name": "Sneaky"})
    assert response["Location"] == "/accounts/login/?next=/campaigns/new/"
    assert names_listed(owner) == []


@pytest.mark.parametrize("path", POSTS)
def test_posts_need_the_csrf_token(owner, campaign, path):
    response = owner.post(url(path, campaign), edit_data(campaign, name="Forged"))
    assert response.status_code == 403
    assert stored(owner, campaign).name == "Secret Strahd"


@pytest.mark.parametrize("path", ["archive/", "unarchive/", "finish-delete/"])
def test_actions_refuse_get(owner, campaign, path):
    assert owner.get(url(path, campaign)).status_code == 405


@pytest.mark.parametrize("campaign_id", ["nope", "01j0000000000000000000000z", "01J0000000000000000000000%23"])
def test_malformed_ids_are_404_without_a_read(owner, aws_calls, campaign_id):
    with aws_calls() as calls:
        response = owner.get(f"/campaigns/{campaign_id}/")
    assert response.status_code == 404
    assert calls.operations() == [AUTH]  # the URL matches nothing; only the 404 page's layout reads the user


def test_an_unknown_id_is_404(owner):
    assert owner.get("/campaigns/01J00000000000000000000000/").status_code == 404


# --- requests per page -----------------------------------------------------------------
def test_the_list_costs_one_query(owner, campaign, aws_calls):
    with aws_calls() as calls:
        response = owner.get("/campaigns/")
    assert response.status_code == 200
    assert calls.operations() == [AUTH, "dynamodb.Query"]


def test_the_second_page_costs_one_query_too(owner, aws_calls):
    for number in range(27):
        repository.create_campaign(sub=owner.sub, name=f"Campaign {number}")
    next_cursor = owner.get("/campaigns/").context["page"].next_cursor
    with aws_calls() as calls:
        response = owner.get(f"/campaigns/?cursor={next_cursor}")
    assert len(response.context["page"].items) == 2
    assert calls.operations() == [AUTH, "dynamodb.Query"]


def test_the_archived_list_costs_one_query(owner, campaign, aws_calls):
    repository.set_campaign_archived(sub=owner.sub, campaign_id=campaign.campaign_id, archived=True)
    with aws_calls() as calls:
        names = names_listed(owner, "/campaigns/archived/")
    assert names == ["Secret Strahd"]
    assert calls.operations() == [AUTH, "dynamodb.Query"]


def test_the_being_deleted_list_costs_one_query(owner, campaign, aws_calls, monkeypatch):
    interrupted_delete(owner, campaign, monkeypatch)
    with aws_calls() as calls:
        names = names_listed(owner, "/campaigns/deleting/")
    assert names == ["Secret Strahd"]
    assert calls.operations() == [AUTH, "dynamodb.Query"]


def test_the_campaign_page_costs_one_query_after_the_sign_in(owner, campaign, aws_calls):
    create_session(sub=owner.sub, campaign_id=campaign.campaign_id, title="The Death House")
    with aws_calls() as calls:
        response = owner.get(url("", campaign))
    assert "The Death House" in response.content.decode()
    # The campaign comes with the web session (campaigns_site.prefetch): two requests in all.
    assert calls.operations() == [AUTH, "dynamodb.Query"]


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("get", "new/", [AUTH]),
        # One request: the campaign with its creator's usage counters (campaigns_site.usage).
        ("post", "new/", [AUTH, "dynamodb.TransactWriteItems"]),
        ("get", "{id}/edit/", [AUTH, "dynamodb.GetItem"]),
        ("post", "{id}/edit/", [AUTH, "dynamodb.UpdateItem"]),
        ("post", "{id}/archive/", [AUTH, "dynamodb.GetItem", "dynamodb.TransactWriteItems"]),
        ("get", "{id}/delete/", [AUTH, "dynamodb.GetItem"]),
    ],
)
def test_other_pages_cost(owner, campaign, aws_calls, method, path, expected):
    target = "/campaigns/" + path.format(id=campaign.campaign_id)
    with aws_calls() as calls:
        if method == "get":
            assert owner.get(target).status_code == 200
        else:
            assert post(owner, target, edit_data(campaign, name="Renamed")).status_code == 302
    assert calls.operations() == expected


def test_no_page_scans(owner, campaign, aws_calls):
    create_session(sub=owner.sub, campaign_id=campaign.campaign_id, title="One")
    with aws_calls() as calls:
        for path in ("", "archived/", "deleting/", "new/"):
            owner.get(url(path))
        for path in PAGES:
            owner.get(url(path, campaign))
        post(owner, url("delete/", campaign))
    assert calls.count("dynamodb", "Scan") == 0


# --- the list, paging and cursors ------------------------------------------------------
def test_empty_list_invites_a_first_campaign(owner):
    html = owner.get("/campaigns/").content.decode()
    assert "No campaigns yet — create your first." in html
    assert 'href="/campaigns/new/"' in html
    assert "Older →" not in html


def test_list_is_latest_activity_first_and_archived_ones_are_apart(owner):
    old = repository.create_campaign(sub=owner.sub, name="Old")
    repository.create_campaign(sub=owner.sub, name="Middle")
    shelved = repository.create_campaign(sub=owner.sub, name="Shelved")
    repository.set_campaign_archived(sub=owner.sub, campaign_id=shelved.campaign_id, archived=True)
    create_session(sub=owner.sub, campaign_id=old.campaign_id, title="Played last night")

    assert names_listed(owner) == ["Old", "Middle"]
    assert names_listed(owner, "/campaigns/archived/") == ["Shelved"]
    html = owner.get("/campaigns/").content.decode()
    assert 'href="/campaigns/archived/">Archived</a>' in html
    assert "1 session ·" in html


def test_pages_of_25_with_an_older_link_and_a_way_back(owner):
    for number in range(30):
        repository.create_campaign(sub=owner.sub, name=f"Campaign {number:02}")
    first = owner.get("/campaigns/")
    assert len(first.context["page"].items) == 25
    html = first.content.decode()
    assert "Older →" in html and "← Newest" not in html
    assert names_listed(owner)[0] == "Campaign 29"

    older = owner.get(f"/campaigns/?cursor={first.context['page'].next_cursor}")
    assert [c.name for c in older.context["page"].items] == [f"Campaign {n:02}" for n in range(4, -1, -1)]
    html = older.content.decode()
    assert "Older →" not in html
    assert '<a href="/campaigns/">← Newest</a>' in html


def test_an_empty_page_after_a_full_one_says_so(owner, monkeypatch):
    # Real DynamoDB can hand out a cursor after an exactly full last page (moto does not);
    # here the only older campaign goes away between the two pages.
    for number in range(26):
        repository.create_campaign(sub=owner.sub, name=f"Campaign {number:02}")
    next_cursor = owner.get("/campaigns/").context["page"].next_cursor
    oldest = repository.list_campaigns_for_user(sub=owner.sub, cursor=next_cursor).items[0]
    delete_campaign(sub=owner.sub, campaign_id=oldest.campaign_id)

    response = owner.get(f"/campaigns/?cursor={next_cursor}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing older here." in html
    assert "Older →" not in html
    assert "No campaigns yet" not in html


@pytest.mark.parametrize("cursor", ["garbage", "eyJrIjoxfQ:1a2b3c:forged", "%00%ff"])
def test_a_bad_cursor_asks_to_start_over_without_a_query(owner, aws_calls, cursor):
    with aws_calls() as calls:
        response = owner.get(f"/campaigns/?cursor={cursor}")
    assert response.status_code == 400
    html = response.content.decode()
    assert "That page link no longer works" in html
    assert '<a class="button" href="/campaigns/">Start over from the first page</a>' in html
    assert calls.operations() == [AUTH]


def test_a_cursor_from_another_list_or_user_is_refused(owner, other):
    for number in range(26):
        repository.create_campaign(sub=owner.sub, name=f"Campaign {number:02}")
    active_cursor = owner.get("/campaigns/").context["page"].next_cursor
    assert owner.get(f"/campaigns/archived/?cursor={active_cursor}").status_code == 400
    assert other.get(f"/campaigns/?cursor={active_cursor}").status_code == 400


def test_a_session_cursor_from_another_campaign_is_refused(owner, campaign):
    second = repository.create_campaign(sub=owner.sub, name="Second")
    for number in range(26):
        create_session(sub=owner.sub, campaign_id=campaign.campaign_id, title=f"S{number}")
    cursor = owner.get(url("", campaign)).context["sessions"].next_cursor
    assert cursor
    response = owner.get(f"{url('', second)}?cursor={cursor}")
    assert response.status_code == 400
    assert f'href="/campaigns/{second.campaign_id}/">Start over' in response.content.decode()


# --- create ----------------------------------------------------------------------------
def test_create_saves_and_shows_the_campaign(owner):
    response = post(owner, "/campaigns/new/", {"name": "Dragon Heist", "game_system": "D&D 5e", "description": ""})
    assert response.status_code == 302
    campaign_id = response["Location"].split("/")[2]
    assert response["Location"] == f"/campaigns/{campaign_id}/"
    page = owner.get(response["Location"]).content.decode()
    assert "Campaign “Dragon Heist” created." in page
    assert "No sessions yet." in page
    assert names_listed(owner) == ["Dragon Heist"]


def test_unicode_and_emoji_round_trip_exactly(owner):
    description = f"{UNICODE}\nline two\n  indented ✓"
    response = post(owner, "/campaigns/new/", {"name": UNICODE, "game_system": "Ōkami 竜", "description": description})
    campaign_id = response["Location"].split("/")[2]

    saved = repository.get_campaign(sub=owner.sub, campaign_id=campaign_id)
    assert (saved.name, saved.game_system, saved.description) == (UNICODE, "Ōkami 竜", description)
    html = owner.get(response["Location"]).content.decode()
    assert f'<h1 id="page-title">{UNICODE}</h1>' in html
    assert f"<p>{UNICODE}<br>line two<br>  indented ✓</p>" in html
    # ... and back through the edit form unchanged.
    form = owner.get(f"/campaigns/{campaign_id}/edit/").context["form"]
    assert form.initial["name"] == UNICODE and form.initial["description"] == description


def test_a_description_shows_as_summaries_do_with_lists_and_escaped(owner):
    # Issue 11 (a sibling of the notes): "- " lines as a list, like summaries; always escaped.
    response = post(owner, "/campaigns/new/", {"name": "Lists", "description": "Players:\n- <i>Ann</i>\n- Bo"})
    html = owner.get(response["Location"]).content.decode()
    assert re.search(r"<p>Players:</p>\s*<ul><li>&lt;i&gt;Ann&lt;/i&gt;</li><li>Bo</li></ul>", html)


def test_user_text_is_escaped(owner):
    post(owner, "/campaigns/new/", {"name": "<script>alert(1)</script>", "game_system": "<b>", "description": "<i>x"})
    html = owner.get("/campaigns/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;" in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "Give the campaign a name."),
        ({"name": "   "}, "name", "Give the campaign a name."),
        ({"name": "x" * (NAME_MAX_LENGTH + 1)}, "name", "Keep the name to 120 characters (this one has 121)."),
        (
            {"name": "ok", "game_system": "x" * (GAME_SYSTEM_MAX_LENGTH + 1)},
            "game_system",
            "Keep the game system to 60 characters (this one has 61).",
        ),
        (
            {"name": "ok", "description": "x" * (DESCRIPTION_MAX_LENGTH + 1)},
            "description",
            "Keep the description to 2,000 characters (this one has 2,001).",
        ),
    ],
)
def test_create_validates_with_clear_messages(owner, data, field, message):
    response = post(owner, "/campaigns/new/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in error for error in errors)
    html = response.content.decode()
    assert f'aria-describedby="id_{field}' in html and 'aria-invalid="true"' in html
    assert names_listed(owner) == []


def test_the_longest_allowed_values_are_saved(owner):
    data = {
        "name": "🐉" * NAME_MAX_LENGTH,
        "game_system": "竜" * GAME_SYSTEM_MAX_LENGTH,
        "description": "é" * DESCRIPTION_MAX_LENGTH,
    }
    assert post(owner, "/campaigns/new/", data).status_code == 302
    assert names_listed(owner) == ["🐉" * NAME_MAX_LENGTH]


# --- edit and stale edits ---------------------------------------------------------------
def test_edit_form_starts_from_the_stored_campaign_and_version(owner, campaign):
    html = owner.get(url("edit/", campaign)).content.decode()
    assert '<input type="hidden" name="version" value="1" id="id_version">' in html
    assert 'value="Secret Strahd"' in html


def test_edit_saves(owner, campaign):
    response = post(owner, url("edit/", campaign), edit_data(campaign, name="Curse of Strahd"))
    assert response["Location"] == url("", campaign)
    again = stored(owner, campaign)
    assert (again.name, again.version) == ("Curse of Strahd", 2)
    assert "Campaign saved." in owner.get(response["Location"]).content.decode()


def test_a_stale_edit_shows_what_changed_and_overwrites_nothing(owner, campaign):
    # Somebody (another tab) saves while this form, started at version 1, is open.
    repository.update_campaign(
        sub=owner.sub,
        campaign_id=campaign.campaign_id,
        expected_version=1,
        name="Their name",
        description="Gothic horror",
        game_system="D&D 5e",
    )

    response = post(owner, url("edit/", campaign), edit_data(campaign, name="My name", description="Mine"))

    assert response.status_code == 200
    assert stored(owner, campaign).name == "Their name"  # nothing overwritten
    html = response.content.decode()
    assert "was saved by someone else while you were editing it" in html
    differences = response.context["differences"]
    assert [(d.label, d.yours, d.saved) for d in differences] == [
        ("Name", "My name", "Their name"),
        ("Description", "Mine", "Gothic horror"),
    ]
    form = response.context["form"]
    assert form["version"].value() == "2"  # retry from the current version
    assert form["name"].value() == "My name"  # the user's input is kept
    assert f'href="{url("", campaign)}">discard your edit</a>' in html

    # Saving again, knowingly, from the current version works.
    retry = post(owner, url("edit/", campaign), edit_data(campaign, name="My name", description="Mine", version=2))
    assert retry.status_code == 302
    assert (stored(owner, campaign).name, stored(owner, campaign).version) == ("My name", 3)


def test_a_stale_edit_escapes_both_sides(owner, campaign):
    repository.update_campaign(
        sub=owner.sub,
        campaign_id=campaign.campaign_id,
        expected_version=1,
        name="<b>theirs</b>",
        description="",
        game_system="",
    )
    html = post(owner, url("edit/", campaign), edit_data(campaign, name="<i>mine</i>")).content.decode()
    assert "&lt;b&gt;theirs&lt;/b&gt;" in html and "&lt;i&gt;mine&lt;/i&gt;" in html
    assert "<b>theirs</b>" not in html


def test_adding_a_session_does_not_make_an_open_edit_stale(owner, campaign):
    create_session(sub=owner.sub, campaign_id=campaign.campaign_id, title="Meanwhile")
    assert post(owner, url("edit/", campaign), edit_data(campaign, name="Still fine")).status_code == 302


@pytest.mark.parametrize("version", ["", "abc", "0"])
def test_a_missing_or_forged_version_is_refused(owner, campaign, version):
    response = post(owner, url("edit/", campaign), edit_data(campaign, name="Changed", version=version))
    assert response.status_code == 200
    assert "This form is out of date." in response.content.decode()
    assert stored(owner, campaign).name == "Secret Strahd"


def test_an_edit_validates(owner, campaign):
    response = post(owner, url("edit/", campaign), edit_data(campaign, name=""))
    assert response.status_code == 200
    assert "Give the campaign a name." in response.content.decode()
    assert stored(owner, campaign).version == 1


# --- archive ---------------------------------------------------------------------------
def test_archive_and_unarchive(owner, campaign):
    response = post(owner, url("archive/", campaign))
    assert response["Location"] == url("", campaign)
    html = owner.get(response["Location"]).content.decode()
    assert "Campaign archived." in html
    assert '<span class="badge">Archived</span>' in html
    assert f'action="{url("unarchive/", campaign)}"' in html
    assert names_listed(owner) == []
    assert names_listed(owner, "/campaigns/archived/") == ["Secret Strahd"]

    post(owner, url("unarchive/", campaign))
    assert names_listed(owner) == ["Secret Strahd"]
    assert names_listed(owner, "/campaigns/archived/") == []


def test_archiving_a_campaign_that_keeps_changing_says_so(owner, campaign, monkeypatch):
    def refuse(**kwargs):
        raise StillChanging(campaign.campaign_id)

    monkeypatch.setattr(repository, "set_campaign_archived", refuse)
    response = post(owner, url("archive/", campaign))
    assert response["Location"] == url("", campaign)
    assert still_changing_message("campaign") in owner.get(response["Location"]).content.decode()


# --- delete ----------------------------------------------------------------------------
def test_delete_asks_first(owner, campaign):
    create_session(sub=owner.sub, campaign_id=campaign.campaign_id, title="One")
    html = owner.get(url("delete/", campaign)).content.decode()
    assert "Delete “Secret Strahd”?" in html
    assert "its 1 session," in html
    assert "It cannot be undone." in html
    assert '<form method="post">' in html
    assert stored(owner, campaign) is not None  # asking deletes nothing


def test_delete_removes_the_campaign_and_its_sessions(owner, campaign):
    session = create_session(sub=owner.sub, campaign_id=campaign.campaign_id, title="One")
    response = post(owner, url("delete/", campaign))
    assert response["Location"] == "/campaigns/"
    html = owner.get("/campaigns/").content.decode()
    assert "Campaign deleted, with 1 session." in html
    assert "No campaigns yet" in html
    assert stored(owner, campaign) is None
    assert get_session(sub=owner.sub, campaign_id=campaign.campaign_id, session_id=session.session_id) is None
    assert owner.get(url("", campaign)).status_code == 404


def interrupted_delete(owner, campaign, monkeypatch):
    """Start deleting the campaign through the page, and make the cascade fail midway."""
    create_session(sub=owner.sub, campaign_id=campaign.campaign_id, title="One")
    with monkeypatch.context() as patch:

        def fail(**kwargs):
            raise RuntimeError("S3 did not delete 1 objects; try again")

        patch.setattr("sessions.core.campaign_deletion.delete_transcript_objects", fail)
        return post(owner, url("delete/", campaign))


def test_an_interrupted_delete_is_listed_and_can_be_finished(owner, campaign, monkeypatch):
    response = interrupted_delete(owner, campaign, monkeypatch)
    assert response.status_code == 302
    assert response["Location"] == "/campaigns/deleting/"
    html = owner.get("/campaigns/deleting/").content.decode()
    assert "could not be deleted completely" in html
    assert "Secret Strahd" in html
    assert f'action="{url("finish-delete/", campaign)}"' in html
    assert names_listed(owner) == []
    assert owner.get(url("", campaign)).status_code == 404  # being deleted: gone for every page

    response = post(owner, url("finish-delete/", campaign))
    assert response["Location"] == "/campaigns/"
    assert names_listed(owner, "/campaigns/deleting/") == []
    assert list_sessions_for_campaign(sub=owner.sub, campaign_id=campaign.campaign_id).items == []


def test_finish_delete_never_deletes_a_campaign_nobody_confirmed(owner, campaign):
    assert post(owner, url("finish-delete/", campaign)).status_code == 404
    assert stored(owner, campaign).name == "Secret Strahd"


def test_deleting_list_is_empty_when_nothing_is_half_deleted(owner):
    assert "Nothing to finish." in owner.get("/campaigns/deleting/").content.decode()


# --- the rest of the site ----------------------------------------------------------------
def test_login_lands_on_the_campaign_list(make_user):
    make_user("cy@example.com")
    client = anonymous_client()
    response = post(client, "/accounts/login/", {"login": "cy@example.com", "password": "correct horse 42"})
    assert response["Location"] == "/campaigns/"


def test_the_layout_links_to_the_campaigns(owner):
    html = owner.get("/").content.decode()
    assert 'href="/campaigns/"' in html
    assert '<a class="button" href="/campaigns/">Go to your campaigns</a>' in html
    assert 'aria-current="page">Campaigns</a>' in owner.get("/campaigns/").content.decode()
