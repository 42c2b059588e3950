"""Campaign forms, and the edit-form base that refuses lost updates.

Lengths are capped so that a campaign item stays small: at most 4 bytes a character in
UTF-8, name + game system + description come to under 10 KB, far below DynamoDB's 400 KB
item limit and inside the project's 64 KB item budget (docs/data-model.md, rule 8), and a
list page of 25 campaigns stays a small read.
"""

from dataclasses import dataclass

from django import forms

from campaigns_site.forms import MultiLineField, OneLineField

NAME_MAX_LENGTH = 120
GAME_SYSTEM_MAX_LENGTH = 60
DESCRIPTION_MAX_LENGTH = 2000


@dataclass
class Difference:
    """One field of a stale edit: what the user typed, and what is saved now."""

    label: str
    yours: str
    saved: str


class VersionedEditForm(forms.Form):
    """An edit form that carries the version of the item it started from (a hidden field).

    The repository saves only if the item is still at that version; otherwise it raises
    StaleEdit with the item as stored now. The view then shows `differences()` and offers
    `restarted_from()`: the same input, based on the current version, to save again on
    purpose. Nothing is ever overwritten unseen.
    """

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            "required": "This form is out of date. Reload the page and make your changes again.",
            "invalid": "This form is out of date. Reload the page and make your changes again.",
            "min_value": "This form is out of date. Reload the page and make your changes again.",
        },
    )

    # The edited fields, in the order the differences are listed.
    edited_fields = ()

    @classmethod
    def for_item(cls, item):
        """An unbound form showing the item as stored, at its version."""
        return cls(initial={**cls.stored_values(item), "version": item.version})

    @classmethod
    def stored_values(cls, item):
        """The item's values for the edited fields, as the form's initial data."""
        return {name: getattr(item, name) for name in cls.edited_fields}

    def differences(self, current):
        """The fields where this (valid) form's input differs from the item as stored now."""
        saved = self.stored_values(current)
        return [
            Difference(label=self[name].label, yours=_shown(self.cleaned_data[name]), saved=_shown(saved[name]))
            for name in self.edited_fields
            if _shown(self.cleaned_data[name]) != _shown(saved[name])
        ]

    def restarted_from(self, current):
        """The same input, based on the current version: saving it again is a deliberate choice."""
        data = self.data.copy()
        data["version"] = str(current.version)
        form = type(self)(data)
        form.is_valid()
        return form


def _shown(value):
    """A field value as the reader compares it: blank for none, ISO for a date."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


class CampaignForm(forms.Form):
    name = OneLineField(
        what="the name",
        max_length=NAME_MAX_LENGTH,
        error_messages={"required": "Give the campaign a name."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    game_system = OneLineField(
        label="Game system",
        max_length=GAME_SYSTEM_MAX_LENGTH,
        required=False,
        help_text="Optional, for example “D&D 5e” or “Blades in the Dark”.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    description = MultiLineField(
        what="the description",
        max_length=DESCRIPTION_MAX_LENGTH,
        required=False,
        help_text=f"Optional, up to {DESCRIPTION_MAX_LENGTH:,} characters.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class CampaignEditForm(VersionedEditForm, CampaignForm):
    edited_fields = ("name", "game_system", "description")
