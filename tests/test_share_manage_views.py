"""The owner's share link pages (sessions/sharing/views.py): the list and the form that makes
a link, the page that shows a new link once, revoking, and the preview; access for the
owner, another signed-in user and nobody; CSRF; validation; the cap; request costs."""

import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.conf import settings
from django.test import Client

from campaigns.repository import create_campaign
from campaigns_site import aws as aws_clients
from campaigns_site.table import summary_sk, user_pk
from sessions.core.repository import create_session
from sessions.sharing.items import MAX_LINKS_PER_SESSION, hash_token
from sessions.sharing.repository import (
    create_share_link,
    get_share_link,
    list_share_links_for_session,
    open_share_link,
)
from sessions.summaries.items import Summary
from sessions.transcripts.repository import save_speaker_names
from tests.transcript_samples import render_vtt, sample_segments
from tests.transcript_uploads import store_transcript
from tests.web_clients import post

AUTH = "dynamodb.BatchGetItem"  # what a signed-in page costs for authentication
SESSION = "dynamodb.BatchGetItem"  # the session and its campaign
HEADERS = {"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex", "Cache-Control": "private, no-store"}


def manage_url(session):
    return f"/campaigns/{session.campaign_id}/sessions/{session.session_id}/share/"


def link_url(session, token_hash, action):
    return f"{manage_url(session)}{token_hash}/{action}/"


def make(owner, session, **fields):
    return create_share_link(
        sub=owner.sub, campaign_id=session.campaign_id, session_id=session.session_id, **{"scope": "recap", **fields}
    )


def links(owner, session):
    return list_share_links_for_session(sub=owner.sub, session_id=session.session_id)


def form_data(**changes):
    return {"scope": "recap", "expires_on": "", "view_limit": "", "label": "", **changes}


def today():
    return datetime.now(UTC).date()


def errors(html):
    return re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S)


# --- access: owner, another signed-in user, nobody -------------------------------------------------------
def test_owner_opens_the_share_page(owner, session, aws_calls):
    with aws_calls() as calls:
        response = owner.get(manage_url(session))
    assert response.status_code == 200
    assert calls.operations() == [AUTH]  # the session and its items come with the web session; no links
    html = response.content.decode()
    assert "Share “The Death House”" in html and "Secret Strahd" in html
    assert "No share links yet." in html
    assert 'name="scope" value="recap"' in html and "checked" in html
    assert "no-store" in response["Cache-Control"]


def test_another_user_gets_a_404_that_names_nothing(other, session):
    for response in (other.get(manage_url(session)), post(other, manage_url(session), form_data())):
        assert response.status_code == 404
        html = response.content.decode()
        assert "The Death House" not in html and "Secret Strahd" not in html
    assert links(other, session) == []


def test_another_user_cannot_make_a_link_to_my_session(owner, other, session):
    post(other, manage_url(session), form_data())
    assert links(owner, session) == []


def test_anonymous_visitors_are_sent_to_log_in(anonymous, owner, session):
    made = make(owner, session)
    token_hash = hash_token(made.token)
    for response in (
        anonymous.get(manage_url(session)),
        post(anonymous, manage_url(session), form_data()),
        anonymous.get(link_url(session, token_hash, "revoke")),
        post(anonymous, link_url(session, token_hash, "revoke")),
        anonymous.get(link_url(session, token_hash, "preview")),
        anonymous.get(link_url(session, token_hash, "preview/transcript")),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    assert len(links(owner, session)) == 1
    assert open_share_link(token=made.token) is not None


def test_a_session_under_another_of_my_campaigns_is_404(owner, session):
    elsewhere = create_campaign(sub=owner.sub, name="Elsewhere")
    response = owner.get(f"/campaigns/{elsewhere.campaign_id}/sessions/{session.session_id}/share/")
    assert response.status_code == 404


def test_posts_without_the_csrf_token_are_refused(owner, session):
    made = make(owner, session)
    assert owner.post(manage_url(session), form_data()).status_code == 403
    assert owner.post(link_url(session, hash_token(made.token), "revoke")).status_code == 403
    assert len(links(owner, session)) == 1
    assert open_share_link(token=made.token) is not None


# --- making a link -------------------------------------------------------------------------------------------
def test_making_a_link_shows_it_once(owner, session, aws_calls):
    with aws_calls() as calls:
        response = post(
            owner, manage_url(session), form_data(scope="summaries", view_limit="10", label="For the players")
        )
    assert response.status_code == 200
    assert calls.operations() == [AUTH, SESSION, "dynamodb.Query", "dynamodb.TransactWriteItems"]
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "Link created" in html and "Copy it now: it will not be shown again." in html
    [shown] = re.findall(
        r'<textarea id="share-url" class="share-url-value" rows="2" readonly[^>]*>([^<]+)</textarea>', html
    )
    assert '<button type="button" class="button" data-copy="share-url" hidden>Copy the link</button>' in html
    assert re.fullmatch(r"http://testserver/share/[A-Za-z0-9_-]{43}/", shown)
    token = shown.split("/")[-2]
    assert html.count(token) == 1  # once, in the box to copy from
    assert "All summaries" in html and "For the players" in html

    [row] = links(owner, session)
    assert row.token_hash == hash_token(token)
    assert (row.pointer.scope, row.view_limit, row.label, row.expires) == ("summaries", 10, "For the players", None)
    assert f'href="{link_url(session, row.token_hash, "preview")}"' in html

    # The token is never shown again: not on the list, not anywhere.
    listed = owner.get(manage_url(session)).content.decode()
    assert token not in listed and "For the players" in listed


def transcribe_and_name(owner, session):
    transcribed = store_transcript(
        sub=owner.sub,
        campaign_id=session.campaign_id,
        session_id=session.session_id,
        data=render_vtt(
            sample_segments(hours=0.05, speakers=("SPEAKER_00", "SPEAKER_01", "xX_Drake_Xx", "Sam (GM)", "SPEAKER_04"))
        ).encode(),
        filename="game.vtt",
    ).session
    save_speaker_names(
        sub=owner.sub,
        campaign_id=session.campaign_id,
        expected_version=0,
        names={
            "SPEAKER_00": {"player": "Bob", "character": "Strahd"},
            "SPEAKER_01": {"player": "Alice"},
            "Sam (GM)": {"player": "Sam"},
            "SPEAKER_04": {"character": "Ireena"},
        },
    )
    return transcribed


def warning_lines(html):
    return dict(re.findall(r'<li data-share-scope="(\w+)">([^<]*)</li>', html))


def test_the_form_warns_which_names_each_scope_shows(owner, session, aws_calls):
    # The warning once named the transcript's players for a recap-only link too, and listed
    # "Sam" where the transcript shows "Sam (GM)".
    transcribed = transcribe_and_name(owner, session)
    add = {
        "recap": "Strahd (Bob) met Ireena. Sam (GM) smiled; SPEAKER_01 left.",
        "npcs": "- Alice's aunt, Bobby",
        "loot": "- xX_Drake_Xx took the key",
    }
    for kind, text in add.items():
        Summary(
            user_pk(owner.sub),
            summary_sk(session.campaign_id, session.session_id, kind),
            kind=kind,
            text=text,
            provider="offline",
            created=datetime.now(UTC),
        ).save()

    with aws_calls() as calls:
        html = owner.get(manage_url(transcribed)).content.decode()

    assert calls.operations() == [AUTH]  # names and summaries come with the session, with the web session
    assert "Unless you tick “Character names only”, the link shows who your players are:" in html
    assert warning_lines(html) == {
        "recap": "Recap only: Strahd (Bob), Sam (GM), SPEAKER_01.",
        "summaries": "All summaries: Strahd (Bob), Sam (GM), SPEAKER_01, Alice, xX_Drake_Xx.",
        # As the transcript shows them, in its order ("Character (Player)", a player, a
        # recorded label; not Ireena, a character alone), then what the summaries add.
        "transcript": "Summaries and transcript: xX_Drake_Xx, Strahd (Bob), Sam, Alice, Sam (GM), SPEAKER_01.",
    }
    assert "Speakers you have not named show as they were recorded (xX_Drake_Xx)" in html
    assert re.search(r'<input type="checkbox" name="characters_only"[^>]*checked', html)
    assert "data-share-names-warning" in html and "<script>" not in html and "style=" not in html


def test_a_scope_whose_summaries_name_nobody_gets_no_line(owner, session):
    transcribed = transcribe_and_name(owner, session)
    html = owner.get(manage_url(transcribed)).content.decode()  # no summary yet
    assert set(warning_lines(html)) == {"transcript"}
    assert warning_lines(html)["transcript"] == "Summaries and transcript: xX_Drake_Xx, Strahd (Bob), Sam, Alice."


def test_no_warning_without_players_names(owner, session):
    html = owner.get(manage_url(session)).content.decode()  # no transcript: nothing to show

    assert "players are" not in html and "share-names-warning" not in html
    assert not re.search(r'<input type="checkbox" name="characters_only"[^>]*checked', html)


def test_a_characters_only_link_is_made_and_listed_as_such(owner, session):
    response = post(owner, manage_url(session), form_data(scope="transcript", characters_only="on"))
    assert "<dt>Speakers</dt><dd>By character name only" in response.content.decode()

    [row] = links(owner, session)
    assert row.characters_only
    assert "character names only" in owner.get(manage_url(session)).content.decode()


def test_the_created_page_says_a_link_shows_players_names(owner, session):
    response = post(owner, manage_url(session), form_data(scope="transcript"))
    assert "<dt>Speakers</dt><dd>As you see them, players’ names included" in response.content.decode()


def test_characters_only_applies_to_every_scope(owner, session):
    # A recap names speakers too: the box once counted for transcript links alone.
    response = post(owner, manage_url(session), form_data(scope="recap", characters_only="on"))
    assert "<dt>Speakers</dt><dd>By character name only" in response.content.decode()

    [row] = links(owner, session)
    assert row.characters_only


def test_the_new_link_works_for_everybody(owner, session):
    response = post(owner, manage_url(session), form_data())
    shown = re.search(r">http://testserver(/share/[^<]+)</textarea>", response.content.decode()).group(1)
    assert Client().get(shown).status_code == 200


def test_an_expiry_date_means_through_the_end_of_that_day_utc(owner, session):
    day = today() + timedelta(days=3)
    response = post(owner, manage_url(session), form_data(expires_on=day.isoformat()))
    assert response.status_code == 200
    assert f"end of {day:%-d %b %Y} UTC" in response.content.decode()
    [row] = links(owner, session)
    assert row.expires == datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    assert row.last_day == day


def test_today_is_a_valid_expiry(owner, session):
    assert post(owner, manage_url(session), form_data(expires_on=today().isoformat())).status_code == 200
    [row] = links(owner, session)
    assert row.status == "active"


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"scope": ""}, "Choose what the link shows."),
        ({"scope": "everything"}, "Choose one of the options offered."),
        ({"expires_on": (today() - timedelta(days=1)).isoformat()}, "or a later day"),
        ({"expires_on": "2025-02-30"}, "Enter a date, like 2025-06-30."),
        ({"expires_on": "9999-12-31"}, "within the next ten years"),
        ({"view_limit": "0"}, "Enter 1 or more"),
        ({"view_limit": "100001"}, "Enter a number up to 100,000"),
        ({"view_limit": "ten"}, "Enter a whole number, like 10."),
        ({"label": "x" * 61}, "Keep the label to 60 characters (this one has 61)."),
    ],
)
def test_the_form_refuses_bad_input(owner, session, changes, message):
    response = post(owner, manage_url(session), form_data(**changes))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Link created" not in html
    assert any(message in error for error in errors(html)), errors(html)
    assert links(owner, session) == []


def test_at_most_50_links_a_session(owner, session):
    for _ in range(MAX_LINKS_PER_SESSION - 1):
        make(owner, session)
    assert post(owner, manage_url(session), form_data()).status_code == 200
    assert len(links(owner, session)) == MAX_LINKS_PER_SESSION
    html = owner.get(manage_url(session)).content.decode()
    assert "the most it can have" in html and 'name="scope"' not in html  # no form at the cap
    response = post(owner, manage_url(session), form_data())
    assert "the most it can have" in response.content.decode() and "Link created" not in response.content.decode()
    assert len(links(owner, session)) == MAX_LINKS_PER_SESSION


# --- the list ------------------------------------------------------------------------------------------------
def test_the_list_shows_each_link_s_facts(owner, session, aws_calls):
    limited = make(owner, session, view_limit=10, label="For the players", expires=datetime(2030, 7, 1, tzinfo=UTC))
    for _ in range(3):
        open_share_link(token=limited.token)
    make(owner, session, scope="transcript", label="<b>For Bob</b>")
    used = make(owner, session, view_limit=1, label="Once")
    open_share_link(token=used.token)

    with aws_calls() as calls:
        html = owner.get(manage_url(session)).content.decode()
    # The links and their pointers by the hashes the session lists: one BatchGetItem.
    assert calls.operations() == [AUTH, "dynamodb.BatchGetItem"]
    assert html.index("Once") < html.index("&lt;b&gt;For Bob&lt;/b&gt;") < html.index("For the players")  # newest first
    assert "<b>For Bob</b>" not in html
    assert "3 of 10" in html and 'end of <time datetime="2030-06-30">30 Jun 2030</time> UTC' in html
    assert "<dt>Expires</dt><dd>never</dd>" in html
    assert "<dt>Last viewed</dt><dd>never</dd>" in html
    assert "Summaries and transcript" in html and "Recap only" in html
    assert "Used up" in html
    assert html.count(">Revoke…<") == 3  # links to the page that asks to confirm
    assert html.count(">Preview<") == 2  # not for a link that opens nothing now
    for made in (limited, used):
        assert made.token not in html


# --- revoke ----------------------------------------------------------------------------------------------------
def test_revoking_kills_the_link_at_once(owner, session, aws_calls):
    made = make(owner, session)
    token_hash = hash_token(made.token)
    visitor = Client()
    assert visitor.get(f"/share/{made.token}/").status_code == 200
    with aws_calls() as calls:
        response = post(owner, link_url(session, token_hash, "revoke"))
    assert calls.operations() == [AUTH, "dynamodb.TransactWriteItems"]
    assert response.status_code == 302 and response["Location"] == manage_url(session)
    assert visitor.get(f"/share/{made.token}/").status_code == 404
    assert links(owner, session) == []
    assert "Link revoked." in owner.get(manage_url(session)).content.decode()


def test_revoking_twice_says_it_is_done(owner, session):
    token_hash = hash_token(make(owner, session).token)
    post(owner, link_url(session, token_hash, "revoke"))
    owner.get(manage_url(session))  # shows (and clears) the first message
    response = post(owner, link_url(session, token_hash, "revoke"))
    assert response.status_code == 302
    assert "That link was already revoked." in owner.get(manage_url(session)).content.decode()


def test_another_user_cannot_revoke_my_link(owner, other, session):
    made = make(owner, session)
    response = post(other, link_url(session, hash_token(made.token), "revoke"))
    assert response.status_code == 404
    assert open_share_link(token=made.token) is not None


def test_a_link_is_revoked_only_under_its_own_campaign_and_session(owner, session):
    # Revoke once checked the session only: the owner's link went through a URL naming
    # another of their campaigns, or one that does not exist.
    made = make(owner, session)
    token_hash = hash_token(made.token)
    another = create_campaign(sub=owner.sub, name="Another campaign")
    sibling = create_session(sub=owner.sub, campaign_id=session.campaign_id, title="Another session")
    moved = SimpleNamespace(campaign_id=another.campaign_id, session_id=session.session_id)
    unknown = SimpleNamespace(campaign_id="0" * 26, session_id=session.session_id)
    for wrong in (moved, unknown, sibling):
        assert post(owner, link_url(wrong, token_hash, "revoke")).status_code == 404
    assert open_share_link(token=made.token) is not None
    assert [link.token_hash for link in links(owner, session)] == [token_hash]


def test_revoke_asks_to_confirm_first(owner, session, aws_calls):
    # Revoking once took one click, right next to Preview, with no way back.
    made = make(owner, session, label="For <the> players", view_limit=10)
    open_share_link(token=made.token)
    token_hash = hash_token(made.token)
    listed = owner.get(manage_url(session)).content.decode()
    assert (
        f'<a class="button button-small button-danger" href="{link_url(session, token_hash, "revoke")}">Revoke…'
        in listed
    )
    assert f'action="{link_url(session, token_hash, "revoke")}"' not in listed  # no one-click form

    with aws_calls() as calls:
        response = owner.get(link_url(session, token_hash, "revoke"))

    assert calls.operations() == [AUTH, "dynamodb.BatchGetItem"]  # campaign, session, pointer, link
    assert response.status_code == 200
    html = response.content.decode()
    assert "Revoke the link “For &lt;the&gt; players”?" in html
    assert "It will stop opening at once; <strong>this cannot be undone</strong>." in html
    assert "<dt>Views</dt><dd>1 of 10</dd>" in html and "<dt>Created</dt>" in html
    assert re.search(r'<form method="post">\s*<input type="hidden" name="csrfmiddlewaretoken"', html)
    assert '<button type="submit" class="button button-danger">Revoke link</button>' in html
    assert f'href="{manage_url(session)}">Cancel</a>' in html
    assert made.token not in html
    assert open_share_link(token=made.token) is not None  # a GET revokes nothing


def test_the_confirm_page_names_an_unlabelled_link_by_its_date(owner, session):
    made = make(owner, session)
    html = owner.get(link_url(session, hash_token(made.token), "revoke")).content.decode()
    assert f"Revoke the link of {made.pointer.created:%-d %b %Y, %H:%M} UTC?" in html


def test_the_confirm_page_of_a_revoked_link_says_it_is_done(owner, session):
    token_hash = hash_token(make(owner, session).token)
    post(owner, link_url(session, token_hash, "revoke"))
    owner.get(manage_url(session))  # shows (and clears) the first message
    response = owner.get(link_url(session, token_hash, "revoke"))  # the back button
    assert response.status_code == 302 and response["Location"] == manage_url(session)
    assert "That link was already revoked." in owner.get(manage_url(session)).content.decode()


def test_nobody_else_sees_the_confirm_page(owner, other, session):
    made = make(owner, session, label="Private label")
    token_hash = hash_token(made.token)
    response = other.get(link_url(session, token_hash, "revoke"))
    assert response.status_code == 404 and "Private label" not in response.content.decode()
    # Nor under another campaign or session of the owner's own.
    another = create_campaign(sub=owner.sub, name="Another campaign")
    sibling = create_session(sub=owner.sub, campaign_id=session.campaign_id, title="Another session")
    moved = SimpleNamespace(campaign_id=another.campaign_id, session_id=session.session_id)
    for wrong in (moved, sibling):
        assert owner.get(link_url(wrong, token_hash, "revoke")).status_code == 404
    assert open_share_link(token=made.token) is not None


def test_a_malformed_hash_matches_no_route(owner, session):
    for bad in ("ABC" + "0" * 61, "0" * 63, "g" * 64):
        assert owner.get(link_url(session, bad, "preview")).status_code == 404
        assert owner.get(link_url(session, bad, "revoke")).status_code == 404
        assert post(owner, link_url(session, bad, "revoke")).status_code == 404


# --- preview ----------------------------------------------------------------------------------------------------
def test_the_preview_is_the_recipient_s_page_and_counts_no_view(owner, summarized, aws_calls):
    made = make(owner, summarized)
    token_hash = hash_token(made.token)
    with aws_calls() as calls:
        preview = owner.get(link_url(summarized, token_hash, "preview"))
    assert calls.operations() == [AUTH]  # the link and what it shows come with the web session
    assert preview.status_code == 200
    assert get_share_link(token_hash=token_hash).views == 0
    for name, value in HEADERS.items():
        assert preview[name] == value

    public = Client().get(f"/share/{made.token}/")
    # The very page, but for its title.
    assert preview.content.decode().replace("<title>Preview · ", "<title>") == public.content.decode()
    assert "<title>Preview · The Death House · Secret Strahd · Campaign Sessions</title>" in preview.content.decode()


def test_the_preview_of_a_transcript_link_reads_the_transcript_without_counting(owner, session):
    store_transcript(
        sub=owner.sub,
        campaign_id=session.campaign_id,
        session_id=session.session_id,
        data=render_vtt(sample_segments(hours=0.1)).encode(),
        filename="game.vtt",
    )
    made = make(owner, session, scope="transcript")
    token_hash = hash_token(made.token)
    html = owner.get(link_url(session, token_hash, "preview")).content.decode()
    transcript_url = link_url(session, token_hash, "preview/transcript")
    assert f'href="{transcript_url}"' in html
    response = owner.get(transcript_url + "?q=" + quote("the"))
    assert response.status_code == 200
    assert f'href="{link_url(session, token_hash, "preview")}"' in response.content.decode()
    assert get_share_link(token_hash=token_hash).views == 0


def test_the_preview_of_a_dead_link_is_the_recipient_s_404(owner, session):
    used = make(owner, session, view_limit=1)
    open_share_link(token=used.token)
    expired = make(owner, session, expires=datetime.now(UTC) - timedelta(seconds=1))
    dead = Client().get(f"/share/{used.token}/")
    for made in (used, expired):
        response = owner.get(link_url(session, hash_token(made.token), "preview"))
        assert response.status_code == 404 and response.content == dead.content


def test_nobody_else_previews_my_link(owner, other, session):
    made = make(owner, session)
    token_hash = hash_token(made.token)
    response = other.get(link_url(session, token_hash, "preview"))
    assert response.status_code == 404
    assert "The Death House" not in response.content.decode()
    # Not under another of my own sessions either.
    elsewhere = create_session(sub=owner.sub, campaign_id=session.campaign_id, title="Elsewhere")
    assert owner.get(link_url(elsewhere, token_hash, "preview")).status_code == 404


def test_the_hash_alone_is_in_the_table(owner, session):
    response = post(owner, manage_url(session), form_data(label="Table check"))
    token = re.search(r">http://testserver/share/([^/<]+)/</textarea>", response.content.decode()).group(1)
    pages = aws_clients.client("dynamodb").get_paginator("scan").paginate(TableName=settings.DYNAMODB_TABLE)
    stored = repr([item for page in pages for item in page["Items"]])
    assert token not in stored and hash_token(token) in stored


# --- the session page lists the links too ------------------------------------------------------------------------
def session_url(session):
    return f"/campaigns/{session.campaign_id}/sessions/{session.session_id}/"


def test_the_session_page_lists_its_links_without_revoke_buttons(owner, session, aws_calls):
    limited = make(owner, session, view_limit=10, label="For the players")
    open_share_link(token=limited.token)
    with aws_calls() as calls:
        html = owner.get(session_url(session)).content.decode()
    # The session, its page items and summaries with the web session; its links and their
    # pointers by the hashes the session lists.
    assert calls.operations() == [AUTH, "dynamodb.BatchGetItem"]
    assert "For the players" in html and "1 of 10" in html
    assert ">Revoke<" not in html and limited.token not in html
    assert f'href="{manage_url(session)}">Manage sharing…</a>' in html


def test_a_session_never_shared_reads_no_links(owner, session, aws_calls):
    with aws_calls() as calls:
        html = owner.get(session_url(session)).content.decode()
    assert calls.operations() == [AUTH]  # its items come with the web session; no links to read
    assert "Not shared." in html and f'href="{manage_url(session)}">Share…</a>' in html


def test_a_revoked_link_leaves_the_session_page(owner, session):
    made = make(owner, session, label="Gone soon")
    assert "Gone soon" in owner.get(session_url(session)).content.decode()
    post(owner, link_url(session, hash_token(made.token), "revoke"))
    assert "Gone soon" not in owner.get(session_url(session)).content.decode()
