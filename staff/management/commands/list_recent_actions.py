import sys

from django.core.management.base import CommandError

from campaigns_site.operations import OperationsCommand, checked_sub
from staff.recent_actions import relist_recent_actions


class Command(OperationsCommand):
    help = (
        "List on each user's directory entry the newest staff actions on them, from the audit log, "
        "so the staff's page of the user reads them with its entry: for entries made before the list "
        "existed and imported accounts. Reads the whole log and directory (operations only); writes only "
        "the lists that differ. Safe to re-run, and to run while the app serves."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sub", help="only this account (its Cognito sub): two reads, no whole-log Query")

    def handle(self, *args, sub=None, **options):
        sub = checked_sub(sub)
        report = relist_recent_actions(sub=sub, progress_file=sys.stderr)
        if sub is not None and not report.checked:
            raise CommandError(f"No account {sub} in the directory.")
        self.stdout.write(self.style.SUCCESS(f"Recent staff actions: {report.describe()}."))
