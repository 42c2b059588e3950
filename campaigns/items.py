"""The campaign item (fields as in v1.0) and its place in the second sort order (LSI1)."""

from datetime import UTC

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from campaigns_site.table import TableModel

# A campaign is listed under one of these, by its latest activity.
ACTIVE = "ACTIVE"
ARCHIVED = "ARCHIVED"
DELETING = "DELETING"  # its delete cascade has started: out of every list but "finish deleting"


def campaign_order_prefix(state):
    return f"CAMPAIGN#{state}#"


def campaign_order_key(*, state, moment, campaign_id):
    """LSI1SK `CAMPAIGN#<state>#<UTC time, fixed width>#<campaign_id>`: sorts by time within a state."""
    return f"{campaign_order_prefix(state)}{sortable_time(moment)}#{campaign_id}"


def sortable_time(moment):
    """Fixed width, so that string order is time order: 2024-05-31T18:04:05.000123Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Campaign(TableModel, discriminator="Campaign"):
    """PK `USER#<sub>`, SK `CAMPAIGN#<campaign_id>`, LSI1SK from campaign_order_key()."""

    name = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    game_system = UnicodeAttribute(default="")
    archived = BooleanAttribute(default=False)
    created = UTCDateTimeAttribute()
    updated = UTCDateTimeAttribute()  # the last edit of the campaign's own fields
    last_activity = UTCDateTimeAttribute()  # created, edited, or a session added/edited/moved/deleted
    session_count = NumberAttribute(default=0)
    transcript_bytes = NumberAttribute(default=0)
    deleting_since = UTCDateTimeAttribute(null=True)
    # Bumped by edits of the fields above only: counters and activity leave it alone,
    # so adding a session never makes somebody's open edit form stale.
    version = VersionAttribute()

    @property
    def campaign_id(self):
        return self.sk.removeprefix("CAMPAIGN#")

    @property
    def state(self):
        if self.deleting_since is not None:
            return DELETING
        return ARCHIVED if self.archived else ACTIVE
