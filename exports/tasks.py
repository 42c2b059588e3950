"""Where exports run: campaigns_site/background.py, by settings.SUMMARY_JOB_RUNNER (on
Lambda an asynchronous invocation of the function itself with task_path
"exports.tasks.export_task"; locally a worker thread of its own, "export-jobs", so a long
export never holds a summary up)."""

import logging

from campaigns_site import background
from exports.runner import run_export

logger = logging.getLogger(__name__)


def dispatch_export(*, sub, campaign_id, job_id):
    """Run the export `job_id` (of the account, or of the campaign `campaign_id`) with the configured runner."""
    background.dispatch(export_task, {"sub": sub, "campaign_id": campaign_id, "job_id": job_id}, worker=_worker)


def export_task(sub, campaign_id, job_id):
    """Zappa's task (and the thread's): a plain top-level function; returns None and never
    raises, since an exception would make Lambda deliver the same invocation again."""
    try:
        run_export(sub=sub, campaign_id=campaign_id, job_id=job_id)
    except Exception:  # run_export catches its own; this is the last line
        logger.exception("export %s: the task failed", job_id)


_worker = background.Worker("export-jobs")
