"""manage.py import_v1 --source <DSN> --v1-bucket <name>: bring v1.0 over (docs/migration.md)."""

import sys
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from v1.buckets import check_readable
from v1.importer import ImportOptions, NoSuchUser, run_import
from v1.source import SourceUnavailable, V1Source


class Command(BaseCommand):
    help = "Import v1.0's users, campaigns, sessions, transcripts, summaries and share links. Safe to re-run."

    def add_arguments(self, parser):
        parser.add_argument("--source", required=True, help="v1.0's PostgreSQL DSN (read only)")
        parser.add_argument("--v1-bucket", required=True, help="v1.0's S3 bucket of transcripts")
        parser.add_argument("--user", help="import only the v1.0 user with this e-mail")
        parser.add_argument("--dry-run", action="store_true", help="read everything, write nothing, report")
        parser.add_argument(
            "--merge-case-duplicates",
            action="store_true",
            help="one account for users whose e-mails differ only by letter case (the newest row's name, "
            "password and settings win)",
        )
        parser.add_argument("--report", help="where to write the JSON report (default: import-v1-<time>.json)")

    def handle(self, *args, **options):
        import_options = ImportOptions(
            v1_bucket=options["v1_bucket"],
            dry_run=options["dry_run"],
            merge_case_duplicates=options["merge_case_duplicates"],
            user_email=options["user"],
        )
        try:
            check_readable(import_options.v1_bucket)
            with V1Source(options["source"]) as source:
                report = run_import(source=source, options=import_options, progress_file=sys.stderr)
        except (SourceUnavailable, NoSuchUser) as error:
            raise CommandError(str(error)) from None
        except (BotoCoreError, ClientError) as error:
            raise CommandError(f"AWS refused or is unreachable: {error}") from None
        path = Path(options["report"] or f"import-v1-{timezone.now():%Y%m%d-%H%M%S}.json")
        path.write_text(report.as_json())
        self.stdout.write(report.as_text())
        self.stdout.write(f"The JSON report is in {path}.")
        verdict = "Dry run: nothing was written." if import_options.dry_run else "Import complete."
        self.stdout.write(self.style.SUCCESS(verdict))
