from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.management.base import CommandError

from campaigns_site.alarms import AlarmsError, ensure_alarms
from campaigns_site.operations import OperationsCommand
from campaigns_site.provision import ProvisionError


def _amount(value):
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise CommandError(f"--monthly-usd must be an amount in dollars, not {value!r}") from None
    if not amount.is_finite() or amount <= 0:
        raise CommandError(f"--monthly-usd must be more than 0, not {value!r}")
    return amount


class Command(OperationsCommand):
    help = (
        "Create or update the monthly AWS Budget (e-mails at 80 % and 100 %) and the CloudWatch alarms "
        "(Lambda errors and throttles, DynamoDB throttles, failed summary jobs) with their SNS topic. "
        "Safe to re-run: changes only what differs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--monthly-usd", type=_amount, default=None, help="the budget (default: COST_BUDGET_MONTHLY_USD)"
        )
        parser.add_argument(
            "--email",
            action="append",
            default=None,
            help="an address to alert (repeat it, or commas; default: ALERT_EMAILS)",
        )
        parser.add_argument(
            "--function", default=None, help="the Lambda function watched (default: LAMBDA_FUNCTION_NAME)"
        )
        parser.add_argument(
            "--only-tagged",
            action="store_true",
            help="the budget counts only costs tagged COST_ALLOCATION_TAG (default: the whole account's)",
        )
        parser.add_argument("--dry-run", action="store_true", help="say what would change, change nothing")

    def handle(self, *args, **options):
        emails = settings.ALERT_EMAILS
        if options["email"]:
            emails = [part.strip() for value in options["email"] for part in value.split(",") if part.strip()]
        if not emails:
            raise CommandError("No e-mail to alert: pass --email or set ALERT_EMAILS.")
        monthly_usd = options["monthly_usd"] or settings.COST_BUDGET_MONTHLY_USD
        if options["only_tagged"] and not settings.COST_ALLOCATION_TAG:
            raise CommandError("--only-tagged needs COST_ALLOCATION_TAG (key=value), the tag provision applies.")
        try:
            report = ensure_alarms(
                emails=emails,
                monthly_usd=monthly_usd,
                function_name=options["function"] or settings.LAMBDA_FUNCTION_NAME,
                cost_tag=settings.COST_ALLOCATION_TAG if options["only_tagged"] else "",
                dry_run=options["dry_run"],
                progress=self.stdout.write,
            )
        except (AlarmsError, ProvisionError) as error:
            raise CommandError(str(error)) from error
        if options["dry_run"]:
            self.stdout.write(self.style.WARNING(f"Dry run: {report.changed} change(s) would be made, none made."))
        elif report.changed:
            self.stdout.write(self.style.SUCCESS(f"Budget and alarms in place: {report.changed} change(s) made."))
        else:
            self.stdout.write(self.style.SUCCESS("Budget and alarms already in place: nothing changed."))
