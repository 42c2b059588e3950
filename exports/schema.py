"""The export format's JSON Schema (exports/schema/export-v1.json), one validator per file
of the zip: `problems("session", record)` lists what is wrong with a line, in words."""

import functools
import json
from pathlib import Path

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "export-v1.json"
# What each file of the zip is checked against: a definition of the schema.
DEFINITIONS = {
    "manifest": "manifest",
    "campaigns": "campaign",
    "sessions": "session",
    "speaker_names": "speaker_names",
    "summaries": "summary",
    "share_links": "share_link",
}


@functools.cache
def schema():
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@functools.cache
def validator(kind):
    """A jsonschema validator of one file's records (`kind`: a key of DEFINITIONS)."""
    import jsonschema  # only an import (and the tests) check records: not loaded by pages

    document = {**schema(), "$ref": f"#/$defs/{DEFINITIONS[kind]}"}
    jsonschema.Draft202012Validator.check_schema(document)
    return jsonschema.Draft202012Validator(document, format_checker=jsonschema.FormatChecker())


def problems(kind, record):
    """What is wrong with `record` as a line of `kind`, one sentence each ([]: nothing)."""
    found = sorted(validator(kind).iter_errors(record), key=lambda error: list(error.absolute_path))
    return [_described(error) for error in found]


def _described(error):
    where = "/".join(str(part) for part in error.absolute_path)
    return f"{where}: {error.message}" if where else error.message
