"""The play session item (fields as in v1.0) and its place in play order (LSI1)."""

from datetime import date

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute, VersionAttribute

from campaigns_site.table import TableModel

NO_DATE = "0000-00-00"  # below every real date: sessions without one sort as the oldest
NO_NUMBER = "-"  # below every digit: unnumbered sessions sort below numbered ones of the same day
NUMBER_DIGITS = 10
MAX_NUMBER = 10**NUMBER_DIGITS - 1


def play_order_prefix(campaign_id):
    return f"SESSION#{campaign_id}#"


def play_order_key(*, campaign_id, played_on, number, session_id):
    """LSI1SK `SESSION#<cid>#<played_on or 0000-00-00>#<number, 10 digits, or ->#<sid>`.

    Read backwards (newest first) this is play order: latest date first, then the highest
    number, then the latest created (ULID); a missing date or number sorts as the oldest.
    """
    day = played_on or NO_DATE
    numbered = NO_NUMBER if number is None else f"{int(number):0{NUMBER_DIGITS}d}"
    return f"{play_order_prefix(campaign_id)}{day}#{numbered}#{session_id}"


def clean_played_on(value):
    """An ISO date string ("2024-05-31") from a date or a string, or None; ValueError otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    return date.fromisoformat(value).isoformat()


def clean_number(value):
    """A whole number 0..MAX_NUMBER, or None: it is part of the play order key."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or int(value) != value or not 0 <= value <= MAX_NUMBER:
        raise ValueError(f"a session number is a whole number from 0 to {MAX_NUMBER}: {value!r}")
    return int(value)


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
