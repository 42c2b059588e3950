"""manage.py list_recent_cutover: the cutover's RECENT item (the newest shifts and conflicts,
which the staff's page reads by key) made again from the shifts and conflicts themselves.
For a deployment whose shifts or conflicts predate it (the page asks two Queries until a
shift or conflict is recorded, or this is run), and any RECENT a failed write left wrong.
Two Queries and at most one conditional PutItem; safe to re-run."""

from django.core.management.base import CommandError

from campaigns_site.operations import OperationsCommand
from cutover.state import relist_recent

SAID = {
    "written": "Recent cutover history written: the staff page reads it by key.",
    "unchanged": "Recent cutover history was right already: nothing written.",
}


class Command(OperationsCommand):
    help = (
        "Make the cutover's recent history (the newest shifts and conflicts, which the staff page reads) "
        "from the shifts and conflicts themselves. Safe to re-run."
    )

    def handle(self, *args, **options):
        outcome = relist_recent()
        if outcome not in SAID:
            raise CommandError("A shift or conflict was recorded meanwhile: run it again.")
        self.stdout.write(self.style.SUCCESS(SAID[outcome]))
