"""The campaign item (fields as in v1.0)."""

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from campaigns_site.table import TableModel


class Campaign(TableModel, discriminator="Campaign"):
    """PK `USER#<sub>`, SK `CAMPAIGN#<campaign_id>`."""

    name = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    game_system = UnicodeAttribute(default="")
    archived = BooleanAttribute(default=False)
    created = UTCDateTimeAttribute()
    updated = UTCDateTimeAttribute()
    last_activity = UTCDateTimeAttribute()
    session_count = NumberAttribute(default=0)
    transcript_bytes = NumberAttribute(default=0)
    version = VersionAttribute()

    @property
    def campaign_id(self):
        return self.sk.removeprefix("CAMPAIGN#")
