"""The app's log lines as errors for staff: Logs Insights results (rows of @timestamp and
@message) turned into one row per failed request, with no AWS call and no Django model.

The lines are campaigns_site.log_format's JSON objects: the request line (logger
campaigns_site.requests: request_id, path without its query string, status) and the
ERROR lines that share its request_id (with the traceback in `exception`). Lines of
another shape (a traceback the Lambda runtime printed itself, outside Django) become a row
of their own. Every text is cut to a few hundred characters: the lines never carry a
user's text (request_log.py and log_format.py make sure of it), and the page escapes
what it shows.
"""

import json
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

TYPE_MAX = 100  # characters of an exception's type
LINE_MAX = 200  # characters of an error's first line
PATH_MAX = 200
REQUEST_ID_MAX = 64
ERROR_LEVELS = ("ERROR", "CRITICAL")
# "ValueError: ...", "django.db.utils.OperationalError: ...", "[ERROR] Runtime.ImportModuleError: ..."
_TYPE_AND_MESSAGE = re.compile(r"^(?:\[[A-Z]+\]\s+)?([A-Za-z_][\w.]*)(?::\s?(.*))?$")


@dataclass
class ErrorRow:
    at: datetime
    request_id: str = ""
    path: str = ""
    status: int | None = None
    error_type: str = ""
    first_line: str = ""

    def as_json(self):
        return {**asdict(self), "at": self.at.isoformat()}

    @classmethod
    def from_json(cls, data):
        return cls(**{**data, "at": datetime.fromisoformat(data["at"])})


def rows_of_results(results, *, limit):
    """The newest `limit` errors, newest first, from GetQueryResults' `results`."""
    rows = {}
    for result in results:
        fields = {field["field"]: field.get("value", "") for field in result}
        at = parse_timestamp(fields.get("@timestamp", ""))
        line = fields.get("@message", "")
        if at is None or not line:
            continue
        _add_line(rows, at=at, line=line, ptr=fields.get("@ptr", ""))
    errors = [row for row in rows.values() if row.error_type or (row.status or 0) >= 500]
    return sorted(errors, key=lambda row: row.at, reverse=True)[:limit]


def parse_timestamp(value):
    """Logs Insights says "2026-12-05 14:16:51.123" (UTC); moto says milliseconds since 1970."""
    value = str(value).strip()
    if value.isdigit():
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC)
    try:
        return datetime.fromisoformat(value.replace(" ", "T")).replace(tzinfo=UTC)
    except ValueError:
        return None


def _add_line(rows, *, at, line, ptr):
    data = _json_object(line)
    if data is None:
        if "Traceback" in line or "[ERROR]" in line:
            error_type, first_line = type_and_first_line(line)
            rows[ptr or f"{at.isoformat()}#{len(rows)}"] = ErrorRow(at=at, error_type=error_type, first_line=first_line)
        return
    request_id = _cut(data.get("request_id"), REQUEST_ID_MAX)
    row = rows.setdefault(request_id or ptr or f"{at.isoformat()}#{len(rows)}", ErrorRow(at=at))
    row.at = max(row.at, at)
    row.request_id = row.request_id or request_id
    if "status" in data:  # the request line
        row.path = _cut(str(data.get("path") or "").split("?", 1)[0], PATH_MAX)
        row.status = _status(data.get("status"))
    if str(data.get("level", "")).upper() in ERROR_LEVELS and not row.error_type:
        row.error_type, row.first_line = type_and_first_line(data.get("exception") or "", data.get("message"))


def type_and_first_line(traceback_text, message=None):
    """(the exception's type, the first line of its message) from a traceback's text, or
    ("logged error", the log message's first line) when the line has no traceback."""
    lines = [line for line in str(traceback_text).splitlines() if line.strip()]
    # The raised exception's line follows the last frame (frames and their code are indented).
    last_frame = max((i for i, line in enumerate(lines) if line.startswith((" ", "\t"))), default=-1)
    for line in lines[last_frame + 1 :] or lines[-1:]:
        found = _TYPE_AND_MESSAGE.match(line.strip())
        if found and not line.startswith("Traceback"):
            return _cut(found.group(1), TYPE_MAX), _cut(found.group(2) or "", LINE_MAX)
    first = (str(message or "").strip().splitlines() or [""])[0]
    return "logged error", _cut(first, LINE_MAX)


def _json_object(line):
    start = line.find("{")
    if start < 0:
        return None
    try:
        data = json.loads(line[start:])
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _status(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _cut(value, limit):
    text = " ".join(str(value or "").split())  # one line, whatever it held
    return text if len(text) <= limit else text[: limit - 1] + "…"
