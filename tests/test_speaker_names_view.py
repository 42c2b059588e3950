"""The speakers page of a transcript (sessions/transcripts/speaker_views.py): access for the owner,
another signed-in user and nobody; the requests it makes; prefilling and reuse across a
campaign's sessions; clearing; stale saves; the cap; labels of any characters."""

import re
from html import unescape

import pytest
from django.urls import reverse

from campaigns.repository import create_campaign, mark_campaign_deleting
from sessions.core.repository import create_session
from sessions.core.segments import Segment
from sessions.transcripts.items import MAX_SPEAKER_NAMES
from sessions.transcripts.repository import get_speaker_names, save_speaker_names
from sessions.transcripts.storage import clear_cache
from tests.transcript_samples import render_whisper_json, sample_bytes
from tests.transcript_uploads import store_transcript
from tests.web_clients import login_url, post

AUTH = "dynamodb.BatchGetItem"  # what a signed-in page costs for authentication
WHISPER = ["SPEAKER_00", "SPEAKER_01", "SPEAKER_02", "SPEAKER_03"]
ODD = ["Mira (GM)", "<b>Jean-Luc</b>", "zoë.🐉 the bold", 'Drake "the" & Co', "player_0"]


def add_session(owner, campaign, title="The Death House", data=None, filename="session.vtt"):
    session = create_session(sub=owner.sub, campaign_id=campaign.campaign_id, title=title)
    if data is None:
        return session
    return store_transcript(
        sub=owner.sub, campaign_id=campaign.campaign_id, session_id=session.session_id, data=data, filename=filename
    ).session


def transcript_of(labels):
    """A WhisperX JSON transcript whose speakers are `labels`, in this order."""
    segments = [
        Segment(start=index, end=index + 0.5, speaker=label, text=f"Line {index}") for index, label in enumerate(labels)
    ]
    return render_whisper_json(segments).encode()


pytestmark = pytest.mark.session(
    title="The Death House", transcript=sample_bytes("vtt", hours=0.1), filename="session.vtt"
)


def url(session):
    return reverse("sessions:speaker_names", args=[session.campaign_id, session.session_id])


def labels_on_page(html):
    return [unescape(label) for label in re.findall(r'<span class="speaker-label">(.*?)</span>', html)]


def value_of(html, name):
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert found, f"no input {name}"
    value = re.search(r'value="([^"]*)"', found.group(0))
    return unescape(value.group(1)) if value else ""


def form_of(html):
    """The page's form as a browser would send it back untouched."""
    names = re.findall(r'<input[^>]*name="((?:player|character)_\d+|version|speakers)"', html)
    return {name: value_of(html, name) for name in names}


def stored(owner, campaign):
    item = get_speaker_names(sub=owner.sub, campaign_id=campaign.campaign_id)
    return None if item is None else (item.version, item.as_dict())


def names(player="", character=""):
    return {"player": player, "character": character}


# --- the form and a save --------------------------------------------------------------------
def test_every_name_input_has_a_label_of_its_own_not_a_placeholder(owner, session):
    """On a phone the column headers are not shown: each input keeps a visible label
    (static/css/site.css), named after its speaker for screen readers."""
    html = owner.get(url(session)).content.decode()

    assert "placeholder" not in html
    for index, label in enumerate(session.transcript_speakers):
        for field, word in (("player", "Player"), ("character", "Character")):
            assert re.search(
                rf'<label class="speaker-name-label" for="id_{field}_{index}">{word}'
                rf'<span class="visually-hidden"> of {re.escape(label)}</span></label>'
                rf'<input[^>]*id="id_{field}_{index}"',
                html,
            ), (field, label)


def test_the_page_lists_every_speaker_in_order_of_first_appearance(owner, session):
    response = owner.get(url(session))
    assert response.status_code == 200
    html = response.content.decode()
    assert labels_on_page(html) == session.transcript_speakers
    assert sorted(session.transcript_speakers) == WHISPER
    assert "The Death House" in html and "Secret Strahd" in html
    for index in range(4):
        assert value_of(html, f"player_{index}") == "" and value_of(html, f"character_{index}") == ""
    assert value_of(html, "version") == "0"
    assert 'maxlength="60"' in html


def test_saving_stores_the_names_and_goes_to_the_reader(owner, campaign, session):
    html = owner.get(url(session)).content.decode()
    labels = labels_on_page(html)
    data = form_of(html) | {"player_0": " Ann ", "character_0": "Mira", "character_2": "Vex"}
    response = post(owner, url(session), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("sessions:transcript", args=[session.campaign_id, session.session_id])
    assert stored(owner, campaign) == (1, {labels[0]: names("Ann", "Mira"), labels[2]: names("", "Vex")})
    page = owner.get(reverse("sessions:detail", args=[session.campaign_id, session.session_id]))
    assert "Speaker names saved." in page.content.decode()
    # The form shows them next time, at the new version.
    html = owner.get(url(session)).content.decode()
    assert (value_of(html, "player_0"), value_of(html, "character_0")) == ("Ann", "Mira")
    assert value_of(html, "character_2") == "Vex"
    assert value_of(html, "version") == "1"


def test_names_are_reused_by_the_campaigns_later_sessions(owner, campaign, session):
    html = owner.get(url(session)).content.decode()
    labels = labels_on_page(html)
    post(owner, url(session), form_of(html) | {"player_1": "Bob", "character_1": "Vex"})
    later = add_session(owner, campaign, "Into the Mists", data=transcript_of(["Newcomer", labels[1], labels[0]]))
    html = owner.get(url(later)).content.decode()
    assert labels_on_page(html) == ["Newcomer", labels[1], labels[0]]
    assert (value_of(html, "player_1"), value_of(html, "character_1")) == ("Bob", "Vex")  # prefilled
    assert value_of(html, "player_0") == "" and value_of(html, "player_2") == ""
    # Saving the later session's names keeps the earlier session's other labels.
    post(owner, url(later), form_of(html) | {"player_0": "Cy"})
    assert stored(owner, campaign) == (2, {"Newcomer": names("Cy"), labels[1]: names("Bob", "Vex")})


def test_another_campaigns_names_are_its_own(owner, campaign, session):
    html = owner.get(url(session)).content.decode()
    post(owner, url(session), form_of(html) | {"player_0": "Ann"})
    elsewhere = create_campaign(sub=owner.sub, name="Elsewhere")
    theirs = add_session(owner, elsewhere, data=sample_bytes("vtt", hours=0.1))
    html = owner.get(url(theirs)).content.decode()
    assert all(value_of(html, f"player_{index}") == "" for index in range(4))


def test_clearing_both_names_removes_the_label(owner, campaign, session):
    html = owner.get(url(session)).content.decode()
    labels = labels_on_page(html)
    post(owner, url(session), form_of(html) | {"player_0": "Ann", "player_1": "Bob"})
    html = owner.get(url(session)).content.decode()
    assert post(owner, url(session), form_of(html) | {"player_0": "  "}).status_code == 302
    assert stored(owner, campaign) == (2, {labels[1]: names("Bob")})


def test_names_longer_than_60_characters_are_refused_and_the_input_kept(owner, campaign, session):
    html = owner.get(url(session)).content.decode()
    response = post(owner, url(session), form_of(html) | {"player_0": "Ann", "character_1": "V" * 61})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Keep the character of SPEAKER_02 to 60 characters (this one has 61)." in html
    # A name far down a long list: the top of the page says it and links to it (issue 11).
    top = html.split('<main id="main"')[0]
    assert 'Keep the character of SPEAKER_02 to 60 characters (this one has 61). <a href="#id_character_1">' in top
    assert value_of(html, "player_0") == "Ann"
    assert stored(owner, campaign) is None


# --- labels of any characters ----------------------------------------------------------------
def test_labels_and_names_are_escaped_and_never_name_a_field(owner, campaign):
    session = add_session(owner, campaign, data=transcript_of(ODD), filename="discord.json")
    response = owner.get(url(session))
    html = response.content.decode()
    assert labels_on_page(html) == ODD
    assert "<b>Jean-Luc</b>" not in html and "&lt;b&gt;Jean-Luc&lt;/b&gt;" in html
    form = html[html.index('<form id="speaker-names" method="post" novalidate>') :]
    form = form[: form.index("</form>")]
    field_names = re.findall(r'<(?:input|select|textarea|button)[^>]*\bname="([^"]*)"', form)
    assert all(
        re.fullmatch(r"csrfmiddlewaretoken|version|speakers|(player|character)_\d", name) for name in field_names
    ), field_names
    assert len(field_names) == 3 + 2 * len(ODD)
    data = form_of(html) | {"player_1": '<script>alert("x")</script>', "character_1": "Jean & Luc"}
    assert post(owner, url(session), data).status_code == 302
    assert stored(owner, campaign)[1] == {"<b>Jean-Luc</b>": names('<script>alert("x")</script>', "Jean & Luc")}
    html = owner.get(url(session)).content.decode()
    assert '<script>alert("x")</script>' not in html
    assert value_of(html, "player_1") == '<script>alert("x")</script>'


def test_labels_from_the_post_are_never_trusted(owner, campaign, session):
    """Only numbered fields count, mapped through the stored transcript's labels: a field
    named after a label, a number past the last speaker, or a label sent along are ignored."""
    html = owner.get(url(session)).content.decode()
    labels = labels_on_page(html)
    data = form_of(html) | {
        "player_0": "Ann",
        "player_4": "Ghost",
        "character_99": "Ghost",
        "SPEAKER_00": "Mallory",
        "label_0": "Injected",
        "labels": "Injected",
    }
    assert post(owner, url(session), data).status_code == 302
    assert stored(owner, campaign)[1] == {labels[0]: names("Ann")}


def test_a_transcript_replaced_while_the_form_was_open_is_not_named_blindly(owner, campaign, session):
    html = owner.get(url(session)).content.decode()
    store_transcript(
        sub=owner.sub,
        campaign_id=campaign.campaign_id,
        session_id=session.session_id,
        data=transcript_of(["Someone", "Else"]),
        filename="new.json",
    )
    response = post(owner, url(session), form_of(html) | {"player_0": "Ann"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "transcript was replaced" in html
    assert labels_on_page(html) == ["Someone", "Else"]
    assert stored(owner, campaign) is None


# --- stale saves and the cap -------------------------------------------------------------------
def test_a_save_over_newer_names_is_refused_and_the_form_restarts_from_them(owner, campaign, session):
    html = owner.get(url(session)).content.decode()
    labels = labels_on_page(html)
    # Meanwhile, in another tab (or on another session's page):
    save_speaker_names(
        sub=owner.sub,
        campaign_id=campaign.campaign_id,
        expected_version=0,
        names={labels[0]: names("Ann", "Mira"), "Elsewhere": names("Zed")},
    )
    response = post(owner, url(session), form_of(html) | {"player_0": "Mallory", "player_1": "Bob"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "saved by someone else while you were editing" in page
    assert "Your names were not saved, and nothing was overwritten" in page
    assert "Mallory" in page and "Mira (Ann)" in page  # where they differ: yours, saved now
    # The form now shows what is stored, at its version.
    assert (value_of(page, "player_0"), value_of(page, "character_0")) == ("Ann", "Mira")
    assert value_of(page, "player_1") == ""
    assert value_of(page, "version") == "1"
    assert stored(owner, campaign) == (1, {labels[0]: names("Ann", "Mira"), "Elsewhere": names("Zed")})
    # Saving the restarted form is a deliberate choice, and works.
    assert post(owner, url(session), form_of(page) | {"player_1": "Bob"}).status_code == 302
    assert stored(owner, campaign) == (
        2,
        {labels[0]: names("Ann", "Mira"), labels[1]: names("Bob"), "Elsewhere": names("Zed")},
    )


def test_at_most_200_names_a_campaign_with_a_clear_error(owner, campaign, session):
    save_speaker_names(
        sub=owner.sub,
        campaign_id=campaign.campaign_id,
        expected_version=0,
        names={f"Old {index}": names("X") for index in range(MAX_SPEAKER_NAMES - 1)},
    )
    html = owner.get(url(session)).content.decode()
    assert "also keeps names for 199 speakers of its other sessions" in html
    response = post(owner, url(session), form_of(html) | {"player_0": "Ann", "player_1": "Bob"})
    assert response.status_code == 200
    assert "A campaign can keep names for at most 200 speakers" in unescape(response.content.decode())
    assert stored(owner, campaign)[0] == 1
    assert post(owner, url(session), form_of(html) | {"player_0": "Ann"}).status_code == 302
    assert len(stored(owner, campaign)[1]) == MAX_SPEAKER_NAMES


# --- no transcript, no speakers ------------------------------------------------------------------
def test_a_session_without_a_transcript_points_to_the_upload(owner, campaign):
    bare = add_session(owner, campaign, "No transcript yet")
    response = owner.get(url(bare))
    assert response.status_code == 200
    html = response.content.decode()
    assert "This session has no transcript yet" in html
    assert f'href="{reverse("sessions:transcript_upload", args=[bare.campaign_id, bare.session_id])}"' in html
    assert '<form id="speaker-names" method="post" novalidate>' not in html
    assert post(owner, url(bare), {"version": "0", "speakers": "x", "player_0": "Ann"}).status_code == 200
    assert stored(owner, campaign) is None


def test_a_transcript_without_speakers_says_so(owner, campaign):
    prose = add_session(
        owner, campaign, "Prose", data=b"It was a dark and stormy night.\nThe party slept.\n", filename="notes.txt"
    )
    assert prose.has_transcript and not prose.transcript_speaker_count
    html = owner.get(url(prose)).content.decode()
    assert "This transcript names no speakers" in html
    assert post(owner, url(prose), {"version": "0", "speakers": "x"}).status_code == 200
    assert stored(owner, campaign) is None


# --- access: owner, another signed-in user, nobody -------------------------------------------------
def test_another_user_gets_a_404_that_names_nothing(other, session):
    response = other.get(url(session))
    assert response.status_code == 404
    html = response.content.decode()
    for secret in ("The Death House", "Secret Strahd", "SPEAKER_00"):
        assert secret not in html


def test_another_users_post_is_404_and_writes_nothing(owner, other, campaign, session):
    html = owner.get(url(session)).content.decode()
    response = post(other, url(session), form_of(html) | {"player_0": "Mallory"})
    assert response.status_code == 404
    assert "Secret Strahd" not in response.content.decode()
    assert stored(owner, campaign) is None
    assert get_speaker_names(sub=other.sub, campaign_id=campaign.campaign_id) is None  # nor in their partition


def test_anonymous_visitors_are_sent_to_log_in(owner, anonymous, campaign, session):
    login = login_url(url(session))
    response = anonymous.get(url(session))
    assert (response.status_code, response["Location"]) == (302, login)
    html = owner.get(url(session)).content.decode()
    response = post(anonymous, url(session), form_of(html) | {"player_0": "Mallory"})
    assert (response.status_code, response["Location"]) == (302, login)
    assert stored(owner, campaign) is None


def test_a_post_needs_the_csrf_token(owner, campaign, session):
    html = owner.get(url(session)).content.decode()
    assert owner.post(url(session), form_of(html) | {"player_0": "Forged"}).status_code == 403
    assert stored(owner, campaign) is None


def test_a_session_under_another_of_my_campaigns_is_404(owner, session):
    elsewhere = create_campaign(sub=owner.sub, name="Elsewhere")
    moved_url = reverse("sessions:speaker_names", args=[elsewhere.campaign_id, session.session_id])
    assert owner.get(moved_url).status_code == 404


def test_a_campaign_being_deleted_is_404_and_gets_no_names(owner, campaign, session):
    html = owner.get(url(session)).content.decode()
    mark_campaign_deleting(sub=owner.sub, campaign_id=campaign.campaign_id)
    assert owner.get(url(session)).status_code == 404
    assert post(owner, url(session), form_of(html) | {"player_0": "Late"}).status_code == 404
    assert stored(owner, campaign) is None


# --- requests per page ------------------------------------------------------------------------------
def test_the_form_and_a_save_cost(owner, session, aws_calls):
    with aws_calls() as calls:
        html = owner.get(url(session)).content.decode()
    # The item lists all four labels: S3 is not asked.
    assert calls.operations() == [AUTH, "dynamodb.BatchGetItem"]
    with aws_calls() as calls:
        assert post(owner, url(session), form_of(html) | {"player_0": "Ann"}).status_code == 302
    assert calls.operations() == [AUTH, "dynamodb.BatchGetItem", "dynamodb.TransactWriteItems"]


def test_labels_the_session_item_does_not_list_cost_one_s3_read(owner, campaign, aws_calls):
    many = [f"{index:02d} Sir Reginald Fortescue-Smythe the Third" for index in range(40)]
    session = add_session(owner, campaign, data=transcript_of(many), filename="long.json")
    assert len(session.transcript_speakers) < session.transcript_speaker_count == 40
    clear_cache()
    with aws_calls() as calls:
        html = owner.get(url(session)).content.decode()
    assert calls.operations() == [AUTH, "dynamodb.BatchGetItem", "s3.GetObject"]
    assert labels_on_page(html) == many
    clear_cache()
    with aws_calls() as calls:
        assert post(owner, url(session), form_of(html) | {"player_39": "Last"}).status_code == 302
    assert calls.operations() == [AUTH, "dynamodb.BatchGetItem", "s3.GetObject", "dynamodb.TransactWriteItems"]
    assert stored(owner, campaign)[1] == {many[39]: names("Last")}
    with aws_calls() as calls:  # read lately by this process: no S3 request
        owner.get(url(session))
    assert calls.operations() == [AUTH, "dynamodb.BatchGetItem"]


def test_a_stale_save_costs_no_write(owner, campaign, session, aws_calls):
    html = owner.get(url(session)).content.decode()
    read_with_the_page = form_of(html)
    post(owner, url(session), read_with_the_page | {"player_0": "Ann"})
    with aws_calls() as calls:
        assert post(owner, url(session), read_with_the_page | {"player_0": "Bob"}).status_code == 200
    # The page's read already shows a newer version: refused without a write.
    assert calls.operations() == [AUTH, "dynamodb.BatchGetItem"]
