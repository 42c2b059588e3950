import re
from dataclasses import dataclass

from django import forms
from django.utils.http import url_has_allowed_host_and_scheme

THEMES = [("auto", "Match my device"), ("light", "Light"), ("dark", "Dark")]


class ThemeForm(forms.Form):
    theme = forms.ChoiceField(choices=THEMES)
    next = forms.CharField(required=False, strip=False)
    NEXT_MAX_LENGTH = 2000

    def clean_next(self):
        """A path on this site to go back to, or "/" for anything else: another site, a
        scheme, a protocol-relative "//host", or a bare word (which redirect() would try
        as a URL name). Never an error: a bad `next` only loses the way back."""
        target = self.cleaned_data["next"]
        local_path = target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts=set())
        return target if local_path and len(target) <= self.NEXT_MAX_LENGTH else "/"


# --- text people type -------------------------------------------------------------------

# C0 and C1 control characters (Unicode category Cc: NUL to U+001F, DEL to U+009F) and
# the line and paragraph separators U+2028/U+2029: invisible, or a line break where a
# page expects none, and ESC sequences reach the terminals that read our logs.
_CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_LINE_ENDS = re.compile("\r\n?")


def control_characters(text, *, allowed=""):
    """The control characters of `text` not in `allowed`, each once, in code point order."""
    return sorted(set(_CONTROL_CHARACTERS.findall(text)) - set(allowed))


class OneLineField(forms.CharField):
    """One line a person types: a name, a title, a label. Every form's text field is one
    of these or a MultiLineField, so the rule lives here.

    CharField trims the ends (and would refuse NUL); any control character (ESC, tab,
    line break, C1 controls, U+2028/U+2029) is refused with a message naming the field
    and the characters, so nothing is saved: the person sees what was wrong rather than
    a value silently changed. `what` names the field in the message ("the title"); by
    default the label does. A text longer than max_length is refused in the same words
    ("Keep the title to 200 characters (this one has 5,000)."), not Django's default
    "Ensure this value has at most…", unless the form gives a max_length message of its own.
    """

    allowed_controls = ""

    def __init__(self, *, what=None, **kwargs):
        super().__init__(**kwargs)
        self.what = what

    def _what(self, default):
        return self.what or (f"the {self.label[0].lower()}{self.label[1:]}" if self.label else default)

    def to_python(self, value):
        value = super().to_python(value)
        found = control_characters(value, allowed=self.allowed_controls)
        if found:
            raise forms.ValidationError(
                "Remove the control characters from %(what)s (found %(found)s).",
                code="control_characters",
                params={
                    "what": self._what("this field"),
                    "found": ", ".join(f"U+{ord(character):04X}" for character in found),
                },
            )
        return self.tidy(value)

    def run_validators(self, value):
        # Before Django's MaxLengthValidator, whose message is not ours; the label is read
        # here rather than in __init__, as a form may set it later.
        if self.max_length is not None and value and len(value) > self.max_length:
            message = self.error_messages.get("max_length") or too_long_message(self._what("it"))
            raise forms.ValidationError(message, code="max_length", params=length_params(self.max_length, value))
        super().run_validators(value)

    def tidy(self, value):
        """The value as stored, once it has no refused characters (subclasses normalise)."""
        return value


def too_long_message(what):
    """A length limit in our words; its params come from length_params."""
    return f"Keep {what} to %(limit)s characters (this one has %(length)s)."


def length_params(limit, value):
    # Django's own names too (limit_value, show_value), for a form's own max_length message.
    return {"limit": f"{limit:,}", "length": f"{len(value):,}", "limit_value": limit, "show_value": len(value)}


class MultiLineField(OneLineField):
    """Text of several lines (notes, a description, a summary): line breaks and tabs are
    kept, a browser's "\r\n" (and a lone "\r") becomes "\n"; every other control
    character is refused as in OneLineField."""

    allowed_controls = "\t\n\r"

    def tidy(self, value):
        return _LINE_ENDS.sub("\n", value)


def refused_form_notice(form, *, anchor):
    """A refused form far down a long page, said at the top of the page (base.html): its
    errors and a link to it. The refusal is the POST's own answer, so its address can carry
    no #fragment to scroll there, and without this the person sees the top of an unchanged
    page. anchor: the id of the form (or of its first invalid field)."""
    return {"anchor": anchor, "errors": [message for errors in form.errors.values() for message in errors]}


# Django's EmailField refuses more than 320 characters in its own words ("Ensure this
# value has at most…"); every email field (ours, and allauth's through the form's
# __init__) says it in ours. Params are Django's (MaxLengthValidator's).
EMAIL_TOO_LONG = "An email address has at most %(limit_value)s characters (this one has %(show_value)s)."


class EmailAddressField(forms.EmailField):
    default_error_messages = {"max_length": EMAIL_TOO_LONG}


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
