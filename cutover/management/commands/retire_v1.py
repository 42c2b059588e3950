"""manage.py retire_v1: once 100 % of the traffic has held here, stop the mirror and the
change capture, put v1.0's final pg_dump into the transcript bucket's `backups/` (kept
14 days), prove it restores, and say when the database may be deleted (docs/cutover.md).

Safe to re-run: a retirement is recorded, and a re-run says so and does nothing; a run
that failed midway starts again from the gate (each step is idempotent, a second dump is
one more object that expires with the first).
"""

import getpass
import sys
from contextlib import nullcontext

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from tqdm import tqdm

from campaigns_site.operations import OperationsCommand
from campaigns_site.outbox import count_pending
from cutover import pg_backup, retire

# The commands of the other parts of the cutover this one runs (cutover/capture.py's and the
# outbox drain's); a name, so the tests can stand in for them.
CAPTURE_COMMAND = "v1_capture"
DRAIN_COMMAND = "drain_outbox"
STEPS = 5


class Command(OperationsCommand):
    help = (
        "Retire v1.0's PostgreSQL once 100 % has held: stop mirroring and capture, dump it into "
        "the bucket's backups/ (14 days), check the dump restores, print when the database may go. Safe to re-run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", help="v1.0's PostgreSQL DSN (default: V1_SOURCE_DSN, else V1_MIRROR_DSN)")
        parser.add_argument(
            "--scratch-dsn",
            help="an empty database to restore the dump into (default: a new one on the source's server, "
            f"{pg_backup.SCRATCH_PREFIX}<random>, dropped afterwards)",
        )
        parser.add_argument("--held-days", type=float, default=7, help="days 100 %% must have held (default 7)")
        parser.add_argument(
            "--function", help="the app's Lambda function: V1_MIRROR_DSN and V1_SOURCE_DSN are removed from it"
        )
        parser.add_argument("--force", action="store_true", help="retire even though 100 %% has not held")
        parser.add_argument("--dry-run", action="store_true", help="check the gate and say what would be done")

    def handle(self, *args, **options):
        done = retire.get_retirement()
        if done:
            self._say_already_retired(done)
            return
        source = options["source"] or settings.V1_SOURCE_DSN or settings.V1_MIRROR_DSN
        if not source:
            raise CommandError("No v1.0 database: pass --source, or set V1_SOURCE_DSN or V1_MIRROR_DSN.")
        self.source, self.options = source, options
        self.step(1, f"gate: v1.0's database is {pg_backup.describe_dsn(source)}")
        self._check_held()
        try:
            self.say(f"v1.0's database answers: {pg_backup.check_tools(source)}")
        except pg_backup.BackupFailed as error:
            raise CommandError(f"Not retiring: {error}") from None
        self._check_outbox_empty(drain=not options["dry_run"])
        if options["dry_run"]:
            self._say_plan()
            return
        self.step(2, "stopping the mirror, the sync and the change capture")
        self._stop_mirror_and_capture()
        now = timezone.now()
        self.step(3, "final pg_dump into the bucket")
        backup = self._dump(retire.backup_key(now))
        self.step(4, "checking the dump restores")
        self._check_restore(backup)
        self.step(5, "recording the retirement")
        self._record(backup, now)

    def step(self, number, what):
        self.stdout.write(self.style.MIGRATE_HEADING(f"{number}/{STEPS} {what}"))

    def say(self, line):
        self.stdout.write(f"  {line}")

    # --- 1: the gate ----------------------------------------------------------------------
    def _check_held(self):
        try:
            held = retire.check_full_traffic_held(held_days=self.options["held_days"])
        except retire.NotYetHeld as why:
            if not self.options["force"]:
                raise CommandError(f"Not retiring: {why}. Wait, or pass --force.") from None
            self.stdout.write(self.style.WARNING(f"  --force: retiring although {why}"))
            return
        self.say(f"100 % has held since {held.since:%Y-%m-%d %H:%M} UTC ({held.days:.1f} days)")

    def _check_outbox_empty(self, *, drain):
        if drain:
            # --all: entries backed off after a failure go too; the mirror's DSN, else the source.
            dsn = settings.V1_MIRROR_DSN or self.source
            try:
                call_command(DRAIN_COMMAND, "--all", "--dsn", dsn, stdout=self.stdout, stderr=self.stderr)
            except CommandError as error:  # v1.0 unreachable or an entry failed: the count below refuses
                self.stderr.write(f"{DRAIN_COMMAND}: {error}")
        pending = count_pending()
        if pending:
            raise CommandError(
                f"Not retiring: {pending} outbox entries are not in v1.0 yet; run `manage.py {DRAIN_COMMAND}` "
                "until it is empty (is v1.0's database reachable?)."
            )
        self.say("the outbox is empty: every write made here is in v1.0")

    def _say_plan(self):
        function = self.options["function"]
        if function:
            names = retire.mirror_variables_on(function) or ["nothing: neither is set"]
            self.say(f"would remove from {function}'s environment: {', '.join(names)}")
        else:
            self.say("would print the commands that remove V1_MIRROR_DSN and V1_SOURCE_DSN from the function")
        self.say("would run `v1_capture uninstall` on v1.0's database")
        key = retire.backup_key(timezone.now())
        self.say(f"would dump v1.0 into s3://{settings.TRANSCRIPT_BUCKET}/{key} ({self._encryption()})")
        scratch = self.options["scratch_dsn"]
        where = pg_backup.describe_dsn(scratch) if scratch else f"a new {pg_backup.SCRATCH_PREFIX}<random> database"
        self.say(f"would restore it into {where} and compare the row counts")
        self.stdout.write(self.style.SUCCESS("Dry run: nothing changed."))

    # --- 2: stop writing into v1.0 and reading from it ------------------------------------
    def _stop_mirror_and_capture(self):
        function = self.options["function"]
        if function:
            removed = retire.stop_mirror_on(function)
            if removed:
                self.say(f"removed {', '.join(removed)} from {function}'s environment: the mirror and the sync stop")
            else:
                self.say(f"{function} mirrors nothing: neither {' nor '.join(retire.MIRROR_VARIABLES)} is set")
        else:
            self.stdout.write(
                self.style.WARNING(
                    "  no --function: stop the deployed mirror and sync yourself, with operator AWS access:"
                )
            )
            for line in retire.manual_stop_commands():
                self.stdout.write(f"    {line}")
            self.say("(the function is campaign-sessions-<stage>; or pass --function and retire_v1 does it)")
        # Entries written between the gate's drain and the variables' removal.
        self._check_outbox_empty(drain=True)
        call_command(CAPTURE_COMMAND, "uninstall", "--source", self.source, stdout=self.stdout, stderr=self.stderr)
        self.say("change capture uninstalled")

    # --- 3 and 4: the backup --------------------------------------------------------------
    def _encryption(self):
        key = settings.V1_BACKUP_KMS_KEY
        return f"SSE-KMS with {key}" if key else "SSE-S3, AES256"

    def _dump(self, key):
        with self._progress("pg_dump → S3") as bar:
            try:
                backup = pg_backup.dump_to_bucket(
                    source_dsn=self.source,
                    bucket=settings.TRANSCRIPT_BUCKET,
                    key=key,
                    kms_key=settings.V1_BACKUP_KMS_KEY,
                    on_bytes=bar.update,
                )
            except pg_backup.BackupFailed as error:
                raise CommandError(f"No backup: {error}") from None
        self.say(
            f"wrote s3://{backup.bucket}/{backup.key}: {backup.size:,} bytes, {self._encryption()}, "
            f"SHA-256 {backup.sha256}"
        )
        self.say("rows in the dump: " + ", ".join(f"{table} {count:,}" for table, count in backup.counts.items()))
        return backup

    def _check_restore(self, backup):
        scratch = self.options["scratch_dsn"]
        try:
            with nullcontext(scratch) if scratch else pg_backup.scratch_database(self.source, say=self.say) as dsn:
                with self._progress("S3 → pg_restore") as bar:
                    restored = pg_backup.restore_and_count(
                        bucket=backup.bucket, key=backup.key, scratch_dsn=dsn, on_bytes=bar.update
                    )
                differences = pg_backup.count_differences(backup.counts, restored)
                if differences:
                    raise CommandError("The restored copy differs, v1.0 is not retired: " + "; ".join(differences))
                self.say(f"restored into {pg_backup.describe_dsn(dsn)}: every table's row count matches the dump's")
        except pg_backup.BackupFailed as error:
            raise CommandError(f"The backup did not restore, v1.0 is not retired: {error}") from None

    def _progress(self, what):
        return tqdm(unit="B", unit_scale=True, unit_divisor=1024, file=sys.stderr, mininterval=1, desc=what)

    # --- 5: the record ---------------------------------------------------------------------
    def _record(self, backup, now):
        deletable = retire.delete_after(now)
        done = retire.record_retirement(
            by=getpass.getuser(),
            source=pg_backup.describe_dsn(self.source),
            backup=backup,
            delete_after=deletable,
            forced=self.options["force"],
        )
        self._say_deletion(done)
        self.stdout.write(self.style.SUCCESS("v1.0 is retired."))

    def _say_deletion(self, done):
        self.say(
            f"v1.0's database may be deleted after {done.delete_after:%Y-%m-%d} "
            f"({retire.BACKUP_RETENTION_DAYS} days from {done.at:%Y-%m-%d}); "
            f"the backup s3://{done.bucket}/{done.backup_key} expires then too (the bucket's lifecycle rule: "
            f"S3 removes it within a day after {done.delete_after:%Y-%m-%d})"
        )

    def _say_already_retired(self, done):
        self.stdout.write(
            f"v1.0 is already retired: on {done.at:%Y-%m-%d %H:%M} UTC by {done.by}, "
            f"backup s3://{done.bucket}/{done.backup_key} ({done.backup_bytes:,} bytes). Nothing to do."
        )
        self._say_deletion(done)
