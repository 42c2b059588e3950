"""Where summary jobs run (sessions/summaries/tasks.py): Zappa's @task on Lambda (with
botocore's Stubber on the app's Lambda client, then Zappa's handler routing the
payload), the local worker thread, inline and manual; and the settings that choose."""

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from botocore.stub import ANY

from campaigns.repository import create_campaign
from sessions.core.repository import create_session, get_session
from sessions.summaries import runners
from sessions.summaries import tasks as summary_tasks
from sessions.summaries.items import DONE, FAILED, QUEUED, RUNNING
from sessions.summaries.jobs import DISPATCH_FAILURE, start_story_job, start_summary_job
from sessions.summaries.repository import get_summary_job, list_summaries_for_session
from tests.lambda_stub import FUNCTION, stubbed_lambda
from tests.transcript_samples import sample_bytes
from tests.transcript_uploads import store_transcript

SUB = "user-1"
PROJECT_DIR = Path(__file__).resolve().parent.parent


def new_session(name="Dragon Heist"):
    campaign = create_campaign(sub=SUB, name=name)
    session = create_session(sub=SUB, campaign_id=campaign.campaign_id, title="The Yawning Portal")
    store_transcript(
        sub=SUB,
        campaign_id=campaign.campaign_id,
        session_id=session.session_id,
        data=sample_bytes("vtt", hours=0.2),
        filename="x.vtt",
    )
    return get_session(sub=SUB, campaign_id=campaign.campaign_id, session_id=session.session_id)


pytestmark = [
    pytest.mark.campaign(sub=SUB, name="Dragon Heist"),
    pytest.mark.session(title="The Yawning Portal", transcript=sample_bytes("vtt", hours=0.2), filename="x.vtt"),
]


def start(session, kinds=("recap",)):
    return start_summary_job(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id, kinds=kinds)


def job_of(session):
    return get_summary_job(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id)


def kinds_of(session):
    return [
        s.kind
        for s in list_summaries_for_session(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id)
    ]


# --- inline and manual ---------------------------------------------------------------------------------
def test_inline_runs_the_job_in_the_request(session, settings):
    assert settings.SUMMARY_JOB_RUNNER == "inline"  # the tests' runner (tests/conftest.py)
    job = start(session)
    assert job.status == QUEUED  # as queued; it has run since
    assert job_of(session).status == DONE and kinds_of(session) == ["recap"]


def test_manual_only_queues(session, settings):
    settings.SUMMARY_JOB_RUNNER = "manual"
    start(session)
    assert job_of(session).status == QUEUED and kinds_of(session) == []


def test_a_runner_set_wrongly_behind_the_settings_back_fails_the_job_clearly(session, settings):
    settings.SUMMARY_JOB_RUNNER = "celery"
    job = start(session)
    assert (job.status, job.error) == (FAILED, DISPATCH_FAILURE)
    assert (job_of(session).status, job_of(session).failure_reason) == (FAILED, DISPATCH_FAILURE)
    settings.SUMMARY_JOB_RUNNER = "inline"
    start(session)  # and it can be retried
    assert job_of(session).status == DONE


# --- Lambda: Zappa's @task --------------------------------------------------------------------------------
@pytest.fixture
def zappa_lambda_client(settings, monkeypatch):
    """On "Lambda": the runner is "lambda", the function's name is set, and the app's
    Lambda client answers through botocore's Stubber. `sent` holds each Invoke's parameters."""
    with stubbed_lambda(settings, monkeypatch) as stubber:
        yield stubber


def test_on_lambda_a_job_is_an_asynchronous_invocation_of_the_function_itself(session, zappa_lambda_client):
    zappa_lambda_client.add_response(
        "invoke",
        {"StatusCode": 202},
        {"FunctionName": FUNCTION, "InvocationType": "Event", "Payload": ANY},
    )

    job = start(session)

    zappa_lambda_client.assert_no_pending_responses()
    (invoked,) = zappa_lambda_client.sent
    payload = json.loads(invoked["Payload"])
    assert payload["command"] == "zappa.asynchronous.route_lambda_task"
    assert payload["task_path"] == "sessions.summaries.tasks.summary_job_task"
    assert payload["args"] == []
    assert payload["kwargs"] == {
        "sub": SUB,
        "campaign_id": session.campaign_id,
        "session_id": session.session_id,
        "job_id": job.job_id,
    }
    assert job_of(session).status == QUEUED  # it runs in the other invocation


def test_a_refused_invocation_fails_the_job_at_once(session, zappa_lambda_client):
    zappa_lambda_client.add_client_error("invoke", "TooManyRequestsException", "Rate exceeded", 429)

    job = start(session)

    assert (job.status, job.error) == (FAILED, DISPATCH_FAILURE)
    assert job_of(session).failure_reason == DISPATCH_FAILURE


def test_the_story_job_goes_the_same_way(session, zappa_lambda_client, settings):
    settings.SUMMARY_JOB_RUNNER = "inline"
    start(session)  # a recap to tell the story from
    settings.SUMMARY_JOB_RUNNER = "lambda"
    zappa_lambda_client.add_response("invoke", {"StatusCode": 202})

    job = start_story_job(sub=SUB, campaign_id=session.campaign_id)

    payload = json.loads(zappa_lambda_client.sent[0]["Payload"])
    assert payload["task_path"] == "sessions.summaries.tasks.story_job_task"
    assert payload["kwargs"] == {"sub": SUB, "campaign_id": session.campaign_id, "job_id": job.job_id}


def test_off_lambda_the_lambda_runner_runs_the_job_at_once(session, settings, monkeypatch):
    """A management command on a production machine: Zappa's @task runs the function itself."""
    settings.SUMMARY_JOB_RUNNER = "lambda"
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    start(session)
    assert job_of(session).status == DONE


def test_zappas_handler_routes_the_payload_to_the_job(session, zappa_lambda_client, call_lambda):
    zappa_lambda_client.add_response("invoke", {"StatusCode": 202})
    job = start(session, kinds=["recap", "npcs"])
    payload = json.loads(zappa_lambda_client.sent[0]["Payload"])

    assert call_lambda(payload) is None  # the task answers nothing

    finished = job_of(session)
    assert (finished.job_id, finished.status, finished.attempts) == (job.job_id, DONE, 1)
    assert kinds_of(session) == ["recap", "npcs"]
    # Lambda delivers an asynchronous invocation again after an error or a lost reply: harmless.
    call_lambda(payload)
    assert job_of(session).attempts == 1
    assert {
        s.version
        for s in list_summaries_for_session(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id)
    } == {1}


def test_importing_the_jobs_loads_no_zappa(tmp_path):
    """zappa.asynchronous builds four boto3 clients (botocore's default timeouts) when
    imported: the jobs never load it, the "lambda" runner invokes with the app's client."""
    probe = (
        "import sys, django; django.setup(); import sessions.summaries.jobs, sessions.summaries.tasks; "
        "print(sorted(m for m in sys.modules if m.startswith('zappa')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(tmp_path),
            "APP_ENV": "local",
            "ORM_CACHE_PATH": str(tmp_path / "orm.sqlite3"),
            "DJANGO_SETTINGS_MODULE": "campaigns_site.settings",
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


# --- the local worker thread ---------------------------------------------------------------------------------
def wait_for(predicate, *, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("timed out waiting")


def test_the_thread_runner_works_in_the_background(served_aws, settings, monkeypatch):
    settings.SUMMARY_JOB_RUNNER = "thread"
    session = new_session()
    release = threading.Event()
    real = runners.summarize

    def held(request, **kwargs):
        assert release.wait(20), "never released"
        return real(request, **kwargs)

    monkeypatch.setattr(runners, "summarize", held)

    job = start(session, kinds=["recap", "loot"])  # returns without waiting for the summaries

    assert job.status == QUEUED
    running = wait_for(lambda: (found := job_of(session)).status == RUNNING and found)
    assert running.job_id == job.job_id and kinds_of(session) == []
    assert summary_tasks._worker.thread.name == "summary-jobs" and summary_tasks._worker.thread.daemon
    release.set()
    finished = wait_for(lambda: (found := job_of(session)).status == DONE and found)
    assert finished.done_kinds == ["recap", "loot"]
    assert kinds_of(session) == ["recap", "loot"]


def test_a_failing_task_does_not_stop_the_worker(served_aws, settings, caplog):
    settings.SUMMARY_JOB_RUNNER = "thread"
    session = new_session()

    def broken():
        raise RuntimeError("boom")

    summary_tasks._worker.submit(broken, {})
    start(session)

    assert wait_for(lambda: job_of(session).status == DONE)
    wait_for(lambda: summary_tasks._worker.pending == 0)
    assert any("broken failed" in record.getMessage() for record in caplog.records)


# --- settings ----------------------------------------------------------------------------------------------
SHOW = (
    "import django; from django.conf import settings; django.setup(); "
    "print(settings.SUMMARY_JOB_RUNNER, settings.SUMMARY_JOB_TIMEOUT_SECONDS)"
)
PRODUCTION = {
    "APP_ENV": "production",
    "DJANGO_SECRET_KEY": "Zt7-Qk2vLx9mWp4RbN8cYs1HdJf6GaUe3ToVi0XyKl5Bn_Mr8Sq2Wz" * 2,
    "DJANGO_ALLOWED_HOSTS": "sessions.example.com",
    "COGNITO_USER_POOL_ID": "eu-west-1_AbC123xyz",
    "COGNITO_APP_CLIENT_ID": "4k2j3h4g5f6d7s8a9p0o1i2u3y",
}


def show_settings(env, tmp_path):
    full_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "ORM_CACHE_PATH": str(tmp_path / "orm.sqlite3"),
        "DJANGO_SETTINGS_MODULE": "campaigns_site.settings",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", SHOW], cwd=PROJECT_DIR, env=full_env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "env, shown",
    [
        ({"APP_ENV": "local"}, "thread 300"),
        (PRODUCTION, "lambda 300"),
        ({"APP_ENV": "local", "SUMMARY_JOB_RUNNER": "manual", "SUMMARY_JOB_TIMEOUT_SECONDS": "120"}, "manual 120"),
    ],
)
def test_runner_and_timeout_settings(env, shown, tmp_path):
    result = show_settings(env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == shown


@pytest.mark.parametrize(
    "env, message",
    [
        ({"SUMMARY_JOB_RUNNER": "celery"}, "SUMMARY_JOB_RUNNER must be"),
        ({"SUMMARY_JOB_TIMEOUT_SECONDS": "soon"}, "SUMMARY_JOB_TIMEOUT_SECONDS must be a whole number"),
        ({"SUMMARY_JOB_TIMEOUT_SECONDS": "5"}, "SUMMARY_JOB_TIMEOUT_SECONDS must be at least 10"),
    ],
)
def test_bad_runner_settings_stop_start_up(env, message, tmp_path):
    result = show_settings({"APP_ENV": "local", **env}, tmp_path)
    assert result.returncode != 0
    assert message in result.stderr
