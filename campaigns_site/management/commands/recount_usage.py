import sys

from django.core.management.base import CommandError
from tqdm import tqdm

from campaigns_site import usage
from campaigns_site.operations import OperationsCommand
from campaigns_site.table_keys import InvalidKeyPart, user_pk


class Command(OperationsCommand):
    help = (
        "Recount users' usage counters (campaigns, sessions, transcript bytes, summaries, share links, "
        "summary cost) from what their partitions hold, and put right the ones that drifted. "
        "--all reads the users from the directory (one Query, never a Scan). Safe to re-run."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--sub", help="one user (their Cognito sub)")
        which.add_argument("--all", action="store_true", help="every user in the directory")

    def handle(self, *args, sub=None, all=False, **options):
        if sub is not None:
            try:
                user_pk(sub)
            except InvalidKeyPart:
                raise CommandError(f"--sub {sub!r} is not a Cognito sub") from None
        subs = [sub] if sub is not None else usage.directory_subs()
        corrected = 0
        progress = tqdm(subs, unit="user", file=sys.stderr, mininterval=1, desc="recount_usage", disable=len(subs) < 2)
        for each in progress:
            differences = usage.repair_counters(sub=each)
            if differences:
                corrected += 1
                self.stdout.write(f"{each}: {describe(differences)}")
        users = "user" if len(subs) == 1 else "users"
        self.stdout.write(f"{len(subs)} {users} recounted, {corrected} corrected.")


def describe(differences):
    """`sessions +2, transcript_bytes -1,024`: what was added to put each counter right."""
    return ", ".join(f"{name} {value:+,}" for name, value in differences.items())
