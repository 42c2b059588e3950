"""The play session item (fields as in v1.0) and its place in play order (LSI1)."""

from datetime import date

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute, VersionAttribute

from campaigns_site.table import TableModel
from sessions.play_order import (  # noqa: F401  (re-exported)
    MAX_NUMBER,
    NO_DATE,
    NO_NUMBER,
    NUMBER_DIGITS,
    clean_number,
    clean_played_on,
    play_order_key,
    play_order_prefix,
)


class PlaySession(TableModel, discriminator="PlaySession"):
    """PK `USER#<sub>`, SK `SESSION#<campaign_id>#<session_id>`, LSI1SK from play_order_key()."""

    title = UnicodeAttribute()
    number = NumberAttribute(null=True)  # may be missing, and may repeat
    played_on = UnicodeAttribute(null=True)  # an ISO date, "2024-05-31": a day, not an instant
    notes = UnicodeAttribute(default="")
    created = UTCDateTimeAttribute()
    updated = UTCDateTimeAttribute()
    # The size of this session's transcript, as counted in its campaign's transcript_bytes:
    # a delete or a move takes exactly this much off. Set with the transcript fields.
    transcript_bytes = NumberAttribute(default=0)
    # Every write of the session's children (summaries, share links, search item, job)
    # adds 1 here in its own transaction, conditioned on the session existing. A delete
    # or move that read the children conditions on this, so one written meanwhile makes
    # it read again instead of leaving an orphan. Not `version`: a finished summary must
    # not make an open edit form stale.
    children_version = NumberAttribute(default=0)
    version = VersionAttribute()

    @property
    def campaign_id(self):
        return self.sk.split("#")[1]

    @property
    def played_on_date(self):
        """played_on as a date (for templates' date filter), or None."""
        return date.fromisoformat(self.played_on) if self.played_on else None

    @property
    def session_id(self):
        return self.sk.split("#")[2]


# Share links (`SHARE#<sha256(token)>` / `SHARE`) and their pointers in the owner's
# partition (`SHARELINK#<sha256(token)>`) name the session they share by these two
# attributes (see docs/data-model.md). Their models come with sharing; moving and
# deleting a session rely on these names now.
SHARED_CAMPAIGN_ID = UnicodeAttribute(attr_name="campaign_id")
SHARED_SESSION_ID = UnicodeAttribute(attr_name="session_id")
