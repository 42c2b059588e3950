"""The summary job registry: one small item per job place across every user, so staff
list running, failed and retried jobs with a Query, never a Scan (docs/data-model.md,
"Summary job registry").

JobRegistryEntry, PK `JOBS`, SK `JOB#<sub>#<cid>#<sid>` (or `#STORY`), LSI1SK
`JOB#<requested>#<job id>` (newest first). Like the SummaryJob it mirrors, it holds the
place's latest job and is replaced by the next one: it is written in the same
transaction as the job's item at each step (sessions/summaries/jobs.py puts it at the
start; runners.py updates it when the job runs and ends) and deleted with it (a session's
delete and move, a campaign's cascade, an account's deletion: by its key, from the ids).
It holds ids, times, counts and a short failure reason: never a summary's text.

The updates set the entry's ids too, so a job started before the registry existed still
ends with a coherent (if unlisted: it has no LSI1SK) entry, which its ttl removes.
"""

from django.utils import timezone
from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from campaigns_site.pagination import Page, decode_cursor, encode_cursor
from campaigns_site.table import TableModel
from campaigns_site.table_keys import (
    JOB_REGISTRY_PREFIX,
    JOBS_PK,
    STORY,
    job_registry_order_key,
    job_registry_sk,
    job_registry_sk_of_job,
)
from sessions.summaries.items import ACTIVE, FAILED, QUEUED, RUNNING, JobStates, kind_label

REASON_MAX_CHARS = 200  # the job's error, for people: short, and never a summary's text
PAGE_SIZE = 25
FILTERED_READ = 100  # entries one Query reads for a page of one state
# What the staff page can show: every job, or those of one state (a FilterExpression on
# the same Query: a page may hold fewer than PAGE_SIZE, never more).
SHOWN = ("all", "active", "failed", "retried")


class JobRegistryEntry(JobStates, TableModel, discriminator="JobRegistryEntry"):
    """PK `JOBS`, SK `JOB#<sub>#<cid>#<sid or STORY>`, LSI1SK `JOB#<requested>#<job id>`."""

    owner_sub = UnicodeAttribute()
    campaign_id = UnicodeAttribute()
    session_id = UnicodeAttribute(null=True)  # None: the campaign's story so far
    job_id = UnicodeAttribute()
    status = UnicodeAttribute()  # as the job's: queued, running, done, failed
    kinds = ListAttribute(of=UnicodeAttribute, default=list)
    length = UnicodeAttribute(default="standard")
    replace_edits = BooleanAttribute(default=False)  # a retry replaces hand edits only if this job did
    requested = UTCDateTimeAttribute(null=True)
    started = UTCDateTimeAttribute(null=True)
    finished = UTCDateTimeAttribute(null=True)
    deadline = UTCDateTimeAttribute(null=True)  # queued or running past it: failed
    attempts = NumberAttribute(default=0)
    reason = UnicodeAttribute(null=True)  # why it failed, cut to REASON_MAX_CHARS
    retried = NumberAttribute(default=0)  # how many retries led to this job (staff's retry)
    retry_of = UnicodeAttribute(null=True)  # the failed job this one retries
    ttl = TTLAttribute(null=True)  # the job's: KEEP_DAYS after it finished

    @property
    def is_story(self):
        return self.session_id is None

    @property
    def failure_reason(self):
        if self.timed_out:
            return "It did not start in time." if self.status == QUEUED else "It took too long and was stopped."
        return (self.reason or "No reason recorded.") if self.status == FAILED else ""

    @property
    def kind_labels(self):
        return [kind_label(kind) for kind in self.kinds or []]


def short_reason(error):
    """A failure's message as the registry keeps it: one line, at most REASON_MAX_CHARS."""
    text = " ".join(str(error or "").split())
    return text if len(text) <= REASON_MAX_CHARS else text[: REASON_MAX_CHARS - 1] + "…"


# --- writes, inside the job's own transactions ----------------------------------------------
def put_started(transaction, job, *, retry_of=None):
    """Put the entry of a job just queued (its Put is in `transaction` already); `retry_of`:
    the registry entry of the failed job this one retries, whose place it takes only if it
    still holds that job (the Put's condition: a second retry of it is refused)."""
    entry = JobRegistryEntry(
        JOBS_PK,
        job_registry_sk_of_job(sub=job.owner_sub, job_sk=job.sk),
        lsi1sk=job_registry_order_key(requested=job.requested, job_id=job.job_id),
        owner_sub=job.owner_sub,
        campaign_id=job.campaign_id,
        session_id=job.session_id,
        job_id=job.job_id,
        status=job.status,
        kinds=list(job.kinds),
        length=job.length,
        replace_edits=bool(job.replace_edits),
        requested=job.requested,
        deadline=job.deadline,
        attempts=0,
        retried=int(retry_of.retried or 0) + 1 if retry_of else 0,
        retry_of=retry_of.job_id if retry_of else None,
        ttl=job.ttl,
    )
    condition = (JobRegistryEntry.job_id == retry_of.job_id) if retry_of else None
    return transaction.put(entry, condition=condition)


def record_running(transaction, *, sub, job_sk, job_id, started, deadline, ttl):
    """The entry of a job just claimed (queued -> running): one more attempt."""
    return _update(
        transaction,
        sub=sub,
        job_sk=job_sk,
        job_id=job_id,
        actions=[
            JobRegistryEntry.status.set(RUNNING),
            JobRegistryEntry.started.set(started),
            JobRegistryEntry.deadline.set(deadline),
            JobRegistryEntry.attempts.add(1),
            JobRegistryEntry.ttl.set(ttl),
        ],
    )


def record_finished(transaction, *, sub, job_sk, job_id, status, finished, ttl, error=None):
    """The entry of a job that ended done or failed (with its short reason)."""
    reason = short_reason(error) if error else None
    return _update(
        transaction,
        sub=sub,
        job_sk=job_sk,
        job_id=job_id,
        actions=[
            JobRegistryEntry.status.set(status),
            JobRegistryEntry.finished.set(finished),
            JobRegistryEntry.ttl.set(ttl),
            JobRegistryEntry.reason.set(reason) if reason else JobRegistryEntry.reason.remove(),
        ],
    )


def _update(transaction, *, sub, job_sk, job_id, actions):
    """Unconditioned: the job's own update, in the same transaction, decides whether this
    step happens at all; its ids are set again so the entry is whole even when the job
    started before the registry existed."""
    sk = job_registry_sk_of_job(sub=sub, job_sk=job_sk)
    place = job_sk.split("#")[2]
    ids = [
        JobRegistryEntry.owner_sub.set(sub),
        JobRegistryEntry.campaign_id.set(job_sk.split("#")[1]),
        JobRegistryEntry.job_id.set(job_id),
        JobRegistryEntry.session_id.remove() if place == STORY else JobRegistryEntry.session_id.set(place),
    ]
    return transaction.update(JOBS_PK, sk, actions=ids + actions)


# --- reads, for staff ---------------------------------------------------------------------------
def list_jobs(*, shown="all", cursor=None, limit=PAGE_SIZE):
    """One page of the registry, newest first: ONE Query on LSI1, whatever is shown
    (InvalidCursor for a bad cursor). `shown`: one of SHOWN; "all" reads `limit` entries,
    a state reads FILTERED_READ entries and keeps those in it (a FilterExpression), so a
    sparse state's page may hold few or none, with a cursor to read on: never a run of
    Queries through the whole partition. Expired entries (past their ttl) are left out (rule 5)."""
    condition = JobRegistryEntry.lsi1sk.startswith(JOB_REGISTRY_PREFIX)
    scope = f"{TableModel.second_sort_order.Meta.index_name}|{condition}"  # as query_page's
    results = JobRegistryEntry.query(
        JOBS_PK,
        condition,
        filter_condition=_filter_of(shown),
        index_name=TableModel.second_sort_order.Meta.index_name,
        scan_index_forward=False,
        page_size=limit if shown == "all" else FILTERED_READ,
        last_evaluated_key=decode_cursor(cursor, partition=JOBS_PK, scope=scope),
    )
    found = next(results.page_iter)
    entries = [JobRegistryEntry.from_raw_data(item) for item in found.get("Items", [])]
    return Page(
        items=[entry for entry in entries if not entry.is_expired],
        next_cursor=encode_cursor(results.page_iter.last_evaluated_key, partition=JOBS_PK, scope=scope),
    )


def _filter_of(shown):
    now = timezone.now()
    active = JobRegistryEntry.status.is_in(*ACTIVE)
    if shown == "active":
        return active & (JobRegistryEntry.deadline > now)
    if shown == "failed":
        return (JobRegistryEntry.status == FAILED) | (active & (JobRegistryEntry.deadline <= now))
    if shown == "retried":
        return JobRegistryEntry.retried > 0
    return None


def get_entry(*, sub, campaign_id, session_id=None):
    """The registry's entry of that place (None when there is none, or it expired): one GetItem."""
    try:
        entry = JobRegistryEntry.get(
            JOBS_PK, job_registry_sk(sub=sub, campaign_id=campaign_id, session_id=session_id), consistent_read=True
        )
    except JobRegistryEntry.DoesNotExist:
        return None
    return None if entry.is_expired else entry
