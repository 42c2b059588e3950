"""Running import_v1 (and reading what it made) in tests: the command as an operator runs it."""

import io
import json

from django.core.management import call_command

from accounts import cognito
from campaigns_site.dynamodb import query, scan_pages
from campaigns_site.table_keys import user_pk


def run_import_v1(source, bucket, tmp_path, *options):
    """(the JSON report as a dict, the command's output)."""
    report_file = tmp_path / f"report-{len(list(tmp_path.glob('report-*.json')))}.json"
    out = io.StringIO()
    call_command(
        "import_v1",
        "--source",
        source,
        "--v1-bucket",
        bucket,
        "--report",
        str(report_file),
        *options,
        stdout=out,
        stderr=io.StringIO(),
    )
    return json.loads(report_file.read_text()), out.getvalue()


def sub_of(email):
    """The sub of the imported user with this address, in any letter case (the importer
    signs them up in lower case, as the app's forms do)."""
    found = cognito.find_user(email=email.strip().lower())
    return found["sub"] if found else None


def partition(email):
    """Every item of the user with this e-mail, as plain dicts."""
    return query(user_pk(sub_of(email)))


def whole_table():
    """Every item but the import's own (its checkpoint moves with each run), as plain
    dicts: a Scan, for tests only."""
    items = [item for page in scan_pages(where=None, attributes=None) for item in page]
    return sorted((item for item in items if item["PK"] != "V1IMPORT"), key=repr)


def lines_for(report, reason):
    return [line for line in report["lines"] if line["reason"] == reason]
