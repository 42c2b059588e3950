"""manage.py sync_v1 [--source DSN] [--once | --follow]: apply v1.0's logged changes here."""

import sys

import psycopg
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cutover.apply_v1 import ChangeApplier
from cutover.changes import START
from cutover.state import get_sync_state
from cutover.sync import DEFAULT_BATCH, SourceUnavailable, StateMoved, connect, count_unread, follow, run_sync_pass

# A backlog this long gets a progress bar (stderr); a few changes just a line.
PROGRESS_FROM = 200


class Command(BaseCommand):
    help = (
        "Apply v1.0's logged changes (v1_capture's change log) to this app, in order, from the saved "
        "watermark: one pass (--once, the default) or pass after pass (--follow). Safe to stop and re-run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", help="v1.0's PostgreSQL DSN (default: the V1_SOURCE_DSN setting)")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--once", action="store_true", help="one pass, then stop (the default)")
        mode.add_argument("--follow", action="store_true", help="keep applying changes as they come")
        parser.add_argument("--interval", type=float, default=5.0, help="--follow: seconds to wait when caught up")
        parser.add_argument("--for", type=float, dest="duration", help="--follow: stop after this many seconds")
        parser.add_argument("--limit", type=int, default=DEFAULT_BATCH, help="changes per batch (per saved watermark)")

    def handle(self, *args, source, follow, interval, duration, limit, **options):
        dsn = source or settings.V1_SOURCE_DSN
        if not dsn:
            raise CommandError("No v1.0 database: give --source <DSN> or set V1_SOURCE_DSN.")
        if limit < 1 or interval < 0 or (duration is not None and duration < 0):
            raise CommandError("--limit must be at least 1, --interval and --for at least 0.")
        try:
            with connect(dsn) as conn:
                self._run(conn, follow=follow, interval=interval, duration=duration, limit=limit)
        except SourceUnavailable as error:
            raise CommandError(str(error)) from None
        except psycopg.errors.UndefinedTable:
            raise CommandError("v1.0's database has no change log: run `manage.py v1_capture install` first.") from None
        except psycopg.OperationalError as error:
            first = (str(error).strip().splitlines() or ["connection lost"])[0]
            raise CommandError(
                f"lost v1.0's database ({first}): every change up to the saved watermark is applied; run again"
            ) from None
        except StateMoved as error:
            raise CommandError(str(error)) from None
        except (BotoCoreError, ClientError) as error:
            raise CommandError(f"AWS refused or is unreachable: {error}") from None

    def _run(self, conn, *, follow, interval, duration, limit):
        backlog = count_unread(conn, after=get_sync_state().watermark or START)
        self.stdout.write(f"{backlog} changes wait in v1.0's log.")
        bar = tqdm(total=backlog, unit="change", file=sys.stderr, disable=backlog < PROGRESS_FROM, desc="sync_v1")
        try:
            if follow:
                total = self._follow(conn, bar, interval=interval, duration=duration, limit=limit)
                self.stdout.write(self.style.SUCCESS(f"Stopped following: {total} changes applied."))
            else:
                result = run_sync_pass(conn, limit=limit, applier=ChangeApplier(conn), on_applied=bar.update)
                bar.close()
                self.stdout.write(self._describe(result))
        finally:
            bar.close()

    def _follow(self, conn, bar, **arguments):
        def on_pass(result):
            bar.close()
            if result.applied or not result.caught_up:
                self.stdout.write(self._describe(result))

        try:
            return follow(conn, on_pass=on_pass, on_applied=bar.update, **arguments)
        except KeyboardInterrupt:
            self.stdout.write("Interrupted: every change up to the watermark is applied.")
            return 0

    def _describe(self, result):
        line = f"sync_v1: {result.describe()}"
        return self.style.SUCCESS(line) if result.caught_up else line
