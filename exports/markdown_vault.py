"""The export's `markdown/` folder: a vault of notes that Obsidian opens as it is and that
any Markdown viewer (GitHub, VS Code, a CommonMark renderer) shows cleanly.

    markdown/Campaigns.md                                 the index: every campaign
    markdown/<campaign>/<campaign>.md                     a campaign: the story so far, the cast, its sessions
    markdown/<campaign>/Sessions/<date or Session n> <title>.md   a session: notes, summaries, transcript

Names are made safe (exports.file_names) and, beyond that, free of `[ ] # ^` (which end an
Obsidian link) and of a final ".xyz" (Obsidian would read `[[Name.vtt]]` as a link to a
.vtt file: the dot becomes "-"), and unique across the whole vault by their base name, compared as macOS
and Windows compare names: Obsidian finds `[[Name]]` by base name alone.

Links, two of each: the body has standard relative Markdown links, percent-encoded
(`[The Tomb](Sessions/2024-05-31%20The%20Tomb.md)`), which every viewer follows and which
Obsidian also counts as links between notes (backlinks, graph); the front matter has the
same links as Obsidian wikilinks (`campaign: "[[Curse of Strahd]]"`, `previous`, `next`,
`sessions`, `campaigns`), which Obsidian shows as clickable properties and other viewers
show as text in a metadata block, never in the note's body.

Every note is built from the export's records (exports.format), never from items, so the
writer and a test can make one without the table.
"""

import posixpath
import re
from urllib.parse import quote

from exports import format as export_format
from exports.file_names import UniqueNames, safe_file_name, split_extension
from exports.front_matter import date_or_text, front_matter
from exports.markdown_escape import inline, plain_markdown, summary_markdown
from sessions.core.kinds import KINDS, STORY_SO_FAR
from sessions.transcripts.speaker_display import entry_display

INDEX_NAME = "Campaigns"
SESSIONS_FOLDER = "Sessions"
NOTE_EXTENSION = ".md"
# Bytes of a campaign's folder (and note) name and a session note's: with the folder
# names, a note's path in the zip stays under 170 characters, so that unzipping into a
# Windows user's Downloads folder stays within its 260-character paths.
CAMPAIGN_NAME_BYTES = 60
SESSION_NAME_BYTES = 80
# What ends or splits an Obsidian link ("|" and the others are refused by file systems).
OBSIDIAN_LINK_CHARACTERS = re.compile(r"[\[\]#^]")
_BRACKET_PAIRS = re.compile(r"\[(?=\[)|\](?=\])")
TAG = "campaign-sessions"
CAMPAIGN_TAG = f"{TAG}/campaign"
SESSION_TAG = f"{TAG}/session"
INDEX_TAG = f"{TAG}/index"
UNTITLED_CAMPAIGN = "Untitled campaign"
UNTITLED_SESSION = "Untitled session"


class VaultPaths:
    """Where each note sits in the zip: decided the first time a campaign or session is
    asked for (the same id gives the same path after), so names depend on the order they
    are asked in; the writer asks in a stable one."""

    def __init__(self):
        self._names = UniqueNames(fallback=UNTITLED_SESSION, max_bytes=SESSION_NAME_BYTES + 16)
        self._campaigns = {}
        self._sessions = {}
        self._index = f"{export_format.MARKDOWN_DIR}{self._claim(INDEX_NAME, UNTITLED_CAMPAIGN, 60)}{NOTE_EXTENSION}"

    def index_note(self):
        return self._index

    def campaign_note(self, campaign):
        """`markdown/<name>/<name>.md`: the folder is named as its note."""
        path = self._campaigns.get(campaign["id"])
        if path is None:
            name = self._claim(campaign.get("name"), UNTITLED_CAMPAIGN, CAMPAIGN_NAME_BYTES)
            path = self._campaigns[campaign["id"]] = f"{export_format.MARKDOWN_DIR}{name}/{name}{NOTE_EXTENSION}"
        return path

    def session_note(self, campaign, session):
        """`markdown/<campaign>/Sessions/<when> <title>.md`."""
        path = self._sessions.get(session["id"])
        if path is None:
            folder = posixpath.dirname(self.campaign_note(campaign))
            name = self._claim(session_label(session), UNTITLED_SESSION, SESSION_NAME_BYTES)
            path = self._sessions[session["id"]] = f"{folder}/{SESSIONS_FOLDER}/{name}{NOTE_EXTENSION}"
        return path

    def _claim(self, text, fallback, max_bytes):
        readable = OBSIDIAN_LINK_CHARACTERS.sub(" ", text or "")
        stem, extension = split_extension(safe_file_name(readable, fallback=fallback, max_bytes=max_bytes))
        while extension:  # "[[the-tomb.vtt]]" would be a link to a .vtt file: "the-tomb-vtt" is a note's
            stem, extension = split_extension(f"{stem}-{extension[1:]}")
        claimed = self._names.claim(f"{stem}{NOTE_EXTENSION}")
        return claimed.removesuffix(NOTE_EXTENSION)


def session_label(session):
    """What a session's note is named after: "2024-05-31 The Tomb", "Session 3 The Tomb",
    or its title alone."""
    title = session_title(session)
    if session.get("played_on"):
        return f"{session['played_on']} {title}"
    if session.get("number") is not None:
        return f"Session {session['number']} {title}"
    return title


def session_title(session):
    return " ".join((session.get("title") or "").split()) or UNTITLED_SESSION


def campaign_title(campaign):
    return " ".join((campaign.get("name") or "").split()) or UNTITLED_CAMPAIGN


def property_text(text):
    """User text as a front matter value: as typed, but for a space between doubled
    brackets, which Obsidian would read as a link in a property ("[[Boss]]" is "[ [Boss] ]")."""
    return _BRACKET_PAIRS.sub(lambda match: f"{match[0]} ", text or "")


# --- links -----------------------------------------------------------------------------------
def wikilink(path):
    """An Obsidian link to a note, by its base name (unique in the vault)."""
    return f"[[{posixpath.basename(path).removesuffix(NOTE_EXTENSION)}]]"


def markdown_link(text, *, note, target):
    """A standard link from the note at `note` to the zip path `target`, relative and
    percent-encoded (spaces, parentheses, non-ASCII): a destination every viewer reads."""
    relative = posixpath.relpath(target, posixpath.dirname(note) or ".")
    return f"[{inline(text) or inline(posixpath.basename(target))}]({quote(relative)})"


# --- notes -----------------------------------------------------------------------------------
def index_note(account, *, campaigns, paths):
    """`markdown/Campaigns.md`: the account's campaigns, each linked."""
    note = paths.index_note()
    owner = (account or {}).get("display_name") or (account or {}).get("email") or ""
    campaign_paths = [paths.campaign_note(campaign) for campaign in campaigns]
    fields = {
        "type": "index",
        "owner": property_text(owner),
        "campaign_count": len(campaigns),
        "campaigns": [wikilink(path) for path in campaign_paths],
        "tags": [INDEX_TAG],
    }
    lines = [f"# {inline('Campaigns of ' + owner) if owner else 'Campaigns'}", ""]
    for campaign, path in zip(campaigns, campaign_paths, strict=True):
        details = [inline(campaign.get("game_system") or ""), "archived" if campaign.get("archived") else ""]
        details = ", ".join(detail for detail in details if detail)
        link = markdown_link(campaign_title(campaign), note=note, target=path)
        lines.append(f"- {link}" + (f" ({details})" if details else ""))
    if not campaigns:
        lines.append("No campaigns.")
    return _note(fields, lines)


def campaign_note(campaign, *, sessions, story, speaker_names, paths):
    """A campaign's note: its description, the story so far, the cast and its sessions
    (`sessions`: its session records, oldest first)."""
    note = paths.campaign_note(campaign)
    session_paths = [paths.session_note(campaign, session) for session in sessions]
    fields = {
        "type": "campaign",
        "name": property_text(campaign.get("name")),
        "id": campaign["id"],
        "game_system": property_text(campaign.get("game_system")),
        "archived": bool(campaign.get("archived")),
        "created": campaign.get("created"),
        "updated": campaign.get("updated"),
        "last_activity": campaign.get("last_activity"),
        "session_count": len(sessions),
        "sessions": [wikilink(path) for path in session_paths],
        "tags": [CAMPAIGN_TAG],
    }
    lines = [f"# {inline(campaign_title(campaign))}", ""]
    lines += [f"- All campaigns: {markdown_link(INDEX_NAME, note=note, target=paths.index_note())}"]
    if campaign.get("game_system"):
        lines.append(f"- Game system: {inline(campaign['game_system'])}")
    if campaign.get("archived"):
        lines.append("- Archived")
    if (campaign.get("description") or "").strip():
        lines += ["", plain_markdown(campaign["description"])]
    lines += ["", "## The story so far", "", _summary_text(story) or "Not written yet."]
    lines += ["", "## The cast", "", *_cast_lines(speaker_names)]
    lines += ["", "## Sessions", ""]
    for session, path in zip(sessions, session_paths, strict=True):
        lines.append(f"- {markdown_link(session_label(session), note=note, target=path)}")
    if not sessions:
        lines.append("No sessions yet.")
    return _note(fields, lines)


def _cast_lines(speaker_names):
    names = (speaker_names or {}).get("names") or {}
    shown = [(label, entry_display(entry)) for label, entry in sorted(names.items())]
    lines = [f"- {inline(name)}: {inline(label)} in the transcripts" for label, name in shown if name]
    return lines or ["No speaker named yet."]


def session_note(
    session, *, campaign, summaries, speaker_names, paths, previous=None, following=None, transcript_in_zip=True
):
    """A session's note: its notes, each summary as a section, links to its campaign, the
    sessions before and after it, and its transcript's files (`transcript_in_zip` False:
    they were missing from storage, so the note says so and links to nothing)."""
    note = paths.session_note(campaign, session)
    campaign_path = paths.campaign_note(campaign)
    previous_path = paths.session_note(campaign, previous) if previous else None
    following_path = paths.session_note(campaign, following) if following else None
    transcript = session.get("transcript")
    fields = {
        "type": "session",
        "title": property_text(session.get("title")),
        "campaign": wikilink(campaign_path),
        "number": session.get("number"),
        "played": date_or_text(session.get("played_on")),
        "speakers": [property_text(speaker) for speaker in speakers(session, speaker_names)],
        "id": session["id"],
        "campaign_id": campaign["id"],
        "created": session.get("created"),
        "updated": session.get("updated"),
        "previous": wikilink(previous_path) if previous_path else None,
        "next": wikilink(following_path) if following_path else None,
        "transcript": bool(transcript),  # its files are linked from the body: a path here could read as a link
        "tags": [SESSION_TAG],
    }
    lines = [f"# {inline(session_title(session))}", ""]
    lines.append(f"- Campaign: {markdown_link(campaign_title(campaign), note=note, target=campaign_path)}")
    if session.get("played_on"):
        lines.append(f"- Played on {inline(session['played_on'])}")
    if previous_path:
        lines.append(f"- Previous session: {markdown_link(session_label(previous), note=note, target=previous_path)}")
    if following_path:
        lines.append(f"- Next session: {markdown_link(session_label(following), note=note, target=following_path)}")
    if (session.get("notes") or "").strip():
        lines += ["", "## Notes", "", plain_markdown(session["notes"])]
    for summary in ordered_summaries(summaries):
        lines += ["", f"## {inline(summary_heading(summary['kind']))}", "", _summary_text(summary) or "(empty)"]
    if transcript and transcript_in_zip:
        lines += ["", "## Transcript", "", *_transcript_lines(transcript, note)]
    elif transcript:
        lines += ["", "## Transcript", "", "The transcript's file was missing from storage when this was exported."]
    return _note(fields, lines)


def speakers(session, speaker_names):
    """The transcript's speakers as the app shows them: "Character (Player)" where the
    campaign names them, else the label."""
    names = (speaker_names or {}).get("names") or {}
    labels = ((session.get("transcript") or {}).get("speakers")) or []
    return [entry_display(names.get(label)) or label for label in labels]


def ordered_summaries(summaries):
    """A session's summaries in the app's order (recap first), then kinds kept from v1.0 by name."""
    order = {kind: position for position, kind in enumerate(KINDS)}
    kept = [summary for summary in summaries or () if summary.get("kind") != STORY_SO_FAR]
    return sorted(kept, key=lambda summary: (order.get(summary["kind"], len(order)), summary["kind"]))


def summary_heading(kind):
    return KINDS.get(kind) or (kind or "").replace("_", " ").strip().capitalize() or "Summary"


def _summary_text(summary):
    if not summary or not (summary.get("text") or "").strip():
        return ""
    if summary.get("text_format") == "markdown":
        return summary_markdown(summary["text"])
    return plain_markdown(summary["text"])


def _transcript_lines(transcript, note):
    name = transcript.get("filename") or posixpath.basename(transcript["original"])
    lines = [f"- The file as uploaded: {markdown_link(name, note=note, target=transcript['original'])}"]
    if transcript.get("normalized"):
        lines.append(
            f"- Normalized (JSON): {markdown_link('normalized.json', note=note, target=transcript['normalized'])}"
        )
    return lines


def _note(fields, lines):
    return front_matter(fields) + "\n" + "\n".join(lines).rstrip("\n") + "\n"
