"""manage.py shift_traffic --percent N | --rollback: move the share of visitors CloudFront
sends to this app (docs/cutover.md). Without either, it shows the split and the usual
next step (10 → 25 → 50 → 100).

A step forward must pass the gates (cutover/gates.py): verify_v1 finds no drift on a
sample (--sample N, or --full), the outbox is empty, the sync runs and is under a minute
behind, and 5xx answers did not rise over the last hour. A step back (the safe direction)
needs none of those, but the users it sends back to v1.0 must find there every change they
made here: so it first drains the outbox, and refuses while entries remain. --rollback is
that step to 0 %, marked as a rollback. --force goes past failed gates, with a warning,
and the shift is recorded as forced. Every shift is recorded (cutover.state.record_shift)
and listed on /staff/cutover/.
"""

import getpass
import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from cutover import gates as cutover_gates
from cutover.state import record_shift
from cutover.traffic import EdgeUnavailable, SplitChanged, read_split, write_split


class Command(BaseCommand):
    help = "Show or move the share of visitors sent to this app (the rest go to v1.0); --rollback sends all back."

    def add_arguments(self, parser):
        parser.add_argument("--percent", type=int, help="the share of visitors to send to this app, 0 to 100")
        parser.add_argument(
            "--rollback", action="store_true", help="send everyone back to v1.0 (0 %%), after draining the outbox"
        )
        parser.add_argument("--force", action="store_true", help="go ahead even if gates fail (recorded as forced)")
        parser.add_argument("--full", action="store_true", help="verify every imported account, not a sample")
        parser.add_argument(
            "--sample",
            type=int,
            default=cutover_gates.DEFAULT_SAMPLE,
            help="how many random imported accounts verify_v1 compares (default %(default)s)",
        )
        parser.add_argument("--source", help="v1.0's PostgreSQL DSN (default: V1_SOURCE_DSN)")
        parser.add_argument("--v1-bucket", help="v1.0's transcript bucket (default: V1_BUCKET)")
        parser.add_argument("--by", help="who shifts, for the record (default: your login)")

    def handle(self, *args, **options):
        target = self._target(options)
        split = self._read()
        self.stdout.write(
            f"The split: {split.percent} % of visitors to this app, {100 - split.percent} % to v1.0 "
            f"(read from {split.where})."
        )
        if target is None:
            self._show_next_step(split)
            return
        if target == split.percent:
            if options["rollback"]:
                self._drain(options)  # nothing to shift, but the outbox still goes to v1.0
            self.stdout.write(f"Already at {target} %: nothing changed.")
            return
        if target < split.percent:
            gates = self._drain(options)
        else:
            if target != split.next_step:
                self.stdout.write(f"Note: the usual next step is {split.next_step} %, not {target} %.")
            self.stdout.write(f"Gates for {split.percent} % → {target} %:")
            gates = cutover_gates.forward_gates(
                source=options["source"] or settings.V1_SOURCE_DSN,
                v1_bucket=options["v1_bucket"] or settings.V1_BUCKET,
                sample=options["sample"],
                full=options["full"],
            )
        self._print_gates(gates)
        failed = [gate["name"] for gate in gates if not gate["ok"]]
        if failed and not options["force"]:
            raise CommandError(
                f"Refused: {', '.join(failed)} failed (above); the split stays at {split.percent} %. "
                "Fix it and run again, or pass --force."
            )
        if failed:
            self.stderr.write(self.style.WARNING(f"Forced past failed gates: {', '.join(failed)}."))
        self._write(split, target)
        record_shift(
            by=options["by"] or _login(),
            from_percent=split.percent,
            to_percent=target,
            gates=gates,
            forced=bool(failed),
            rollback=options["rollback"],
        )
        what = "Rolled back" if options["rollback"] else "Shifted"
        self.stdout.write(
            self.style.SUCCESS(
                f"{what}: {target} % of visitors to this app, {100 - target} % to v1.0 (was {split.percent} %). "
                "Recorded; see /staff/cutover/."
            )
        )

    def _target(self, options):
        percent, rollback = options["percent"], options["rollback"]
        if rollback and percent is not None:
            raise CommandError("Give --percent or --rollback, not both (--rollback is 0 %).")
        if percent is not None and not 0 <= percent <= 100:
            raise CommandError(f"--percent is 0 to 100, not {percent}.")
        if options["sample"] < 1:
            raise CommandError(f"--sample is at least 1, not {options['sample']}.")
        return 0 if rollback else percent

    def _read(self):
        try:
            return read_split()
        except EdgeUnavailable as error:
            raise CommandError(f"Cannot read the split: {error}") from None

    def _write(self, split, target):
        try:
            write_split(percent=target, read=split)
        except (SplitChanged, EdgeUnavailable) as error:
            raise CommandError(f"Nothing changed: {error}") from None

    def _show_next_step(self, split):
        if split.next_step is None:
            self.stdout.write("Every visitor is on this app: once that has held, retire_v1.")
        else:
            self.stdout.write(f"The usual next step: --percent {split.next_step}.")

    def _drain(self, options):
        """Before users go back to v1.0: every change they made here must be there."""
        self.stdout.write("Draining the outbox into v1.0 first (drain_outbox --all):")
        # --all: entries backed off after a failure go too; the mirror's DSN, else --source.
        dsn = settings.V1_MIRROR_DSN or options["source"] or settings.V1_SOURCE_DSN
        try:
            call_command(
                "drain_outbox", "--all", *(["--dsn", dsn] if dsn else []), stdout=self.stdout, stderr=self.stderr
            )
        except CommandError as error:  # v1.0 unreachable, an entry failed: the outbox gate says what is left
            self.stderr.write(f"drain_outbox: {error}")
        else:
            self._count_users_without_a_v1_password(dsn)
        return [cutover_gates.outbox_gate()]

    def _count_users_without_a_v1_password(self, dsn):
        """Who signed up here has no password on v1.0 (the mirror cannot know it): going
        back, they need v1.0's "forgot password". The operator tells them."""
        from cutover.mirror_drain import mirror_status

        try:
            users = mirror_status(dsn=dsn).users_without_password
        except Exception as error:  # a report only: the rollback does not depend on it
            self.stderr.write(f"Could not count the users without a v1.0 password: {error}")
            return
        if users:
            self.stdout.write(
                f"{users} user(s) who signed up here have no password on v1.0: after this step they "
                'use v1.0\'s "forgot password" (tell them; docs/cutover.md).'
            )

    def _print_gates(self, gates):
        for gate in gates:
            mark = self.style.SUCCESS("ok  ") if gate["ok"] else self.style.ERROR("FAIL")
            self.stdout.write(f"  {mark}  {gate['name']}: {gate['detail']}")


def _login():
    try:
        return os.environ.get("USER") or getpass.getuser()
    except (KeyError, OSError):  # no login name in a container without one
        return "unknown"
