"""verify_v1's last result kept for the staff page (v1/verify_record.py, V1IMPORT/VERIFY):
counts only, never a difference's line, which names e-mails and quotes fields."""

import json
from datetime import UTC, datetime

from campaigns_site import aws as aws_module
from v1.differences import CHANGED, MISSING, Verification
from v1.report import SOFT_DELETED
from v1.verify_record import EVERYONE, ONE_USER, last_verification, record_verification

SECRET = "Quillfeatherlost"  # a user's notes, quoted by a difference's line


def a_verification(*, differences=True):
    result = Verification(source_rows={"users": 3, "campaigns": 4})
    result.accounts = 2
    result.compared.update({"users": 2, "campaigns": 4})
    result.on_purpose.skip("campaigns", "c-1", SOFT_DELETED, f"named {SECRET}")
    if differences:
        result.differ(MISSING, "campaigns", "c-2", "sub-1", "not here")
        result.differ(CHANGED, "game_sessions", "s-1", "sub-1 c/s", f"notes: v1.0 '{SECRET}', here 'x'")
        result.differ(CHANGED, "campaigns", "c-3", "sub-1", "name")
    return result


def test_a_run_s_counts_are_kept_and_read_back(aws, settings):
    assert last_verification() is None
    record_verification(a_verification(), scope=EVERYONE, now=datetime(2026, 12, 5, 9, 30, tzinfo=UTC))
    kept = last_verification()
    assert kept.finished == datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
    assert (kept.exit_status, kept.ok, kept.scope) == (1, False, EVERYONE)
    assert kept.differences == {"missing": 1, "changed": 2} and kept.difference_count == 3
    assert kept.compared == {"users": 2, "campaigns": 4} and kept.accounts == 2
    assert kept.on_purpose == {"soft_deleted": 1}
    assert kept.source_rows == {"users": 3, "campaigns": 4}

    item = aws_module.client("dynamodb").get_item(
        TableName=settings.DYNAMODB_TABLE, Key={"PK": {"S": "V1IMPORT"}, "SK": {"S": "VERIFY"}}
    )["Item"]
    assert SECRET not in json.dumps(item) and "sub-1" not in json.dumps(item)


def test_the_next_run_replaces_it(aws):
    record_verification(a_verification(), scope=EVERYONE)
    record_verification(a_verification(differences=False), scope=ONE_USER)
    kept = last_verification()
    assert (kept.exit_status, kept.ok, kept.scope, kept.differences) == (0, True, ONE_USER, {})
