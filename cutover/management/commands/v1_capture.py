"""manage.py v1_capture install|uninstall|status [--source DSN]: change capture on v1.0's
database (cutover/capture.py). Safe to re-run: install adds only what is missing."""

import psycopg
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from campaigns_site.table_keys import V1_ACCOUNT_PREFIX
from cutover import capture
from cutover.state import get_sync_state
from v1.checkpoints import list_imported_accounts
from v1.source import SourceUnavailable, first_line


class Command(BaseCommand):
    help = "Install, remove or show the triggers that log v1.0's changes for sync_v1."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["install", "uninstall", "status"])
        parser.add_argument("--source", help="v1.0's PostgreSQL DSN (default: the setting V1_SOURCE_DSN)")
        parser.add_argument(
            "--drop-log",
            action="store_true",
            help="uninstall: drop the change log too (refused while changes after the sync's watermark remain)",
        )
        parser.add_argument("--force", action="store_true", help="uninstall --drop-log: drop unread changes too")

    def handle(self, *args, action, **options):
        dsn = options["source"] or settings.V1_SOURCE_DSN
        if not dsn:
            raise CommandError("No v1.0 database: give --source or set V1_SOURCE_DSN.")
        try:
            with capture.connect(dsn) as conn:
                if action == "install":
                    self.install(conn)
                elif action == "uninstall":
                    self.uninstall(conn, drop_log=options["drop_log"], force=options["force"])
                else:
                    self.status(conn)
        except SourceUnavailable as error:
            raise CommandError(str(error)) from None
        except psycopg.errors.LockNotAvailable:
            raise CommandError(
                f"v1.0's tables stayed locked for {capture.LOCK_TIMEOUT} (a long transaction): "
                "nothing changed; try again."
            ) from None
        except psycopg.Error as error:
            raise CommandError(f"v1.0's database refused: {first_line(error)}") from None
        except (BotoCoreError, ClientError) as error:
            raise CommandError(f"AWS refused or is unreachable: {error}") from None

    def install(self, conn):
        user_pairs, unpaired = imported_user_pairs()
        result = capture.install(conn, user_pairs=user_pairs)
        remembered = ", ".join(f"{count} {kind}s" for kind, count in result.remembered.items())
        if not result.changed:
            self.stdout.write(self.style.SUCCESS("Already installed: nothing changed."))
        elif result.triggers_added:
            tables = ", ".join(result.triggers_added)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Installed {len(result.triggers_added)} triggers on {tables}; remembered {remembered}."
                )
            )
        else:
            functions = ", ".join(result.functions_written) or "none"
            self.stdout.write(
                self.style.SUCCESS(
                    f"Triggers were there; trigger functions rewritten: {functions}; remembered {remembered}."
                )
            )
        if not user_pairs:
            self.stdout.write(
                self.style.WARNING("No imported accounts: run import_v1, then install again to pair ids.")
            )
        if unpaired:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(unpaired)} v1.0 users merged into another account have no id pair (one v1.0 user per sub): "
                    f"{', '.join(map(str, unpaired))}"
                )
            )

    def uninstall(self, conn, *, drop_log, force):
        if drop_log and not force:
            unread = capture.status(conn, after=get_sync_state().watermark).unread
            if unread:
                raise CommandError(
                    f"{unread} logged changes are not synced yet: run sync_v1 first, or add --force to drop them."
                )
        result = capture.uninstall(conn, drop_log=drop_log)
        if result.triggers_dropped:
            self.stdout.write(
                f"Removed {len(result.triggers_dropped)} triggers from {', '.join(result.triggers_dropped)}."
            )
        else:
            self.stdout.write("No capture triggers were installed: none removed.")
        if result.log_dropped:
            self.stdout.write("Dropped the change log cutover_changes.")
        else:
            self.stdout.write("Kept the change log cutover_changes (if any) and the id pairs cutover_ids.")
        self.stdout.write(self.style.SUCCESS("Nothing else of v1.0's was touched."))

    def status(self, conn):
        sync_state = get_sync_state()
        found = capture.status(conn, after=sync_state.watermark)
        total = len(capture.CAPTURED_TABLES)
        if found.tables_with_trigger:
            tables = ", ".join(found.tables_with_trigger)
            self.stdout.write(f"Triggers on {len(found.tables_with_trigger)} of {total} tables: {tables}.")
        if found.tables_without_trigger:
            self.stdout.write(f"No trigger on: {', '.join(found.tables_without_trigger)}.")
        if found.logged is None:
            self.stdout.write("No change log (cutover_changes): capture was never installed, or its log was dropped.")
            return
        xid, change_id = sync_state.watermark
        line = f"{found.logged} changes logged; {found.unread} after the sync's watermark ({xid}, {change_id})"
        if found.oldest_unread is not None:
            age = (timezone.now() - found.oldest_unread).total_seconds()
            line += f", the oldest from {found.oldest_unread:%Y-%m-%d %H:%M:%S %Z} ({age:.0f} s ago)"
        self.stdout.write(line + ".")


def imported_user_pairs():
    """([(v1.0 user id, sub)], [v1.0 user ids left without a pair]) of the imported accounts.
    cutover_ids keeps one v1.0 user per sub: the one whose name and password the account
    has comes first and keeps it; the users merged into it (--merge-case-duplicates) come
    after, so that their campaigns and sessions are paired, but get no user pair."""
    main_pairs, merged_pairs = [], []
    for account in list_imported_accounts():
        main_id = int(account.sk.removeprefix(V1_ACCOUNT_PREFIX))
        main_pairs.append((main_id, account.sub))
        merged_pairs += [(int(v1_id), account.sub) for v1_id in account.v1_user_ids if int(v1_id) != main_id]
    return main_pairs + merged_pairs, sorted(v1_id for v1_id, _ in merged_pairs)
