"""Summaries imported from v1.0 on the pages (the session page's Summaries, the edit page,
the share page, the story so far): every mapped kind and v1.0's own kinds shown under
their names, Markdown rendered safely, a session without a transcript, editing that keeps
Markdown, no "write it again" for v1.0's own kinds; owner, another user and nobody; the
requests each page makes."""

from datetime import UTC, datetime

import pytest
from django.test import Client

from sessions.core.kinds import KINDS
from sessions.sharing.repository import create_share_link, read_session_to_share
from sessions.summaries.imported import imported_summary, save_imported_summary
from sessions.summaries.repository import get_summary
from sessions.transcripts.repository import save_speaker_names
from tests.web_clients import login_url, post

AUTH = "dynamodb.BatchGetItem"
CREATED = datetime(2024, 3, 2, 5, 30, tzinfo=UTC)
# What v1.0 wrote, under the kinds the importer stores them as (docs/migration.md).
TEXTS = {
    "recap": "# Last time\n\nThe party met **Strahd** at *dinner*.",
    "key_events": "- The **mimic** woke\n- Rose was freed",
    "npcs": "- *Rose*, a ghost child",
    "locations": "1. Death House\n2. The crypt",
    "loot": "- [a silver key](https://example.com/key)",
    "open_threads": "> Who rang the bell?",
    "session_mood": "Grim, then *hopeful*.",
    "combat_log": "Round 1: the **ghoul** hits.",
}
HOSTILE = (
    "<script>alert('x')</script> <img src=x onerror=alert(1)> [click](javascript:alert(1)) "
    "![pixel](https://tracker.example/p.gif)"
)


@pytest.fixture
def imported_summaries(owner, session):
    """`session` (no transcript) with a v1.0 summary of every kind in TEXTS."""
    for kind, text in TEXTS.items():
        summary = imported_summary(
            sub=owner.sub,
            campaign_id=session.campaign_id,
            session_id=session.session_id,
            kind=kind,
            text=text,
            model="gpt-4o",
            input_tokens=100,
            output_tokens=20,
            created=CREATED,
        )
        assert save_imported_summary(summary=summary)
    return session


def url(session, path=""):
    return f"/campaigns/{session.campaign_id}/sessions/{session.session_id}/{path}"


def summary_section(html):
    return html[html.index('<section id="summaries"') : html.index('<section class="manage"')]


def article(html, kind):
    start = html.index(f'<article class="summary" id="summary-{kind}"')
    return html[start : html.index("</article>", start)]


def share(owner, session, scope):
    token = create_share_link(
        sub=owner.sub, campaign_id=session.campaign_id, session_id=session.session_id, scope=scope
    ).token
    return f"/share/{token}/"


# --- access: owner, another signed-in user, nobody ---------------------------------------------
@pytest.mark.parametrize("path", ["", "summaries/session_mood/edit/", "summaries/recap/edit/"])
def test_owner_other_and_anonymous(owner, other, anonymous, imported_summaries, path):
    assert owner.get(url(imported_summaries, path)).status_code == 200
    response = other.get(url(imported_summaries, path))
    assert response.status_code == 404
    assert "Grim" not in response.content.decode() and "Session mood" not in response.content.decode()
    response = anonymous.get(url(imported_summaries, path))
    assert response.status_code == 302 and response["Location"] == login_url(url(imported_summaries, path))


def test_another_user_cannot_edit_one(other, owner, imported_summaries):
    assert (
        post(other, url(imported_summaries, "summaries/session_mood/edit/"), {"text": "Mine", "version": 1}).status_code
        == 404
    )
    stored = get_summary(
        sub=owner.sub,
        campaign_id=imported_summaries.campaign_id,
        session_id=imported_summaries.session_id,
        kind="session_mood",
    )
    assert stored.text == TEXTS["session_mood"]


# --- the session page ---------------------------------------------------------------------------
def test_every_kind_shows_in_order_under_its_name_rendered(owner, imported_summaries):
    html = summary_section(owner.get(url(imported_summaries)).content.decode())
    titles = [*KINDS.values(), "Combat log", "Session mood"]
    positions = [html.index(f">{title}</h3>") for title in titles]
    assert positions == sorted(positions)
    assert "<h4>Last time</h4>" in article(html, "recap")
    assert "<strong>Strahd</strong> at <em>dinner</em>" in article(html, "recap")
    assert '<a href="https://example.com/key" rel="nofollow noopener noreferrer">a silver key</a>' in article(
        html, "loot"
    )
    assert "<blockquote>" in article(html, "open_threads")
    assert "Grim, then <em>hopeful</em>." in article(html, "session_mood")
    assert "imported from v1.0" in article(html, "combat_log")
    assert "gpt-4o" in article(html, "combat_log")
    assert "estimated cost" not in html  # v1.0 kept none
    assert 'href="#summary-session_mood">Session mood</a>' in html  # the jump list


def test_a_session_without_a_transcript_shows_them_without_saying_they_came_from_one(owner, imported_summaries):
    html = summary_section(owner.get(url(imported_summaries)).content.decode())
    assert "Upload a transcript first" in html
    assert "made from a transcript that has since been deleted" not in html
    assert "<form" not in html  # nothing to write summaries from


def test_v1s_own_kinds_can_be_edited_never_written_again(owner, transcribed):
    label = transcribed.transcript_speakers[0]
    save_speaker_names(
        sub=owner.sub,
        campaign_id=transcribed.campaign_id,
        expected_version=0,
        names={label: {"player": "Zoë", "character": "Ireena"}},
    )
    for kind in ("recap", "session_mood"):
        summary = imported_summary(
            sub=owner.sub,
            campaign_id=transcribed.campaign_id,
            session_id=transcribed.session_id,
            kind=kind,
            text=f"{label} spoke first.",
            created=CREATED,
        )
        save_imported_summary(summary=summary)
    html = summary_section(owner.get(url(transcribed)).content.decode())
    assert url(transcribed, "summaries/session_mood/edit/") in article(html, "session_mood")
    assert "Written before you named the speakers" in article(html, "session_mood")
    assert "Write it again with today’s names" in article(html, "recap")
    assert "Write it again" not in article(html, "session_mood")
    assert 'value="session_mood"' not in html  # not among the kinds to write
    assert 'name="length" value="standard"' in article(html, "recap")  # v1.0's had no length: the default


def test_plain_text_summaries_still_show_as_blocks(owner, session):
    summary = imported_summary(
        sub=owner.sub,
        campaign_id=session.campaign_id,
        session_id=session.session_id,
        kind="npcs",
        text="- Rose <b>\n- Thorn",
        text_format=None,  # this app's plain text
        created=CREATED,
    )
    save_imported_summary(summary=summary)
    html = article(owner.get(url(session)).content.decode(), "npcs")
    assert '<div class="summary-text">' in html
    assert "<ul><li>Rose &lt;b&gt;</li><li>Thorn</li></ul>" in html


def test_markup_in_markdown_is_escaped_or_dropped(owner, session):
    summary = imported_summary(
        sub=owner.sub,
        campaign_id=session.campaign_id,
        session_id=session.session_id,
        kind="session_mood",
        text=HOSTILE,
        created=CREATED,
    )
    save_imported_summary(summary=summary)
    for html in (
        owner.get(url(session)).content.decode(),
        Client().get(share(owner, session, "summaries")).content.decode(),
    ):
        shown = article(html, "session_mood")
        assert "<script" not in shown and "<img" not in shown and 'href="javascript' not in shown
        assert "&lt;script&gt;" in shown
        assert '<a href="https://tracker.example/p.gif" rel="nofollow noopener noreferrer">pixel (image)</a>' in shown


def test_the_session_page_costs_what_it_did(owner, imported_summaries, aws_calls):
    with aws_calls() as calls:
        assert owner.get(url(imported_summaries)).status_code == 200
    # Its items with the web session; v1.0's own kinds by the names the session lists.
    assert calls.operations() == [AUTH, "dynamodb.BatchGetItem"]


# --- the edit page ----------------------------------------------------------------------------------
def test_the_edit_page_says_markdown_and_shows_the_source(owner, imported_summaries):
    html = owner.get(url(imported_summaries, "summaries/recap/edit/")).content.decode()
    assert "written in Markdown" in html
    assert "# Last time\n\nThe party met **Strahd** at *dinner*." in html  # the textarea holds the source
    assert "Markdown, as v1.0 wrote it" in html  # the field's help
    html = owner.get(url(imported_summaries, "summaries/session_mood/edit/")).content.decode()
    assert "Edit summary: Session mood" in html
    assert "writing this summary again" not in html  # it is never written again


def test_an_edit_keeps_it_markdown(owner, imported_summaries):
    response = post(
        owner, url(imported_summaries, "summaries/session_mood/edit/"), {"text": "Now **bright**.", "version": 1}
    )
    assert response.status_code == 302
    html = article(owner.get(url(imported_summaries)).content.decode(), "session_mood")
    assert "Now <strong>bright</strong>." in html
    assert "Edited by hand" in html


def test_a_refused_edit_still_says_markdown(owner, imported_summaries):
    response = post(owner, url(imported_summaries, "summaries/recap/edit/"), {"text": "  ", "version": 1})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Markdown, as v1.0 wrote it" in html


def test_the_edit_form_costs_what_it_did(owner, imported_summaries, aws_calls):
    with aws_calls() as calls:
        assert owner.get(url(imported_summaries, "summaries/session_mood/edit/")).status_code == 200
    assert calls.operations() == [AUTH]


# --- the share page ---------------------------------------------------------------------------------
def test_the_summaries_scope_shows_every_kind_v1s_own_included(owner, imported_summaries, aws_calls):
    link = share(owner, imported_summaries, "summaries")
    with aws_calls() as calls:
        html = Client().get(link).content.decode()
    for kind in TEXTS:
        assert f'id="summary-{kind}"' in html
    assert ">Session mood</h3>" in html and ">Combat log</h3>" in html
    assert (
        html.index(">Open threads and quests</h3>") < html.index(">Combat log</h3>") < html.index(">Session mood</h3>")
    )
    assert "<strong>Strahd</strong>" in html
    # The link, and the page's BatchGetItem with v1.0's own kinds (the link names them: issue 17).
    assert calls.operations() == ["dynamodb.UpdateItem", "dynamodb.BatchGetItem"]


def test_the_transcript_scope_shows_them_too_and_the_recap_scope_only_the_recap(owner, imported_summaries, aws_calls):
    html = Client().get(share(owner, imported_summaries, "transcript")).content.decode()
    assert 'id="summary-session_mood"' in html
    link = share(owner, imported_summaries, "recap")
    with aws_calls() as calls:
        html = Client().get(link).content.decode()
    assert 'id="summary-recap"' in html and "summary-session_mood" not in html and "summary-npcs" not in html
    assert calls.operations() == ["dynamodb.UpdateItem", "dynamodb.BatchGetItem"]


def test_a_session_without_v1s_own_kinds_costs_what_it_did(owner, session, make_summary, aws_calls):
    make_summary(sub=owner.sub, session=session, kind="recap", text="Plain.")
    link = share(owner, session, "summaries")
    with aws_calls() as calls:
        assert Client().get(link).status_code == 200
    assert calls.operations() == ["dynamodb.UpdateItem", "dynamodb.BatchGetItem"]


def test_the_share_form_reads_v1s_own_kinds_for_its_names_warning(owner, imported_summaries, aws_calls):
    with aws_calls() as calls:
        _, _, _, summaries, _ = read_session_to_share(
            sub=owner.sub, campaign_id=imported_summaries.campaign_id, session_id=imported_summaries.session_id
        )
    assert {summary.kind for summary in summaries} == set(TEXTS)
    assert calls.operations() == ["dynamodb.BatchGetItem", "dynamodb.BatchGetItem"]
    assert owner.get(url(imported_summaries, "share/")).status_code == 200


# --- the story so far -------------------------------------------------------------------------------
def test_the_story_page_renders_an_imported_recap(owner, imported_summaries):
    html = owner.get(f"/campaigns/{imported_summaries.campaign_id}/story/").content.decode()
    assert "<strong>Strahd</strong> at <em>dinner</em>" in html
    assert "Grim" not in html  # v1.0's own kinds are not recaps


# --- search -----------------------------------------------------------------------------------------
def test_a_search_finds_v1s_own_kinds_and_links_to_the_summaries(owner, imported_summaries):
    html = owner.get("/search/", {"q": "ghoul"}).content.decode()
    assert "The Death House" in html
    assert "Other summaries" in html
    assert url(imported_summaries) + "#summaries" in html
