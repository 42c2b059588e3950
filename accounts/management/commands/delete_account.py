import sys

from django.core.management.base import CommandError

from accounts.deletion import DeletionIncomplete, delete_account, is_being_deleted
from accounts.profiles import get_profile
from campaigns_site.operations import OperationsCommand
from campaigns_site.table_keys import InvalidKeyPart
from sessions.core.storage_keys import user_transcripts_prefix


class Command(OperationsCommand):
    help = (
        "Delete an account and everything it owns (table items, transcripts, share links, web sessions, "
        "Cognito user), or finish an interrupted deletion. Safe to re-run."
    )

    def add_arguments(self, parser):
        parser.add_argument("sub", help="the account's Cognito sub")
        parser.add_argument(
            "--yes", action="store_true", help="delete without asking (needed in a non-interactive run)"
        )

    def handle(self, *args, sub, yes, **options):
        try:
            user_transcripts_prefix(sub=sub)  # the strictest check of a sub: no "#", no "/"
        except InvalidKeyPart as error:
            raise CommandError(str(error)) from error

        self.stdout.write(self._describe(sub))
        if not yes:
            self._confirm(sub)

        try:
            report = delete_account(sub=sub, progress=lambda line: self.stdout.write(f"  {line}"))
        except DeletionIncomplete as error:
            raise CommandError(f"{error}. Nothing is lost: run this command again to finish.") from error
        self.stdout.write(self.style.SUCCESS(f"Account {sub} deleted: {report.describe()}."))

    def _describe(self, sub):
        profile = get_profile(sub=sub)
        if profile is None:
            return f"Account {sub}: no profile (already deleted, or sign-up never finished)."
        if is_being_deleted(profile):
            started = f"{profile.deleting_since:%Y-%m-%d %H:%M:%S}"
            return f"Account {sub} ({profile.email}): deletion started {started} UTC, not finished."
        return f"Account {sub} ({profile.email})."

    def _confirm(self, sub):
        # An unattended run (a script, CI) must say --yes: never delete on a default answer.
        if not sys.stdin.isatty():
            raise CommandError("Refusing to delete without --yes in a non-interactive run.")
        answer = input("This deletes the account and everything it owns, for good. Type its sub to confirm: ")
        if answer.strip() != sub:
            raise CommandError("Not confirmed: nothing deleted.")
