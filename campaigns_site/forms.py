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
