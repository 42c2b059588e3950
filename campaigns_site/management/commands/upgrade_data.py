"""manage.py upgrade_data: after deploying a release, bring what earlier releases wrote up
to this one's shape, in one command.

Each release that kept something new beside the data (a directory of users, a registry of
share links, a search index, lists that let a page read by key) shipped a command that
fills it in for what was written before. They are all safe to re-run and say what they
did, so an operator runs them all, in the order they depend on each other (the directory
first: the usage recount and the recent actions read it), instead of finding out which
ones a given upgrade needs. Commands are called by name, so this module imports no app.
"""

from django.core.management import call_command

from campaigns_site.operations import OperationsCommand

# (command, its arguments, what it brings up to date), in the order they must run.
STEPS = (
    ("rebuild_directory", [], "the staff's user directory (issue 15)"),
    ("recount_usage", ["--all"], "every user's usage counters (issue 15)"),
    ("fill_share_registry", [], "the staff's registry of share links (issue 15)"),
    ("count_shares", [], "the share registry's counts and list of its newest links (issue 17)"),
    ("list_share_links_on_sessions", [], "each session's list of its share links (issue 17)"),
    ("list_sessions_on_campaigns", [], "each campaign's list of its sessions (issue 17)"),
    ("rebuild_search_index", ["--all"], "the search index, a head and word groups a session (issue 17)"),
    ("list_recent_actions", [], "each user's recent staff actions on the directory (issue 17)"),
    ("list_recent_cutover", [], "the cutover page's recent shifts and conflicts (issue 17)"),
)


class Command(OperationsCommand):
    help = (
        "Bring data written by earlier releases up to this release's shape: runs every upgrade "
        "command in order (each safe to re-run). Once after each deploy."
    )

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="print the steps, run none")

    def handle(self, *args, **options):
        for number, (name, arguments, what) in enumerate(STEPS, start=1):
            line = f"[{number}/{len(STEPS)}] {what}: manage.py {' '.join([name, *arguments])}"
            self.stdout.write(line)
            if not options["list"]:
                call_command(name, *arguments, stdout=self.stdout, stderr=self.stderr)
        if not options["list"]:
            self.stdout.write(f"Data up to date: {len(STEPS)} steps run.")
