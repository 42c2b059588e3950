"""Summary forms: ask for summaries of a session (or the campaign's story so far), and edit one
by hand (with the version it started from, so a save never overwrites unseen).
The rules of a summary's text (MAX_SUMMARY_CHARS, clean_summary_text) are the item's
(sessions/summaries/items.py): the form checks the same ones.
"""

from django import forms

from campaigns_site.forms import MultiLineField, VersionedEditForm
from sessions.core.kinds import KINDS, LENGTHS
from sessions.summaries.items import MAX_SUMMARY_CHARS, SummaryTextInvalid, clean_summary_text

DEFAULT_KINDS = ("recap",)
DEFAULT_LENGTH = "standard"
LENGTH_HELP = {
    "brief": "a few lines",
    "standard": "a short read",
    "detailed": "everything worth keeping",
}


class LengthField(forms.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            label="Length",
            choices=[(value, f"{label} ({LENGTH_HELP[value]})") for value, label in LENGTHS.items()],
            initial=DEFAULT_LENGTH,
            widget=forms.RadioSelect,
            error_messages={
                "required": "Choose a length.",
                "invalid_choice": "Choose one of the lengths offered.",
            },
            **kwargs,
        )


class SummarizeForm(forms.Form):
    """Which summaries to write for a session, and how long. `replace_edits` is set only by
    the confirmation page: without it, summaries the user edited by hand are never replaced."""

    kinds = forms.MultipleChoiceField(
        label="Summaries to write",
        choices=list(KINDS.items()),
        initial=list(DEFAULT_KINDS),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one kind of summary.",
            "invalid_choice": "Choose among the kinds of summary offered.",
        },
    )
    length = LengthField()
    replace_edits = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_kinds(self):
        chosen = set(self.cleaned_data["kinds"])
        return [kind for kind in KINDS if kind in chosen]  # KINDS order, no repeats


class StoryForm(forms.Form):
    """Build (or rebuild) the campaign's story so far from its sessions' recaps.
    `replace_edits`: set only by the question asked when the story was edited by hand."""

    length = LengthField()
    replace_edits = forms.BooleanField(required=False, widget=forms.HiddenInput)


class SummaryEditForm(VersionedEditForm):
    """A summary's text, edited by hand. Saved only over the version it started from."""

    text = MultiLineField(
        label="Text",
        what="the summary",
        strip=False,  # clean_text strips the ends and keeps the lines in between as typed
        widget=forms.Textarea(attrs={"rows": 16}),
        error_messages={"required": "A summary cannot be empty. Write something, or cancel."},
    )

    edited_fields = ("text",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_chars = MAX_SUMMARY_CHARS
        self.fields["text"].widget.attrs["maxlength"] = str(self.max_chars)
        self.fields[
            "text"
        ].help_text = f"Plain text, up to {self.max_chars:,} characters. Start a line with “- ” for a list."

    def written_in_markdown(self):
        """Say that the text is Markdown (a summary imported from v1.0): it is edited as its
        source, and stays Markdown once saved."""
        help_text = (
            f"Markdown, as v1.0 wrote it, up to {self.max_chars:,} characters: **bold**, *italics*, "
            "“- ” at the start of a line for a list, [a link](https://…). The page shows it formatted."
        )
        self.fields["text"].help_text = help_text
        self["text"].help_text = help_text  # a bound field made by a validation copied the old one

    def clean_text(self):
        try:
            return clean_summary_text(self.cleaned_data["text"])  # the item's own rules
        except SummaryTextInvalid as invalid:
            raise forms.ValidationError(str(invalid), code="invalid") from None
