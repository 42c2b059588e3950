"""Reading an export back (manage.py import_data): the zip, its manifest and every line of
its data files, checked against the format (exports/format.py, exports/schema/export-v1.json)
before anything is written. exports/checks.py then ties the ids up and tries each
transcript.

Every problem found is kept, with where it is (file and line) and what it belongs to: the
whole zip (no manifest, an unknown version, a line whose owner cannot be told), a campaign
(its line, its speaker names, its story so far), or a session (its line, its transcript,
a summary or share link of it). import_data stops on any of them, or with --skip-bad
leaves out exactly what they belong to: a whole campaign with its sessions, a whole
session with its transcript, summaries and links, never half of one.
"""

import json
import re
import zipfile
from dataclasses import dataclass, field

from exports import format as export_format
from exports import schema

# Where a line that does not parse says whose it is: the ids it names, found in its raw text.
_ULID = r"([0-9A-HJKMNP-TV-Z]{26})"
_RAW_ID = {name: re.compile(rf'"{name}"\s*:\s*"{_ULID}"') for name in ("id", "campaign_id", "session_id")}
# Which of a line's ids name its campaign and its session (None: it belongs to none).
OWNER_FIELDS = {
    export_format.CAMPAIGNS: ("id", None),
    export_format.SESSIONS: ("campaign_id", "id"),
    export_format.SPEAKER_NAMES: ("campaign_id", None),
    export_format.SUMMARIES: ("campaign_id", "session_id"),
    export_format.SHARE_LINKS: ("campaign_id", "session_id"),
}


@dataclass(frozen=True)
class Problem:
    where: str  # "data/sessions.jsonl line 3", "manifest.json", "transcripts/<id>/original/x.vtt"
    what: str
    campaign_id: str | None = None  # set: the campaign is bad (with all its sessions)
    session_id: str | None = None  # set: the session is bad (whole)

    @property
    def whole_zip(self):
        return self.campaign_id is None and self.session_id is None

    def __str__(self):
        return f"{self.where}: {self.what}"


@dataclass
class ExportContents:
    """One zip as read: the manifest, the lines of each data file that passed the schema
    (with their line numbers), and every problem found."""

    name: str  # the zip's path or s3:// address, for messages
    manifest: dict | None = None
    lines: dict = field(default_factory=lambda: {kind: [] for kind in export_format.KINDS})  # {kind: [(n, record)]}
    problems: list = field(default_factory=list)

    def records(self, kind):
        return [record for _, record in self.lines[kind]]

    def problem(self, where, what, *, campaign_id=None, session_id=None):
        self.problems.append(Problem(where, what, campaign_id=campaign_id, session_id=session_id))

    @property
    def unusable(self):
        """Problems of the whole zip: nothing of it can be imported."""
        return [problem for problem in self.problems if problem.whole_zip]

    @property
    def bad_campaigns(self):
        return {problem.campaign_id for problem in self.problems if problem.campaign_id and not problem.session_id}

    @property
    def bad_sessions(self):
        return {problem.session_id for problem in self.problems if problem.session_id}


def schema_complaint(kind, document):
    """What the schema says is wrong with `document` as a line of `kind` ("" when nothing)."""
    return "; ".join(schema.problems(kind, document))


def read_export(archive, *, name):
    """ExportContents of an open zipfile.ZipFile: the manifest and the data lines. The zip
    itself is opened by the caller (zipfile.BadZipFile: see open_problem)."""
    contents = ExportContents(name=name)
    if not _read_manifest(archive, contents):
        return contents
    for kind in export_format.KINDS:
        _read_lines(archive, kind, contents)
    return contents


def open_problem(error, *, name):
    """The ExportContents of a file that is no zip at all (zipfile.BadZipFile, OSError)."""
    contents = ExportContents(name=name)
    contents.problem("the file", f"not a readable zip ({error})")
    return contents


def _read_manifest(archive, contents):
    try:
        manifest = json.loads(archive.read(export_format.MANIFEST).decode("utf-8"))
    except KeyError:
        contents.problem(export_format.MANIFEST, "missing: this is not an export of Campaign Sessions")
        return False
    except (UnicodeDecodeError, ValueError, zipfile.BadZipFile) as error:
        contents.problem(export_format.MANIFEST, f"not readable JSON ({error})")
        return False
    if not isinstance(manifest, dict) or manifest.get("format") != export_format.FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        contents.problem(export_format.MANIFEST, f"unknown format {found!r}: expected {export_format.FORMAT!r}")
        return False
    version = manifest.get("version")
    if version not in export_format.SUPPORTED_VERSIONS:
        known = ", ".join(str(known) for known in export_format.SUPPORTED_VERSIONS)
        contents.problem(export_format.MANIFEST, f"this export is version {version}; this app reads version {known}")
        return False
    complaint = schema_complaint("manifest", manifest)
    if complaint:
        contents.problem(export_format.MANIFEST, f"does not match the schema: {complaint}")
        return False
    contents.manifest = manifest
    return True


def _read_lines(archive, kind, contents):
    path = export_format.data_path(kind)
    try:
        stream = archive.open(path)
    except KeyError:
        contents.problem(path, "missing from the zip")
        return
    count = 0
    try:
        with stream:
            for number, raw in enumerate(stream, start=1):
                count = number
                _read_line(kind, f"{path} line {number}", number, raw, contents)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        contents.problem(path, f"cannot be read whole ({error})")
        return
    expected = contents.manifest["counts"][kind]
    if count != expected:
        contents.problem(path, f"has {count} lines where the manifest counts {expected}: the export is incomplete")


def _read_line(kind, where, number, raw, contents):
    text = raw.decode("utf-8", errors="replace").rstrip("\n")
    try:
        record = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        _line_problem(contents, kind, where, f"not JSON ({error})", text=text)
        return
    complaint = schema_complaint(kind, record)
    if complaint:
        _line_problem(contents, kind, where, f"does not match the schema: {complaint}", record=record, text=text)
        return
    contents.lines[kind].append((number, record))


def _line_problem(contents, kind, where, what, *, record=None, text=""):
    """A bad line, charged to the campaign or session it names (in its JSON, else in its
    raw text); to the whole zip when it names none that can be told."""
    campaign_field, session_field = OWNER_FIELDS[kind]
    campaign_id = _id_in(record, text, campaign_field)
    session_id = _id_in(record, text, session_field) if session_field else None
    if kind == export_format.SUMMARIES and session_id is None and "story_so_far" not in text:
        campaign_id = None  # a session's summary whose session cannot be told: it could be anyone's half
    if kind == export_format.SHARE_LINKS and session_id is None:
        campaign_id = None
    contents.problem(where, what, campaign_id=campaign_id, session_id=session_id)


def _id_in(record, text, name):
    if name is None:
        return None
    if isinstance(record, dict) and isinstance(record.get(name), str) and re.fullmatch(_ULID, record[name]):
        return record[name]
    found = _RAW_ID[name].search(text)
    return found.group(1) if found else None
