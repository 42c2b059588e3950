"""/staff/errors/: the last errors of the app's Lambda from CloudWatch Logs Insights, cached
in the table (OPS / LASTERRORS#<window>) and asked again at most every 10 minutes, or by
the staff's button; for staff only; metadata only, never a user's text.

moto runs StartQuery and GetQueryResults but not the query's filter (it answers every
line in the time range): the app reads @message itself, so moto's answer proves the
whole path; Logs Insights' own answer shape (its timestamps, statistics, a query still
running, a refusal) comes through botocore's Stubber.
"""

import json
from datetime import timedelta

import pytest
from botocore.stub import ANY, Stubber
from django.test import Client
from django.utils import timezone

from campaigns_site import aws as aws_module
from staff import last_errors
from staff.last_errors import QUERY, LastErrors
from tests.iam_policy import IamRecorder, evaluate, policy_for
from tests.web_clients import post, signed_in

PAGE = "/staff/errors/"
REFRESH = "/staff/errors/refresh/"
FUNCTION = "campaign-sessions-production"
GROUP = f"/aws/lambda/{FUNCTION}"
SECRET = "Zanzibarquest"  # planted where a user's text could hide: it must never show


@pytest.fixture
def on_lambda(settings, monkeypatch):
    """The function named as on Lambda; provision (the aws fixture) made its log group."""
    monkeypatch.setenv("LAMBDA_FUNCTION_NAME", FUNCTION)
    settings.LAMBDA_FUNCTION_NAME = FUNCTION
    monkeypatch.setattr(last_errors, "POLL_INTERVAL_SECONDS", 0)


def put_lines(*lines, minutes_ago=5):
    at = int((timezone.now() - timedelta(minutes=minutes_ago)).timestamp() * 1000)
    logs = aws_module.client("logs")
    stream = f"2026/12/05/[$LATEST]{minutes_ago}"
    logs.create_log_stream(logGroupName=GROUP, logStreamName=stream)
    events = [{"timestamp": at + i, "message": json.dumps(line)} for i, line in enumerate(lines)]
    logs.put_log_events(logGroupName=GROUP, logStreamName=stream, logEvents=events)


def a_failed_request(request_id="req-1", path="/campaigns/01J/", message="boom"):
    traceback = (
        "Traceback (most recent call last):\n"
        '  File "/var/task/django/core/handlers/base.py", line 197, in _get_response\n'
        "    response = wrapped_callback(request, *callback_args, **callback_kwargs)\n"
        f"ValueError: {message}\nsecond line of the message"
    )
    return [
        {
            "level": "ERROR",
            "logger": "django.request",
            "message": f"Internal Server Error: {path}",
            "request_id": request_id,
            "exception": traceback,
        },
        {
            "level": "INFO",
            "logger": "campaigns_site.requests",
            "message": f"GET {path} 500",
            "request_id": request_id,
            "method": "GET",
            "path": path,
            "status": 500,
            "duration_ms": 12.5,
        },
    ]


def a_fine_request():
    return {"level": "INFO", "logger": "campaigns_site.requests", "request_id": "ok-1", "path": "/", "status": 200}


def staff_client():
    client = signed_in("ada@example.com")
    client.get("/")  # the login message is shown once
    return client


def test_anonymous_is_sent_to_log_in(aws, db):
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/staff/errors/"


def test_a_signed_in_user_who_is_not_staff_gets_our_403(player, staff):
    for response in (signed_in("bo@example.com").get(PAGE), post(signed_in("bo@example.com"), REFRESH)):
        assert response.status_code == 403
        assert response.templates[0].name == "403.html"


def test_without_a_function_named_the_page_says_so_and_asks_nothing(staff, monkeypatch, aws_calls):
    monkeypatch.delenv("LAMBDA_FUNCTION_NAME", raising=False)
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    client = staff_client()
    with aws_calls() as calls:
        response = client.get(PAGE)
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["staff/errors.html", "base.html"]
    assert calls.operations() == ["dynamodb.BatchGetItem"]  # the web session and profile only
    html = response.content.decode()
    assert "No Lambda function is configured" in html
    assert "No errors are recorded here." in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_staff_see_the_errors_of_the_last_day_from_logs_insights(staff, on_lambda, aws_calls):
    put_lines(a_fine_request(), *a_failed_request(), {"level": "INFO", "message": f"a {SECRET} line"})
    put_lines(*a_failed_request("old-1", "/search/"), minutes_ago=60 * 30)  # outside the last 24 h
    client = staff_client()
    with aws_calls() as calls:
        response = client.get(PAGE)
    assert calls.operations() == [
        "dynamodb.BatchGetItem",  # the web session and the profile, as every signed-in page
        "dynamodb.GetItem",  # the cached answer: none yet
        "dynamodb.PutItem",  # the claim: only this visit asks
        "logs.StartQuery",
        "logs.GetQueryResults",  # moto completes at once
        "dynamodb.PutItem",  # the answer kept
    ]
    html = response.content.decode()
    assert "<code>req-1</code>" in html
    assert "<code>/campaigns/01J/</code>" in html
    assert "<td>500</td>" in html
    assert "<strong>ValueError</strong>: boom" in html
    assert "second line" not in html
    assert "ok-1" not in html and "old-1" not in html
    assert SECRET not in html
    assert f"<code>{GROUP}</code>" in html
    assert "charges $0.005 per GB of logs it scans" in html


def test_the_answer_is_kept_for_ten_minutes_then_asked_again(staff, on_lambda, aws_calls, time_machine):
    time_machine.move_to(timezone.now())
    put_lines(*a_failed_request())
    client = staff_client()
    client.get(PAGE)
    time_machine.shift(timedelta(minutes=9))
    put_lines(*a_failed_request("req-2"), minutes_ago=1)
    with aws_calls() as calls:
        html = client.get(PAGE).content.decode()
    assert calls.operations() == ["dynamodb.BatchGetItem", "dynamodb.GetItem"]
    assert "req-2" not in html  # the kept answer
    time_machine.shift(timedelta(minutes=1))
    with aws_calls() as calls:
        html = client.get(PAGE).content.decode()
    assert calls.count("logs", "StartQuery") == 1
    assert "<code>req-2</code>" in html and "<code>req-1</code>" in html


def test_the_button_asks_again_at_once_but_not_twice_a_minute(staff, on_lambda, aws_calls, time_machine):
    time_machine.move_to(timezone.now())
    client = staff_client()
    client.get(PAGE)
    put_lines(*a_failed_request("req-new"), minutes_ago=0)
    with aws_calls() as calls:
        response = post(client, REFRESH, {"window": "24h"})
    assert response.status_code == 302 and response["Location"] == PAGE
    assert calls.count("logs", "StartQuery") == 0  # the page's own query is 0 s old
    assert "Asked less than a minute ago" in client.get(PAGE).content.decode()
    time_machine.shift(timedelta(seconds=61))
    with aws_calls() as calls:
        response = post(client, REFRESH, {"window": "24h"})
    assert calls.count("logs", "StartQuery") == 1
    html = client.get(PAGE).content.decode()
    assert "<code>req-new</code>" in html and "Asked CloudWatch Logs Insights again." in html


def test_of_two_visits_that_find_it_due_at_once_only_one_asks(staff, on_lambda, aws_calls, time_machine):
    from staff import last_errors

    time_machine.move_to(timezone.now())
    staff_client().get(PAGE)  # asked and kept
    time_machine.shift(timedelta(minutes=11))
    stale = last_errors._get("24h")  # what a second visit read before the first one claimed
    with aws_calls() as calls:
        staff_client().get(PAGE)  # the first visit: claims, asks
    assert calls.count("logs", "StartQuery") == 1
    now = last_errors.timezone.now()
    assert not last_errors._claim(stale, seen=stale.attempted, now=now)  # the second visit: asks nothing


def test_the_button_needs_the_csrf_token_and_a_post(staff, on_lambda):
    browser = signed_in("ada@example.com", enforce_csrf_checks=True)
    assert browser.post(REFRESH, {"window": "24h"}).status_code == 403
    assert browser.get(REFRESH).status_code == 405
    assert browser.post(PAGE).status_code in (403, 405)


def test_the_seven_days_window_is_its_own_answer(staff, on_lambda):
    put_lines(*a_failed_request("old-1", "/search/"), minutes_ago=60 * 30)
    client = staff_client()
    assert "old-1" not in client.get(PAGE).content.decode()
    html = client.get(PAGE, {"window": "7d"}).content.decode()
    assert "<code>old-1</code>" in html and "<code>/search/</code>" in html
    assert LastErrors.get("OPS", "LASTERRORS#7d").fetched is not None
    # An unknown window is the default one.
    assert client.get(PAGE, {"window": "1y"}).context["page"].window == "24h"


def stubbed_results(status, results=(), scanned=2 * 1024**3):
    return {
        "status": status,
        "results": list(results),
        "statistics": {"recordsMatched": 2.0, "recordsScanned": 9000.0, "bytesScanned": float(scanned)},
    }


def insights_row(at, line):
    """A row as Logs Insights answers it: its own time format, the line, a pointer."""
    return [
        {"field": "@timestamp", "value": at},
        {"field": "@message", "value": json.dumps(line)},
        {"field": "@ptr", "value": "CmAKJwoj…"},
    ]


def test_logs_insights_answer_shape_and_the_bytes_it_scanned(staff, on_lambda):
    error, request = a_failed_request("4f1c", "/share/abc/", message=f"<script>{SECRET[:3]}")
    rows = [insights_row("2026-12-05 14:00:00.120", request), insights_row("2026-12-05 14:00:00.118", error)]
    with Stubber(aws_module.client("logs")) as stub:
        stub.add_response(
            "start_query",
            {"queryId": "q-1"},
            {"logGroupName": GROUP, "startTime": ANY, "endTime": ANY, "queryString": QUERY, "limit": 200},
        )
        stub.add_response("get_query_results", stubbed_results("Running"), {"queryId": "q-1"})
        stub.add_response("get_query_results", stubbed_results("Complete", rows), {"queryId": "q-1"})
        html = staff_client().get(PAGE).content.decode()
        stub.assert_no_pending_responses()
    assert '<time datetime="2026-12-05T14:00:00.120000+00:00">5 Dec, 14:00:00</time>' in html
    assert "<strong>ValueError</strong>: &lt;script&gt;Zan" in html
    assert "<script>Zan" not in html
    assert "<dt>Scanned</dt><dd>2.0\xa0GB ($0.0100 at $0.005 per GB)</dd>" in html


def test_a_query_still_running_is_read_on_the_next_visit_without_a_second_scan(staff, on_lambda, aws_calls):
    client = staff_client()
    with Stubber(aws_module.client("logs")) as stub:
        stub.add_response("start_query", {"queryId": "q-2"})
        for _ in range(last_errors.POLL_ATTEMPTS):
            stub.add_response("get_query_results", stubbed_results("Running"), {"queryId": "q-2"})
        html = client.get(PAGE).content.decode()
        assert "The query is still running" in html
        row = insights_row("2026-12-05 13:00:00.000", a_failed_request("late-1")[0])
        stub.add_response("get_query_results", stubbed_results("Complete", [row]), {"queryId": "q-2"})
        with aws_calls() as calls:
            html = client.get(PAGE).content.decode()
        stub.assert_no_pending_responses()
    assert calls.count("logs", "StartQuery") == 0
    assert "<code>late-1</code>" in html and "still running" not in html


def test_a_refusal_is_shown_and_not_asked_again_on_every_visit(staff, on_lambda, aws_calls):
    client = staff_client()
    with Stubber(aws_module.client("logs")) as stub:
        stub.add_client_error("start_query", "AccessDeniedException", "not allowed")
        html = client.get(PAGE).content.decode()
        with aws_calls() as calls:
            client.get(PAGE)
    assert "StartQuery failed: AccessDeniedException." in html
    assert calls.count("logs") == 0


def test_the_lambda_role_allows_every_call_the_page_makes(staff, on_lambda, settings):
    client = staff_client()
    recorder = IamRecorder()
    with aws_module.record_aws_calls(recorder):
        client.get(PAGE)
    assert not recorder.unknown
    actions = {request.action for request in recorder.requests}
    assert {"logs:StartQuery", "logs:GetQueryResults"} <= actions
    policy = policy_for(settings)
    assert all(evaluate(policy, request) for request in recorder.requests), recorder.requests


def test_lines_of_other_shapes_and_long_texts():
    from staff.error_lines import LINE_MAX, rows_of_results, type_and_first_line

    def row(at, message):
        return [{"field": "@timestamp", "value": at}, {"field": "@message", "value": message}]

    runtime = "[ERROR] Runtime.ImportModuleError: Unable to import module 'handler': No module named 'x'"
    long_message = {"level": "ERROR", "request_id": "r-9", "message": "x" * 1000, "exception": ""}
    rows = rows_of_results(
        [row("1764943200000", runtime), row("1764943100000", json.dumps(long_message)), row("bad", "{}")],
        limit=10,
    )
    assert [r.error_type for r in rows] == ["Runtime.ImportModuleError", "logged error"]
    assert rows[0].first_line.startswith("Unable to import module") and rows[0].request_id == ""
    assert len(rows[1].first_line) == LINE_MAX and rows[1].first_line.endswith("…")
    assert type_and_first_line("Traceback (most recent call last):") == ("logged error", "")
    chained = (
        "Traceback (most recent call last):\n  File \"a.py\", line 1, in f\n    g()\nKeyError: 'k'\n\n"
        "During handling of the above exception, another exception occurred:\n\n"
        'Traceback (most recent call last):\n  File "b.py", line 2, in h\n    raise\n'
        "django.http.Http404: gone"
    )
    assert type_and_first_line(chained) == ("django.http.Http404", "gone")


def test_an_answer_kept_for_another_function_is_not_shown(staff, on_lambda, settings, monkeypatch):
    put_lines(*a_failed_request("prod-1"))
    client = staff_client()
    assert "<code>prod-1</code>" in client.get(PAGE).content.decode()
    monkeypatch.setenv("LAMBDA_FUNCTION_NAME", "campaign-sessions-dev")
    settings.LAMBDA_FUNCTION_NAME = "campaign-sessions-dev"
    aws_module.client("logs").create_log_group(logGroupName="/aws/lambda/campaign-sessions-dev")
    html = client.get(PAGE).content.decode()
    assert "prod-1" not in html and "<code>/aws/lambda/campaign-sessions-dev</code>" in html
