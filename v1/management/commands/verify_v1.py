"""manage.py verify_v1 --source <DSN> --v1-bucket <name>: prove the import lost nothing
(docs/migration.md, "verify_v1"). Exit 0 only when v1.0 and this app agree."""

import sys
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from pynamodb.exceptions import PynamoDBException

from v1.buckets import check_readable
from v1.source import SourceUnavailable, V1Source
from v1.verify import NoSuchUser, VerifyOptions, run_verify
from v1.verify_record import EVERYONE, ONE_USER, record_verification


class Command(BaseCommand):
    help = "Compare v1.0 with this app row by row; exit 0 only when nothing differs."

    def add_arguments(self, parser):
        parser.add_argument("--source", required=True, help="v1.0's PostgreSQL DSN (read only)")
        parser.add_argument("--v1-bucket", required=True, help="v1.0's S3 bucket of transcripts")
        parser.add_argument("--user", help="verify only the v1.0 user with this e-mail")
        parser.add_argument(
            "--merge-case-duplicates",
            action="store_true",
            help="the import was run with --merge-case-duplicates: expect one account per such address",
        )
        parser.add_argument("--report", help="where to write the JSON report (default: verify-v1-<time>.json)")

    def handle(self, *args, **options):
        verify_options = VerifyOptions(
            v1_bucket=options["v1_bucket"],
            merge_case_duplicates=options["merge_case_duplicates"],
            user_email=options["user"],
        )
        try:
            check_readable(verify_options.v1_bucket, whose="v1.0's")
            check_readable(settings.TRANSCRIPT_BUCKET, whose="This app's")
            with V1Source(options["source"]) as source:
                result = run_verify(source=source, options=verify_options, progress_file=sys.stderr)
        except (SourceUnavailable, NoSuchUser) as error:
            raise CommandError(str(error)) from None
        except (BotoCoreError, ClientError) as error:
            raise CommandError(f"AWS refused or is unreachable: {error}") from None
        path = Path(options["report"] or f"verify-v1-{timezone.now():%Y%m%d-%H%M%S}.json")
        path.write_text(result.as_json())
        self.stdout.write(result.as_text())
        self.stdout.write(f"The JSON report is in {path}.")
        self.keep_for_staff(result, scope=ONE_USER if options["user"] else EVERYONE)
        if not result.ok:
            raise CommandError(result.summary())
        self.stdout.write(self.style.SUCCESS(result.summary()))

    def keep_for_staff(self, result, *, scope):
        """The counts for /staff/migration/ (v1/verify_record.py); the verdict stands without them."""
        try:
            record_verification(result, scope=scope)
        except (BotoCoreError, ClientError, PynamoDBException) as error:
            self.stderr.write(f"The result was not kept for the staff page ({type(error).__name__}): {error}")
            return
        self.stdout.write("The counts are kept for /staff/migration/ (V1IMPORT/VERIFY).")
