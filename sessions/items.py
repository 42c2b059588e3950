"""The play session item (fields as in v1.0)."""

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute, VersionAttribute

from campaigns_site.table import TableModel


class PlaySession(TableModel, discriminator="PlaySession"):
    """PK `USER#<sub>`, SK `SESSION#<campaign_id>#<session_id>`."""

    title = UnicodeAttribute()
    number = NumberAttribute(null=True)
    played_on = UnicodeAttribute(null=True)  # an ISO date, "2024-05-31": a day, not an instant
    notes = UnicodeAttribute(default="")
    created = UTCDateTimeAttribute()
    updated = UTCDateTimeAttribute()
    version = VersionAttribute()

    @property
    def campaign_id(self):
        return self.sk.split("#")[1]

    @property
    def session_id(self):
        return self.sk.split("#")[2]
