"""Where summary jobs run, by settings.SUMMARY_JOB_RUNNER. The jobs themselves, and every
promise about them (claimed once, never left running), are in sessions/summaries/jobs.py
(starting them) and sessions/summaries/runners.py (running them); this module only hands
them over.

- "lambda" (production): Zappa's @task. On Lambda it invokes this same function
  asynchronously (InvocationType=Event) with the payload
  {"command": "zappa.asynchronous.route_lambda_task",
   "task_path": "sessions.summaries.tasks.summary_job_task", "args": [], "kwargs": {...}},
  which Zappa's handler routes to the task in a new invocation, with the function's own
  timeout (zappa_settings.json) instead of API Gateway's 29 s. Off Lambda (no
  AWS_LAMBDA_FUNCTION_NAME: a management command) it runs at once, as @task does.
  The invocation is sent with the app's Lambda client (campaigns_site.aws: its timeouts
  and retries, its calls recorded), not Zappa's: zappa.asynchronous builds four boto3
  clients with botocore's defaults (60 s timeouts) when imported, so it is never imported.
- "thread" (local runs): one daemon worker thread in this process takes jobs from a
  queue, one at a time, started on first use. A job lost with the process (an
  autoreload) stays queued until its deadline, then reads as failed and can be retried.
- "inline" (tests): at once, inside the request.
- "manual": only queued; something else calls runners.run_summary_job (the browser
  test, tests that look at a queued job).
"""

import json
import logging
import os
import queue
import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from campaigns_site import aws
from sessions.summaries.runners import run_story_job, run_summary_job

logger = logging.getLogger(__name__)

RUNNERS = ("lambda", "thread", "inline", "manual")


class DispatchFailed(Exception):
    """The runner did not take the job (Lambda refused the invocation)."""


def dispatch_summary_job(*, sub, campaign_id, session_id, job_id):
    """Run the session's summary job `job_id` with the configured runner."""
    _dispatch(summary_job_task, {"sub": sub, "campaign_id": campaign_id, "session_id": session_id, "job_id": job_id})


def dispatch_story_job(*, sub, campaign_id, job_id):
    """Run the campaign's story-so-far job `job_id` with the configured runner."""
    _dispatch(story_job_task, {"sub": sub, "campaign_id": campaign_id, "job_id": job_id})


# --- the tasks: plain top-level functions, so that Zappa can name and import them -------------
def summary_job_task(sub, campaign_id, session_id, job_id):
    """Zappa's task (and the thread's): returns None, and never raises, since an exception
    would make Lambda deliver the same invocation again."""
    try:
        run_summary_job(sub=sub, campaign_id=campaign_id, session_id=session_id, job_id=job_id)
    except Exception:  # run_summary_job catches its own; this is the last line
        logger.exception("summary job %s: the task failed", job_id)


def story_job_task(sub, campaign_id, job_id):
    try:
        run_story_job(sub=sub, campaign_id=campaign_id, job_id=job_id)
    except Exception:
        logger.exception("story job %s: the task failed", job_id)


# --- runners ---------------------------------------------------------------------------------
def _dispatch(task, kwargs):
    runner = settings.SUMMARY_JOB_RUNNER
    if runner == "manual":
        return
    if runner == "inline":
        task(**kwargs)
    elif runner == "thread":
        _worker.submit(task, kwargs)
    elif runner == "lambda":
        _invoke_on_lambda(task, kwargs)
    else:
        raise ImproperlyConfigured(f"SUMMARY_JOB_RUNNER must be one of {', '.join(RUNNERS)}, not {runner!r}")


def _invoke_on_lambda(task, kwargs):
    """What Zappa's @task does (see the module docstring), with the app's Lambda client."""
    function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
    if not function_name:
        task(**kwargs)
        return
    # The message zappa.asynchronous.LambdaAsyncResponse sends, which its handler routes.
    message = {
        "task_path": f"{task.__module__}.{task.__name__}",
        "capture_response": False,
        "response_id": None,
        "args": [],
        "kwargs": kwargs,
        "command": "zappa.asynchronous.route_lambda_task",
    }
    response = aws.client("lambda").invoke(
        FunctionName=function_name, InvocationType="Event", Payload=json.dumps(message)
    )
    if response.get("StatusCode") != 202:
        raise DispatchFailed(f"Lambda did not accept the task {task.__name__}")


class _Worker:
    """One daemon thread running queued tasks in order; an exception is logged, never fatal."""

    def __init__(self):
        self.tasks = queue.Queue()
        self.thread = None
        self.lock = threading.Lock()

    def submit(self, task, kwargs):
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._work, name="summary-jobs", daemon=True)
                self.thread.start()
        self.tasks.put((task, kwargs))

    def _work(self):
        while True:
            task, kwargs = self.tasks.get()
            try:
                task(**kwargs)
            except Exception:
                logger.exception("summary worker: %s failed", task.__name__)
            finally:
                self.tasks.task_done()

    @property
    def pending(self):
        """Tasks queued or running now."""
        return self.tasks.unfinished_tasks


_worker = _Worker()
