"""The item of an export a user asked for on a page (exports/jobs.py starts and runs them).

One per scope in the user's partition, the latest export of it, replaced by the next:
PK `USER#<sub>`, SK `EXPORT#ACCOUNT` ("Download everything") or `EXPORT#CAMPAIGN#<cid>`
("Download this campaign"). Its `status` goes queued -> running -> done or failed; while
running it says how far it got (step, done of total sessions). A job queued or running
past its deadline reads as failed (effective_status). Done, it names its zip in S3 and
how long the zip is kept: S3 deletes it a day after it was written (the lifecycle rule
`expire-exports`, campaigns_site/provision.py), and the item goes with it (`ttl`; reads
treat an expired item as gone, docs/data-model.md rule 5).
"""

from datetime import timedelta

from pynamodb.attributes import MapAttribute, NumberAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute

from campaigns_site.job_states import ACTIVE, DONE, FAILED, QUEUED, RUNNING, JobStates  # noqa: F401 (re-exported for the jobs)
from campaigns_site.table import TableModel
from campaigns_site.table_keys import EXPORT_ACCOUNT_SK, sub_of_user_pk

FINISHED = (DONE, FAILED)
SCOPE_ACCOUNT, SCOPE_CAMPAIGN = "account", "campaign"  # = exports.format's SCOPE_*

# On Lambda the job runs in its own invocation: the function's timeout (zappa_settings.json,
# 330 s) is the most it can take; the deadline is a little less, so the job stops itself
# (and aborts its upload) before Lambda would kill it.
TIMEOUT = timedelta(seconds=300)
# How long a zip is kept (the lifecycle rule's 1 day; S3 runs the rule once a day, so the
# object may outlive it by up to a day, but the page stops offering it at this time).
KEEP = timedelta(days=1)

STEP_LABELS = {
    "data": "Writing your data",
    "transcripts": "Copying the transcripts",
    "notes": "Writing the Markdown notes",
}
GENERIC_FAILURE = "Something went wrong while making the export. Try again in a moment."
TOOK_TOO_LONG = "It took longer than 5 minutes and was stopped. Try again, or ask us for help."
NOT_STARTED = "It did not start within 5 minutes. Try again."
CAMPAIGN_GONE = "The campaign was deleted (or is being deleted), so there is nothing to export."


class Export(JobStates, TableModel, discriminator="Export"):
    """PK `USER#<sub>`, SK `EXPORT#ACCOUNT` or `EXPORT#CAMPAIGN#<cid>`."""

    job_id = UnicodeAttribute()  # a ULID, new for every start: a worker acts only on its own job
    status = UnicodeAttribute()  # queued, running, done, failed (see effective_status)
    scope = UnicodeAttribute()  # account, campaign
    campaign_id = UnicodeAttribute(null=True)
    campaign_name = UnicodeAttribute(null=True)  # when it was asked for: the page needs no other read
    requested = UTCDateTimeAttribute()
    started = UTCDateTimeAttribute(null=True)
    finished = UTCDateTimeAttribute(null=True)
    deadline = UTCDateTimeAttribute()  # queued or running past this: failed
    attempts = NumberAttribute(default=0)  # claims (Lambda may deliver an invocation twice)
    step = UnicodeAttribute(null=True)  # data, transcripts, notes (the writer's progress)
    done = NumberAttribute(default=0)  # sessions done of `total` in that step
    total = NumberAttribute(default=0)
    file_name = UnicodeAttribute(null=True)  # the zip's name when downloaded
    object_key = UnicodeAttribute(null=True)  # exports/<sub>/<job id>/<file name>, once done
    size = NumberAttribute(null=True)  # bytes
    counts = MapAttribute(null=True)  # the manifest's counts: {"campaigns": 2, "sessions": 40, ...}
    error = UnicodeAttribute(null=True)  # why it failed, for the person who asked
    ttl = TTLAttribute(null=True)

    @property
    def owner_sub(self):
        return sub_of_user_pk(self.pk)

    @property
    def is_account(self):
        return self.sk == EXPORT_ACCOUNT_SK

    # --- status
    @property
    def failure_reason(self):
        if self.timed_out:
            return NOT_STARTED if self.status == QUEUED else TOOK_TOO_LONG
        if self.status == FAILED:
            return self.error or GENERIC_FAILURE
        return ""

    # --- for the page
    @property
    def step_label(self):
        return STEP_LABELS.get(self.step or "", "Getting ready")

    @property
    def expires(self):
        """When the zip stops being offered (a day after it was written)."""
        return self.finished + KEEP if self.finished else None

    @property
    def count_items(self):
        """["2 campaigns", "1 session", ...]: what the zip holds, for the page (none of a kind: left out)."""
        counts = self.counts.as_dict() if isinstance(self.counts, MapAttribute) else dict(self.counts or {})
        return [_counted(kind, int(count)) for kind, count in counts.items() if int(count)]


_NAMES = {
    "campaigns": ("campaign", "campaigns"),
    "sessions": ("session", "sessions"),
    "speaker_names": ("campaign's speaker names", "campaigns' speaker names"),
    "summaries": ("summary", "summaries"),
    "share_links": ("share link", "share links"),
    "transcripts": ("transcript", "transcripts"),
}


def _counted(kind, count):
    one, many = _NAMES.get(kind, (kind.replace("_", " "), kind.replace("_", " ")))
    return f"{count} {one if count == 1 else many}"


def live_export(item):
    """An item as read, or None when it has expired (rule 5)."""
    return None if item is None or item.is_expired else item
