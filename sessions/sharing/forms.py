"""The form that makes a share link, and the rules of a link the repository checks again.

No PynamoDB at import: the URLconf imports this module through the views at start-up, and
sessions/sharing/repository.py (the items and their repository) takes its rules from here, as
sessions/transcripts/items.py takes its caps from sessions/transcripts/speaker_display.py.
"""

from datetime import UTC, datetime, time, timedelta

from django import forms

from campaigns_site.forms import OneLineField

# What a link shows. "transcript" means the summaries *and* the transcript.
SCOPES = {
    "recap": "Recap only",
    "summaries": "All summaries",
    "transcript": "Summaries and transcript",
}
SCOPE_HELP = {
    "recap": "the “previously on…” recap",
    "summaries": "recap, key events, NPCs, locations, loot, open threads",
    "transcript": "every summary, and the whole transcript to read",
}
DEFAULT_SCOPE = "recap"  # the least a link can show
LABEL_MAX_LENGTH = 60
MAX_VIEW_LIMIT = 100_000
# An expiry further out than this is a typo (a year 2205), and a date near year 9999 would
# overflow the end-of-day arithmetic. "No expiry" is there for links that should last.
LATEST_EXPIRY_AHEAD = timedelta(days=3653)


def today_utc():
    return datetime.now(UTC).date()


def end_of_day_utc(day):
    """The instant a link that works "until `day`" stops working: the next midnight, UTC."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


class ShareLinkForm(forms.Form):
    """A new share link: what it shows, and optionally until when, how many times, and a
    label only the owner sees."""

    scope = forms.ChoiceField(
        label="What the link shows",
        choices=[(value, f"{label} ({SCOPE_HELP[value]})") for value, label in SCOPES.items()],
        initial=DEFAULT_SCOPE,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what the link shows.",
            "invalid_choice": "Choose one of the options offered.",
        },
    )
    expires_on = forms.DateField(
        label="Works until",
        required=False,
        help_text="Optional. The link works through the end of this day (UTC). Empty: it never expires.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date, like 2025-06-30."},
    )
    view_limit = forms.IntegerField(
        label="View limit",
        required=False,
        min_value=1,
        max_value=MAX_VIEW_LIMIT,
        help_text="Optional. After this many views the link stops working. Empty: no limit.",
        error_messages={
            "invalid": "Enter a whole number, like 10.",
            "min_value": "Enter 1 or more, or leave it empty for no limit.",
            "max_value": f"Enter a number up to {MAX_VIEW_LIMIT:,}, or leave it empty for no limit.",
        },
    )
    characters_only = forms.BooleanField(
        label="Character names only",
        required=False,
        help_text="In the summaries and the transcript, each speaker shows by their character’s name "
        "(or “Speaker 2” when they have none), never by a player’s name or the name they were recorded with.",
    )
    label = OneLineField(
        label="Label",
        required=False,
        max_length=LABEL_MAX_LENGTH,
        help_text=(
            "Optional, only you see it: who the link is for, like “For the players”."
            f" Up to {LABEL_MAX_LENGTH} characters."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        if day is None:
            return None
        today = today_utc()
        if day < today:
            raise forms.ValidationError(f"Pick today ({today:%Y-%m-%d}, UTC) or a later day, or leave it empty.")
        if day > today + LATEST_EXPIRY_AHEAD:
            raise forms.ValidationError("Pick a day within the next ten years, or leave it empty for no expiry.")
        return day

    def share_link_fields(self):
        """The keyword arguments of share_links.create_share_link, from the cleaned form."""
        data = self.cleaned_data
        return {
            "scope": data["scope"],
            "expires": end_of_day_utc(data["expires_on"]) if data["expires_on"] else None,
            "view_limit": data["view_limit"],
            "label": data["label"],
            "characters_only": data["characters_only"],  # summaries name speakers too: every scope
        }
