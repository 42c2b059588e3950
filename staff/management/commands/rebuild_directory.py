import sys

from django.core.management.base import CommandError

from campaigns_site.operations import OperationsCommand, checked_sub
from staff.directory_rebuild import rebuild_directory


class Command(OperationsCommand):
    help = (
        "Make the staff's user directory again from the profiles, Cognito and the v1.0 import's list: "
        "adds missing entries, corrects wrong ones, removes those of deleted accounts; keeps the counters. "
        "Without --sub, a Scan of the table's profiles: an operations command, never run on a request path. "
        "Safe to re-run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sub", help="only this account (its Cognito sub): one GetItem, no Scan")

    def handle(self, *args, sub=None, **options):
        sub = checked_sub(sub)
        report = rebuild_directory(sub=sub, progress_file=sys.stderr)
        if sub is not None and not report.checked and not report.removed:
            raise CommandError(f"No account {sub}: no profile and no directory entry.")
        self.stdout.write(self.style.SUCCESS(f"User directory: {report.describe()}."))
