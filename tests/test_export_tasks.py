"""Where exports run (exports/tasks.py through campaigns_site/background.py): on Lambda an
asynchronous invocation of the function itself that Zappa's handler routes to
exports.tasks.export_task; locally a worker thread of their own."""

import json
import time

import pytest
from botocore.stub import ANY

from accounts.profiles import create_profile
from exports import jobs, tasks
from exports.items import DONE, QUEUED
from tests.lambda_stub import FUNCTION, stubbed_lambda

SUB = "user-export-tasks"


@pytest.fixture
def lambda_runner(aws, settings, monkeypatch):
    """On "Lambda": the runner is "lambda", the function's name is set, and the app's Lambda
    client answers through botocore's Stubber. `sent` holds each Invoke's parameters."""
    create_profile(sub=SUB, email="tasks@example.com")
    with stubbed_lambda(settings, monkeypatch) as stubber:
        yield stubber


def test_on_lambda_an_export_is_an_asynchronous_invocation_zappa_routes_to_the_task(lambda_runner, call_lambda):
    lambda_runner.add_response(
        "invoke", {"StatusCode": 202}, {"FunctionName": FUNCTION, "InvocationType": "Event", "Payload": ANY}
    )
    export = jobs.start_export(sub=SUB)

    (invoked,) = lambda_runner.sent
    payload = json.loads(invoked["Payload"])
    assert payload["command"] == "zappa.asynchronous.route_lambda_task"
    assert payload["task_path"] == "exports.tasks.export_task"
    assert payload["kwargs"] == {"sub": SUB, "campaign_id": None, "job_id": export.job_id}
    assert jobs.get_export(sub=SUB).status == QUEUED  # it runs in the other invocation

    assert call_lambda(payload) is None  # Zappa's handler imports and runs the task
    finished = jobs.get_export(sub=SUB)
    assert (finished.status, finished.attempts) == (DONE, 1)
    call_lambda(payload)  # delivered again: harmless
    assert jobs.get_export(sub=SUB).attempts == 1


def test_a_refused_invocation_fails_the_export_at_once(lambda_runner):
    lambda_runner.add_client_error("invoke", "TooManyRequestsException", "Rate exceeded", 429)
    jobs.start_export(sub=SUB)
    assert jobs.get_export(sub=SUB).failure_reason == jobs.DISPATCH_FAILURE


def test_the_thread_runner_has_a_worker_of_its_own(served_aws, settings):
    settings.SUMMARY_JOB_RUNNER = "thread"
    create_profile(sub=SUB, email="tasks@example.com")

    jobs.start_export(sub=SUB)

    deadline = time.monotonic() + 20
    while jobs.get_export(sub=SUB).status != DONE:
        assert time.monotonic() < deadline, "the export never finished"
        time.sleep(0.05)
    assert tasks._worker.thread.name == "export-jobs" and tasks._worker.thread.daemon
