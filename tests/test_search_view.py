"""The search page (sessions/search/views.py): access for the owner, another signed-in user
and nobody; the form and its errors; results with highlights and links; escaping; pages;
bad page links; the requests a page makes."""

import re
from urllib.parse import urlencode

import pytest

from campaigns.repository import create_campaign, set_campaign_archived
from sessions.core.repository import create_session
from sessions.core.segments import Segment
from sessions.search import services as search
from tests.transcript_samples import render_vtt
from tests.web_clients import login_url

AUTH = "dynamodb.BatchGetItem"  # what a signed-in page costs for authentication
CAMPAIGNS = "dynamodb.Query"  # my campaigns: the choices, and the names results show
NAMES = "dynamodb.Query"  # my speaker names
HEADS = "dynamodb.Query"  # one Query page of the search index's heads
WORDS = "dynamodb.Query"  # one Query page of a word group
SNIPPETS = "dynamodb.BatchGetItem"  # the results' snippets


def search_url(**params):
    return "/search/" + (f"?{urlencode(params)}" if params else "")


def page_html(client, **params):
    response = client.get(search_url(**params))
    assert response.status_code == 200
    return response.content.decode()


def result_titles(html):
    titles = re.findall(r'<h3 class="item-title"><a [^>]+>(.*?)</a></h3>', html)
    return [re.sub(r"<[^>]+>", "", title) for title in titles]


TRANSCRIPT = [
    Segment(start=1.0, end=3.0, speaker="SPEAKER_00", text="Welcome back to Barovia."),
    Segment(start=3.0, end=6.0, speaker="SPEAKER_01", text="The ferryman wants two coins."),
]
pytestmark = pytest.mark.transcript(data=render_vtt(TRANSCRIPT).encode(), filename="night.vtt")


# --- access: owner, another signed-in user, nobody -------------------------------------------
def test_owner_finds_a_session_by_a_word_said_in_its_transcript(owner, transcribed):
    html = page_html(owner, q="ferry")
    assert result_titles(html) == ["The Death House"]
    assert "Secret Strahd" in html
    assert '<time datetime="2024-05-31">31 May 2024</time>' in html
    assert '<span class="session-number">#1</span>' in html
    assert "Found in transcript" in html
    session_url = f"/campaigns/{transcribed.campaign_id}/sessions/{transcribed.session_id}/"
    assert f'<a href="{session_url}">The Death House</a>' in html
    assert f'<a href="{session_url}transcript/?mark=ferry&amp;first=1">Transcript</a>:' in html


def test_another_user_finds_nothing_of_mine(other, transcribed):
    html = page_html(other, q="ferry")
    assert result_titles(html) == []
    assert "No session has “<mark>ferry</mark>”." in html
    for secret in ("The Death House", "Secret Strahd"):
        assert secret not in html


def test_another_users_campaign_in_the_filter_is_refused(other, transcribed):
    html = page_html(other, q="ferry", campaign=transcribed.campaign_id)
    assert "Pick one of your campaigns, or all of them." in html
    assert "Secret Strahd" not in html


def test_anonymous_visitors_are_sent_to_log_in(anonymous, transcribed, aws_calls):
    with aws_calls() as calls:
        response = anonymous.get(search_url(q="ferry"))
    assert response.status_code == 302
    assert response["Location"].startswith(login_url("/search/"))
    assert calls.operations() == []


def test_only_get(owner):
    assert owner.post("/search/").status_code in (403, 405)  # the CSRF check may answer first


def test_the_navigation_links_to_search(owner):
    html = page_html(owner)
    assert '<a href="/search/" aria-current="page">Search</a>' in html
    assert 'href="/search/">Search your sessions</a>' in owner.get("/").content.decode()


# --- the form ---------------------------------------------------------------------------------
def test_the_empty_page_has_the_form_and_costs_one_query(owner, campaign, aws_calls):
    archived = create_campaign(sub=owner.sub, name="Old Tomb")
    set_campaign_archived(sub=owner.sub, campaign_id=archived.campaign_id, archived=True)
    with aws_calls() as calls:
        html = page_html(owner)
    assert calls.operations() == [AUTH, CAMPAIGNS]
    assert '<form class="search-form" method="get" action="/search/" role="search"' in html
    assert '<option value="" selected>All campaigns</option>' in html
    assert f'<option value="{campaign.campaign_id}">Secret Strahd</option>' in html
    assert re.search(f'<optgroup label="Archived">\\s*<option value="{archived.campaign_id}">Old Tomb</option>', html)
    assert 'type="date"' in html
    assert "No session has" not in html


def test_a_user_without_campaigns_is_told_what_to_do(owner):
    html = page_html(owner)
    assert "Nothing to search yet." in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": ""}, "Type a word to search for."),
        ({"q": "a ? !"}, "Type a word of two letters or more"),
        ({"q": "x" * 201}, "Search for up to 200 characters."),
        ({"q": "dragon", "played_from": "2024-13-01"}, "Enter a date, like 2024-05-31."),
        ({"q": "dragon", "played_from": "2024-05-02", "played_to": "2024-05-01"}, "This date is before the first one"),
    ],
)
def test_invalid_searches_say_why_and_search_nothing(owner, session, aws_calls, params, message):
    with aws_calls() as calls:
        html = page_html(owner, **params)
    assert message in html
    assert calls.operations() == [AUTH, CAMPAIGNS]
    assert result_titles(html) == []


def test_a_campaign_not_mine_is_refused_and_shows_nothing(owner, other, session, aws_calls):
    theirs = create_campaign(sub=other.sub, name="Their Dragons")
    create_session(sub=other.sub, campaign_id=theirs.campaign_id, title="Dragon of theirs")
    for campaign_id in (theirs.campaign_id, "01HZZZZZZZZZZZZZZZZZZZZZZZ"):
        with aws_calls() as calls:
            html = page_html(owner, q="dragon", campaign=campaign_id)
        assert "Pick one of your campaigns, or all of them." in html
        assert result_titles(html) == []
        # My campaigns are read with my index, in one round trip; the campaign is checked after.
        assert calls.operations() == [AUTH, CAMPAIGNS, NAMES, HEADS, WORDS]


def test_the_form_keeps_what_was_asked(owner, campaign, session):
    html = page_html(
        owner, q='dragon "<b>', campaign=campaign.campaign_id, played_from="2024-01-01", played_to="2024-12-31"
    )
    assert 'value="dragon &quot;&lt;b&gt;"' in html
    assert f'<option value="{campaign.campaign_id}" selected>Secret Strahd</option>' in html
    assert 'value="2024-01-01"' in html and 'value="2024-12-31"' in html


# --- results --------------------------------------------------------------------------------------
def test_results_mark_the_words_and_say_where_they_are(owner, campaign, transcribed):
    html = page_html(owner, q="death mimic")
    assert result_titles(html) == ["The Death House"]
    assert '<a href="/campaigns/' in html and "The <mark>Death</mark> House</a>" in html
    assert "Found in title, notes" in html
    session_url = f"/campaigns/{transcribed.campaign_id}/sessions/{transcribed.session_id}/"
    assert (
        f'<a class="search-snippet-label" href="{session_url}#notes-title">Notes</a>: '
        "Hidden notes about the <mark>mimic</mark>"
    ) in html
    # Its transcript says neither word (the search knows its words): no way there.
    assert "/transcript/" not in html


def places(html):
    """The places a result lists: [(link, text)], tags and spaces squeezed."""
    items = re.findall(r'<li class="search-place search-place-\w+">(.*?)</li>', html, re.S)
    return [
        (
            re.search(r'href="([^"]+)"', item).group(1).replace("&amp;", "&"),
            " ".join(re.sub(r"<[^>]+>", "", item).split()),
        )
        for item in items
    ]


def test_every_place_of_every_word_is_listed_with_its_link(owner, campaign, transcribed):
    # Issue 11: a word in a summary and in the transcript said "Found in summaries" only.
    from sessions.summaries.items import Summary
    from sessions.summaries.repository import edit_summary
    from sessions.transcripts.repository import save_speaker_names

    Summary(
        f"USER#{owner.sub}",
        f"SUMMARY#{campaign.campaign_id}#{transcribed.session_id}#recap",
        kind="recap",
        text="placeholder",
    ).save()
    edit_summary(
        sub=owner.sub,
        campaign_id=campaign.campaign_id,
        session_id=transcribed.session_id,
        kind="recap",
        expected_version=1,
        text="The ferryman ferried Ireena across.",
    )
    save_speaker_names(
        sub=owner.sub,
        campaign_id=campaign.campaign_id,
        expected_version=0,
        names={"SPEAKER_01": {"player": "Bo", "character": "Ireena"}},
    )
    session_url = f"/campaigns/{transcribed.campaign_id}/sessions/{transcribed.session_id}/"

    html = page_html(owner, q="Ferryman IRENA ireena death")
    assert result_titles(html) == [] and "No session has" in html  # "irena" is nowhere
    html = page_html(owner, q="Ferryman ireena death")
    assert result_titles(html) == ["The Death House"]
    assert "Found in title, summaries, speakers, transcript" in html
    assert places(html) == [
        (session_url, "Title: “death”"),
        (f"{session_url}#summary-recap", "Recap (previously on…): “ferryman”, “ireena”"),
        (f"{session_url}transcript/?speaker=SPEAKER_01", "Speaker Ireena (Bo): “ireena”"),
        (f"{session_url}transcript/?mark=ferryman+ireena+death&first=1", "Transcript: “ferryman”"),
    ]
    assert (
        f'<a class="search-snippet-label" href="{session_url}#summary-recap">Recap</a>: '
        "The <mark>ferryman</mark> ferried <mark>Ireena</mark> across."
    ) in html
    assert "/share/" not in html  # search is the owner's: it lands on the owner's pages only


def test_the_places_links_land_where_they_say(owner, campaign, transcribed):
    from sessions.summaries.items import Summary
    from sessions.summaries.repository import edit_summary

    Summary(
        f"USER#{owner.sub}",
        f"SUMMARY#{campaign.campaign_id}#{transcribed.session_id}#npcs",
        kind="npcs",
        text="placeholder",
    ).save()
    edit_summary(
        sub=owner.sub,
        campaign_id=campaign.campaign_id,
        session_id=transcribed.session_id,
        kind="npcs",
        expected_version=1,
        text="- The ferryman of the Ivlis",
    )
    links = {text.split(":")[0]: link for link, text in places(page_html(owner, q="ferry mimic"))}
    assert set(links) == {"Notes", "NPCs", "Transcript"}
    path, anchor = links["NPCs"].split("#")
    session_page = page_html_at(owner, path)
    assert anchor == "summary-npcs" and f'<article class="summary" id="{anchor}"' in session_page
    assert links["Notes"] == f"{path}#notes-title" and '<h2 id="notes-title">Notes</h2>' in session_page
    landing = owner.get(links["Transcript"])
    assert landing.status_code == 302 and landing["Location"].endswith("?mark=ferry+mimic&line=1#line-1")
    html = page_html_at(owner, landing["Location"])
    assert '<li id="line-1" class="transcript-line is-focus">' in html
    assert "The <mark>ferry</mark>man wants two coins." in html
    assert re.findall(r'<li id="line-(\d+)"', html) == ["0", "1"]  # the whole page, not a filter


def page_html_at(client, address):
    response = client.get(address)
    assert response.status_code == 200
    return response.content.decode()


def test_a_filter_by_campaign_and_dates(owner, campaign, session):
    elsewhere = create_campaign(sub=owner.sub, name="Elsewhere")
    create_session(sub=owner.sub, campaign_id=elsewhere.campaign_id, title="Death elsewhere", played_on="2023-01-01")
    assert result_titles(page_html(owner, q="death")) == ["The Death House", "Death elsewhere"]
    assert result_titles(page_html(owner, q="death", campaign=elsewhere.campaign_id)) == ["Death elsewhere"]
    assert result_titles(page_html(owner, q="death", played_from="2024-01-01")) == ["The Death House"]
    assert result_titles(page_html(owner, q="death", played_to="2023-12-31")) == ["Death elsewhere"]


def test_everything_shown_is_escaped(owner, campaign):
    create_session(
        sub=owner.sub,
        campaign_id=campaign.campaign_id,
        title="<script>alert(1)</script>",
        notes="<img src=x onerror=alert(2)> the script kiddie",
    )
    html = page_html(owner, q="script")
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt; the <mark>script</mark> kiddie" in html


def test_words_past_the_eighth_are_ignored_and_the_page_says_so(owner, session):
    html = page_html(owner, q="death house hidden notes about the mimic secret extra")
    assert "Only the first 8 words were searched for." in html


# --- pages ----------------------------------------------------------------------------------------
def test_more_results_come_by_a_signed_cursor(owner, campaign, monkeypatch):
    monkeypatch.setattr(search, "PAGE_SIZE", 2)
    for number in range(1, 6):
        create_session(sub=owner.sub, campaign_id=campaign.campaign_id, title=f"Dragon {number}", number=number)
    html = page_html(owner, q="dragon")
    assert result_titles(html) == ["Dragon 5", "Dragon 4"]
    next_url = re.search(r'<a href="\?([^"]+)" rel="next">More results →</a>', html).group(1).replace("&amp;", "&")
    assert "q=dragon" in next_url and "cursor=" in next_url
    assert "← First results" not in html

    html = owner.get(f"/search/?{next_url}").content.decode()
    assert result_titles(html) == ["Dragon 3", "Dragon 2"]
    assert '<a href="?q=dragon">← First results</a>' in html
    next_url = re.search(r'<a href="\?([^"]+)" rel="next">', html).group(1).replace("&amp;", "&")
    html = owner.get(f"/search/?{next_url}").content.decode()
    assert result_titles(html) == ["Dragon 1"]
    assert 'rel="next"' not in html


def test_an_empty_last_page_says_there_is_no_more(owner, campaign, monkeypatch):
    # A request reads at most MAX_PAGES pages of heads (1 MB each) and hands back where it
    # stopped, so the page after the last result can hold none. Made here with small pages.
    create_session(sub=owner.sub, campaign_id=campaign.campaign_id, title="Dragon", number=2)
    create_session(sub=owner.sub, campaign_id=campaign.campaign_id, title="Quiet", number=1)
    monkeypatch.setattr(search, "MAX_PAGES", 1)  # a request that stops before the heads' end
    first = search.search_sessions(sub=owner.sub, text="dragon", limit=1, page_size=1)
    assert [result.title for result in first.results] == ["Dragon"] and first.next_cursor

    html = page_html(owner, q="dragon", cursor=first.next_cursor)
    assert result_titles(html) == []
    assert "No more sessions match." in html and 'rel="next"' not in html
    assert '<a href="?q=dragon">← First results</a>' in html


@pytest.mark.parametrize("cursor", ["forged", "eyJrIjoxfQ:1abc:xyz"])
def test_a_bad_page_link_is_refused_before_any_request(owner, session, aws_calls, cursor):
    with aws_calls() as calls:
        response = owner.get(search_url(q="death", cursor=cursor))
    assert response.status_code == 400
    assert calls.operations() == [AUTH]
    html = response.content.decode()
    assert "That page link no longer works" in html
    assert 'href="/search/?q=death"' in html


def test_another_users_or_another_querys_page_link_is_refused(owner, other, campaign, monkeypatch):
    monkeypatch.setattr(search, "PAGE_SIZE", 1)
    for number in range(3):
        create_session(sub=owner.sub, campaign_id=campaign.campaign_id, title=f"Dragon {number}", number=number)
    html = page_html(owner, q="dragon")
    cursor = re.search(r"cursor=([^\"&]+)", html).group(1)
    assert other.get(f"/search/?q=dragon&cursor={cursor}").status_code == 400
    assert owner.get(f"/search/?q=dragons&cursor={cursor}").status_code == 400
    assert owner.get(f"/search/?q=dragon&cursor={cursor}").status_code == 200


# --- requests per page --------------------------------------------------------------------------------
def test_a_search_costs_my_campaigns_my_names_and_its_query_pages(owner, transcribed, aws_calls):
    with aws_calls() as calls:
        page_html(owner, q="ferry")
    # My campaigns, names, heads and the word's group are read at once (any order), then the
    # result's snippets: three round trips, the sign-in's included.
    assert calls.operations() == [AUTH, CAMPAIGNS, NAMES, HEADS, WORDS, SNIPPETS]
    assert calls.count("dynamodb", "Scan") == 0
    assert calls.count("s3", "GetObject") == 0  # no transcript is read to search it
