"""The life of a background job (a summary job, an export): queued, running, then done
or failed; a job still queued or running past its deadline reads as failed (its process
was lost), so no page waits for it forever."""

from django.utils import timezone

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATUSES = (QUEUED, RUNNING, DONE, FAILED)
ACTIVE = (QUEUED, RUNNING)


class JobStates:
    """For an item with `status`, `deadline` and `ttl` attributes."""

    @property
    def is_expired(self):
        """Past its TTL: gone for every read, whenever DynamoDB's clean-up takes it."""
        return self.ttl is not None and self.ttl <= timezone.now()

    @property
    def timed_out(self):
        return self.status in ACTIVE and self.deadline is not None and self.deadline <= timezone.now()

    @property
    def effective_status(self):
        """The status to show: a job queued or running past its deadline has failed."""
        return FAILED if self.timed_out else self.status

    @property
    def is_active(self):
        return self.effective_status in ACTIVE

    @property
    def is_done(self):
        return self.effective_status == DONE

    @property
    def is_failed(self):
        return self.effective_status == FAILED
