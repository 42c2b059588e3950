"""manage.py import_data <path> [--as <email>] [--skip-bad]: an export back into this
deployment (docs/export-format.md, "Importing")."""

import sys

from botocore.exceptions import BotoCoreError, ClientError
from django.core.management.base import BaseCommand, CommandError

from exports.import_account import AccountRefused
from exports.import_run import ExportRefused, ImportOptions, run_import
from exports.sources import NoZips

MAX_PROBLEMS_SHOWN = 200


class Command(BaseCommand):
    help = (
        "Import an export (a zip, a directory of zips, or s3://bucket/key or prefix): its account, campaigns, "
        "sessions, transcripts, speaker names, summaries and share links. Checks everything first. Safe to re-run."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="a zip, a directory of zips (export_data --all), or s3://bucket/key-or-prefix")
        parser.add_argument(
            "--as", dest="as_email", metavar="EMAIL", help="import into this existing account (default: the export's)"
        )
        parser.add_argument(
            "--skip-bad",
            action="store_true",
            help="import what is sound and name what was left out (a bad session whole, a bad campaign with its "
            "sessions); without it, any problem stops the import before anything is written",
        )

    def handle(self, *args, **options):
        import_options = ImportOptions(
            location=options["path"], as_email=options["as_email"], skip_bad=options["skip_bad"]
        )
        try:
            report = run_import(options=import_options, progress_file=sys.stderr)
        except ExportRefused as refused:
            self._list(refused.problems)
            count = len(refused.problems)
            raise CommandError(
                f"{count} problem{'' if count == 1 else 's'} in the export: nothing was written. Fix them, or "
                "pass --skip-bad to import the rest."
            ) from None
        except (NoZips, AccountRefused) as error:
            raise CommandError(str(error)) from None
        except (BotoCoreError, ClientError) as error:
            raise CommandError(f"AWS refused or is unreachable: {error}") from None
        self.stdout.write(report.as_text())
        verdict = "Nothing to import: it was all here already." if report.changed_nothing else "Import complete."
        self.stdout.write(self.style.SUCCESS(verdict))

    def _list(self, problems):
        for name, problem in problems[:MAX_PROBLEMS_SHOWN]:
            self.stderr.write(f"{name}: {problem}")
        if len(problems) > MAX_PROBLEMS_SHOWN:
            self.stderr.write(f"... and {len(problems) - MAX_PROBLEMS_SHOWN} more")
