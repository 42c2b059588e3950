"""shift_traffic's verify_v1 gate (cutover/gates.py) against a real PostgreSQL after
import_v1: a sample of imported accounts, or all of them, compared as verify_v1 does;
a drift in one account fails the gate when the sample holds it, and only then."""

import io
from datetime import timedelta

import psycopg
import pytest
from django.core.management import call_command
from django.utils import timezone
from mirror_world import V1_BUCKET

from campaigns_site import aws as aws_module
from campaigns_site.table_keys import CUTOVER_PK
from cutover.gates import verify_drift_gate
from cutover.state import SYNC_SK, SyncState, list_shifts
from v1 import checkpoints

pytestmark = pytest.mark.django_db

KEEPER = "Keeper@Example.com"


class Choose:
    """A stand-in for `random`: the sample is the accounts `wanted` picks."""

    def __init__(self, wanted):
        self.wanted = wanted

    def sample(self, records, count):
        return [record for record in records if self.wanted(record)][:count]


def keeper_s(record):
    return record.email == KEEPER.lower()


def rename_a_campaign_of_keeper(database):
    with psycopg.connect(database) as conn:
        conn.execute(
            "UPDATE campaigns SET name = 'Renamed on v1.0' WHERE id = (SELECT c.id FROM campaigns c "
            "JOIN users u ON u.id = c.owner_id WHERE u.email = %s AND c.deleted_at IS NULL ORDER BY c.id LIMIT 1)",
            [KEEPER],
        )


def test_a_sample_of_a_clean_import_passes(imported_v1, v1_small_database, v1_small_bucket, aws_calls):
    imported = len(checkpoints.list_imported_accounts())
    assert imported > 3
    with aws_calls() as calls:
        result = verify_drift_gate(source=v1_small_database, v1_bucket=v1_small_bucket, sample=3)
    assert result["ok"], result
    assert result["name"] == "verify_v1"
    assert result["detail"].startswith(f"3 of {imported} imported accounts: verify_v1: 0 differences; 3 accounts")
    assert calls.count("cognito-idp", "AdminGetUser") == 3  # only the sample is compared
    assert calls.count("dynamodb", "Scan") == 0

    full = verify_drift_gate(source=v1_small_database, v1_bucket=v1_small_bucket, full=True)
    assert full["ok"] and full["detail"].startswith(f"all {imported} imported accounts: verify_v1: 0 differences")


def test_a_drift_fails_the_gate_when_the_sample_holds_its_account(imported_v1, v1_small_database, v1_small_bucket):
    rename_a_campaign_of_keeper(v1_small_database)
    found = verify_drift_gate(source=v1_small_database, v1_bucket=v1_small_bucket, sample=2, rng=Choose(keeper_s))
    assert not found["ok"]
    imported = len(checkpoints.list_imported_accounts())
    assert found["detail"].startswith(f"1 of {imported} imported accounts: verify_v1: 1 difference (changed 1); 1 acc")
    assert "First: changed campaigns " in found["detail"]
    assert "Renamed on v1.0" not in found["detail"]  # ids only: the staff page shows it

    others = Choose(lambda record: not keeper_s(record))
    assert verify_drift_gate(source=v1_small_database, v1_bucket=v1_small_bucket, sample=2, rng=others)["ok"]
    assert not verify_drift_gate(source=v1_small_database, v1_bucket=v1_small_bucket, full=True)["ok"]


def test_an_unreachable_v1_database_fails_the_gate(aws):
    # One imported account's record is all the gate reads before it connects: no import needed.
    checkpoints.record_imported_account(v1_user_id=1, sub="sub-ana", email="ana@example.com", v1_user_ids=[1])
    aws_module.client("s3").create_bucket(Bucket=V1_BUCKET)
    result = verify_drift_gate(source="postgresql://nobody@127.0.0.1:1/none", v1_bucket=V1_BUCKET)
    assert not result["ok"] and "imported accounts: " in result["detail"]


def test_shift_traffic_passes_its_gates_after_a_clean_import(imported_v1, v1_small_database, v1_small_bucket):
    SyncState(CUTOVER_PK, SYNC_SK, last_pass=timezone.now() - timedelta(seconds=5), lag_seconds=1).save()
    out = io.StringIO()
    call_command(
        "shift_traffic",
        "--percent",
        "10",
        "--source",
        v1_small_database,
        "--v1-bucket",
        v1_small_bucket,
        "--sample",
        "4",
        "--by",
        "ada",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert "ok    verify_v1: 4 of" in out.getvalue()
    assert "Shifted: 10 %" in out.getvalue()
    (record,) = list_shifts()
    assert record.to_percent == 10 and all(gate["ok"] for gate in record.gate_results)
