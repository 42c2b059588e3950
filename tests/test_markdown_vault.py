"""The export's Markdown vault (exports/markdown_vault.py): notes built from the export's
records, read back the way viewers read them. Every note is parsed with markdown-it
(CommonMark) and its front matter with yaml.safe_load; every standard link must lead to a
note or file of the zip (relative to the note's folder), every [[wikilink]] to exactly one
note by Obsidian's rule (the base name, any case); user text, however hostile, adds no
heading, link, HTML or front matter key (hypothesis)."""

import io
import itertools
import posixpath
import re
from datetime import UTC, date, datetime
from types import SimpleNamespace
from urllib.parse import unquote

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from exports import format as export_format
from exports.file_names import safe_file_name, same_file_keys, split_extension
from exports.front_matter import date_or_text, front_matter
from exports.markdown_vault import VaultPaths, campaign_note, index_note, property_text, session_note
from exports.writer import write_export
from tests.export_accounts import build_account, lines_of, read_zip

CREATED = datetime(2024, 5, 31, 18, 4, 5, 123, tzinfo=UTC)
_ids = itertools.count(1)

CAMPAIGN_KEYS = {"type", "name", "id", "game_system", "archived", "created", "updated", "last_activity"}
CAMPAIGN_KEYS |= {"session_count", "sessions", "tags"}
SESSION_KEYS = {"type", "title", "campaign", "number", "played", "speakers", "id", "campaign_id", "created"}
SESSION_KEYS |= {"updated", "previous", "next", "transcript", "tags"}
INDEX_KEYS = {"type", "owner", "campaign_count", "campaigns", "tags"}
SESSION_SECTIONS = {"Notes", "Transcript", "Recap (previously on…)", "Key events", "NPCs", "Locations"}
SESSION_SECTIONS |= {"Loot and items", "Open threads and quests", "Battle log"}
CAMPAIGN_SECTIONS = {"The story so far", "The cast", "Sessions"}

HOSTILE = [
    "# Heading",
    "---",
    "title: injected\n---\ntype: hacked",
    "[[Secret]] and ]] then [[",
    "<script>alert(1)</script>",
    "Setext\n===",
    "Setext too\n---",
    "[link](https://evil.example) ![img](x.png) <https://auto.example>",
    "    indented code",
    "```\nunclosed fence",
    "> quote\n>> deeper",
    "1. one\n2) two",
    "#tag %%hidden%% $x$ $$math ^block ==mark== ~~strike~~",
    "line\u2028separator\u2029paragraph\x85next",
    "nul\x00 bell\x07 tab\t cr\r end",
    "a|b||c\n|---|---|",
    "'single' \"double\": colon, - dash # hash",
    "&amp; &#60; &lt;",
    "trailing backslash \\",
    "**bold** _under_ `code`",
    "- - -\n* * *\n___",
    "[ref]: https://evil.example\n[ref]",
    "😀 émoji ß İ",
]


# --- records, made by exports.format from items shaped like the repositories' ----------------
def make_campaign(name, **fields):
    item = SimpleNamespace(
        campaign_id=f"C{next(_ids):025d}", name=name, description="", game_system="", archived=False,
        created=CREATED, updated=CREATED, last_activity=CREATED,
    )  # fmt: skip
    item.__dict__.update(fields)
    return export_format.campaign_record(item)


def make_session(campaign, title, *, number=None, played_on=None, notes="", filename=None, speakers=()):
    item = SimpleNamespace(
        session_id=f"S{next(_ids):025d}", campaign_id=campaign["id"], title=title, number=number,
        played_on=played_on, notes=notes, created=CREATED, updated=CREATED, transcript_upload_id=None,
    )  # fmt: skip
    if filename is not None:
        item.__dict__.update(
            transcript_upload_id=f"U{next(_ids):025d}", transcript_filename=filename, transcript_format="vtt",
            transcript_encoding="utf-8", transcript_sha256="0" * 64, transcript_bytes=10,
            transcript_segment_count=2, transcript_duration=60, transcript_speaker_count=len(speakers),
            transcript_speakers=list(speakers), transcript_uploaded=CREATED,
        )  # fmt: skip
    original = safe_file_name(filename, fallback="transcript") if filename is not None else None
    return export_format.session_record(item, original_file_name=original)


def make_summary(campaign, session, kind, text, text_format=None):
    item = SimpleNamespace(
        campaign_id=campaign["id"], session_id=session["id"] if session else None, kind=kind, length="standard",
        text=text, text_format=text_format, provider="offline", model="", input_tokens=1, output_tokens=1,
        tokens_estimated=True, estimated_cost_text="0", created=CREATED, updated=CREATED, edited=False,
        source_sha256=None, source_count=None, fallback_reason=None, speaker_names_sha=None,
    )  # fmt: skip
    return export_format.summary_record(item)


def make_speaker_names(campaign, names):
    item = SimpleNamespace(campaign_id=campaign["id"], as_dict=lambda: names)
    return export_format.speaker_names_record(item)


def build_vault(campaigns, *, account=None):
    """{path: note} and the zip's other files, as the writer makes them. `campaigns`: a
    list of (campaign, sessions, summaries, story, speaker_names)."""
    paths, notes, files = VaultPaths(), {}, set()
    for campaign, sessions, summaries, story, names in campaigns:
        notes[paths.campaign_note(campaign)] = campaign_note(
            campaign, sessions=sessions, story=story, speaker_names=names, paths=paths
        )
        for position, session in enumerate(sessions):
            previous = sessions[position - 1] if position else None
            following = sessions[position + 1] if position + 1 < len(sessions) else None
            own = [summary for summary in summaries if summary["session_id"] == session["id"]]
            notes[paths.session_note(campaign, session)] = session_note(
                session, campaign=campaign, summaries=own, speaker_names=names, paths=paths,
                previous=previous, following=following,
            )  # fmt: skip
            if session["transcript"]:
                files |= {session["transcript"]["original"], session["transcript"]["normalized"]}
    account = account or {"email": "ann@example.com", "display_name": "Ann", "created": None, "preferences": {}}
    notes[paths.index_note()] = index_note(account, campaigns=[entry[0] for entry in campaigns], paths=paths)
    return notes, files


# --- reading a note as viewers do ------------------------------------------------------------
PARSER = MarkdownIt("commonmark", {"html": True})
WIKILINK = re.compile(r"\[\[([^\[\]]+)\]\]")
UNESCAPED_WIKILINK = re.compile(r"(?<!\\)\[\[")


def split_note(text):
    assert text.startswith("---\n")
    end = text.index("\n---\n", 3)
    return yaml.safe_load(text[4:end]), text[end + 5 :]


def read_note(text):
    """(front matter, [(level, heading text)], [link targets], tokens)."""
    fields, body = split_note(text)
    tokens = PARSER.parse(body)
    headings, links = [], []
    for token, following in itertools.pairwise(tokens):
        if token.type == "heading_open":
            headings.append((int(token.tag[1]), following.content))
    for token in tokens:
        for child in token.children or []:
            if child.type == "link_open":
                links.append(child.attrGet("href"))
            assert child.type not in ("image", "html_inline"), child
        assert token.type != "html_block", token
        if token.type == "inline":
            assert not UNESCAPED_WIKILINK.search(token.content), token.content
    return fields, headings, links, tokens


def wikilinks_in(value):
    if isinstance(value, list):
        return [link for item in value for link in wikilinks_in(item)]
    return WIKILINK.findall(value) if isinstance(value, str) else []


def resolve_wikilink(target, notes):
    """The notes Obsidian could open for [[target]]: by base name, in any case (a target
    with a "/" by the end of its path); a target with another extension names a file."""
    target = target.split("|")[0].split("#")[0].casefold()
    if split_extension(target)[1] not in ("", ".md"):
        return []  # Obsidian opens "[[a.vtt]]" as the file a.vtt, not a note
    target = target.removesuffix(".md")
    stems = {path: path.removesuffix(".md").casefold() for path in notes}
    if "/" in target:
        return [path for path, stem in stems.items() if stem.endswith("/" + target)]
    return [path for path, stem in stems.items() if posixpath.basename(stem) == target]


def check_vault(notes, files, *, external_links=()):
    """Every note well formed and every link leading somewhere; {path: read_note(...)}."""
    read = {}
    stems = [posixpath.basename(path).removesuffix(".md") for path in notes]
    keys = [same_file_keys(stem) for stem in stems]
    assert all(a.isdisjoint(b) for a, b in itertools.combinations(keys, 2)), "two notes share a base name"
    for path, text in notes.items():
        assert path.startswith("markdown/") and path.endswith(".md")
        for part in path.split("/"):
            assert safe_file_name(part) == part and not set(part) & set("[]#^|"), part
        fields, headings, links, tokens = read[path] = read_note(text)
        assert set(fields) == {"index": INDEX_KEYS, "campaign": CAMPAIGN_KEYS, "session": SESSION_KEYS}[fields["type"]]
        assert [level for level, _ in headings].count(1) == 1 and headings[0][0] == 1
        for link in links:
            if link in external_links:
                continue
            assert "://" not in link and not link.startswith("/"), link
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), unquote(link)))
            assert target in notes or target in files, (path, link)
        for target in wikilinks_in(list(fields.values())):
            assert len(resolve_wikilink(target, notes)) == 1, (path, target)
    return read


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
