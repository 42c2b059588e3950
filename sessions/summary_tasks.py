"""Where summary jobs run, by settings.SUMMARY_JOB_RUNNER. The jobs themselves, and every
promise about them (claimed once, never left running), are in sessions/summary_jobs.py;
this module only hands them over.

- "lambda" (production): Zappa's @task. On Lambda it invokes this same function
  asynchronously (InvocationType=Event) with the payload
  {"command": "zappa.asynchronous.route_lambda_task",
   "task_path": "sessions.summary_tasks.summary_job_task", "args": [], "kwargs": {...}},
  which Zappa's handler routes to the task in a new invocation, with the function's own
  timeout (zappa_settings.json) instead of API Gateway's 29 s. Off Lambda (no
  AWS_LAMBDA_FUNCTION_NAME: a management command) @task runs it at once.
  zappa.asynchronous is imported on first dispatch only: it builds four boto3 clients
  when imported, which no cold start of a page should pay for.
- "thread" (local runs): one daemon worker thread in this process takes jobs from a
  queue, one at a time, started on first use. A job lost with the process (an
  autoreload) stays queued until its deadline, then reads as failed and can be retried.
- "inline" (tests): at once, inside the request.
- "manual": only queued; something else calls summary_jobs.run_summary_job (the browser
  test, tests that look at a queued job).
"""

import logging
import queue
import threading
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

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
    from sessions.summary_jobs import run_summary_job

    try:
        run_summary_job(sub=sub, campaign_id=campaign_id, session_id=session_id, job_id=job_id)
    except Exception:  # run_summary_job catches its own; this is the last line
        logger.exception("summary job %s: the task failed", job_id)


def story_job_task(sub, campaign_id, job_id):
    from sessions.summary_jobs import run_story_job

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
        sent = zappa_task(task)(**kwargs)
        # On Lambda: Zappa's LambdaAsyncResponse, `sent` when Lambda accepted it (202).
        if getattr(sent, "sent", True) is False:
            raise DispatchFailed(f"Lambda did not accept the task {task.__name__}")
    else:
        raise ImproperlyConfigured(f"SUMMARY_JOB_RUNNER must be one of {', '.join(RUNNERS)}, not {runner!r}")


@cache
def zappa_task(function):
    """`function` under Zappa's @task, decorated on first use (see the module docstring).
    Its task path is the plain function's (sessions.summary_tasks.<name>), which Zappa's
    handler imports and calls directly."""
    from zappa.asynchronous import task

    return task(function)


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
