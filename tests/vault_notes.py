"""Helpers of tests/test_markdown_vault.py: export records made by exports.format from
items shaped like the repositories', a vault built as the writer builds one, and notes read
back as viewers read them (markdown-it for CommonMark, yaml.safe_load, Obsidian's rule for
[[wikilinks]])."""

import itertools
import posixpath
import re
from datetime import UTC, datetime
from types import SimpleNamespace
from urllib.parse import unquote

import yaml
from markdown_it import MarkdownIt

from exports import format as export_format
from exports.file_names import safe_file_name, same_file_keys, split_extension
from exports.markdown_vault import VaultPaths, campaign_note, index_note, session_note

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
