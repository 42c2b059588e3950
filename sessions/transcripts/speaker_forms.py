"""The speaker names form: a player and a character name for each speaker label of one
transcript, merged into the campaign's names (sessions/transcripts/items.py).

Labels are the transcript's own text (a Discord name may hold spaces, dots, emoji or
`<b>`), so no field is named after one: the fields are numbered by the label's position
in the transcript (`player_0`, `character_0`, ...), and the view maps the numbers back
through the labels it reads from the stored transcript, never from the POST. A hidden
fingerprint of that label list refuses a save whose numbering no longer matches (the
transcript was replaced while the form was open).

The form also carries the version of the campaign's names it started from (0: none yet);
the repository refuses a save over a newer version (StaleEdit) and the view restarts the
form from the names as stored.
"""

from django import forms

from campaigns_site.forms import Difference, OneLineField
from sessions.transcripts.items import (
    MAX_SPEAKER_NAMES,
    SpeakerNamesTooLarge,
    TooManySpeakerNames,
    entry,
    labels_fingerprint,
    merged_names,
    stored_names,
    stored_version,
)
from sessions.transcripts.speaker_display import NAME_MAX_LENGTH, entry_display

OUT_OF_DATE = "This form is out of date. Reload the page and make your changes again."


class SpeakerNameField(OneLineField):
    """An optional name, one line: trimmed, and runs of spaces (or tabs, or line breaks a
    crafted POST could send) made one space; other control characters are refused."""

    allowed_controls = "\t\n\r"  # whitespace: made one space by tidy()

    def __init__(self, **kwargs):
        super().__init__(
            required=False,
            max_length=NAME_MAX_LENGTH,
            **kwargs,
        )

    def tidy(self, value):
        return " ".join(value.split())


class SpeakerNamesForm(forms.Form):
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        error_messages={"required": OUT_OF_DATE, "invalid": OUT_OF_DATE, "min_value": OUT_OF_DATE},
    )
    speakers = forms.CharField(
        widget=forms.HiddenInput,
        error_messages={"required": OUT_OF_DATE},
    )

    def __init__(self, data=None, *, labels, stored=None, current_version=0, **kwargs):
        """labels: the transcript's speaker labels, in order; stored: the campaign's
        names as stored now ({label: {"player", "character"}}), at current_version."""
        self.labels = list(labels)
        self.stored = dict(stored or {})
        self.current_version = current_version
        initial = {"version": current_version, "speakers": labels_fingerprint(self.labels)}
        for index, label in enumerate(self.labels):
            names = self.stored.get(label) or {}
            initial[f"player_{index}"] = names.get("player", "")
            initial[f"character_{index}"] = names.get("character", "")
        super().__init__(data, initial=initial, **kwargs)
        for index, label in enumerate(self.labels):
            # Django escapes attribute values: the label is only ever text here.
            self.fields[f"player_{index}"] = SpeakerNameField(
                label="Player", what=f"the player of {label}", widget=_name_input("Player", label)
            )
            self.fields[f"character_{index}"] = SpeakerNameField(
                label="Character", what=f"the character of {label}", widget=_name_input("Character", label)
            )

    @classmethod
    def restarted_from(cls, *, labels, current):
        """An unbound form showing the names as stored now (a SpeakerNames item or None),
        at their version: after a refused stale save, the user starts again from there."""
        return cls(
            labels=labels,
            stored=stored_names(current),
            current_version=stored_version(current),
        )

    def rows(self):
        """(index, label, player field, character field) per label, for the template."""
        return [
            (index, label, self[f"player_{index}"], self[f"character_{index}"])
            for index, label in enumerate(self.labels)
        ]

    def clean_speakers(self):
        fingerprint = self.cleaned_data["speakers"]
        if fingerprint != labels_fingerprint(self.labels):
            raise forms.ValidationError(
                "This session's transcript was replaced while you were editing, so its speakers "
                "changed. Here they are now: enter the names again.",
                code="transcript_changed",
            )
        return fingerprint

    def clean_version(self):
        return self.cleaned_data["version"]  # a stale one is the repository's to refuse (StaleEdit)

    def clean(self):
        cleaned_data = super().clean()
        if self.errors:
            return cleaned_data
        names = {
            label: entry(cleaned_data[f"player_{index}"], cleaned_data[f"character_{index}"])
            for index, label in enumerate(self.labels)
        }
        cleaned_data["names"] = names
        if cleaned_data["version"] != self.current_version:
            return cleaned_data  # stale: the save is refused whatever the caps say
        try:
            merged_names(self.stored, names)
        except TooManySpeakerNames as full:
            others = len(set(self.stored) - set(self.labels))
            raise forms.ValidationError(
                "A campaign can keep names for at most %(limit)s speakers, and this would make "
                "%(count)s (%(others)s of them from other sessions). Clear the names of speakers "
                "you no longer need, here or on another session's speakers page.",
                code="too_many_speakers",
                params={"limit": MAX_SPEAKER_NAMES, "count": full.count, "others": others},
            ) from None
        except SpeakerNamesTooLarge:
            raise forms.ValidationError(
                "These names take more room than a campaign can store (emoji and some scripts take "
                "more room than plain letters). Shorten some names, or clear the ones you no longer need.",
                code="too_large",
            ) from None
        return cleaned_data

    def differences(self, current):
        """Where this (valid) form's names differ from the names stored now, label by label."""
        saved = stored_names(current)
        found = []
        for label, mine in self.cleaned_data["names"].items():
            yours, theirs = entry_display(mine), entry_display(saved.get(label))
            if yours != theirs:
                found.append(Difference(label=label, yours=yours, saved=theirs))
        return found


def _name_input(what, label):
    # No placeholder standing in for a label: the template gives every input a <label>
    # ("Player", "Character", and the speaker's label for screen readers) that stays
    # visible on a phone, where the table's column headers are not shown.
    return forms.TextInput(attrs={"autocomplete": "off"})
