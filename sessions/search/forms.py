"""The search form: words, and optionally a campaign and a range of dates played.

A GET form (the results have an address, and the page works without JavaScript). The
campaign choices are the user's campaigns (sessions.search.services.campaigns_for_search): the
active ones by latest activity, then the archived ones, whose sessions are searched too.
"""

from django import forms

from sessions.core.forms import EARLIEST_PLAYED_ON, latest_played_on
from sessions.core.text import query_words

TEXT_MAX_LENGTH = 200


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search for",
        max_length=TEXT_MAX_LENGTH,
        error_messages={
            "required": "Type a word to search for.",
            "max_length": f"Search for up to {TEXT_MAX_LENGTH} characters.",
        },
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "enterkeyhint": "search"}),
    )
    campaign = forms.ChoiceField(
        label="Campaign",
        required=False,
        error_messages={"invalid_choice": "Pick one of your campaigns, or all of them."},
    )
    played_from = forms.DateField(
        label="Played from",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date, like 2024-05-31."},
    )
    played_to = forms.DateField(
        label="Played until",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date, like 2024-05-31."},
    )

    def __init__(self, *args, campaigns, **kwargs):
        """campaigns: {campaign_id: Campaign}, as sessions.search.services.campaigns_for_search
        reads them; None when they are not read yet: the campaign is then taken as written,
        for the search to read them in its own round trip, and the view checks it again
        with them (sessions/search/views.py)."""
        super().__init__(*args, **kwargs)
        if campaigns is None:
            self.fields["campaign"] = forms.CharField(required=False, max_length=64)
            return
        by_activity = sorted(campaigns.values(), key=lambda campaign: campaign.last_activity, reverse=True)
        active = [(campaign.campaign_id, campaign.name) for campaign in by_activity if not campaign.archived]
        archived = [(campaign.campaign_id, campaign.name) for campaign in by_activity if campaign.archived]
        choices = [("", "All campaigns")] + active
        if archived:
            choices.append(("Archived", archived))
        self.fields["campaign"].choices = choices
        for name in ("played_from", "played_to"):
            self.fields[name].widget.attrs.update(
                min=EARLIEST_PLAYED_ON.isoformat(), max=latest_played_on().isoformat()
            )

    def clean_q(self):
        text = self.cleaned_data["q"]
        if not query_words(text):
            raise forms.ValidationError(
                "Type a word of two letters or more: one-letter words would match almost everything.",
                code="no_words",
            )
        return text

    def clean(self):
        cleaned = super().clean()
        played_from, played_to = cleaned.get("played_from"), cleaned.get("played_to")
        if played_from and played_to and played_from > played_to:
            self.add_error(
                "played_to",
                forms.ValidationError("This date is before the first one: swap them.", code="range_reversed"),
            )
        return cleaned

    def query(self):
        """The service's arguments (sessions.search.services.search_sessions) from a valid form."""
        data = self.cleaned_data
        return {
            "text": data["q"],
            "campaign_id": data["campaign"] or None,
            "played_from": data["played_from"].isoformat() if data["played_from"] else None,
            "played_to": data["played_to"].isoformat() if data["played_to"] else None,
        }
