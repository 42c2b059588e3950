"""The campaign item (fields as in v1.0); its place in the second sort order (LSI1) is
campaigns_site.table_keys.campaign_order_key."""

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from campaigns_site.table import TableModel
from campaigns_site.table_keys import CAMPAIGN_PREFIX

# A campaign is listed under one of these, by its latest activity.
ACTIVE = "ACTIVE"
ARCHIVED = "ARCHIVED"
DELETING = "DELETING"  # its delete cascade has started: out of every list but "finish deleting"
# A campaign lists at most this many session ids (27 bytes each: 5.4 KB); past it the story
# page reads its sessions by Query, as it did before the list.
MAX_LISTED_SESSIONS = 200


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
    # The ids of its sessions (issue 17), added and deleted with session_count by the same
    # update, while it lists fewer than MAX_LISTED_SESSIONS: the story page reads them by
    # key. Complete only when it holds session_count ids (sessions_listed).
    session_ids = UnicodeSetAttribute(null=True)
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
    def sessions_listed(self):
        """session_ids names every session of the campaign: as many ids as it counts (an id
        whose session is gone still makes it wrong: the story page checks they are all found)."""
        return len(self.session_ids or ()) == int(self.session_count or 0)

    @property
    def state(self):
        if not self.is_live:
            return DELETING
        return ARCHIVED if self.archived else ACTIVE
