"""Where background jobs run, by settings.SUMMARY_JOB_RUNNER: the summary jobs
(sessions/summaries/tasks.py) and the exports (exports/tasks.py) hand their tasks over here.

- "lambda" (production): Zappa's @task. On Lambda it invokes this same function
  asynchronously (InvocationType=Event) with the payload
  {"command": "zappa.asynchronous.route_lambda_task",
   "task_path": "<module>.<function>", "args": [], "kwargs": {...}},
  which Zappa's handler routes to the task in a new invocation, with the function's own
  timeout (zappa_settings.json) instead of API Gateway's 29 s. Off Lambda (no
  AWS_LAMBDA_FUNCTION_NAME: a management command) it runs at once, as @task does.
  The invocation is sent with the app's Lambda client (campaigns_site.aws: its timeouts
  and retries, its calls recorded), not Zappa's: zappa.asynchronous builds four boto3
  clients with botocore's defaults (60 s timeouts) when imported, so it is never imported.
- "thread" (local runs): a daemon worker thread in this process (one per Worker: each
  kind of job has its own, so a long export never holds summaries up) takes tasks from a
  queue, one at a time, started on first use. A job lost with the process (an autoreload)
  stays queued until its deadline, then reads as failed and can be retried.
- "inline" (tests): at once, inside the request.
- "manual": only queued; something else runs the job (the browser tests, tests that look
  at a queued job).

A task is a plain top-level function (Zappa names it by module and name) taking keyword
arguments JSON can carry; it must never raise (Lambda would deliver it again).
"""

import json
import logging
import os
import queue
import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from campaigns_site import aws

logger = logging.getLogger(__name__)

RUNNERS = ("lambda", "thread", "inline", "manual")


class DispatchFailed(Exception):
    """The runner did not take the job (Lambda refused the invocation)."""


def dispatch(task, kwargs, *, worker):
    """Run task(**kwargs) with the configured runner; `worker` is the thread of the "thread" runner."""
    runner = settings.SUMMARY_JOB_RUNNER
    if runner == "manual":
        return
    if runner == "inline":
        task(**kwargs)
    elif runner == "thread":
        worker.submit(task, kwargs)
    elif runner == "lambda":
        invoke_on_lambda(task, kwargs)
    else:
        raise ImproperlyConfigured(f"SUMMARY_JOB_RUNNER must be one of {', '.join(RUNNERS)}, not {runner!r}")


def invoke_on_lambda(task, kwargs):
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


class Worker:
    """One daemon thread (named `name`) running queued tasks in order; an exception is
    logged, never fatal."""

    def __init__(self, name):
        self.name = name
        self.tasks = queue.Queue()
        self.thread = None
        self.lock = threading.Lock()

    def submit(self, task, kwargs):
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._work, name=self.name, daemon=True)
                self.thread.start()
        self.tasks.put((task, kwargs))

    def _work(self):
        while True:
            task, kwargs = self.tasks.get()
            try:
                task(**kwargs)
            except Exception:
                logger.exception("%s worker: %s failed", self.name, task.__name__)
            finally:
                self.tasks.task_done()

    @property
    def pending(self):
        """Tasks queued or running now."""
        return self.tasks.unfinished_tasks
