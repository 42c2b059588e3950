"""The campaign item (fields as in v1.0); its place in the second sort order (LSI1) is
campaigns_site.table_keys.campaign_order_key."""

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from campaigns_site.table import TableModel
from campaigns_site.table_keys import CAMPAIGN_PREFIX

# A campaign is listed under one of these, by its latest activity.
ACTIVE = "ACTIVE"
ARCHIVED = "ARCHIVED"
DELETING = "DELETING"  # its delete cascade has started: out of every list but "finish deleting"


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
        return self.sk.removeprefix(CAMPAIGN_PREFIX)

    @property
    def is_live(self):
        """Not being deleted: once its delete cascade has started, a campaign counts as gone
        for every read and write, and so does everything in it."""
        return self.deleting_since is None

    @classmethod
    def live_condition(cls):
        """The write condition of is_live: the campaign exists and its delete has not started."""
        return cls.sk.exists() & cls.deleting_since.does_not_exist()

    @property
    def state(self):
        if not self.is_live:
            return DELETING
        return ARCHIVED if self.archived else ACTIVE
