"""import_data given a bad export: by default it stops before writing anything and lists every
problem (file, line, the schema's complaint); with --skip-bad it imports the rest and names
what it left out: a bad session whole, a bad campaign with its sessions, never half of one."""

import copy
import hashlib
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from accounts import cognito
from campaigns_site import aws as aws_module
from campaigns_site import dynamodb
from campaigns_site.table_keys import new_id, user_pk
from tests.export_zips import EMAIL, export_of, fresh_deployment, make_account

pytestmark = pytest.mark.django_db
_made = {}


@pytest.fixture
def export(make_user, make_campaign, settings):
    """A sound export of Ada's account (made once, copied for each test), and an empty deployment."""
    if "export" not in _made:
        _made["export"] = export_of(make_account(make_user, make_campaign), with_token_hashes=True)
    fresh_deployment(settings)
    return copy.deepcopy(_made["export"])


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("import_data", *[str(arg) for arg in args], stdout=out, stderr=err)
    except CommandError as error:
        return None, f"{err.getvalue()}\n{error}"
    return out.getvalue(), err.getvalue()


def line_of(export, kind, test):
    return next(index for index, line in enumerate(export.lines[kind]) if test(line))


def summary_index(export, title, kind):
    session_id = export.session(title)["id"]
    return line_of(export, "summaries", lambda line: line["session_id"] == session_id and line["kind"] == kind)


# Each spoiler breaks the export and says what the run must say, and what --skip-bad leaves
# out: ("zip", None) the whole zip, ("session", title) one session, ("campaign", name) one campaign.
def not_a_zip(export, path):
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    return "not a readable zip", ("zip", None)


def cut_short(export, path):
    data = export.write(path).read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return "not a readable zip", ("zip", None)


def no_manifest(export, path):
    export.manifest = None
    return "manifest.json: missing", ("zip", None)


def version_2(export, path):
    export.manifest["version"] = 2
    return "this export is version 2; this app reads version 1", ("zip", None)


def another_format(export, path):
    export.manifest["format"] = "obsidian-vault"
    return "unknown format 'obsidian-vault'", ("zip", None)


def session_not_json(export, path):
    index = line_of(export, "sessions", lambda line: line["title"] == "Session zero")
    session_id = export.lines["sessions"][index]["id"]
    export.lines["sessions"][index] = f'{{"id": "{session_id}", "title": "Session zero", oops'
    return f"data/sessions.jsonl line {index + 1}: not JSON", ("session", "Session zero")


def summary_off_schema(export, path):
    index = summary_index(export, "The Death House", "recap")
    export.lines["summaries"][index]["input_tokens"] = -3
    where = f"data/summaries.jsonl line {index + 1}: does not match the schema: input_tokens: -3 is less than"
    return where, ("session", "The Death House")


def campaign_off_schema(export, path):
    index = line_of(export, "campaigns", lambda line: line["name"] == "Dragon Heist")
    export.lines["campaigns"][index]["archived"] = "yes"
    return f"data/campaigns.jsonl line {index + 1}: does not match the schema: archived:", ("campaign", "Dragon Heist")


def unknown_field(export, path):
    export.session("The Warehouse")["secret"] = "x"
    return "Additional properties are not allowed ('secret' was unexpected)", ("session", "The Warehouse")


def summary_of_nobody(export, path):
    export.lines["summaries"][0] = "not json, and no session id in it"
    return "data/summaries.jsonl line 1: not JSON", ("zip", None)


def session_of_a_missing_campaign(export, path):
    export.session("The Warehouse")["campaign_id"] = new_id()
    return "is not in the zip", ("session", "The Warehouse")


def summary_of_a_missing_session(export, path):
    orphan = copy.deepcopy(export.lines["summaries"][summary_index(export, "The Warehouse", "recap")])
    orphan["session_id"] = new_id()
    export.lines["summaries"].append(orphan)
    export.manifest["counts"]["summaries"] += 1
    return f"a summary of session {orphan['session_id']}, which is not in the zip", ("orphan", None)


def session_twice(export, path):
    export.lines["sessions"].append(copy.deepcopy(export.session("The Warehouse")))
    export.manifest["counts"]["sessions"] += 1
    return "is on line", ("session", "The Warehouse")


def transcript_missing(export, path):
    del export.files[export.session("The Warehouse")["transcript"]["original"]]
    return "transcript is missing from the zip", ("session", "The Warehouse")


def transcript_changed(export, path):
    original = export.session("The Warehouse")["transcript"]["original"]
    export.files[original] += b"\n"
    return "its sha256 is not the one data/sessions.jsonl gives", ("session", "The Warehouse")


def transcript_unparseable(export, path):
    transcript = export.session("The Warehouse")["transcript"]
    export.files[transcript["original"]] = b"1\nnope\n"
    transcript["sha256"] = hashlib.sha256(b"1\nnope\n").hexdigest()
    return "does not parse as srt: Line 2: subtitle 1 has no timing", ("session", "The Warehouse")


def lines_missing(export, path):
    export.lines["speaker_names"] = []
    return "has 0 lines where the manifest counts 1", ("zip", None)


SPOILERS = [
    not_a_zip,
    cut_short,
    no_manifest,
    version_2,
    another_format,
    session_not_json,
    summary_off_schema,
    campaign_off_schema,
    unknown_field,
    summary_of_nobody,
    session_of_a_missing_campaign,
    summary_of_a_missing_session,
    session_twice,
    transcript_missing,
    transcript_changed,
    transcript_unparseable,
    lines_missing,
]


def spoiled(export, tmp_path, spoil):
    path = tmp_path / "spoiled.zip"
    message, left_out = spoil(export, path)
    if not path.exists():
        export.write(path)
    return path, message, left_out


def written_keys():
    found = cognito.find_user(email=EMAIL)
    if found is None:
        return []
    return [item["SK"] for page in dynamodb.query_pages(user_pk(found["sub"])) for item in page]


@pytest.mark.parametrize("spoil", SPOILERS, ids=lambda spoil: spoil.__name__)
def test_by_default_nothing_is_written_and_every_problem_is_said(export, tmp_path, spoil):
    path, message, _ = spoiled(export, tmp_path, spoil)
    output, said = run(path)
    assert output is None
    assert message in said and "nothing was written" in said
    assert cognito.find_user(email=EMAIL) is None
    assert aws_module.client("s3").list_objects_v2(Bucket=settings.TRANSCRIPT_BUCKET).get("KeyCount") == 0


@pytest.mark.parametrize("spoil", SPOILERS, ids=lambda spoil: spoil.__name__)
def test_skip_bad_imports_the_rest_and_names_what_it_left_out(export, tmp_path, spoil):
    sound = copy.deepcopy(export)
    path, message, (what, name) = spoiled(export, tmp_path, spoil)
    output, _ = run(path, "--skip-bad")
    assert message in output
    keys = written_keys()
    if what == "zip":
        assert "the whole zip" in output and keys == []
        return
    left_out = set()
    if what == "session":
        left_out = {sound.session(name)["id"]}
    if what == "campaign":
        campaign_id = next(line["id"] for line in sound.lines["campaigns"] if line["name"] == name)
        assert f"campaign {campaign_id} (with all its sessions)" in output
        assert not [key for key in keys if campaign_id in key]
        left_out = {line["id"] for line in sound.lines["sessions"] if line["campaign_id"] == campaign_id}
    for session_id in left_out:
        assert what == "campaign" or f"session {session_id} (whole" in output
        assert not [key for key in keys if session_id in key], "never half a session"
    kept = [line for line in sound.lines["sessions"] if line["id"] not in left_out]
    if what == "campaign":
        kept = [line for line in kept if line["campaign_id"] != campaign_id]
    for line in kept:
        assert f"SESSION#{line['campaign_id']}#{line['id']}" in keys
    summaries_kept = [line for line in sound.lines["summaries"] if line["session_id"] not in left_out]
    if what != "campaign":
        assert len([key for key in keys if key.startswith("SUMMARY#")]) == len(summaries_kept)


def test_every_problem_is_listed_at_once(export, tmp_path):
    transcript_missing(export, tmp_path)
    summary_off_schema(export, tmp_path)
    _, said = run(export.write(tmp_path / "two.zip"))
    assert "2 problems in the export" in said
    assert "transcript is missing" in said and "data/summaries.jsonl line" in said
