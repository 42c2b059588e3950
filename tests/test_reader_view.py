"""The transcript reader page (sessions/transcripts/reader_views.py): access for the owner, another
signed-in user and nobody; escaping; pages, line links, speaker filter, find, jump to a
time, bad parameters; speaker names; the requests a page makes; a four-hour session."""

import re
from urllib.parse import quote

import pytest

from campaigns.repository import create_campaign
from sessions.core.segments import Segment
from sessions.transcripts.repository import save_speaker_names
from sessions.transcripts.storage import clear_cache
from tests.transcript_samples import render_vtt, sample_bytes, sample_segments
from tests.transcript_uploads import store_transcript
from tests.web_clients import login_url

AUTH = "dynamodb.BatchGetItem"  # what a signed-in page costs for authentication
READ = [AUTH, "dynamodb.BatchGetItem"]  # campaign + session + speaker names

LINES = [
    Segment(start=1.5, end=4.0, speaker="SPEAKER_00", text="Welcome back to the Café du Dragon."),
    Segment(start=4.0, end=7.25, speaker="SPEAKER_01", text="<script>alert(1)</script>"),
    Segment(start=65.0, end=70.0, speaker="SPEAKER_00", text="Zoë, roll for initiative 🎲"),
    Segment(start=3725.0, end=3730.0, speaker="SPEAKER_02", text="Is the DRAGON still asleep? The dragon is."),
]


pytestmark = [
    pytest.mark.session(title="The Death House", number=1),
    pytest.mark.transcript(data=render_vtt(LINES).encode(), filename="game.vtt"),
]


def attach(owner, session, data, filename="game.vtt"):
    return store_transcript(
        sub=owner.sub, campaign_id=session.campaign_id, session_id=session.session_id, data=data, filename=filename
    ).session


@pytest.fixture
def four_hours_transcribed(owner, session):
    stored = attach(owner, session, sample_bytes("vtt", hours=4))
    assert stored.transcript_segment_count == 5200
    return stored


def url(session, query=""):
    return f"/campaigns/{session.campaign_id}/sessions/{session.session_id}/transcript/{query}"


def page_html(client, session, query=""):
    response = client.get(url(session, query))
    assert response.status_code == 200
    return response.content.decode()


def shown_lines(html):
    return [int(number) for number in re.findall(r'<li id="line-(\d+)"', html)]


# --- access: owner, another signed-in user, nobody -------------------------------------------
def test_owner_reads_the_transcript(owner, transcribed):
    html = page_html(owner, transcribed)
    assert "The Death House" in html and "Secret Strahd" in html
    assert shown_lines(html) == [0, 1, 2, 3]
    assert "Welcome back to the Café du Dragon." in html
    assert "Zoë, roll for initiative 🎲" in html
    assert '<time datetime="PT0H0M1S">00:01</time>' in html
    assert '<time datetime="PT1H2M5S">1:02:05</time>' in html
    assert "4 lines" in html and "3 speakers" in html
    assert '<time datetime="PT1H2M10S">1:02:10</time>' in html  # the duration
    breadcrumbs = html.split('<nav class="breadcrumbs"')[1].split("</nav>")[0]
    assert f'href="/campaigns/{transcribed.campaign_id}/sessions/{transcribed.session_id}/"' in breadcrumbs
    assert '<span aria-current="page">Transcript</span>' in breadcrumbs


def test_another_user_gets_a_404_that_names_nothing(other, transcribed):
    response = other.get(url(transcribed))
    assert response.status_code == 404
    html = response.content.decode()
    for secret in ("The Death House", "Secret Strahd", "Café du Dragon"):
        assert secret not in html


def test_anonymous_visitors_are_sent_to_log_in(anonymous, transcribed):
    response = anonymous.get(url(transcribed, "?q=dragon"))
    assert response.status_code == 302
    assert response["Location"].startswith(login_url(url(transcribed)))


def test_a_session_under_another_of_my_campaigns_is_404(owner, transcribed):
    elsewhere = create_campaign(sub=owner.sub, name="Elsewhere")
    response = owner.get(f"/campaigns/{elsewhere.campaign_id}/sessions/{transcribed.session_id}/transcript/")
    assert response.status_code == 404


def test_only_get(owner, transcribed):
    response = owner.post(url(transcribed))
    assert response.status_code in (403, 405)  # the CSRF check may answer first


def test_a_session_without_a_transcript_says_how_to_add_one(owner, session, aws_calls):
    with aws_calls() as calls:
        html = page_html(owner, session)
    assert calls.operations() == READ
    assert "No transcript yet." in html
    assert f'href="{url(session, "upload/")}"' in html
    assert f'href="/campaigns/{session.campaign_id}/sessions/{session.session_id}/"' in html


# --- escaping -----------------------------------------------------------------------------
def test_transcript_text_is_escaped(owner, transcribed):
    html = page_html(owner, transcribed)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_find_for_markup_marks_it_and_still_escapes(owner, transcribed):
    html = page_html(owner, transcribed, "?q=script")
    assert "<script>alert" not in html
    assert "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;" in html
    html = page_html(owner, transcribed, "?q=" + quote("<script>"))
    assert "<mark>&lt;script&gt;</mark>alert(1)" in html
    assert 'value="&lt;script&gt;"' in html  # the find box gives it back escaped too


def test_speaker_names_and_parameters_are_escaped(owner, campaign, transcribed):
    save_speaker_names(
        sub=owner.sub,
        campaign_id=campaign.campaign_id,
        expected_version=0,
        names={"SPEAKER_01": {"player": "<b>Bob</b>", "character": "<img src=x onerror=alert(1)>"}},
    )
    html = page_html(owner, transcribed, "?speaker=" + quote('"><script>x()</script>') + "&t=" + quote("<i>"))
    for raw in ("<b>Bob</b>", "<img src=x", "<script>x()", "<i>"):
        assert raw not in html
    assert "&lt;img src=x onerror=alert(1)&gt; (&lt;b&gt;Bob&lt;/b&gt;)" in html


# --- speaker names --------------------------------------------------------------------------
def test_speaker_names_apply_and_the_raw_label_stays_visible(owner, campaign, transcribed):
    save_speaker_names(
        sub=owner.sub,
        campaign_id=campaign.campaign_id,
        expected_version=0,
        names={"SPEAKER_00": {"player": "Ada", "character": "Mira"}, "SPEAKER_02": {"player": "Cy", "character": ""}},
    )
    html = page_html(owner, transcribed)
    assert '<span class="transcript-speaker" title="SPEAKER_00">Mira (Ada)</span>' in html
    assert '<span class="transcript-speaker" title="SPEAKER_02">Cy</span>' in html
    assert '<span class="transcript-speaker">SPEAKER_01</span>' in html
    assert '<option value="SPEAKER_00">Mira (Ada) · SPEAKER_00</option>' in html
    assert '<option value="SPEAKER_01">SPEAKER_01</option>' in html


def test_the_page_links_to_speaker_names_and_the_download(owner, transcribed):
    html = page_html(owner, transcribed)
    assert f'href="{url(transcribed, "speakers/")}"' in html
    assert f'href="{url(transcribed, "download/")}"' in html


# --- line links -----------------------------------------------------------------------------
def test_every_line_links_to_itself(owner, transcribed):
    html = page_html(owner, transcribed)
    for number in range(4):
        assert f'<li id="line-{number}" class="transcript-line">' in html
        assert f'href="?line={number}#line-{number}"' in html


def test_a_line_link_opens_its_page_and_marks_the_line(owner, four_hours_transcribed):
    html = page_html(owner, four_hours_transcribed, "?line=4321")
    assert shown_lines(html) == list(range(4200, 4400))
    assert '<li id="line-4321" class="transcript-line is-focus">' in html
    assert "Page 22 of 26" in html


def test_a_line_past_the_end_says_so(owner, transcribed):
    html = page_html(owner, transcribed, "?line=99")
    assert "There is no line 100: this transcript has 4." in html
    assert shown_lines(html) == [0, 1, 2, 3]


# --- pages ----------------------------------------------------------------------------------
def test_a_four_hour_session_opens_on_200_lines_with_page_links(owner, four_hours_transcribed):
    html = page_html(owner, four_hours_transcribed)
    assert shown_lines(html) == list(range(200))
    assert "5,200 lines" in html and "4 speakers" in html
    assert html.count("Page 1 of 26") == 2  # above and below the lines
    assert 'href="?page=2" rel="next"' in html
    assert 'rel="prev"' not in html

    html = page_html(owner, four_hours_transcribed, "?page=2")
    assert shown_lines(html) == list(range(200, 400))
    assert 'href="?page=1" rel="prev"' in html and 'href="?page=3" rel="next"' in html

    html = page_html(owner, four_hours_transcribed, "?page=26")
    assert shown_lines(html) == list(range(5000, 5200))
    assert 'rel="next"' not in html


@pytest.mark.parametrize("page", ["0", "-1", "abc", "", "1.5", "27", "99999", "9" * 5000, "%00"])
def test_bad_page_numbers_show_a_page(owner, four_hours_transcribed, page):
    html = page_html(owner, four_hours_transcribed, f"?page={page}")
    first = shown_lines(html)[0]
    assert first in (0, 5000)  # the first page, or the last for numbers past the end
    assert len(shown_lines(html)) == 200


@pytest.mark.parametrize("line", ["abc", "-4", "", "1e3"])
def test_bad_line_numbers_are_ignored(owner, transcribed, line):
    assert shown_lines(page_html(owner, transcribed, f"?line={line}")) == [0, 1, 2, 3]


# --- speaker filter -------------------------------------------------------------------------
def test_filter_by_speaker_keeps_line_numbers(owner, transcribed):
    html = page_html(owner, transcribed, "?speaker=SPEAKER_00")
    assert shown_lines(html) == [0, 2]
    assert "2 lines by SPEAKER_00." in html
    assert '<option value="SPEAKER_00" selected>SPEAKER_00</option>' in html
    assert 'href="?line=2#line-2"' in html  # a line links to itself in the whole transcript


def test_filter_pages_keep_the_filter(owner, four_hours_transcribed):
    html = page_html(owner, four_hours_transcribed, "?speaker=SPEAKER_01")
    assert len(shown_lines(html)) == 200
    assert 'href="?speaker=SPEAKER_01&amp;page=2" rel="next"' in html
    second = page_html(owner, four_hours_transcribed, "?speaker=SPEAKER_01&page=2")
    assert shown_lines(second)[0] > shown_lines(html)[-1]


def test_an_unknown_speaker_shows_no_line(owner, transcribed):
    html = page_html(owner, transcribed, "?speaker=Nobody")
    assert shown_lines(html) == []
    assert "No line by Nobody." in html
    assert html.count("No line") == 1  # said once (issue 11: twice, in two words)


# --- find -----------------------------------------------------------------------------------
def test_find_marks_matches_and_counts_them(owner, transcribed):
    html = page_html(owner, transcribed, "?q=dragon")
    assert shown_lines(html) == [0, 3]
    assert "Welcome back to the Café du <mark>Dragon</mark>." in html
    assert "Is the <mark>DRAGON</mark> still asleep? The <mark>dragon</mark> is." in html
    assert "3 matches for “<mark>dragon</mark>”" in html and "in 2 lines" in html
    assert 'value="dragon"' in html


def test_find_ignores_accents(owner, transcribed):
    html = page_html(owner, transcribed, "?q=ZOE")
    assert shown_lines(html) == [2]
    assert "<mark>Zoë</mark>, roll" in html


def test_find_and_speaker_combine(owner, transcribed):
    html = page_html(owner, transcribed, "?q=dragon&speaker=SPEAKER_02")
    assert shown_lines(html) == [3]
    assert "2 matches for “<mark>dragon</mark>” in 1 line by SPEAKER_02." in html


def test_find_pages_keep_the_find(owner, four_hours_transcribed):
    html = page_html(owner, four_hours_transcribed, "?q=roll")
    assert len(shown_lines(html)) == 200
    assert 'href="?q=roll&amp;page=2" rel="next"' in html
    assert 'href="?line=' in html


def test_find_nothing(owner, transcribed):
    html = page_html(owner, transcribed, "?q=beholder")
    assert shown_lines(html) == []
    # Issue 11: "0 matches for … in 0 lines. Show every line" and "No line matches. Show every line."
    assert "No line says “<mark>beholder</mark>”." in html
    assert "0 matches" not in html and "No line matches" not in html
    assert html.count("Show every line") == 1


def test_find_nothing_by_a_speaker(owner, transcribed):
    html = page_html(owner, transcribed, "?q=beholder&speaker=SPEAKER_02")
    assert "No line by SPEAKER_02 says “<mark>beholder</mark>”." in html
    assert html.count("Show every line") == 1


# --- the first line that says it (a search result's link) ---------------------------------------
def test_first_goes_to_the_first_line_that_says_it_and_keeps_the_find(owner, transcribed):
    response = owner.get(url(transcribed, "?q=zoe&first=1"))
    assert response.status_code == 302
    assert response["Location"] == url(transcribed, "?q=zoe&line=2#line-2")
    html = page_html(owner, transcribed, "?q=zoe&line=2")
    assert '<li id="line-2" class="transcript-line is-focus">' in html
    assert "<mark>Zoë</mark>, roll" in html


def test_first_prefers_a_line_where_the_word_starts(owner, session):
    lines = [
        Segment(start=1.0, end=2.0, speaker="SPEAKER_00", text="Ondragh the ogre waits."),
        Segment(start=2.0, end=3.0, speaker="SPEAKER_01", text="A dragon!"),
    ]
    stored = attach(owner, session, render_vtt(lines).encode())
    assert owner.get(url(stored, "?q=drag&first=1"))["Location"] == url(stored, "?q=drag&line=1#line-1")
    # Found only inside a word: that line will do.
    assert owner.get(url(stored, "?q=ragh&first=1"))["Location"] == url(stored, "?q=ragh&line=0#line-0")


def test_first_keeps_the_speaker_filter(owner, transcribed):
    response = owner.get(url(transcribed, "?q=dragon&speaker=SPEAKER_02&first=1"))
    assert response["Location"] == url(transcribed, "?speaker=SPEAKER_02&q=dragon&line=3#line-3")


def test_first_without_a_line_that_says_it_shows_the_find(owner, transcribed):
    html = page_html(owner, transcribed, "?q=beholder&first=1")
    assert "No line says “<mark>beholder</mark>”." in html


def test_first_costs_what_a_page_costs(owner, transcribed, aws_calls):
    with aws_calls() as calls:
        assert owner.get(url(transcribed, "?q=zoe&first=1")).status_code == 302
    assert calls.operations() == READ  # the transcript is in the process's cache


# --- a search result's landing: its line, in context, its words marked ----------------------
def test_a_search_lands_on_the_plain_page_around_its_line_with_the_words_marked(owner, four_hours_transcribed):
    # Issue 11: the landing was a find (`?q=…&line=n`): a filtered page of the lines that say it.
    said = [
        number for number, segment in enumerate(sample_segments(hours=4)) if re.search(r"\broll", segment.text, re.I)
    ]
    response = owner.get(url(four_hours_transcribed, "?mark=ROLL&first=1"))
    assert response.status_code == 302
    assert response["Location"] == url(four_hours_transcribed, f"?mark=roll&line={said[0]}#line-{said[0]}")

    target = next(number for number in said if number > 300)

    html = page_html(owner, four_hours_transcribed, f"?mark=roll&line={target}")
    page = target // 200
    assert shown_lines(html) == list(range(page * 200, page * 200 + 200))  # every line of its page
    assert f'<li id="line-{target}" class="transcript-line is-focus">' in html
    assert "<mark>roll</mark>" in html.split(f'<li id="line-{target}"')[1].split("</li>")[0].lower()
    assert "Marked: “<mark>roll</mark>”, at the start of words." in html
    assert 'Show only the lines with <a href="?q=roll">“roll”</a>' in html
    assert f'<a href="?line={target}#line-{target}">Stop marking</a>' in html
    assert 'id="reader-find" type="search" name="q" value=""' in html  # not a find
    # Its pages, and a jump to a time, keep the marks.
    assert f'href="?mark=roll&amp;page={page + 2}" rel="next"' in html
    assert '<input type="hidden" name="mark" value="roll">' in html


def test_the_landing_prefers_the_line_with_most_words_and_folds_accents(owner, transcribed):
    assert owner.get(url(transcribed, "?mark=dragon&first=1"))["Location"] == url(
        transcribed, "?mark=dragon&line=0#line-0"
    )
    assert owner.get(url(transcribed, "?mark=" + quote("DRAGON asleep") + "&first=1"))["Location"] == url(
        transcribed, "?mark=dragon+asleep&line=3#line-3"
    )
    html = page_html(owner, transcribed, "?mark=" + quote("Zoé café") + "&line=2")
    assert shown_lines(html) == [0, 1, 2, 3]
    assert "<mark>Zoë</mark>, roll" in html and "the <mark>Café</mark> du Dragon" in html


def test_the_landing_by_a_speaker_s_name(owner, campaign, transcribed):
    save_speaker_names(
        sub=owner.sub,
        campaign_id=campaign.campaign_id,
        expected_version=0,
        names={"SPEAKER_02": {"player": "Bo", "character": "Ireena"}},
    )
    # "ireena" is no line's word; said by Ireena, "dragon" is on line 3 (line 0 has it too).
    assert owner.get(url(transcribed, "?mark=ireena+dragon&first=1"))["Location"] == url(
        transcribed, "?mark=ireena+dragon&line=3#line-3"
    )


def test_a_landing_without_a_line_that_says_the_words_says_so(owner, transcribed):
    html = page_html(owner, transcribed, "?mark=beholder&first=1")
    assert "No line of this transcript has “beholder”." in html
    assert "Marked:" not in html  # issue 11: said as well, of words marked nowhere
    assert '<a href="?">Stop marking</a>' in html
    assert shown_lines(html) == [0, 1, 2, 3]


def test_marks_are_only_words_and_are_escaped(owner, transcribed):
    html = page_html(owner, transcribed, "?mark=" + quote('"><script>alert(1)</script>'))
    assert "<script>alert(1)" not in html and '"><' not in html.split("reader-marks")[1][:200]
    assert "Marked: “<mark>script</mark>”, “<mark>alert</mark>”, at the start of words." in html
    assert "&lt;<mark>script</mark>&gt;<mark>alert</mark>(1)" in html


def test_a_find_with_marks_is_a_find(owner, transcribed):
    html = page_html(owner, transcribed, "?q=zoe&mark=dragon")
    assert shown_lines(html) == [2] and "reader-marks" not in html
    assert owner.get(url(transcribed, "?q=zoe&mark=dragon&first=1"))["Location"] == url(
        transcribed, "?q=zoe&mark=dragon&line=2#line-2"
    )


def test_a_landing_costs_what_a_page_costs(owner, transcribed, aws_calls):
    clear_cache()
    with aws_calls() as calls:
        assert owner.get(url(transcribed, "?mark=dragon&first=1")).status_code == 302
    assert calls.operations() == READ + ["s3.GetObject"]
    with aws_calls() as calls:
        page_html(owner, transcribed, "?mark=dragon&line=3")
    assert calls.operations() == READ  # the transcript is in the process's cache


@pytest.mark.parametrize(("time", "line"), [("0", 0), ("00:02", 1), ("1:00", 2), ("65", 2), ("1:00:00", 3)])
def test_jump_to_a_time_goes_to_the_first_line_at_or_after_it(owner, transcribed, time, line):
    response = owner.get(url(transcribed, f"?t={quote(time)}"))
    assert response.status_code == 302
    assert response["Location"] == url(transcribed, f"?line={line}#line-{line}")
    html = page_html(owner, transcribed, f"?line={line}")
    assert f'<li id="line-{line}" class="transcript-line is-focus">' in html


def test_jump_keeps_the_filters(owner, transcribed):
    response = owner.get(url(transcribed, "?t=2&speaker=SPEAKER_00&q=zoe"))
    assert response["Location"] == url(transcribed, "?speaker=SPEAKER_00&q=zoe&line=2#line-2")


def test_jump_in_four_hours(owner, four_hours_transcribed):
    segments = sample_segments(hours=4)
    expected = next(number for number, segment in enumerate(segments) if segment.start >= 3 * 3600)
    response = owner.get(url(four_hours_transcribed, "?t=3:00:00"))
    assert response["Location"] == url(four_hours_transcribed, f"?line={expected}#line-{expected}")
    html = page_html(owner, four_hours_transcribed, f"?line={expected}")
    assert expected in shown_lines(html)


@pytest.mark.parametrize("time", ["soon", "1:2:3:4", "12:75", "-5"])
def test_a_time_that_is_not_one_says_so(owner, transcribed, time):
    html = page_html(owner, transcribed, f"?t={quote(time)}")
    assert "Enter a time like 1:23:45, 23:45 or 95 (seconds)." in html
    assert 'aria-invalid="true"' in html
    assert shown_lines(html) == [0, 1, 2, 3]


def test_a_time_past_the_end_says_so(owner, transcribed):
    html = page_html(owner, transcribed, "?t=2:00:00")
    assert "No line starts at 2:00:00 or later: the transcript ends at 1:02:10." in html
    assert shown_lines(html) == [0, 1, 2, 3]


# --- requests per page ------------------------------------------------------------------------
@pytest.mark.parametrize("query", ["", "?page=2", "?line=3", "?speaker=SPEAKER_00", "?q=dragon", "?t=bad", "?t=1:00"])
def test_a_page_costs_one_batch_get_and_at_most_one_s3_get(owner, transcribed, aws_calls, query):
    clear_cache()
    with aws_calls() as calls:
        response = owner.get(url(transcribed, query))
        assert response.status_code in (200, 302)
    assert calls.operations() == READ + ["s3.GetObject"]
    with aws_calls() as calls:
        owner.get(url(transcribed, query))
    assert calls.operations() == READ  # the process holds the transcript now
    assert calls.count("dynamodb", "Scan") == 0


def test_the_four_hour_page_after_upload_costs_no_s3_request(owner, four_hours_transcribed, aws_calls):
    with aws_calls() as calls:
        html = page_html(owner, four_hours_transcribed, "?page=13")
    assert calls.operations() == READ  # storing it left it in the cache
    assert shown_lines(html) == list(range(2400, 2600))
