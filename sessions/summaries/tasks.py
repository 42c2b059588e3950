"""Where summary jobs run, by settings.SUMMARY_JOB_RUNNER ("lambda": Zappa's @task, an
asynchronous invocation of this function with task_path
"sessions.summaries.tasks.summary_job_task"; "thread", "inline", "manual": see
campaigns_site/background.py, which does the handing over for every kind of background
job). The jobs themselves, and every promise about them (claimed once, never left
running), are in sessions/summaries/jobs.py (starting them) and
sessions/summaries/runners.py (running them); this module only names the tasks.
"""

import logging

from campaigns_site import background
from sessions.summaries.runners import run_story_job, run_summary_job

logger = logging.getLogger(__name__)


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


def _dispatch(task, kwargs):
    background.dispatch(task, kwargs, worker=_worker)


_worker = background.Worker("summary-jobs")
