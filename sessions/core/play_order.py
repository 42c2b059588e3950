"""The rules a play session's place in play order obeys: its date and its number (the
key itself, LSI1SK, is campaigns_site.table_keys.play_order_key).

Apart from the item class so that forms and views can use the limits without importing
PynamoDB (and botocore) at start-up.
"""

from datetime import date

from campaigns_site.table_keys import NUMBER_DIGITS

MAX_NUMBER = 10**NUMBER_DIGITS - 1  # the most the key's fixed-width number holds


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
