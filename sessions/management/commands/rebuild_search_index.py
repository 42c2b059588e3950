from django.core.management.base import CommandError

from campaigns_site import dynamodb
from campaigns_site.operations import OperationsCommand
from campaigns_site.table_keys import sub_of_user_pk
from sessions.search.rebuild import rebuild_search_items


class Command(OperationsCommand):
    help = (
        "Rebuild the search items of users' sessions from their sessions, summaries and stored transcripts, "
        "and delete search items whose session is gone: once after deploying search (sessions made before it "
        "have no search item), or to repair one. Give users' Cognito subs, or --all (a Scan for profiles: an "
        "operations command, run with operator credentials, never on a request path). Safe to re-run."
    )

    def add_arguments(self, parser):
        parser.add_argument("subs", nargs="*", help="the users' Cognito subs")
        parser.add_argument("--all", action="store_true", help="every user of the table")

    def handle(self, *args, subs, all, **options):
        if bool(subs) == bool(all):
            raise CommandError("Give one or more subs, or --all.")
        failures = 0
        for sub in _every_user() if all else subs:
            self.stdout.write(f"user {sub}:")
            _, _, failed = rebuild_search_items(sub=sub, progress=lambda line: self.stdout.write(f"  {line}"))
            failures += failed
        if failures:
            raise CommandError(f"{failures} search items were not rebuilt (see the log); run this again")
        self.stdout.write(self.style.SUCCESS("Search items rebuilt."))


def _every_user():
    pages = dynamodb.scan_pages(where=dynamodb.attribute("SK") == "PROFILE", attributes=["PK"])
    return [sub_of_user_pk(item["PK"]) for page in pages for item in page]
