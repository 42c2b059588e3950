"""Play session forms: add, edit (with the version it started from) and move.

Size caps: a title of 200 characters and notes of 20,000 characters cover a long evening's
notes. Notes are also capped at NOTES_MAX_BYTES in UTF-8 (emoji and many scripts take 3-4
bytes a character), so that a session item stays inside the project's 64 KB item budget
(docs/data-model.md, rule 8) with room for the transcript fields still to come: far below
DynamoDB's 400 KB limit, and a list page of 25 sessions is a modest read.
"""

from datetime import date, timedelta

from django import forms
from django.utils import timezone

from campaigns_site.forms import MultiLineField, OneLineField, VersionedEditForm
from sessions.core.play_order import MAX_NUMBER

TITLE_MAX_LENGTH = 200
NOTES_MAX_LENGTH = 20_000
NOTES_MAX_BYTES = 48_000
# Role-playing games as we know them began in 1974; anything much earlier is a typo.
EARLIEST_PLAYED_ON = date(1970, 1, 1)
# A session may be entered ahead of game night, but not years ahead: that is a typo too.
LATEST_PLAYED_ON_AHEAD = timedelta(days=366)


def latest_played_on():
    return timezone.localdate() + LATEST_PLAYED_ON_AHEAD


class PlaySessionForm(forms.Form):
    title = OneLineField(
        what="the title",
        max_length=TITLE_MAX_LENGTH,
        error_messages={"required": "Give the session a title."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    number = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_NUMBER,
        help_text="Optional. Numbers may repeat, for a session played in two parts.",
        error_messages={
            "invalid": "Enter a whole number, like 12.",
            "min_value": "Enter 0 or a higher number.",
            "max_value": f"Enter a number up to {MAX_NUMBER}.",
        },
    )
    played_on = forms.DateField(
        label="Date played",
        required=False,
        help_text="Optional.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date, like 2024-05-31."},
    )
    notes = MultiLineField(
        what="the notes",
        required=False,
        max_length=NOTES_MAX_LENGTH,
        help_text=f"Optional, up to {NOTES_MAX_LENGTH:,} characters.",
        widget=forms.Textarea(attrs={"rows": 12}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The browser's date picker offers only the range the server accepts.
        self.fields["played_on"].widget.attrs.update(
            min=EARLIEST_PLAYED_ON.isoformat(), max=latest_played_on().isoformat()
        )

    def clean_played_on(self):
        played_on = self.cleaned_data["played_on"]
        if played_on is None:
            return None
        if played_on < EARLIEST_PLAYED_ON:
            raise forms.ValidationError(
                "That date is before %(earliest)s: check the year.",
                code="too_early",
                params={"earliest": EARLIEST_PLAYED_ON.year},
            )
        if played_on > latest_played_on():
            raise forms.ValidationError("That date is more than a year ahead: check the year.", code="too_late")
        return played_on

    def clean_notes(self):
        notes = self.cleaned_data["notes"]
        if len(notes.encode("utf-8")) > NOTES_MAX_BYTES:
            raise forms.ValidationError(
                "These notes are too long to store: emoji and some scripts take more room than plain "
                "letters. Shorten them a little.",
                code="too_many_bytes",
            )
        return notes


class PlaySessionEditForm(VersionedEditForm, PlaySessionForm):
    edited_fields = ("title", "number", "played_on", "notes")
    # What the search index holds of the notes shown (search_index.edit_digest): the save,
    # conditioned on `version` (so the stored notes are the ones shown), then rewrites only
    # the word groups whose words changed. Blank or garbled: all of them, a dearer save.
    # Only the user's own index depends on it (their form, their partition).
    notes_digest = OneLineField(widget=forms.HiddenInput, required=False)

    @classmethod
    def for_item(cls, item):
        from sessions.core.search_index import edit_digest  # the edit page only: not loaded by the session page

        form = super().for_item(item)
        form.initial["notes_digest"] = edit_digest(item.notes or "")
        return form

    @classmethod
    def stored_values(cls, item):
        return {**super().stored_values(item), "played_on": item.played_on_date}

    def clean_notes_digest(self):
        digest = self.cleaned_data["notes_digest"]
        return digest if len(digest) <= 1_000 else ""  # not one of ours: index every group

    def restarted_from(self, current):
        from sessions.core.search_index import edit_digest  # the edit page only: not loaded by the session page

        self.data = self.data.copy()
        self.data["notes_digest"] = edit_digest(current.notes or "")
        return super().restarted_from(current)


class MoveSessionForm(forms.Form):
    to_campaign = forms.ChoiceField(
        label="Move to",
        error_messages={
            "invalid_choice": "Pick one of your campaigns from the list.",
            "required": "Pick the campaign to move it to.",
        },
    )

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_campaign"].choices = [("", "Choose a campaign")] + [
            (campaign.campaign_id, campaign.name) for campaign in campaigns
        ]
