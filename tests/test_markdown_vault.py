"""The export's Markdown vault (exports/markdown_vault.py): notes built from the export's
records, read back the way viewers read them. Every note is parsed with markdown-it
(CommonMark) and its front matter with yaml.safe_load; every standard link must lead to a
note or file of the zip (relative to the note's folder), every [[wikilink]] to exactly one
note by Obsidian's rule (the base name, any case); user text, however hostile, adds no
heading, link, HTML or front matter key (hypothesis)."""

import io
import posixpath
import re
from datetime import date

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exports.front_matter import date_or_text, front_matter
from exports.markdown_vault import VaultPaths, campaign_note, property_text, session_note
from exports.writer import write_export
from tests.export_accounts import build_account, lines_of, read_zip
from tests.vault_notes import (
    CAMPAIGN_SECTIONS,
    HOSTILE,
    SESSION_SECTIONS,
    build_vault,
    check_vault,
    make_campaign,
    make_session,
    make_speaker_names,
    make_summary,
    read_note,
    split_note,
)


# --- cases -----------------------------------------------------------------------------------
def small_vault(**campaign_fields):
    campaign = make_campaign("Curse of Strahd", game_system="D&D 5e", **campaign_fields)
    speakers = ["SPEAKER_00", "SPEAKER_01"]
    first = make_session(campaign, "The Tomb", number=1, played_on="2024-05-31", notes="Bring rope.",
                         filename="tomb (final).vtt", speakers=speakers)  # fmt: skip
    second = make_session(campaign, "Into the Mists", number=2, played_on="2024-06-07")
    summaries = [
        make_summary(campaign, first, "npcs", "- Ireena\n- Ismark"),
        make_summary(campaign, first, "recap", "The party found the tomb."),
        make_summary(campaign, first, "battle_log", "# Round 1\n\nThe **ghoul** fell.", "markdown"),
    ]
    story = make_summary(campaign, None, "story_so_far", "They came to Barovia.")
    names = make_speaker_names(campaign, {"SPEAKER_00": {"player": "Ann", "character": "Ash"}})
    return (campaign, [first, second], summaries, story, names)


def test_a_vault_reads_cleanly_and_every_link_resolves():
    notes, files = build_vault([small_vault()])
    read = check_vault(notes, files)
    assert sorted(notes) == [
        "markdown/Campaigns.md",
        "markdown/Curse of Strahd/Curse of Strahd.md",
        "markdown/Curse of Strahd/Sessions/2024-05-31 The Tomb.md",
        "markdown/Curse of Strahd/Sessions/2024-06-07 Into the Mists.md",
    ]
    fields, headings, links, _ = read["markdown/Curse of Strahd/Sessions/2024-05-31 The Tomb.md"]
    assert fields["type"] == "session" and fields["number"] == 1 and fields["played"] == date(2024, 5, 31)
    assert fields["speakers"] == ["Ash (Ann)", "SPEAKER_01"]
    assert fields["campaign"] == "[[Curse of Strahd]]" and fields["next"] == "[[2024-06-07 Into the Mists]]"
    assert fields["previous"] is None and fields["tags"] == ["campaign-sessions/session"]
    assert [text for level, text in headings if level == 2] == [
        "Notes",
        "Recap (previously on…)",
        "NPCs",
        "Battle log",
        "Transcript",
    ]
    assert (3, "Round 1") in headings
    assert links[0] == "../Curse%20of%20Strahd.md" and "../../../transcripts/" in links[-2]
    campaign_fields, campaign_headings, campaign_links, _ = read["markdown/Curse of Strahd/Curse of Strahd.md"]
    assert campaign_fields["sessions"] == ["[[2024-05-31 The Tomb]]", "[[2024-06-07 Into the Mists]]"]
    assert campaign_fields["session_count"] == 2 and campaign_fields["game_system"] == "D&D 5e"
    assert [text for level, text in campaign_headings if level == 2] == ["The story so far", "The cast", "Sessions"]
    assert campaign_links[-2:] == ["Sessions/2024-05-31%20The%20Tomb.md", "Sessions/2024-06-07%20Into%20the%20Mists.md"]
    assert "Ash (Ann)" in notes["markdown/Curse of Strahd/Curse of Strahd.md"]


def test_the_same_id_keeps_its_path():
    campaign, sessions, *_ = small_vault()
    paths = VaultPaths()
    first = paths.session_note(campaign, sessions[0])
    assert paths.session_note(campaign, sessions[0]) == first
    assert paths.campaign_note(dict(campaign, name="Renamed")) == paths.campaign_note(campaign)


def test_names_that_would_clash_are_made_unique():
    campaign = make_campaign("The Tomb")
    sessions = [
        make_session(campaign, "The Tomb"),  # the campaign's own name
        make_session(campaign, "the tomb"),  # differing only in case
        make_session(campaign, "The Tomb"),  # the same title again
        make_session(campaign, "Campaigns"),  # the index's name
        make_session(campaign, "CON"),  # a Windows device name
        make_session(campaign, "aux.md"),
        make_session(campaign, "the-tomb.vtt"),  # [[the-tomb.vtt]] would name a .vtt file
        make_session(campaign, "notes.v2.final"),  # and so would what is left of it
        make_session(campaign, "x" * 300, number=7),  # far too long
        make_session(campaign, "#1 [[Boss]] ^fight | round"),  # characters that end an Obsidian link
    ]
    other = make_campaign("THE TOMB")
    notes, files = build_vault([(campaign, sessions, [], None, None), (other, [], [], None, None)])
    check_vault(notes, files)
    names = sorted(posixpath.basename(path) for path in notes)
    assert {"CON_.md", "aux_-md.md", "the-tomb-vtt.md", "notes-v2-final.md", "1 Boss fight - round.md"} <= set(names)
    assert len({path.casefold() for path in notes}) == len(notes) == 13
    assert max(len(path.encode()) for path in notes) < 170


def test_sessions_with_the_same_title_each_get_their_own_note_and_link():
    campaign = make_campaign("Ravenloft")
    sessions = [make_session(campaign, "Fog") for _ in range(3)]
    notes, files = build_vault([(campaign, sessions, [], None, None)])
    read = check_vault(notes, files)
    fields, _, links, _ = read["markdown/Ravenloft/Ravenloft.md"]
    assert fields["sessions"] == ["[[Fog]]", "[[Fog (2)]]", "[[Fog (3)]]"]
    assert links[-3:] == ["Sessions/Fog.md", "Sessions/Fog%20%282%29.md", "Sessions/Fog%20%283%29.md"]


def test_a_campaign_without_sessions_and_an_empty_account():
    notes, files = build_vault([(make_campaign(""), [], [], None, None)], account={"email": "", "display_name": ""})
    check_vault(notes, files)
    assert "markdown/Untitled campaign/Untitled campaign.md" in notes
    assert build_vault([]) and check_vault(*build_vault([]))


def test_a_transcript_missing_from_the_zip_is_not_linked():
    campaign, sessions, *_ = small_vault()
    note = session_note(sessions[0], campaign=campaign, summaries=[], speaker_names=None, paths=VaultPaths(),
                        transcript_in_zip=False)  # fmt: skip
    _, headings, links, _ = read_note(note)
    assert (2, "Transcript") in headings and not [link for link in links if "transcripts/" in link]
    assert "missing from storage" in note


@pytest.fixture
def exported_entries(make_user, empty_transcript_cache):
    """The entries of a real export zip (exports/writer.py) of an account with one of everything."""
    built = build_account(make_user("vera@example.com", display_name="Vera"))
    stream = io.BytesIO()
    write_export(stream, sub=built.sub)
    return read_zip(stream.getvalue())


def test_an_exported_zip_holds_a_vault_whose_links_all_lead_inside_it(exported_entries):
    notes = {name: data.decode("utf-8") for name, data in exported_entries.items() if name.startswith("markdown/")}
    files = set(exported_entries) - set(notes)
    texts = " ".join(summary["text"] for summary in lines_of(exported_entries, "summaries"))
    read = check_vault(notes, files, external_links=re.findall(r"https?://[^\s)>\]]+", texts))
    campaigns, sessions = lines_of(exported_entries, "campaigns"), lines_of(exported_entries, "sessions")
    assert len(notes) == len(campaigns) + len(sessions) + 1
    assert sorted(fields["id"] for fields, *_ in read.values() if fields["type"] == "session") == sorted(
        session["id"] for session in sessions
    )
    transcript_links = {link for *_, links, _ in read.values() for link in links if "transcripts/" in link}
    assert len(transcript_links) == 2 * sum(1 for session in sessions if session["transcript"])


def hostile_vault(text):
    campaign = make_campaign(text, description=text, game_system=text)
    first = make_session(campaign, text, notes=text, filename=text, speakers=[text, "SPEAKER_00"])
    second = make_session(campaign, text, number=2, played_on="2024-06-07", notes=text)
    summaries = [make_summary(campaign, first, kind, text) for kind in ("recap", "npcs")]
    summaries += [make_summary(campaign, first, "key_events", text, "markdown")]
    summaries += [make_summary(campaign, second, "battle_log", text, "markdown")]
    story = make_summary(campaign, None, "story_so_far", text, "markdown")
    names = make_speaker_names(campaign, {text: {"player": text, "character": text}})
    return build_vault([(campaign, [first, second], summaries, story, names)]), campaign, first


def assert_user_text_changed_no_structure(text):
    (notes, files), campaign, first = hostile_vault(text)
    read = check_vault(notes, files, external_links=re.findall(r"https?://[^\s)>\]]+", text))
    for path, (fields, headings, links, _) in read.items():
        top = [heading for level, heading in headings if level <= 2][1:]
        allowed = {"campaign": CAMPAIGN_SECTIONS, "session": SESSION_SECTIONS, "index": set()}[fields["type"]]
        assert set(top) <= allowed, (path, top)
        relative = [link for link in links if "://" not in link]
        expected = {"index": 1, "campaign": 3, "session": None}[fields["type"]]
        if expected is not None:
            assert len(relative) == expected, (path, links)
    session_fields = read[session_note_path(notes, first)][0]
    assert session_fields["title"] == property_text(first["title"])
    assert session_fields["transcript"] is True
    campaign_fields = next(fields for fields, *_ in read.values() if fields["type"] == "campaign")
    assert campaign_fields["name"] == property_text(campaign["name"])
    assert campaign_fields["game_system"] == property_text(campaign["game_system"])


def session_note_path(notes, session):
    return next(path for path, text in notes.items() if f'id: "{session["id"]}"' in split_note_head(text))


def split_note_head(text):
    return text[: text.index("\n---\n", 3)]


def test_hostile_text_changes_no_structure():
    for text in HOSTILE:
        assert_user_text_changed_no_structure(text)
    assert_user_text_changed_no_structure("\n".join(HOSTILE))


MARKDOWN_PIECES = st.sampled_from(HOSTILE + ["", "\n", "\n\n", " ", "#", "[", "]", "-", "<", ">", "`", "\\", ":"])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.lists(MARKDOWN_PIECES | st.text(max_size=12), max_size=8).map("".join))
def test_any_user_text_changes_no_structure(text):
    assert_user_text_changed_no_structure(text)


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=60))
def test_front_matter_holds_any_text(text):
    campaign = make_campaign(text, game_system=text)
    session = make_session(campaign, text, filename=text or "x", speakers=[text])
    paths = VaultPaths()
    fields, _ = split_note(session_note(session, campaign=campaign, summaries=[], speaker_names=None, paths=paths))
    assert fields["title"] == property_text(text) and fields["speakers"] == [property_text(text)]
    fields, _ = split_note(campaign_note(campaign, sessions=[session], story=None, speaker_names=None, paths=paths))
    assert fields["name"] == property_text(text) and fields["game_system"] == property_text(text)
    assert "[[" not in fields["name"] and "]]" not in fields["name"]


# --- front matter, written without PyYAML ----------------------------------------------------
def test_front_matter_values_read_back_as_written():
    fields = {"text": "a: b # c", "nothing": None, "flag": True, "count": 3, "day": date(2024, 5, 31)}
    fields |= {"names": ["- dash", "'quote'", '"double"'], "empty": [], "bad_day": date_or_text("2024-13-45")}
    block = front_matter(fields)
    assert block.startswith("---\n") and block.endswith("\n---\n")
    assert yaml.safe_load(block.strip("-\n")) == fields | {"bad_day": "2024-13-45"}
    assert date_or_text("2024-05-31") == date(2024, 5, 31) and date_or_text(None) is None


def test_front_matter_keys_are_plain():
    for key in ("title: x\nevil", "yes", "Title", ""):
        with pytest.raises(ValueError):
            front_matter({key: "y"})


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(exclude_categories=())))
def test_any_string_reads_back_from_front_matter(text):
    block = front_matter({"value": text, "values": [text, text]})
    assert block.count("\n") == 6  # one line a value: nothing the user typed starts a line
    assert yaml.safe_load(block.strip("-\n")) == {"value": text, "values": [text, text]}
