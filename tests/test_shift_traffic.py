"""manage.py shift_traffic: the gates of a step forward refuse one by one (and --force goes
past them, recorded as forced), a step back drains the outbox first, --rollback sends
everyone to v1.0, every shift is recorded; the KeyValueStore path through botocore's
Stubber. The verify_v1 gate against a real PostgreSQL: tests/legacy/test_cutover_gates.py."""

import io
from datetime import timedelta

import pytest
from botocore.stub import Stubber
from django.core.management import CommandError, call_command
from django.utils import timezone

from campaigns_site import aws as aws_module
from campaigns_site.outbox import OutboxEntry
from campaigns_site.table_keys import CUTOVER_PK, OUTBOX_PK, new_id
from cutover import gates
from cutover.management.commands import shift_traffic
from cutover.state import SYNC_SK, SyncState, list_shifts
from cutover.traffic import read_split, stored_split
from tests.kvs_stub import ARN, expect_read

VERIFIED = {"name": "verify_v1", "ok": True, "detail": "20 of 40 imported accounts: verify_v1: 0 differences"}


@pytest.fixture
def healthy(aws, monkeypatch):
    """Every gate holds: the sync ran 10 s ago 5 s behind, the outbox is empty, no
    CloudWatch metric is configured, and verify_v1 (stood in for: it needs PostgreSQL) finds
    nothing. Returns the verify gate's calls."""
    sync_ran(seconds_ago=10, lag=5)
    calls = []

    def verified(**options):
        calls.append(options)
        return dict(VERIFIED)

    monkeypatch.setattr(gates, "verify_drift_gate", verified)
    return calls


def sync_ran(*, seconds_ago, lag):
    SyncState(CUTOVER_PK, SYNC_SK, last_pass=timezone.now() - timedelta(seconds=seconds_ago), lag_seconds=lag).save()


def queue_outbox_entry():
    OutboxEntry(OUTBOX_PK, new_id(), sub="s-1", keys=[["USER#s-1", "CAMPAIGN#1"]], created=timezone.now()).save()


def shift(*arguments):
    """(stdout, stderr) of the command; raises its CommandError."""
    out, err = io.StringIO(), io.StringIO()
    call_command("shift_traffic", *arguments, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(*arguments):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("shift_traffic", *arguments, stdout=out, stderr=err)
    return out.getvalue(), str(error.value)


def set_split(percent):
    from cutover.traffic import write_split

    write_split(percent=percent, read=read_split())


# --- showing ---------------------------------------------------------------------------
def test_without_a_percent_it_shows_the_split_and_the_usual_next_step(aws):
    out, _ = shift()
    assert "The split: 0 % of visitors to this app, 100 % to v1.0 (read from the table" in out
    assert "The usual next step: --percent 10." in out
    set_split(100)
    assert "Every visitor is on this app: once that has held, retire_v1." in shift()[0]
    assert list_shifts() == []


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--percent", "101"], "--percent is 0 to 100, not 101."),
        (["--percent", "-1"], "--percent is 0 to 100, not -1."),
        (["--percent", "10", "--rollback"], "Give --percent or --rollback, not both"),
        (["--percent", "10", "--sample", "0"], "--sample is at least 1, not 0."),
    ],
)
def test_bad_input_is_one_line(aws, arguments, message):
    assert message in refused(*arguments)[1]


# --- a step forward ---------------------------------------------------------------------
def test_a_step_forward_with_every_gate_holding_is_made_and_recorded(healthy):
    out, _ = shift("--percent", "10", "--by", "ada", "--sample", "7")
    assert "Gates for 0 % → 10 %:" in out
    assert "ok    outbox: empty" in out
    assert "ok    sync lag: 5 s behind v1.0" in out
    assert "ok    5xx: skipped: no CloudWatch metric configured" in out
    assert "ok    verify_v1: 20 of 40" in out
    assert "Shifted: 10 % of visitors to this app, 90 % to v1.0 (was 0 %)." in out
    assert healthy[0]["sample"] == 7 and healthy[0]["full"] is False
    assert read_split().percent == 10
    (record,) = list_shifts()
    assert (record.by, record.from_percent, record.to_percent, record.forced, record.rollback) == (
        "ada",
        0,
        10,
        False,
        False,
    )
    assert [gate["name"] for gate in record.gate_results] == ["outbox", "sync lag", "5xx", "verify_v1"]
    assert all(gate["ok"] for gate in record.gate_results)


def test_full_and_the_source_reach_the_verify_gate(healthy, settings):
    settings.V1_SOURCE_DSN, settings.V1_BUCKET = "postgresql://default/v1", "v1-bucket"
    shift("--percent", "10", "--full")
    options = {name: value for name, value in healthy[-1].items() if name != "rng"}
    assert options == {"source": "postgresql://default/v1", "v1_bucket": "v1-bucket", "sample": 20, "full": True}
    shift("--percent", "25", "--source", "postgresql://other/v1", "--v1-bucket", "other-bucket")
    assert healthy[-1]["source"] == "postgresql://other/v1" and healthy[-1]["v1_bucket"] == "other-bucket"


def test_a_step_other_than_the_usual_one_is_noted_and_allowed(healthy):
    out, _ = shift("--percent", "30")
    assert "Note: the usual next step is 10 %, not 30 %." in out
    assert "Shifted: 30 %" in out
    assert "usual" not in shift("--percent", "50")[0]


def test_who_shifted_defaults_to_the_login(healthy, monkeypatch):
    monkeypatch.setenv("USER", "operator-ann")
    shift("--percent", "10")
    assert list_shifts()[0].by == "operator-ann"


def test_the_same_percentage_again_changes_nothing(healthy):
    shift("--percent", "10")
    out, _ = shift("--percent", "10")
    assert "Already at 10 %: nothing changed." in out
    assert len(list_shifts()) == 1


def assert_refused_by(gate_name, arguments=("--percent", "10")):
    out, error = refused(*arguments)
    assert f"Refused: {gate_name} failed (above); the split stays at 0 %." in error
    assert "--force" in error
    assert f"FAIL  {gate_name}:" in out
    assert read_split().percent == 0
    assert list_shifts() == []
    return out


def test_a_pending_outbox_entry_refuses(healthy):
    queue_outbox_entry()
    out = assert_refused_by("outbox")
    assert "1 change(s) made here wait to be applied to v1.0" in out


def test_a_sync_a_minute_behind_refuses(healthy):
    sync_ran(seconds_ago=10, lag=61)
    assert "61 s behind v1.0 at its last pass, 10 s ago (a step needs under 60 s)" in assert_refused_by("sync lag")


def test_a_sync_that_stopped_refuses(healthy):
    sync_ran(seconds_ago=181, lag=0)
    assert "the sync's last pass was 181 s ago: it is not running" in assert_refused_by("sync lag")


def test_a_sync_that_never_ran_refuses(healthy):
    SyncState(CUTOVER_PK, SYNC_SK).delete()
    assert "the sync has never run" in assert_refused_by("sync lag")


def test_more_5xx_this_hour_than_the_last_refuses(healthy, settings):
    settings.CUTOVER_API_NAME = "campaign-sessions-production"
    put_5xx(last_hour=3, hour_before=1)
    assert "rose: API campaign-sessions-production: 3 5xx answers in the last hour, 1 the hour before" in (
        assert_refused_by("5xx")
    )


def test_a_drift_found_by_verify_v1_refuses(healthy, monkeypatch):
    monkeypatch.setattr(
        gates, "verify_drift_gate", lambda **_: {"name": "verify_v1", "ok": False, "detail": "1 difference"}
    )
    assert "FAIL  verify_v1: 1 difference" in assert_refused_by("verify_v1")


def test_every_failed_gate_is_named(healthy):
    queue_outbox_entry()
    sync_ran(seconds_ago=10, lag=90)
    assert "Refused: outbox, sync lag failed" in refused("--percent", "10")[1]


def test_force_goes_past_failed_gates_with_a_warning_and_is_recorded_as_forced(healthy):
    queue_outbox_entry()
    out, err = shift("--percent", "10", "--force")
    assert "Forced past failed gates: outbox." in err
    assert "Shifted: 10 %" in out
    (record,) = list_shifts()
    assert record.forced
    assert [gate["ok"] for gate in record.gate_results] == [False, True, True, True]


def test_force_with_every_gate_holding_is_not_recorded_as_forced(healthy):
    shift("--percent", "10", "--force")
    assert not list_shifts()[0].forced


# --- the 5xx gate against moto's CloudWatch ---------------------------------------------
def put_5xx(*, last_hour, hour_before, api="campaign-sessions-production"):
    now = timezone.now()
    for count, minutes_ago in ((last_hour, 20), (hour_before, 80)):
        if count:
            aws_module.client("cloudwatch").put_metric_data(
                Namespace="AWS/ApiGateway",
                MetricData=[
                    {
                        "MetricName": "5XXError",
                        "Dimensions": [{"Name": "ApiName", "Value": api}],
                        "Timestamp": now - timedelta(minutes=minutes_ago),
                        "Value": count,
                    }
                ],
            )


def test_the_5xx_gate_compares_the_last_hour_with_the_one_before(aws, settings):
    assert gates.error_rate_gate() == {
        "name": "5xx",
        "ok": True,
        "detail": "skipped: no CloudWatch metric configured (CUTOVER_API_NAME)",
    }
    settings.CUTOVER_API_NAME = "campaign-sessions-production"
    assert gates.error_rate_gate()["detail"] == (
        "API campaign-sessions-production: 0 5xx answers in the last hour, 0 the hour before"
    )
    put_5xx(last_hour=2, hour_before=4)
    put_5xx(last_hour=50, hour_before=0, api="another-api")  # not ours
    assert gates.error_rate_gate() == {
        "name": "5xx",
        "ok": True,
        "detail": "API campaign-sessions-production: 2 5xx answers in the last hour, 4 the hour before",
    }
    put_5xx(last_hour=3, hour_before=0)
    assert not gates.error_rate_gate()["ok"]


def test_a_refused_cloudwatch_fails_the_5xx_gate(aws, settings):
    settings.CUTOVER_API_NAME = "campaign-sessions-production"
    with Stubber(aws_module.client("cloudwatch")) as stub:
        stub.add_client_error("get_metric_statistics", service_error_code="AccessDenied", http_status_code=403)
        result = gates.error_rate_gate()
    assert not result["ok"] and "CloudWatch refused or is unreachable" in result["detail"]


def test_the_verify_gate_needs_a_source_and_a_bucket(aws):
    assert "pass --source or set V1_SOURCE_DSN" in gates.verify_drift_gate(source="", v1_bucket="b")["detail"]
    assert (
        "pass --v1-bucket or set V1_BUCKET" in gates.verify_drift_gate(source="postgresql://x", v1_bucket="")["detail"]
    )
    no_import = gates.verify_drift_gate(source="postgresql://x", v1_bucket="b")
    assert (no_import["ok"], no_import["detail"]) == (False, "no imported account to compare: run import_v1 first")


# --- a step back, and the rollback --------------------------------------------------------
@pytest.fixture
def no_drain_command(monkeypatch):
    """drain_outbox as a branch without it has it: unknown."""

    def call(name, *args, **kwargs):
        assert name == "drain_outbox"
        raise CommandError(f"Unknown command: {name!r}")

    monkeypatch.setattr(shift_traffic, "call_command", call)


@pytest.fixture
def drained(monkeypatch):
    """A drain_outbox that applies (here: deletes) every entry, as the mirror does."""
    calls = []

    def call(name, *args, **kwargs):
        calls.append(name)
        for entry in OutboxEntry.query(OUTBOX_PK):
            entry.delete()

    monkeypatch.setattr(shift_traffic, "call_command", call)
    return calls


def test_a_step_back_needs_no_forward_gate_but_drains_the_outbox_first(healthy, drained):
    shift("--percent", "50")
    sync_ran(seconds_ago=600, lag=500)  # the forward gates would refuse now
    queue_outbox_entry()
    out, _ = shift("--percent", "25", "--by", "ada")
    assert "Draining the outbox into v1.0 first" in out
    assert drained == ["drain_outbox"]
    assert "Shifted: 25 % of visitors to this app, 75 % to v1.0 (was 50 %)." in out
    record = list_shifts()[0]
    assert (record.from_percent, record.to_percent, record.rollback, record.forced) == (50, 25, False, False)
    assert [gate["name"] for gate in record.gate_results] == ["outbox"]


def test_rollback_drains_sets_zero_and_is_recorded_as_a_rollback(healthy, drained):
    shift("--percent", "50")
    queue_outbox_entry()
    out, _ = shift("--rollback", "--by", "ada")
    assert "Rolled back: 0 % of visitors to this app, 100 % to v1.0 (was 50 %)." in out
    assert read_split().percent == 0
    record = list_shifts()[0]
    assert (record.from_percent, record.to_percent, record.rollback, record.forced) == (50, 0, True, False)
    assert record.gate_results == [{"name": "outbox", "ok": True, "detail": "empty: every change made here is in v1.0"}]


def test_rollback_is_refused_while_the_outbox_keeps_entries_the_drain_could_not_apply(healthy, no_drain_command):
    shift("--percent", "50")
    queue_outbox_entry()
    out, error = refused("--rollback")
    assert "Refused: outbox failed (above); the split stays at 50 %." in error
    assert read_split().percent == 50 and len(list_shifts()) == 1

    out, err = shift("--rollback", "--force")
    assert "drain_outbox: Unknown command: 'drain_outbox'" in err
    assert "Forced past failed gates: outbox." in err
    assert read_split().percent == 0
    record = list_shifts()[0]
    assert (record.to_percent, record.rollback, record.forced) == (0, True, True)


def test_rollback_with_an_empty_outbox_and_no_drain_command_goes_ahead(healthy, no_drain_command):
    shift("--percent", "10")
    out, err = shift("--rollback")
    assert "Rolled back" in out and "Unknown command" in err
    assert read_split().percent == 0


def test_rollback_at_zero_drains_and_changes_nothing(aws, drained):
    out, _ = shift("--rollback")
    assert "Already at 0 %: nothing changed." in out
    assert drained == ["drain_outbox"] and list_shifts() == []


# --- the KeyValueStore ------------------------------------------------------------------
def test_with_an_edge_the_step_is_put_in_the_store_with_the_etag_read(healthy, kvs):
    expect_read(kvs, etag="ETAG1", value="10")
    kvs.add_response(
        "put_key",
        {"ItemCount": 1, "TotalSizeInBytes": 16, "ETag": "ETAG2"},
        {"KvsARN": ARN, "Key": "app_percent", "Value": "25", "IfMatch": "ETAG1"},
    )
    out, _ = shift("--percent", "25")
    assert f"The split: 10 % of visitors to this app, 90 % to v1.0 (read from CloudFront KeyValueStore {ARN})" in out
    assert "Shifted: 25 %" in out
    assert (stored_split().percent, stored_split().kvs_etag) == (25, "ETAG2")
    assert (list_shifts()[0].from_percent, list_shifts()[0].to_percent) == (10, 25)


def test_with_an_edge_changed_by_someone_else_nothing_is_changed_or_recorded(healthy, kvs):
    expect_read(kvs, etag="ETAG1", value="10")
    kvs.add_client_error("put_key", service_error_code="ConflictException", http_status_code=409)
    _, error = refused("--percent", "25")
    assert "Nothing changed: the KeyValueStore changed since it was read (ETag ETAG1 is stale): someone else" in error
    assert stored_split() is None and list_shifts() == []


def test_with_an_edge_that_refuses_the_read_the_command_says_so(healthy, kvs):
    kvs.add_client_error("describe_key_value_store", service_error_code="AccessDeniedException", http_status_code=403)
    assert "Cannot read the split: CloudFront KeyValueStore" in refused("--percent", "25")[1]
