"""Speaker names (sessions/transcripts/items.py, repository.py and speaker_forms.py): the per-campaign
map of raw labels to a player and a character, its versioned merge-save, its caps and
item size, where a transcript's labels come from, and the form's cleaning."""

import json

import pytest

from campaigns.repository import CampaignNotFound, create_campaign, mark_campaign_deleting
from campaigns_site.errors import StaleEdit
from campaigns_site.table import speaker_names_sk, user_pk
from sessions.core.repository import create_session
from sessions.core.segments import Segment
from sessions.transcripts.items import (
    MAX_LABEL_LENGTH,
    MAX_SPEAKER_NAMES,
    NAMES_MAX_BYTES,
    SpeakerNames,
    SpeakerNamesTooLarge,
    TooManySpeakerNames,
    encoded_size,
    labels_fingerprint,
    merged_names,
)
from sessions.transcripts.repository import get_speaker_names, save_speaker_names
from sessions.transcripts.speaker_display import NAME_MAX_LENGTH, speaker_display
from sessions.transcripts.speaker_forms import SpeakerNamesForm
from sessions.transcripts.storage import speaker_labels
from tests.transcript_samples import render_whisper_json, sample_bytes

SUB = "0d6f0c1e-1111-4b1c-9a5e-5f4c3b2a1d00"
ODD_LABELS = ["Mira (GM)", "xX_Drake_Xx", "zoë.🐉 the bold", "<b>Jean-Luc</b>", "as_dict", "attribute_values"]


pytestmark = pytest.mark.campaign(sub=SUB, name="Dragon Heist")


def names(player="", character=""):
    return {"player": player, "character": character}


def save(campaign, expected_version, changes, **kwargs):
    return save_speaker_names(
        sub=SUB, campaign_id=campaign.campaign_id, expected_version=expected_version, names=changes, **kwargs
    )


def stored(campaign):
    item = get_speaker_names(sub=SUB, campaign_id=campaign.campaign_id)
    return None if item is None else (item.version, item.as_dict())


# --- display ---------------------------------------------------------------------------
def test_display_shows_character_and_player_or_whichever_is_set_else_the_label():
    mapped = {
        "SPEAKER_00": names("Ann", "Mira"),
        "SPEAKER_01": names("Bob"),
        "SPEAKER_02": names(character="Vex"),
        "SPEAKER_03": names("  ", " "),
    }
    assert speaker_display(mapped, "SPEAKER_00") == "Mira (Ann)"
    assert speaker_display(mapped, "SPEAKER_01") == "Bob"
    assert speaker_display(mapped, "SPEAKER_02") == "Vex"
    assert speaker_display(mapped, "SPEAKER_03") == "SPEAKER_03"
    assert speaker_display(mapped, "Someone else") == "Someone else"
    assert speaker_display(mapped, None) is None


# --- save: first, merge, clear, version ---------------------------------------------------
def test_no_names_yet_reads_none(campaign):
    assert get_speaker_names(sub=SUB, campaign_id=campaign.campaign_id) is None


def test_first_save_stores_the_map_at_version_1_with_any_label(campaign):
    saved = save(campaign, 0, {label: names(f"P{index}", f"C{index}") for index, label in enumerate(ODD_LABELS)})
    assert saved.version == 1
    version, mapped = stored(campaign)
    assert version == 1
    assert mapped == {label: names(f"P{index}", f"C{index}") for index, label in enumerate(ODD_LABELS)}
    item = get_speaker_names(sub=SUB, campaign_id=campaign.campaign_id)
    assert (item.pk, item.sk) == (user_pk(SUB), speaker_names_sk(campaign.campaign_id))


def test_a_save_merges_this_transcripts_labels_and_keeps_the_others(campaign):
    save(campaign, 0, {"SPEAKER_00": names("Ann", "Mira"), "SPEAKER_01": names("Bob", "Vex"), "Zoë": names("Zoë")})
    save(campaign, 1, {"SPEAKER_00": names("Ann", "Mira the Wise"), "SPEAKER_01": names(), "SPEAKER_02": names("Cy")})
    assert stored(campaign) == (
        2,
        {
            "SPEAKER_00": names("Ann", "Mira the Wise"),  # changed
            "SPEAKER_02": names("Cy"),  # added
            "Zoë": names("Zoë"),  # another session's label: kept
        },
    )  # SPEAKER_01: both names cleared, so forgotten


def test_names_are_trimmed_and_a_blank_entry_is_not_stored(campaign):
    save(campaign, 0, {"SPEAKER_00": names("  Ann ", " Mira"), "SPEAKER_01": names(" ", ""), "SPEAKER_02": None})
    assert stored(campaign) == (1, {"SPEAKER_00": names("Ann", "Mira")})


def test_clearing_everything_keeps_an_empty_map(campaign):
    save(campaign, 0, {"SPEAKER_00": names("Ann")})
    save(campaign, 1, {"SPEAKER_00": names()})
    assert stored(campaign) == (2, {})
    assert speaker_display(get_speaker_names(sub=SUB, campaign_id=campaign.campaign_id).as_dict(), "SPEAKER_00") == (
        "SPEAKER_00"
    )


def test_a_save_over_a_newer_version_is_stale_and_changes_nothing(campaign):
    save(campaign, 0, {"SPEAKER_00": names("Ann")})
    save(campaign, 1, {"SPEAKER_00": names("Ann", "Mira")})
    with pytest.raises(StaleEdit) as stale:
        save(campaign, 1, {"SPEAKER_00": names("Mallory")})
    assert stale.value.current.version == 2
    assert stale.value.current.as_dict() == {"SPEAKER_00": names("Ann", "Mira")}
    assert stored(campaign) == (2, {"SPEAKER_00": names("Ann", "Mira")})


def test_two_first_saves_the_second_is_stale(campaign):
    save(campaign, 0, {"SPEAKER_00": names("Ann")})
    with pytest.raises(StaleEdit) as stale:
        save(campaign, 0, {"SPEAKER_01": names("Bob")})
    assert stale.value.current.as_dict() == {"SPEAKER_00": names("Ann")}
    assert stored(campaign) == (1, {"SPEAKER_00": names("Ann")})


def test_the_version_condition_refuses_a_save_made_between_read_and_write(campaign, aws_calls):
    """The caller's item (read with the page) says version 1, but someone saved since: the
    write's own condition refuses it, and the stored item is read to say so."""
    save(campaign, 0, {"SPEAKER_00": names("Ann")})
    read_with_the_page = get_speaker_names(sub=SUB, campaign_id=campaign.campaign_id)
    save(campaign, 1, {"SPEAKER_01": names("Bob")})
    with aws_calls() as calls, pytest.raises(StaleEdit) as stale:
        save(campaign, 1, {"SPEAKER_00": names("Mallory")}, current=read_with_the_page)
    assert calls.operations() == ["dynamodb.TransactWriteItems", "dynamodb.GetItem"]
    assert stale.value.current.version == 2
    assert stored(campaign) == (2, {"SPEAKER_00": names("Ann"), "SPEAKER_01": names("Bob")})


def test_the_same_race_on_the_first_save(campaign):
    save(campaign, 0, {"SPEAKER_00": names("Ann")})
    with pytest.raises(StaleEdit):
        save(campaign, 0, {"SPEAKER_01": names("Bob")}, current=None)  # the page read no item
    assert stored(campaign) == (1, {"SPEAKER_00": names("Ann")})


def test_a_save_with_the_item_read_costs_one_write(campaign, aws_calls):
    with aws_calls() as calls:
        save(campaign, 0, {"SPEAKER_00": names("Ann")}, current=None)
    assert calls.operations() == ["dynamodb.TransactWriteItems"]
    current = get_speaker_names(sub=SUB, campaign_id=campaign.campaign_id)
    with aws_calls() as calls:
        save(campaign, 1, {"SPEAKER_00": names("Ann", "Mira")}, current=current)
    assert calls.operations() == ["dynamodb.TransactWriteItems"]
    with aws_calls() as calls:  # without it: one GetItem first
        save(campaign, 2, {"SPEAKER_01": names("Bob")})
    assert calls.operations() == ["dynamodb.GetItem", "dynamodb.TransactWriteItems"]


# --- campaign: not mine, being deleted, deleted -------------------------------------------
def test_no_names_for_a_campaign_that_is_not_mine(campaign):
    with pytest.raises(CampaignNotFound):
        save_speaker_names(
            sub="another-sub",
            campaign_id=campaign.campaign_id,
            expected_version=0,
            names={"SPEAKER_00": names("Mallory")},
        )
    assert get_speaker_names(sub="another-sub", campaign_id=campaign.campaign_id) is None
    assert stored(campaign) is None


def test_no_names_for_a_campaign_being_deleted(campaign):
    save(campaign, 0, {"SPEAKER_00": names("Ann")})
    current = get_speaker_names(sub=SUB, campaign_id=campaign.campaign_id)
    mark_campaign_deleting(sub=SUB, campaign_id=campaign.campaign_id)
    with pytest.raises(CampaignNotFound):
        save(campaign, 1, {"SPEAKER_00": names("Late")}, current=current)
    assert stored(campaign) == (1, {"SPEAKER_00": names("Ann")})


def test_deleting_the_campaign_deletes_its_names(campaign):
    from sessions.core.campaign_deletion import delete_campaign

    other = create_campaign(sub=SUB, name="Other")
    save(campaign, 0, {"SPEAKER_00": names("Ann")})
    save(other, 0, {"SPEAKER_00": names("Bob")})
    delete_campaign(sub=SUB, campaign_id=campaign.campaign_id)
    assert stored(campaign) is None
    assert stored(other) == (1, {"SPEAKER_00": names("Bob")})


def test_deleting_the_account_deletes_the_names(make_user):
    from accounts.deletion import delete_account

    sub = make_user("ada@example.com")
    mine = create_campaign(sub=sub, name="Mine")
    save_speaker_names(sub=sub, campaign_id=mine.campaign_id, expected_version=0, names={"SPEAKER_00": names("Ann")})
    report = delete_account(sub=sub)
    assert report.items["SPEAKERS"] == 1
    assert get_speaker_names(sub=sub, campaign_id=mine.campaign_id) is None


# --- caps and item size ---------------------------------------------------------------------
def test_at_most_200_labels_a_campaign(campaign):
    first = {f"SPEAKER_{index:03d}": names(f"P{index}") for index in range(150)}
    save(campaign, 0, first)
    save(campaign, 1, {f"Other {index}": names(f"Q{index}") for index in range(MAX_SPEAKER_NAMES - 150)})
    assert len(stored(campaign)[1]) == MAX_SPEAKER_NAMES
    with pytest.raises(TooManySpeakerNames) as full:
        save(campaign, 2, {"One too many": names("Z")})
    assert full.value.count == MAX_SPEAKER_NAMES + 1
    assert len(stored(campaign)[1]) == MAX_SPEAKER_NAMES
    # Clearing one and adding one in the same save fits.
    save(campaign, 2, {"SPEAKER_000": names(), "One too many": names("Z")})
    assert len(stored(campaign)[1]) == MAX_SPEAKER_NAMES


def test_the_encoded_map_is_capped_in_bytes(campaign):
    emoji_name = "🐉" * NAME_MAX_LENGTH  # 240 bytes in UTF-8
    many = {f"{'🎲' * 90} {index}": names(emoji_name, emoji_name) for index in range(MAX_SPEAKER_NAMES)}
    with pytest.raises(SpeakerNamesTooLarge):
        save(campaign, 0, many)
    assert stored(campaign) is None


def test_the_largest_map_that_is_accepted_stays_far_below_the_item_budget(campaign):
    """Fill the map with the longest labels and names in 4-byte characters until the byte
    cap refuses one more: the stored item stays far below the 64 KB budget."""
    emoji_name = "🐉" * NAME_MAX_LENGTH
    mapped = {}
    for index in range(MAX_SPEAKER_NAMES):
        label = f"{index:03d}" + "🎲" * (MAX_LABEL_LENGTH - 3)
        try:
            merged_names(mapped, {label: names(emoji_name, emoji_name)})
        except SpeakerNamesTooLarge:
            break
        mapped[label] = names(emoji_name, emoji_name)
    assert 30 <= len(mapped) < MAX_SPEAKER_NAMES
    save(campaign, 0, mapped)
    raw = SpeakerNames.get(user_pk(SUB), speaker_names_sk(campaign.campaign_id), consistent_read=True).serialize()
    size = len(json.dumps(raw, ensure_ascii=False).encode())  # more than DynamoDB counts: type tags, quotes
    assert encoded_size(mapped) <= NAMES_MAX_BYTES
    assert size < 40_000 < 64 * 1024


def test_an_ordinary_campaigns_names_take_well_under_a_kilobyte():
    mapped = {f"SPEAKER_{index:02d}": names("Ann Smith", "Mira the Wise") for index in range(10)}
    assert encoded_size(mapped) < 1024


def test_labels_and_names_no_form_lets_through_are_refused():
    with pytest.raises(ValueError):
        merged_names({}, {"x" * (MAX_LABEL_LENGTH + 1): names("Ann")})
    with pytest.raises(ValueError):
        merged_names({}, {"": names("Ann")})
    with pytest.raises(ValueError):
        merged_names({}, {"SPEAKER_00": names("A" * (NAME_MAX_LENGTH + 1))})


# --- a transcript's labels -----------------------------------------------------------------
def attach(campaign, data, filename):
    from tests.transcript_uploads import store_transcript

    session = create_session(sub=SUB, campaign_id=campaign.campaign_id, title="Session")
    return store_transcript(
        sub=SUB, campaign_id=campaign.campaign_id, session_id=session.session_id, data=data, filename=filename
    ).session


def test_labels_of_a_transcript_in_order_of_first_appearance_without_asking_s3(campaign, aws_calls):
    from sessions.transcripts.segments_json import read_segment_page
    from sessions.transcripts.storage import load_stored_segments

    session = attach(campaign, sample_bytes("vtt", hours=0.1), "session.vtt")
    with aws_calls() as calls:
        labels = speaker_labels(session)
    assert calls.operations() == []  # the item lists them all
    assert sorted(labels) == ["SPEAKER_00", "SPEAKER_01", "SPEAKER_02", "SPEAKER_03"]
    assert labels == read_segment_page(load_stored_segments(session), offset=0, limit=0).speakers


def test_labels_the_item_does_not_list_come_from_the_stored_header(campaign, aws_calls):
    from sessions.transcripts.storage import clear_cache

    labels = [f"{index:02d} {'Ziggy Stardust the Bard ' * 3}".strip() for index in range(40)] + ODD_LABELS
    segments = [
        Segment(start=index, end=index + 0.5, speaker=label, text=f"Line {index}") for index, label in enumerate(labels)
    ]
    session = attach(campaign, render_whisper_json(segments).encode(), "whisperx.json")
    assert session.transcript_speaker_count == len(labels) > len(session.transcript_speakers)
    clear_cache()
    with aws_calls() as calls:
        assert speaker_labels(session) == labels
    assert calls.operations() == ["s3.GetObject"]
    with aws_calls() as calls:
        assert speaker_labels(session) == labels
    assert calls.operations() == []  # read lately by this process


def test_a_session_without_a_transcript_has_no_labels(campaign):
    session = create_session(sub=SUB, campaign_id=campaign.campaign_id, title="No transcript")
    assert speaker_labels(session) == []


# --- the form ----------------------------------------------------------------------------------
LABELS = ["SPEAKER_00", "<b>Mira</b> 🐉", "SPEAKER_02"]


def form_data(labels=LABELS, version=0, **fields):
    data = {"version": str(version), "speakers": labels_fingerprint(labels)}
    for index in range(len(labels)):
        data[f"player_{index}"] = ""
        data[f"character_{index}"] = ""
    return data | fields


def test_the_form_numbers_its_fields_and_maps_them_back_to_the_labels():
    form = SpeakerNamesForm(
        form_data(player_0="  Ann  ", character_0="Mira\n the\tWise ", character_1="Vex"), labels=LABELS
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["names"] == {
        "SPEAKER_00": names("Ann", "Mira the Wise"),  # trimmed, runs of spaces made one
        "<b>Mira</b> 🐉": names("", "Vex"),
        "SPEAKER_02": None,  # both blank: forget it
    }
    assert set(form.fields) == {
        "version",
        "speakers",
        "player_0",
        "character_0",
        "player_1",
        "character_1",
        "player_2",
        "character_2",
    }


def test_the_form_is_prefilled_from_the_stored_names():
    form = SpeakerNamesForm(
        labels=LABELS, stored={"<b>Mira</b> 🐉": names("Ann", "Mira"), "Elsewhere": names("X")}, current_version=4
    )
    assert form["player_1"].value() == "Ann" and form["character_1"].value() == "Mira"
    assert form["player_0"].value() == "" and form["version"].value() == 4


def test_names_longer_than_60_characters_are_refused():
    form = SpeakerNamesForm(form_data(player_0="A" * 61, character_2="B" * 60), labels=LABELS)
    assert not form.is_valid()
    assert form.errors == {"player_0": ["Keep the player of SPEAKER_00 to 60 characters (this one has 61)."]}


@pytest.mark.parametrize("missing", ["version", "speakers"])
def test_a_form_without_its_hidden_fields_is_out_of_date(missing):
    data = form_data(player_0="Ann")
    del data[missing]
    form = SpeakerNamesForm(data, labels=LABELS)
    assert not form.is_valid()
    assert "out of date" in form.errors[missing][0]


def test_a_form_for_another_list_of_labels_is_refused():
    """The numbering is that of the labels the form was made for: a transcript replaced
    meanwhile (other labels, or the same in another order) must not get its names."""
    form = SpeakerNamesForm(form_data(LABELS, player_0="Ann"), labels=["SPEAKER_02", "SPEAKER_00", "<b>Mira</b> 🐉"])
    assert not form.is_valid()
    assert "transcript was replaced" in form.errors["speakers"][0]


def test_the_form_says_when_the_campaign_would_keep_too_many_names():
    stored_names = {f"Old {index}": names("X") for index in range(MAX_SPEAKER_NAMES - 1)}
    form = SpeakerNamesForm(form_data(player_0="Ann", player_1="Bob"), labels=LABELS, stored=stored_names)
    assert not form.is_valid()
    (error,) = form.non_field_errors()
    assert "at most 200 speakers" in error and "201" in error and "199 of them from other sessions" in error
    # Naming only one of them fits.
    form = SpeakerNamesForm(form_data(player_0="Ann"), labels=LABELS, stored=stored_names)
    assert form.is_valid(), form.errors


def test_a_stale_form_leaves_the_caps_to_the_save():
    stored_names = {f"Old {index}": names("X") for index in range(MAX_SPEAKER_NAMES)}
    form = SpeakerNamesForm(form_data(version=3, player_0="Ann"), labels=LABELS, stored=stored_names, current_version=4)
    assert form.is_valid()  # the save raises StaleEdit; the user starts again from version 4
