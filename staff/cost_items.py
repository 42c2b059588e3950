"""The cost figures' cache item (staff/costs.py)."""

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute

from campaigns_site.table import TableModel


class CostFigures(TableModel, discriminator="CostFigures"):
    """PK `OPS`, SK `COSTS` (the dashboard's) or `COSTS#<yyyy-mm>` (a past month's)."""

    figures = UnicodeAttribute(null=True)  # JSON (docs/data-model.md says what it holds)
    fetched = UTCDateTimeAttribute(null=True)
    claimed = UTCDateTimeAttribute(null=True)  # when the last refresh started
