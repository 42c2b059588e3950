import re
from datetime import datetime
from decimal import Decimal

from django.core.management.base import CommandError
from django.utils import timezone

from campaigns_site.operations import OperationsCommand
from staff import costs
from staff.cost_explorer import CostExplorerUnavailable
from staff.prices import AS_OF, REGION


def _month(value):
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise CommandError(f"--month must be YYYY-MM, not {value!r}")
    if value > timezone.now().strftime("%Y-%m"):
        raise CommandError(f"--month {value} has not started yet")
    return value


class Command(OperationsCommand):
    help = (
        "Print a month's AWS cost by service: Cost Explorer's real figures beside the app's cost model, "
        "the totals, and the forecast for the current month. Reads the figures the cost page cached "
        "unless --refresh or the month was never fetched (each Cost Explorer request costs $0.01)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", default=None, help="YYYY-MM (default: this month)")
        parser.add_argument(
            "--refresh", action="store_true", help="ask Cost Explorer again (at most once a minute; $0.01 a request)"
        )

    def handle(self, *args, **options):
        month = _month(options["month"]) if options["month"] else timezone.now().strftime("%Y-%m")
        try:
            current = costs.month_figures(month=month, refresh=options["refresh"])
        except costs.RefreshRefused as refused:
            raise CommandError(str(refused)) from None
        except CostExplorerUnavailable as error:
            raise CommandError(f"Cost Explorer refused: {error}") from None
        figures = current.figures
        if figures.get("error"):
            raise CommandError(f"Cost Explorer refused the last refresh: {figures['error']}")
        self._print(month, figures)

    def _print(self, month, figures):
        fetched = datetime.fromisoformat(figures["fetched"])
        tag = f"resources tagged {figures['tag']}" if figures.get("tag") else "the whole account (no tag filter)"
        write = self.stdout.write
        write(f"Cost of {month}, {tag}")
        write(f"Figures fetched {fetched:%Y-%m-%d %H:%M} UTC; model at {REGION} list prices of {AS_OF}")
        rows = costs.comparison(figures)
        width = max([len(row["service"]) for row in rows] + [len("Service")])
        write(f"{'Service':<{width}}  {'Real':>10}  {'Model':>10}")
        for row in rows:
            model = "-" if row["model"] is None else f"{row['model']:.4f}"
            write(f"{row['service']:<{width}}  {row['real']:>10.4f}  {model:>10}")
        real_total, model_total = costs.totals(rows)
        write(f"{'Total (USD)':<{width}}  {real_total:>10.4f}  {model_total:>10.4f}")
        if figures.get("forecast"):
            write(f"Forecast for the whole month: ${Decimal(figures['forecast']):.2f}")
        elif month == figures.get("month") and "daily" in figures:
            write("Forecast for the whole month: not available")
        for note in figures.get("notes", []):
            write(f"Note: {note}")
        write(f"Cost Explorer requests made for these figures this month: {figures.get('ce_requests', 0)}")
