"""/staff/migration/: the v1.0 import's checkpoint and last report, verify_v1's last result
and the way to the cutover's page; for staff only; two GetItem; counts only, never a
report line (a v1.0 row's id and detail) nor a user's text."""

import json
from datetime import UTC, datetime

from django.test import Client

from campaigns_site import aws as aws_module
from campaigns_site.table_keys import V1_IMPORT_PK, V1_IMPORT_RUN_SK
from tests.iam_policy import IamRecorder, evaluate, policy_for
from tests.web_clients import signed_in
from v1.checkpoints import COMPLETE, RUNNING, ImportRun
from v1.differences import CHANGED, COUNT, Verification
from v1.report import CASE_DUPLICATE, SOFT_DELETED, TEXT_CUT, Report
from v1.verify_record import EVERYONE, record_verification

PAGE = "/staff/migration/"
SECRET = "Moonlitharbor"  # a user's text, as a report line's detail or a difference could quote it


def a_report():
    report = Report(source_rows={"users": 12, "campaigns": 30, "game_sessions": 210})
    report.wrote("users", 11)
    report.wrote("sessions", 200)
    report.found("campaigns", 2)
    report.transcript_bytes = 5 * 1024**2
    report.accounts_done = 11
    report.skip("campaigns", "c-9", SOFT_DELETED)
    report.skip("users", "7", CASE_DUPLICATE, "Keeper@Example.com")
    report.note("game_sessions", "s-3", TEXT_CUT, f"notes: {SECRET}…")
    return report


def complete_pass(report=None):
    ImportRun(
        V1_IMPORT_PK,
        V1_IMPORT_RUN_SK,
        state=COMPLETE,
        started=datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
        finished=datetime(2026, 12, 1, 8, 42, tzinfo=UTC),
        done_through=4031,
        report=(report or a_report()).as_json(),
    ).save()


def staff_client():
    client = signed_in("ada@example.com")
    client.get("/")  # the login message is shown once
    return client


def test_anonymous_is_sent_to_log_in(aws, db):
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/staff/migration/"


def test_a_signed_in_user_who_is_not_staff_gets_our_403(player, staff):
    response = signed_in("bo@example.com").get(PAGE)
    assert response.status_code == 403
    assert response.templates[0].name == "403.html"


def test_before_any_import_the_page_says_so_with_two_reads(staff, aws_calls):
    client = staff_client()
    with aws_calls() as calls:
        response = client.get(PAGE)
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["staff/migration.html", "base.html"]
    # The web session and the profile, as every signed-in page, with the import's checkpoint
    # and verify_v1's last result (the page's declared reads: campaigns_site.prefetch).
    assert calls.operations() == ["dynamodb.BatchGetItem"]
    html = response.content.decode()
    assert "No whole import pass is recorded" in html
    assert "None yet: a pass keeps its report once it completes." in html
    assert "None recorded: <code>manage.py verify_v1" in html
    assert '<a href="/staff/cutover/">cutover page</a>' in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_staff_see_the_last_pass_s_counts_and_the_last_verify(staff):
    complete_pass()
    result = Verification(source_rows={"users": 12})
    result.accounts = 11
    result.compared.update({"users": 11, "campaigns": 28})
    result.on_purpose.skip("campaigns", "c-9", SOFT_DELETED)
    result.differ(CHANGED, "game_sessions", "s-1", "sub c/s", f"notes: v1.0 '{SECRET}', here 'x'")
    result.differ(COUNT, "sessions", "4", "sub", "v1.0 3, here 2")
    result.differ(COUNT, "summaries", "4", "sub", "v1.0 3, here 2")
    record_verification(result, scope=EVERYONE, now=datetime(2026, 12, 2, 10, 5, tzinfo=UTC))

    html = staff_client().get(PAGE).content.decode()
    assert "<dt>Pass</dt><dd>complete</dd>" in html
    assert "1 Dec 2026, 08:42 UTC" in html and "<dt>Done through</dt><dd>v1.0 user 4031</dd>" in html
    assert "<dt>v1.0 rows</dt><dd>campaigns 30, game_sessions 210, users 12</dd>" in html
    assert "<dt>Written</dt><dd>sessions 200, users 11</dd>" in html
    assert "<dt>Already here</dt><dd>campaigns 2</dd>" in html
    assert "<dt>Transcript bytes written</dt><dd>5.0\xa0MB</dd>" in html
    assert "<tr><td><code>soft_deleted</code></td><td>1</td><td>not imported</td></tr>" in html
    assert "<tr><td><code>text_cut</code></td><td>1</td><td>imported, changed</td></tr>" in html
    assert '<dt>Result</dt><dd><span class="badge badge-warning">exit 1</span> 3 differences</dd>' in html
    assert "every account: 11 accounts; campaigns 28, users 11" in html
    assert "<tr><td><code>changed</code></td><td>1</td></tr>" in html
    assert "<tr><td><code>count</code></td><td>2</td></tr>" in html
    # Never a line's id or detail, a difference's words, an e-mail.
    assert SECRET not in html and "Keeper@Example.com" not in html and "c-9" not in html


def test_a_killed_pass_is_marked_and_a_clean_verify_says_so(staff):
    ImportRun(
        V1_IMPORT_PK,
        V1_IMPORT_RUN_SK,
        state=RUNNING,
        started=datetime(2026, 12, 3, 8, 0, tzinfo=UTC),
        done_through=17,
    ).save()
    record_verification(Verification(), scope=EVERYONE)
    html = staff_client().get(PAGE).content.decode()
    assert '<span class="badge badge-warning">running</span> (a killed run goes on after v1.0 user 17' in html
    assert "<dt>Finished</dt><dd>not yet</dd>" in html
    assert "None yet: a pass keeps its report once it completes." in html
    assert "exit 0: v1.0 and this app agree" in html


def test_an_unreadable_report_does_not_break_the_page(staff):
    ImportRun(
        V1_IMPORT_PK, V1_IMPORT_RUN_SK, state=COMPLETE, started=datetime(2026, 12, 3, tzinfo=UTC), report="{not json"
    ).save()
    html = staff_client().get(PAGE).content.decode()
    assert "The report kept with the checkpoint cannot be read." in html
    assert json.loads(a_report().as_json())["reasons"]  # the shape the page reads


def test_the_lambda_role_allows_every_call_the_page_makes(staff, settings):
    client = staff_client()
    recorder = IamRecorder()
    with aws_module.record_aws_calls(recorder):
        client.get(PAGE)
    policy = policy_for(settings)
    assert recorder.requests and all(evaluate(policy, request) for request in recorder.requests)


def test_a_post_is_refused(staff):
    assert signed_in("ada@example.com").post(PAGE).status_code == 405
