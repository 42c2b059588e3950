"""Campaign forms, and the edit-form base that refuses lost updates.

Lengths are capped so that a campaign item stays small: at most 4 bytes a character in
UTF-8, name + game system + description come to under 10 KB, far below DynamoDB's 400 KB
item limit and inside the project's 64 KB item budget (docs/data-model.md, rule 8), and a
list page of 25 campaigns stays a small read.
"""

from django import forms

from campaigns_site.forms import Difference, MultiLineField, OneLineField, VersionedEditForm  # noqa: F401

NAME_MAX_LENGTH = 120
GAME_SYSTEM_MAX_LENGTH = 60
DESCRIPTION_MAX_LENGTH = 2000


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
