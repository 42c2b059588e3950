from datetime import timedelta

from django.conf import settings
from django.core.management.base import CommandError

from campaigns_site.operations import OperationsCommand
from sessions.core.storage_keys import TRANSCRIPTS_PREFIX
from sessions.transcripts.orphans import DEFAULT_MIN_AGE, delete_orphans, find_orphans


class Command(OperationsCommand):
    help = (
        "Find transcript objects in S3 that no session names (abandoned or replaced uploads) and, with "
        "--delete, delete them; report sessions that name a missing object and keys of an unknown form "
        "(both are left alone). A dry run by default. Lists the bucket and Scans the table: an operations "
        "command, never run on a request path. Safe to re-run. Exits non-zero only when S3 refused to "
        "delete some orphans (run it again)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="delete the orphans (default: only list them)")
        parser.add_argument(
            "--min-age-hours",
            type=float,
            default=DEFAULT_MIN_AGE / timedelta(hours=1),
            help="only objects older than this count as orphans: an upload in progress is not yet attached "
            "(default: %(default)s)",
        )

    def handle(self, *args, delete, min_age_hours, **options):
        if min_age_hours < 0:
            raise CommandError("--min-age-hours cannot be negative")
        min_age = timedelta(hours=min_age_hours)
        self.stdout.write(
            f"Objects under s3://{settings.TRANSCRIPT_BUCKET}/{TRANSCRIPTS_PREFIX} against table "
            f"{settings.DYNAMODB_TABLE}; orphans: named by no session and older than {min_age_hours:g} hours."
            + ("" if delete else " Dry run.")
        )
        report = find_orphans(min_age=min_age, progress=self._progress)

        # Listed before anything is deleted, so the log says what went even if the run stops.
        verb = "deleting" if delete else "would delete"
        for orphan in report.orphans:
            self.stdout.write(
                f"{verb}: {orphan.key} ({orphan.size:,} bytes, last modified {orphan.last_modified:%Y-%m-%d %H:%M} UTC)"
            )
        for missing in report.missing:
            self.stdout.write(f"missing object: {missing.describe()}")
        for key in report.unknown_keys:
            self.stdout.write(f"unknown key, left alone: {key}")
        if delete:
            report.deletion = delete_orphans(orphans=report.orphans, progress=self._progress)
        self._summary(report)

        if report.deletion and report.deletion.errors:
            for error in report.deletion.errors:
                self.stderr.write(f"not deleted: {error}")
            raise CommandError(f"S3 did not delete {len(report.deletion.errors)} objects; run this again")

    def _progress(self, line):
        self.stdout.write(f"  {line}")

    def _summary(self, report):
        write = self.stdout.write
        write("Summary:")
        write(f"  objects seen: {report.objects_seen:,} ({report.attached:,} named by their session)")
        write(f"  orphans: {len(report.orphans):,} ({report.orphan_bytes:,} bytes)")
        if report.young:
            write(f"  named by no session but too recent to tell, kept: {report.young:,}")
        if report.deletion is None:
            write("  dry run: nothing deleted; run with --delete")
        else:
            write(f"  deleted: {report.deletion.deleted:,} ({report.deletion.deleted_bytes:,} bytes)")
            if report.deletion.kept:
                write(f"  kept, attached since they were listed: {report.deletion.kept:,}")
            if report.deletion.errors:
                write(f"  not deleted (S3 errors): {len(report.deletion.errors):,}")
        write(f"  sessions with a missing object: {len({(m.sub, m.session_id) for m in report.missing}):,}")
        write(f"  unknown keys: {len(report.unknown_keys):,}")
