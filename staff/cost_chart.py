"""The daily cost chart's geometry, for a server-rendered SVG (templates/staff/_cost_chart.svg):
one bar a day, a scale of round amounts, no JavaScript. The SVG scales with its viewBox, so
the same drawing fits a phone and a desktop; the figures are also in a table below it."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 8, 12, 28  # room for the scale and the dates
ROUND_STEPS = (Decimal("0.01"), Decimal("0.02"), Decimal("0.05"))


@dataclass(frozen=True)
class Bar:
    day: str
    amount: Decimal
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Tick:
    amount: Decimal
    y: float

    @property
    def label(self):
        """The amount in dollars, with as many decimals as it needs (at least 2): a quarter
        of a scale of $0.02 is $0.005, which two decimals would round to $0.01."""
        cents = f"{self.amount:.4f}".rstrip("0").partition(".")[2]
        return f"${self.amount:.{max(len(cents), 2)}f}"


def _scale_top(largest):
    """The smallest round amount (1, 2 or 5 times a power of ten cents) at or above `largest`."""
    step = 0
    while True:
        top = ROUND_STEPS[step % 3] * (10 ** (step // 3))
        if top >= largest:
            return top
        step += 1


def chart(daily):
    """`daily`: [(yyyy-mm-dd, amount)], oldest first → the drawing's parts."""
    points = [(day, Decimal(amount)) for day, amount in daily]
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = _scale_top(max((amount for _, amount in points), default=Decimal(0)))
    slot = plot_width / max(len(points), 1)
    bars = []
    for index, (day, amount) in enumerate(points):
        height = float(amount / top) * plot_height if top else 0.0
        bars.append(
            Bar(
                day=day,
                amount=amount,
                x=round(LEFT + index * slot + slot * 0.1, 2),
                y=round(TOP + plot_height - height, 2),
                width=round(max(slot * 0.8, 0.5), 2),
                height=round(height, 2),
            )
        )
    ticks = [Tick(amount=top * n / 4, y=round(TOP + plot_height - plot_height * n / 4, 2)) for n in range(5)]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "baseline": TOP + plot_height,
        "scale_x": LEFT - 6,
        "dates_y": HEIGHT - 6,
        "bars": bars,
        "ticks": ticks,
        "first": _label(points[0][0]) if points else "",
        "last": _label(points[-1][0]) if points else "",
        "total": sum((amount for _, amount in points), Decimal(0)),
        "days": len(points),
    }


def _label(day):
    return date.fromisoformat(day).strftime("%-d %b")
