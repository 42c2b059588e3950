import re

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
    default the label does.
    """

    allowed_controls = ""

    def __init__(self, *, what=None, **kwargs):
        super().__init__(**kwargs)
        self.what = what

    def to_python(self, value):
        value = super().to_python(value)
        found = control_characters(value, allowed=self.allowed_controls)
        if found:
            what = self.what or (f"the {self.label[0].lower()}{self.label[1:]}" if self.label else "this field")
            raise forms.ValidationError(
                "Remove the control characters from %(what)s (found %(found)s).",
                code="control_characters",
                params={"what": what, "found": ", ".join(f"U+{ord(character):04X}" for character in found)},
            )
        return self.tidy(value)

    def tidy(self, value):
        """The value as stored, once it has no refused characters (subclasses normalise)."""
        return value


class MultiLineField(OneLineField):
    """Text of several lines (notes, a description, a summary): line breaks and tabs are
    kept, a browser's "\r\n" (and a lone "\r") becomes "\n"; every other control
    character is refused as in OneLineField."""

    allowed_controls = "\t\n\r"

    def tidy(self, value):
        return _LINE_ENDS.sub("\n", value)
