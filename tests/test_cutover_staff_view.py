"""/staff/cutover/: the split, its shifts with their gates, the sync, the outbox and the
latest conflicts, for staff only; by key (with the session check, and one Query of the
outbox; no Scan); metadata
only, never a user's text."""

import json
from datetime import UTC, datetime, timedelta

from django.test import Client
from django.utils import timezone

from campaigns_site.outbox import OutboxEntry
from campaigns_site.table_keys import CUTOVER_PK, OUTBOX_PK, new_id
from cutover.state import SYNC_SK, SyncState, record_conflict, record_shift
from cutover.traffic import read_split, write_split
from tests.iam_policy import POLICY
from tests.web_clients import signed_in

PAGE = "/staff/cutover/"
ARN = "arn:aws:cloudfront::123456789012:key-value-store/a1b2c3d4-5678-90ab-cdef-example11111"


def test_anonymous_is_sent_to_log_in(aws, db):
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/staff/cutover/"


def test_a_signed_in_user_who_is_not_staff_gets_our_403(player, staff):
    response = signed_in("bo@example.com").get(PAGE)
    assert response.status_code == 403
    assert response.templates[0].name == "403.html"
    assert "Traffic split" not in response.content.decode()


def test_before_any_shift_the_page_says_everyone_is_on_v1(staff, aws_calls):
    client = signed_in("ada@example.com")
    client.get("/")  # the login message is shown once
    with aws_calls() as calls:
        response = client.get(PAGE)
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["cutover/staff.html", "base.html"]
    assert calls.operations() == [
        # The web session and the profile, as every signed-in page, with the split, the sync
        # state and the recent shifts and conflicts (campaigns_site.prefetch).
        "dynamodb.BatchGetItem",
        "dynamodb.Query",  # the outbox's keys
    ]
    html = response.content.decode()
    assert "<dt>This app</dt><dd>0 %</dd>" in html and "<dt>v1.0</dt><dd>100 %</dd>" in html
    assert "the table only: no KeyValueStore configured" in html
    assert "<dt>Last pass</dt><dd>never</dd>" in html
    assert "None yet: every visitor goes to v1.0." in html
    assert "Empty: every change made here is in v1.0." in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_staff_see_the_shifts_gates_sync_outbox_and_conflicts(staff, settings):
    settings.CUTOVER_KVS_ARN = ""
    write_split(percent=25, read=read_split())
    record_shift(by="ann", from_percent=0, to_percent=10, gates=[{"name": "outbox", "ok": True, "detail": "empty"}])
    record_shift(
        by="bob",
        from_percent=10,
        to_percent=25,
        gates=[{"name": "sync lag", "ok": False, "detail": "75 s behind v1.0"}],
        forced=True,
    )
    SyncState(
        CUTOVER_PK,
        SYNC_SK,
        watermark_xid=812,
        watermark_id=4031,
        last_pass=timezone.now() - timedelta(seconds=20),
        lag_seconds=3,
        applied=1234,
    ).save()
    for _ in range(2):
        OutboxEntry(OUTBOX_PK, new_id(), sub="s-1", keys=[["USER#s-1", "CAMPAIGN#1"]], created=timezone.now()).save()
    record_conflict(
        kept="v1",
        what="game_sessions 0f5c2a",
        v1_updated=datetime(2026, 12, 5, 10, 0, 1, tzinfo=UTC),
        app_updated=datetime(2026, 12, 5, 10, 0, 0, tzinfo=UTC),
        detail="notes: 'The dragon's secret name'",
    )

    html = signed_in("ada@example.com").get(PAGE).content.decode()
    assert "<dt>This app</dt><dd>25 %</dd>" in html and "<dt>v1.0</dt><dd>75 %</dd>" in html
    # Newest first, with who, the gates and the marks.
    assert html.index("10 % → 25 %") < html.index("0 % → 10 %")
    assert "by bob" in html and "by ann" in html
    assert "<strong>failed</strong> sync lag: 75 s behind v1.0" in html
    assert "<strong>ok</strong> outbox: empty" in html
    assert '<span class="badge badge-warning">forced</span>' in html
    assert "rollback</span>" not in html
    assert "<dt>Lag</dt><dd>3 s</dd>" in html
    assert "<dt>Watermark</dt><dd>xid 812, change 4031</dd>" in html
    assert "<dt>Changes applied</dt><dd>1234</dd>" in html
    assert '<span class="badge badge-warning">2</span> changes made here wait to be applied to v1.0' in html
    assert "<code>game_sessions 0f5c2a</code>: kept v1.0's change" in html
    assert "changed on v1.0 5 Dec 2026, 10:00:01, here 5 Dec 2026, 10:00:00" in html
    assert "dragon" not in html  # the conflict's detail may quote a user's text: never shown


def test_a_rollback_is_marked(staff):
    record_shift(by="ann", from_percent=50, to_percent=0, gates=[], rollback=True)
    html = signed_in("ada@example.com").get(PAGE).content.decode()
    assert '<span class="badge badge-warning">rollback</span>' in html
    assert "No gates run." in html


def test_with_an_edge_configured_the_page_shows_the_table_s_copy_without_asking_cloudfront(staff, settings, aws_calls):
    settings.CUTOVER_KVS_ARN = ARN
    client = signed_in("ada@example.com")
    with aws_calls() as calls:
        html = client.get(PAGE).content.decode()
    assert f"CloudFront KeyValueStore <code>{ARN}</code> (shown: the table's copy" in html
    assert calls.count("cloudfront-keyvaluestore") == 0


def test_the_lambda_role_allows_every_call_the_page_makes(staff, aws_calls):
    client = signed_in("ada@example.com")
    with aws_calls() as calls:
        client.get(PAGE)
    allowed = set()
    for statement in json.loads(POLICY.read_text())["Statement"]:
        actions = statement["Action"]
        allowed.update([actions] if isinstance(actions, str) else actions)
    needed = {f"{service}:{operation}" for service, operation in calls}
    assert needed == {"dynamodb:BatchGetItem", "dynamodb:Query"}
    assert needed <= allowed


def test_a_post_is_refused(staff):
    assert signed_in("ada@example.com").post(PAGE).status_code == 405
