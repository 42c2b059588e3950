"""YAML front matter for the Markdown vault's notes, written by hand: PyYAML is not in the
Lambda package, and the subset needed here is small.

Every string is double-quoted, with anything a YAML reader could take for structure or
refuse written as an escape: `"` and `\\`, control characters (C0, DEL, C1), line and
paragraph separators (U+0085, U+2028, U+2029: line breaks to YAML 1.1), the byte order
mark, noncharacters and lone surrogates. So whatever a user typed (quotes, colons, `#`, a
leading `-`, newlines, emoji) stays one value. Dates ("2024-05-31") are written bare, as
YAML dates, which Obsidian shows as a date property; everything else is a string, a whole
number, true/false, null or a list of those.
"""

import re
from datetime import date

_KEY = re.compile(r"[a-z][a-z_]*")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}  # YAML 1.1 reads these as bool/null
_NAMED_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}
_NAMED_ESCAPES |= {"\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P"}


def front_matter(fields):
    """`fields` ({key: value}, in order) as a front matter block, "---" lines included."""
    lines = ["---"]
    for key, value in fields.items():
        if not _KEY.fullmatch(key) or key in _YAML_WORDS:
            raise ValueError(f"not a plain key: {key!r}")
        if isinstance(value, list | tuple):
            lines.append(f"{key}:" if value else f"{key}: []")
            lines.extend(f"  - {scalar(item)}" for item in value)
        else:
            lines.append(f"{key}: {scalar(value)}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def scalar(value):
    """One value as YAML."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return quoted(str(value))


def date_or_text(text):
    """A "YYYY-MM-DD" that is a real date as a date (written bare), anything else as itself
    (quoted): a bare "2024-13-45" would stop a YAML reader."""
    if isinstance(text, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return text
    return text


def quoted(text):
    """`text` as a double-quoted YAML scalar that reads back as exactly `text`."""
    return '"' + "".join(_escaped(char) for char in text) + '"'


def _escaped(char):
    if char in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[char]
    code = ord(char)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return f"\\x{code:02X}"
    if 0xD800 <= code <= 0xDFFF or code in (0xFEFF, 0xFFFE, 0xFFFF):
        return f"\\u{code:04X}"
    return char
