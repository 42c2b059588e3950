"""What a view tells the user when the table refuses a write: one wording per error,
whichever page it happens on (StillChanging says the same on every form and button).
"""

from campaigns_site.errors import StillChanging


def still_changing_message(thing):
    """`thing` is what changed under the write: "session", "campaign", "transcript"."""
    return f"The {thing} is changing right now. Try again in a moment."


def refusal_message(error, *, thing):
    """The message for a refused write, or None for an error a view must handle itself
    (StaleEdit shows the differences; NotFound is a 404)."""
    if isinstance(error, StillChanging):
        return still_changing_message(thing)
    return None
