"""The pages a share link opens (sessions/sharing/views.py): the same page for nobody, another
signed-in user and the owner; exact headers on pages and on the 404; one 404, byte for byte
and request for request, for unknown, revoked, expired and used-up links; the requests each
scope costs; nothing of the owner or of internal ids in the HTML; escaping; the transcript's
pages; views counted once per visitor; v1.0's links; the session's delete and move."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
import time_machine
from django.test import Client

from campaigns.repository import create_campaign, mark_campaign_deleting
from campaigns_site.table import summary_sk, user_pk
from sessions.core.repository import create_session, delete_session, move_session
from sessions.core.segments import Segment
from sessions.sharing.items import hash_token
from sessions.sharing.repository import create_share_link, get_share_link, revoke_share_link
from sessions.sharing.views import GRANT_COOKIE
from sessions.summaries.items import Summary
from sessions.transcripts.repository import save_speaker_names
from sessions.transcripts.storage import clear_cache
from tests.transcript_samples import render_vtt, sample_bytes
from tests.transcript_uploads import store_transcript

HEADERS = {"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex", "Cache-Control": "private, no-store"}
OPEN = "dynamodb.UpdateItem"  # the counted open: reads the link and counts the view
GRANTED = "dynamodb.GetItem"  # a visitor's later pages: read the link, count nothing
PAGE = "dynamodb.BatchGetItem"  # campaign + session + the scope's summaries
READER = ["dynamodb.BatchGetItem", "s3.GetObject"]  # campaign + session + speaker names, the transcript
GONE_TEXT = "This link does not open anything"

LINES = [
    Segment(start=1.5, end=4.0, speaker="SPEAKER_00", text="Welcome back to the Café du Dragon."),
    Segment(start=4.0, end=7.25, speaker="ada_discord_1987", text="<script>alert(1)</script>"),
    Segment(start=65.0, end=70.0, speaker="SPEAKER_00", text="Zoë, roll for initiative 🎲"),
    Segment(start=3725.0, end=3730.0, speaker="SPEAKER_02", text="Is the DRAGON still asleep? The dragon is."),
]


def now():
    return datetime.now(UTC)


def make(owner, session, **fields):
    """A new link's token (as the owner's page shows it once)."""
    return create_share_link(
        sub=owner.sub, campaign_id=session.campaign_id, session_id=session.session_id, **{"scope": "recap", **fields}
    ).token


def url(token, path=""):
    return f"/share/{token}/{path}"


def fresh():
    """A browser that never saw the link: no grant, no session."""
    return Client()


def add_summary(owner, session, kind, text):
    Summary(
        user_pk(owner.sub),
        summary_sk(session.campaign_id, session.session_id, kind),
        kind=kind,
        text=text,
        provider="offline",
        model="some-model",
        created=now(),
    ).save()


pytestmark = pytest.mark.transcript(data=render_vtt(LINES).encode(), filename="game.vtt")


def views(token):
    return int(get_share_link(token_hash=hash_token(token)).views)


def assert_share_headers(response):
    for name, value in HEADERS.items():
        assert response[name] == value, name


def shown_lines(html):
    return [int(number) for number in re.findall(r'<li id="line-(\d+)"', html)]


# --- the same page for everybody -------------------------------------------------------------------
def test_nobody_another_user_and_the_owner_get_the_same_page(owner, other, anonymous, summarized):
    token = make(owner, summarized, scope="summaries")
    pages = [client.get(url(token)) for client in (anonymous, other, owner, fresh())]
    assert [page.status_code for page in pages] == [200] * 4
    assert len({page.content for page in pages}) == 1
    html = pages[0].content.decode()
    assert "The Death House" in html and "Secret Strahd" in html
    assert 'Session <span class="session-number">#1</span>' in html
    assert '<time datetime="2024-05-31">Friday 31 May 2024</time>' in html
    assert "Previously: the mists closed in." in html and "<li>Rose, a ghost child</li>" in html
    assert views(token) == 4


def test_the_page_shows_nothing_of_whoever_is_signed_in(owner, summarized):
    html = owner.get(url(make(owner, summarized))).content.decode()
    for personal in ("Ada the Bard", "ada@example.com", "Log out", "csrfmiddlewaretoken", "/campaigns/"):
        assert personal not in html


def test_a_signed_in_visitor_costs_no_session_read(owner, other, summarized, aws_calls):
    token = make(owner, summarized)
    for client in (owner, other):
        with aws_calls() as calls:
            client.get(url(token))
        assert calls.operations() == [OPEN, PAGE]


def test_no_owner_no_notes_no_internal_ids(owner, transcribed, summarized):
    token = make(owner, transcribed, scope="transcript", label="For the players")
    secrets = [
        owner.sub,
        "ada@example.com",
        "Ada the Bard",
        transcribed.campaign_id,
        transcribed.session_id,
        transcribed.transcript_upload_id,
        transcribed.transcript_segments_key,
        "Hidden notes about the mimic",
        "For the players",
        hash_token(token),
        "some-model",
        "game.vtt",
    ]
    for page in (url(token), url(token, "transcript/"), url(token, "transcript/?q=dragon&speaker=0")):
        response = owner.get(page)
        assert response.status_code == 200
        html = response.content.decode()
        for secret in secrets:
            assert secret not in html, (page, secret)


# --- headers -----------------------------------------------------------------------------------------
def test_headers_on_every_page_and_on_the_404(owner, anonymous, summarized, transcribed):
    token = make(owner, transcribed, scope="transcript")
    responses = [
        anonymous.get(url(token)),
        anonymous.get(url(token, "transcript/")),
        anonymous.get(url(token, "transcript/?t=1:02:05")),  # a redirect to the line
        anonymous.get(url("x" * 43)),
        anonymous.get(url("not a token")),
        anonymous.post(url(token)),
    ]
    assert [response.status_code for response in responses] == [200, 200, 302, 404, 404, 405]
    for response in responses:
        assert_share_headers(response)


def test_the_page_itself_says_noindex_and_no_referrer(owner, summarized):
    html = owner.get(url(make(owner, summarized))).content.decode()
    assert '<meta name="referrer" content="no-referrer">' in html
    assert '<meta name="robots" content="noindex">' in html


# --- dead links ---------------------------------------------------------------------------------------
def test_unknown_revoked_expired_and_used_up_links_get_one_404_for_one_request(owner, summarized, aws_calls):
    revoked = make(owner, summarized)
    revoke_share_link(
        sub=owner.sub,
        campaign_id=summarized.campaign_id,
        session_id=summarized.session_id,
        token_hash=hash_token(revoked),
    )
    expired = make(owner, summarized, expires=now() - timedelta(seconds=1))
    used_up = make(owner, summarized, view_limit=1)
    assert fresh().get(url(used_up)).status_code == 200

    bodies = set()
    for token in ("Q" * 43, revoked, expired, used_up):
        with aws_calls() as calls:
            response = fresh().get(url(token))
        assert calls.operations() == [OPEN], token
        assert response.status_code == 404
        assert_share_headers(response)
        assert "Set-Cookie" not in response.headers
        bodies.add(response.content)
    assert len(bodies) == 1
    assert GONE_TEXT in bodies.pop().decode()


def test_a_malformed_token_is_the_same_404_without_any_request(owner, summarized, aws_calls):
    dead = fresh().get(url("Q" * 43)).content
    for token in ("short", "x" * 65, quote("a#b" * 10), quote("ab=" * 10)):
        with aws_calls() as calls:
            response = fresh().get(url(token))
        assert calls.operations() == []
        assert response.status_code == 404 and response.content == dead


def test_the_owner_and_other_users_get_the_same_404(owner, other, summarized):
    token = make(owner, summarized, expires=now() - timedelta(seconds=1))
    bodies = {client.get(url(token)).content for client in (owner, other, fresh())}
    assert len(bodies) == 1


def test_revoking_kills_the_link_at_once_even_for_a_visitor_reading_it(owner, summarized, transcribed):
    token = make(owner, transcribed, scope="transcript")
    visitor = fresh()
    assert visitor.get(url(token)).status_code == 200
    assert visitor.get(url(token, "transcript/")).status_code == 200
    revoke_share_link(
        sub=owner.sub,
        campaign_id=transcribed.campaign_id,
        session_id=transcribed.session_id,
        token_hash=hash_token(token),
    )
    assert visitor.get(url(token)).status_code == 404
    assert visitor.get(url(token, "transcript/?page=2")).status_code == 404


def test_expiry_kills_the_link_for_a_visitor_reading_it(owner, summarized, transcribed):
    token = make(owner, transcribed, scope="transcript", expires=now() + timedelta(hours=1))
    visitor = fresh()
    assert visitor.get(url(token)).status_code == 200
    with time_machine.travel(now() + timedelta(hours=2)):
        assert visitor.get(url(token, "transcript/")).status_code == 404
        assert visitor.get(url(token)).status_code == 404


def test_a_link_whose_session_was_deleted_is_the_same_404(owner, summarized):
    token = make(owner, summarized)
    dead = fresh().get(url("Q" * 43)).content
    delete_session(sub=owner.sub, campaign_id=summarized.campaign_id, session_id=summarized.session_id)
    response = fresh().get(url(token))
    assert response.status_code == 404 and response.content == dead


def test_a_campaign_being_deleted_shares_nothing(owner, campaign, summarized):
    token = make(owner, summarized)
    mark_campaign_deleting(sub=owner.sub, campaign_id=campaign.campaign_id)
    assert fresh().get(url(token)).status_code == 404


# --- what each scope shows, and costs --------------------------------------------------------------------
def test_a_recap_link_shows_the_recap_only(owner, summarized, transcribed, aws_calls):
    token = make(owner, transcribed, scope="recap")
    with aws_calls() as calls:
        response = fresh().get(url(token))
    assert calls.operations() == [OPEN, PAGE]
    html = response.content.decode()
    assert "Previously: the mists closed in." in html
    assert "Rose" not in html and "silver key" not in html
    assert "Read the transcript" not in html
    assert fresh().get(url(token, "transcript/")).status_code == 404


def test_a_summaries_link_shows_every_summary_in_order(owner, summarized, transcribed, aws_calls):
    token = make(owner, transcribed, scope="summaries")
    with aws_calls() as calls:
        html = fresh().get(url(token)).content.decode()
    assert calls.operations() == [OPEN, PAGE]
    assert html.index("Recap (previously on…)") < html.index("NPCs") < html.index("Loot and items")
    assert "<li>A silver key</li>" in html
    assert "Read the transcript" not in html
    assert fresh().get(url(token, "transcript/")).status_code == 404


def test_a_transcript_link_shows_the_summaries_and_a_way_to_the_transcript(owner, summarized, transcribed, aws_calls):
    token = make(owner, transcribed, scope="transcript")
    with aws_calls() as calls:
        html = fresh().get(url(token)).content.decode()
    assert calls.operations() == [OPEN, PAGE]
    assert "<li>A silver key</li>" in html
    assert f'href="/share/{token}/transcript/"' in html
    assert "4 lines · 1:02:10" in html


def test_a_transcript_link_of_a_session_without_transcript_offers_none(owner, summarized):
    token = make(owner, summarized, scope="transcript")
    assert "Read the transcript" not in fresh().get(url(token)).content.decode()
    assert fresh().get(url(token, "transcript/")).status_code == 404


def test_without_summaries_the_page_says_so(owner, session):
    assert "No recap of this session has been written yet." in fresh().get(url(make(owner, session))).content.decode()
    html = fresh().get(url(make(owner, session, scope="summaries"))).content.decode()
    assert "No summary of this session has been written yet." in html


def test_transcript_pages_cost_the_link_read_and_the_reader_s(owner, summarized, transcribed, aws_calls):
    token = make(owner, transcribed, scope="transcript")
    visitor = fresh()
    visitor.get(url(token))
    clear_cache()
    with aws_calls() as calls:
        assert visitor.get(url(token, "transcript/")).status_code == 200
    assert calls.operations() == [GRANTED, *READER]
    with aws_calls() as calls:
        assert visitor.get(url(token, "transcript/?page=1&q=dragon")).status_code == 200
    assert calls.operations() == [GRANTED, "dynamodb.BatchGetItem"]  # the transcript is cached now


# --- views: counted once per visitor -------------------------------------------------------------------
def test_a_visitor_s_reloads_and_transcript_pages_count_no_more_views(owner, summarized, transcribed):
    token = make(owner, transcribed, scope="transcript", view_limit=2)
    visitor = fresh()
    response = visitor.get(url(token))
    grant = response.cookies[GRANT_COOKIE]
    assert grant["path"] == f"/share/{token}" and grant["httponly"] and grant["samesite"] == "Lax"
    for page in ("", "transcript/", "transcript/?page=1", "transcript/?q=dragon", ""):
        assert visitor.get(url(token, page)).status_code == 200
    assert views(token) == 1


def test_the_last_allowed_viewer_reads_on(owner, summarized, transcribed):
    token = make(owner, transcribed, scope="transcript", view_limit=1)
    last = fresh()
    assert last.get(url(token)).status_code == 200
    assert fresh().get(url(token)).status_code == 404  # the next one is refused
    assert last.get(url(token, "transcript/?page=1")).status_code == 200
    assert last.get(url(token)).status_code == 200
    assert views(token) == 1


def test_the_transcript_address_counts_a_view_for_a_new_visitor(owner, summarized, transcribed):
    # So a used-up link's transcript is not open to whoever goes there directly.
    token = make(owner, transcribed, scope="transcript", view_limit=1)
    assert fresh().get(url(token, "transcript/")).status_code == 200
    assert views(token) == 1
    assert fresh().get(url(token, "transcript/")).status_code == 404
    assert fresh().get(url(token)).status_code == 404


def test_a_grant_is_bound_to_its_link_and_signed(owner, summarized, transcribed):
    first = make(owner, transcribed, scope="transcript", view_limit=1)
    second = make(owner, transcribed, scope="transcript", view_limit=1)
    visitor = fresh()
    visitor.get(url(first))
    assert visitor.get(url(second)).status_code == 200  # counted: the grant of `first` is not one for `second`
    assert views(second) == 1
    forger = fresh()
    forger.cookies[GRANT_COOKIE] = "1:forged:signature"
    assert forger.get(url(second)).status_code == 404  # no grant: a new view, refused at the limit


# --- the transcript's pages ---------------------------------------------------------------------------------
def test_the_transcript_reads_with_names_and_without_raw_labels_of_named_speakers(
    owner, campaign, summarized, transcribed
):
    save_speaker_names(
        sub=owner.sub,
        campaign_id=campaign.campaign_id,
        expected_version=0,
        names={"ada_discord_1987": {"player": "Ada", "character": "Mira"}},
    )
    token = make(owner, transcribed, scope="transcript")
    html = fresh().get(url(token, "transcript/")).content.decode()
    assert shown_lines(html) == [0, 1, 2, 3]
    assert '<span class="transcript-speaker">Mira (Ada)</span>' in html
    assert "ada_discord_1987" not in html
    assert '<option value="1">Mira (Ada)</option>' in html
    assert '<option value="0">SPEAKER_00</option>' in html  # unnamed: its label is all there is
    assert f'href="/share/{token}/"' in html  # back to the shared page
    assert "Speaker names" not in html and "Download" not in html and "/campaigns/" not in html


def test_a_characters_only_link_shows_no_player_and_no_recorded_label(owner, campaign, summarized, transcribed):
    save_speaker_names(
        sub=owner.sub,
        campaign_id=campaign.campaign_id,
        expected_version=0,
        names={"ada_discord_1987": {"player": "Ada", "character": "Mira"}, "SPEAKER_02": {"player": "Bob"}},
    )
    token = make(owner, transcribed, scope="transcript", characters_only=True)

    html = fresh().get(url(token, "transcript/")).content.decode()

    assert '<span class="transcript-speaker">Mira</span>' in html
    assert "Ada" not in html and "Bob" not in html and "ada_discord_1987" not in html
    # Unnamed, or with a player's name only: their place in the transcript.
    assert '<option value="0">Speaker 1</option>' in html and "SPEAKER_00" not in html
    assert '<option value="2">Speaker 3</option>' in html and "SPEAKER_02" not in html


NAMING_RECAP = (
    "Sam (GM): Welcome back. SPEAKER_00 opens the door; Dev: Who are the Zhentarim?\n\n"
    "- Mira (Ada) and Sam (GM) argue with ada_discord_1987 about Devon's map.\n"
    "- Sam pays <b>Bob</b> and SPEAKER_02."
)


@pytest.fixture
def named_in_summaries(owner, campaign, session):
    """A recap written with the names the owner sees: players, "Character (Player)", a
    player whose own name is in another's ("Sam" in "Sam (GM)"), and raw labels."""
    transcribed = store_transcript(
        sub=owner.sub,
        campaign_id=session.campaign_id,
        session_id=session.session_id,
        data=render_vtt(
            [
                *LINES,
                Segment(start=3731.0, end=3733.0, speaker="Sam (GM)", text="Roll."),
                Segment(start=3734.0, end=3735.0, speaker="SPEAKER_03", text="Hm."),
            ]
        ).encode(),
        filename="game.vtt",
    ).session
    save_speaker_names(
        sub=owner.sub,
        campaign_id=campaign.campaign_id,
        expected_version=0,
        names={
            "ada_discord_1987": {"player": "Ada", "character": "Mira"},
            "SPEAKER_02": {"player": "Bob"},
            "Sam (GM)": {"player": "Sam"},
            "SPEAKER_03": {"player": "Dev", "character": "Grunk"},
        },
    )
    add_summary(owner, transcribed, "recap", NAMING_RECAP)
    return transcribed


def test_a_characters_only_link_s_summaries_name_speakers_as_its_transcript_does(owner, named_in_summaries, aws_calls):
    # The transcript said "Speaker 5" while the recap said "Dev: Who are the Zhentarim?".
    token = make(owner, named_in_summaries, scope="recap", characters_only=True)
    visitor = fresh()

    with aws_calls() as calls:
        html = visitor.get(url(token)).content.decode()

    assert calls.operations() == [OPEN, PAGE]  # the names come in the page's BatchGetItem
    recap = html[html.index('<div class="summary-text">') :]
    for private in ("Sam", "Dev:", "Ada", "Bob", "SPEAKER_0", "ada_discord_1987"):
        assert private not in recap, private
    assert ("<p>Speaker 4: Welcome back. Speaker 1 opens the door; Grunk: Who are the Zhentarim?</p>") in recap
    # Whole words only (Devon stays), the longest name first ("Sam (GM)" before "Sam"), escaped.
    assert "<li>Mira and Speaker 4 argue with Mira about Devon&#x27;s map.</li>" in recap
    assert "<li>Speaker 4 pays &lt;b&gt;Speaker 3&lt;/b&gt; and Speaker 3.</li>" in recap
    # The same numbers as the shared transcript's.
    transcript = make(owner, named_in_summaries, scope="transcript", characters_only=True)
    reader = visitor.get(url(transcript, "transcript/")).content.decode()
    assert '<option value="2">Speaker 3</option>' in reader and '<option value="3">Speaker 4</option>' in reader
    assert '<option value="4">Grunk</option>' in reader


def test_the_preview_of_a_characters_only_link_hides_the_names_too(owner, named_in_summaries):
    made = create_share_link(
        sub=owner.sub,
        campaign_id=named_in_summaries.campaign_id,
        session_id=named_in_summaries.session_id,
        scope="summaries",
        characters_only=True,
    )
    preview = owner.get(
        f"/campaigns/{named_in_summaries.campaign_id}/sessions/{named_in_summaries.session_id}"
        f"/share/{made.pointer.token_hash}/preview/"
    ).content.decode()
    recap = preview[preview.index('<div class="summary-text">') :]
    assert "Grunk: Who are the Zhentarim?" in recap
    assert "Dev:" not in recap and "Sam" not in recap and "SPEAKER_00" not in recap


def test_a_link_with_full_names_shows_the_summaries_as_written(owner, named_in_summaries, aws_calls):
    token = make(owner, named_in_summaries, scope="recap")
    with aws_calls() as calls:
        html = fresh().get(url(token)).content.decode()
    assert calls.operations() == [OPEN, PAGE]
    assert "Sam (GM): Welcome back. SPEAKER_00 opens the door; Dev: Who are the Zhentarim?" in html
    assert "<li>Sam pays &lt;b&gt;Bob&lt;/b&gt; and SPEAKER_02.</li>" in html


def test_the_transcript_s_links_and_forms_stay_under_the_link(owner, summarized, transcribed):
    token = make(owner, transcribed, scope="transcript")
    visitor = fresh()
    html = visitor.get(url(token, "transcript/")).content.decode()
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert all(href.startswith(("?", "#", f"/share/{token}/", "/static/")) for href in hrefs), hrefs
    assert re.findall(r"<form[^>]*action=", html) == []  # every form GETs this same address
    response = visitor.get(url(token, "transcript/?t=1:02:05&speaker=2"))
    assert response.status_code == 302
    assert response["Location"] == f"/share/{token}/transcript/?speaker=2&line=3#line-3"


def test_filter_by_speaker_number_and_find(owner, summarized, transcribed):
    token = make(owner, transcribed, scope="transcript")
    visitor = fresh()
    assert shown_lines(visitor.get(url(token, "transcript/?speaker=0")).content.decode()) == [0, 2]
    html = visitor.get(url(token, "transcript/?q=dragon")).content.decode()
    assert shown_lines(html) == [0, 3]
    assert "<mark>Dragon</mark>" in html
    for odd in ("?speaker=99", "?speaker=-1", "?speaker=SPEAKER_00", "?page=x&line=" + "9" * 5000):
        assert shown_lines(visitor.get(url(token, "transcript/" + odd)).content.decode()) == [0, 1, 2, 3]


def test_marked_words_land_in_context_under_the_link_without_raw_labels(owner, campaign, summarized, transcribed):
    # Search never links here (it is the owner's), but the reader's `mark` works the same.
    save_speaker_names(
        sub=owner.sub,
        campaign_id=campaign.campaign_id,
        expected_version=0,
        names={"SPEAKER_02": {"player": "Bo", "character": "Ireena"}},
    )
    token = make(owner, transcribed, scope="transcript")
    visitor = fresh()
    response = visitor.get(url(token, "transcript/?mark=ireena+dragon&first=1"))
    assert response["Location"] == f"/share/{token}/transcript/?mark=ireena+dragon&line=3#line-3"
    html = visitor.get(response["Location"]).content.decode()
    assert shown_lines(html) == [0, 1, 2, 3]
    assert '<li id="line-3" class="transcript-line is-focus">' in html
    assert "The <mark>dragon</mark> is." in html
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert all(href.startswith(("?", "#", f"/share/{token}/", "/static/")) for href in hrefs), hrefs


def test_a_long_transcript_pages(owner, session):
    store_transcript(
        sub=owner.sub,
        campaign_id=session.campaign_id,
        session_id=session.session_id,
        data=sample_bytes("vtt", hours=1),
        filename="long.vtt",
    )
    token = make(owner, session, scope="transcript")
    visitor = fresh()
    html = visitor.get(url(token, "transcript/")).content.decode()
    assert shown_lines(html) == list(range(200))
    assert 'href="?page=2" rel="next"' in html


# --- escaping ----------------------------------------------------------------------------------------------
def test_titles_names_summaries_and_transcript_are_escaped(owner, aws):
    campaign = create_campaign(sub=owner.sub, name="<script>campaign()</script>")
    session = create_session(sub=owner.sub, campaign_id=campaign.campaign_id, title="<script>title()</script>")
    add_summary(owner, session, "recap", "<script>recap()</script>\n- <img src=x onerror=alert(1)>")
    store_transcript(
        sub=owner.sub,
        campaign_id=session.campaign_id,
        session_id=session.session_id,
        data=render_vtt(LINES).encode(),
        filename="game.vtt",
    )
    save_speaker_names(
        sub=owner.sub,
        campaign_id=campaign.campaign_id,
        expected_version=0,
        names={"SPEAKER_00": {"player": "<b>Bob</b>", "character": "<i>Mira</i>"}},
    )
    token = make(owner, session, scope="transcript")
    visitor = fresh()
    for page in ("", "transcript/", "transcript/?q=" + quote("<script>")):
        html = visitor.get(url(token, page)).content.decode()
        for raw in (
            "<script>campaign",
            "<script>title",
            "<script>recap",
            "<img src=x",
            "<script>alert",
            "<b>Bob",
            "<i>Mira",
        ):
            assert raw not in html, (page, raw)
    assert "&lt;script&gt;title()&lt;/script&gt;" in html


# --- v1.0 links, moves ---------------------------------------------------------------------------------------
V1_TOKEN = "Zq3xP9vL2mN8kR4tY6wB1c"


def test_a_v1_link_opens_at_its_old_address_and_the_new_one(owner, summarized):
    token = make(owner, summarized, token=V1_TOKEN)
    old = fresh().get(f"/share/{token}")  # as v1.0 wrote them, without the final slash
    assert old.status_code == 200
    assert_share_headers(old)
    assert "Previously: the mists closed in." in old.content.decode()
    assert fresh().get(url(token)).status_code == 200
    assert views(token) == 2


def test_a_moved_session_is_still_shared(owner, summarized):
    token = make(owner, summarized, scope="summaries")
    target = create_campaign(sub=owner.sub, name="Tomb of Annihilation")
    move_session(
        sub=owner.sub,
        campaign_id=summarized.campaign_id,
        session_id=summarized.session_id,
        to_campaign_id=target.campaign_id,
    )
    html = fresh().get(url(token)).content.decode()
    assert "Tomb of Annihilation" in html and "Previously: the mists closed in." in html
