"""What the staff's user pages show: a user's usage over time, as a table and a small
server-rendered bar chart. Metadata only: the directory's facts and counters, never a
campaign's, session's or summary's text."""

from dataclasses import dataclass

from campaigns_site import dynamodb
from campaigns_site.directory import COUNTERS
from campaigns_site.table_keys import USAGE_PREFIX, user_pk

try:  # campaigns_site/usage.py (engineer A2's counters) lands in the same merge
    from campaigns_site.usage import usage_by_month
except ImportError:  # pragma: no cover - gone once usage.py is merged
    usage_by_month = None

CHART_WIDTH = 320  # the SVG's own units; it scales to the page's width (a phone's too)
CHART_HEIGHT = 120
LABEL_HEIGHT = 16
CHARTED = "sessions"  # the bar chart's counter: sessions added per month
CHART_SLOTS = 12  # a bar is never wider than a twelfth of the chart (one month is not a wall)
VALUE_HEIGHT = 12  # room above the highest bar for its number
MONTH_NAMES = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


@dataclass(frozen=True)
class MonthOfUsage:
    month: str  # "yyyy-mm"
    deltas: dict  # counter name → what the month added (may be negative: deletions)


@dataclass(frozen=True)
class Bar:
    month: str
    label: str  # "Dec 26"
    value: int
    value_y: float  # the number's baseline, just above the bar
    x: float
    y: float
    width: float
    height: float


def usage_over_time(*, sub):
    """The user's months, oldest first: one Query of their `USAGE#<yyyy-mm>` items."""
    months = usage_by_month(sub=sub) if usage_by_month is not None else _usage_items(sub)
    return [MonthOfUsage(month, {name: deltas.get(name, 0) for name in COUNTERS}) for month, deltas in months]


def _usage_items(sub):
    # Until campaigns_site.usage is merged: its items read as it documents them, (month,
    # deltas) oldest first. SK order is month order (USAGE#yyyy-mm).
    items = dynamodb.query(user_pk(sub), sk_prefix=USAGE_PREFIX)
    return [(item["SK"].removeprefix(USAGE_PREFIX), {n: item[n] for n in COUNTERS if n in item}) for item in items]


def usage_bars(months, *, counter=CHARTED):
    """The bar chart's bars: one per month, scaled to the highest; none below zero."""
    if not months:
        return []
    values = [max(int(month.deltas.get(counter, 0)), 0) for month in months]
    highest = max(values) or 1
    slot = CHART_WIDTH / max(len(months), CHART_SLOTS)
    plot_height = CHART_HEIGHT - LABEL_HEIGHT - VALUE_HEIGHT
    bars = []
    for index, (month, value) in enumerate(zip(months, values, strict=True)):
        height = round(plot_height * value / highest, 1)
        bars.append(
            Bar(
                month=month.month,
                label=_month_label(month.month),
                value=value,
                x=round(index * slot + slot * 0.15, 1),
                y=round(VALUE_HEIGHT + plot_height - height, 1),
                value_y=round(VALUE_HEIGHT + plot_height - height - 2, 1),
                width=round(slot * 0.7, 1),
                height=height,
            )
        )
    return bars


def _month_label(month):
    """ "2026-12" → "Dec 26": short enough for a bar a twelfth of a phone's width."""
    year, number = month.split("-")
    return f"{MONTH_NAMES[int(number) - 1]} {year[2:]}"
