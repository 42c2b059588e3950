"""manage.py drain_outbox [--dsn DSN] [--limit N] [--all]: apply the outbox's due entries
to v1.0 (docs/cutover.md). Safe to re-run: an entry applied twice writes the same rows.
Exit 1 when PostgreSQL cannot be reached or an entry failed (each failed entry stays,
backed off, with its error)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from campaigns_site.outbox import count_pending
from cutover.mirror_drain import drain_outbox


class Command(BaseCommand):
    help = "Apply this app's changes waiting in the outbox to v1.0's database."

    def add_arguments(self, parser):
        parser.add_argument("--dsn", help="v1.0's PostgreSQL DSN (default: settings.V1_MIRROR_DSN)")
        parser.add_argument("--limit", type=int, help="apply at most this many entries")
        parser.add_argument(
            "--all",
            action="store_true",
            help="also the entries waiting to be retried (a rollback drains everything)",
        )

    def handle(self, *args, **options):
        dsn = options["dsn"] or settings.V1_MIRROR_DSN
        if not dsn:
            raise CommandError("No DSN: give --dsn or set V1_MIRROR_DSN.")
        if options["limit"] is not None and options["limit"] < 1:
            raise CommandError("--limit must be 1 or more.")
        waiting = count_pending()
        with tqdm(total=waiting, desc="outbox", unit="entry", disable=not waiting) as bar:
            result = drain_outbox(
                dsn=dsn, limit=options["limit"], ignore_backoff=options["all"], progress=lambda entry: bar.update(1)
            )
        for sk, error in result.errors[:10]:
            self.stderr.write(f"entry {sk}: {error}")
        self.stdout.write(result.describe())
        if result.unreachable:
            raise CommandError(f"PostgreSQL is unreachable: {result.unreachable}; the entries wait, none lost.")
        if result.failed:
            raise CommandError(f"{result.failed} entries failed; they wait, backed off, with their errors.")
