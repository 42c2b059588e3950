"""A play session's place in play order (LSI1SK), and the rules its key parts obey.

Apart from the item class so that forms and views can use the limits without importing
PynamoDB (and botocore) at start-up.
"""

from datetime import date

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
