from django.apps import AppConfig
from django.core.signals import request_finished, request_started


class CutoverConfig(AppConfig):
    """Both stacks live (docs/cutover.md): v1.0's changes captured and synced here, this
    app's changes mirrored into v1.0 through the outbox, the traffic split, retiring v1.0."""

    name = "cutover"
    label = "cutover"
    verbose_name = "cutover from v1.0"

    def ready(self):
        request_started.connect(forget_written_entries, dispatch_uid="cutover.forget_written_entries")
        request_finished.connect(mirror_written_entries, dispatch_uid="cutover.mirror_written_entries")


def forget_written_entries(**kwargs):
    """A request starts with no entries of its own (a thread's earlier work is the drain's)."""
    from django.conf import settings

    if not settings.V1_MIRROR_DSN:
        return  # no entries are written, and a page need not load the AWS libraries for this
    from campaigns_site import outbox

    outbox.take_written_entries()


def mirror_written_entries(**kwargs):
    """Apply the entries this request wrote, once its response is out (locally after it is
    sent; on Lambda before the function returns, bounded by a 2 s connect timeout).
    Whatever fails stays in the outbox for the drain; the response is never affected."""
    from django.conf import settings

    if not settings.V1_MIRROR_DSN:
        return
    from campaigns_site import outbox

    entries = outbox.take_written_entries()
    if not entries:
        return
    from cutover.mirror_drain import apply_written_entries

    apply_written_entries(entries, dsn=settings.V1_MIRROR_DSN)
