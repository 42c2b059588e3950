"""manage.py doctor: check a deployment end to end (campaigns_site/doctor/), print each check
with ok / warn / fail and how to fix it, and exit non-zero on any fail. Only reads, except
the probe's own item (written, read back and deleted). Safe to re-run."""

from django.core.management.base import CommandError

from campaigns_site.doctor import FAIL, OK, SKIP, WARN, summary
from campaigns_site.doctor.function import zappa_function_name, zappa_stage
from campaigns_site.doctor.run import run_checks
from campaigns_site.operations import OperationsCommand

DEFAULT_STAGE = "production"
NAME_WIDTH = 42


class Command(OperationsCommand):
    help = (
        "Check the deployment: table, bucket, user pool, the Lambda function (with --function or --stage), "
        "settings (check --deploy) and a live probe. Prints how to fix each problem; exits 1 on any fail."
    )

    def add_arguments(self, parser):
        parser.add_argument("--function", help="the Lambda function to check (default: none, or the --stage's)")
        parser.add_argument(
            "--stage",
            help=f"the zappa_settings.json stage the function is checked against (default {DEFAULT_STAGE}); "
            "given without --function, its function (<project_name>-<stage>) is checked",
        )
        probe = parser.add_mutually_exclusive_group()
        probe.add_argument(
            "--probe", action="store_true", default=None, help="GET SITE_ORIGIN/health/ even when it is local"
        )
        probe.add_argument("--no-probe", dest="probe", action="store_false", help="no live probe at all")

    def handle(self, *args, **options):
        stage = options["stage"] or DEFAULT_STAGE
        try:
            stage_config = zappa_stage(stage)
        except KeyError as error:
            raise CommandError(error.args[0]) from None
        function_name = options["function"] or (zappa_function_name(stage, stage_config) if options["stage"] else None)
        results = run_checks(
            function_name=function_name, stage=stage, stage_config=stage_config, probe=options["probe"]
        )
        for result in results:
            self.stdout.write(self.line(result))
            if result.fix:
                self.stdout.write(f"{'':6}{'':{NAME_WIDTH}} fix: {result.fix}")
        line = summary(results)
        if any(result.status == FAIL for result in results):
            raise CommandError(f"Doctor: {line}.")
        self.stdout.write(self.style.SUCCESS(f"Doctor: {line}."))

    def line(self, result):
        style = {OK: self.style.SUCCESS, WARN: self.style.WARNING, FAIL: self.style.ERROR, SKIP: str}[result.status]
        return f"{style(f'{result.status:<4}')}  {result.name:<{NAME_WIDTH}} {result.detail}"
