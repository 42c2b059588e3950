from django import forms

THEMES = [("auto", "Match my device"), ("light", "Light"), ("dark", "Dark")]


class ThemeForm(forms.Form):
    theme = forms.ChoiceField(choices=THEMES)
    next = forms.CharField(required=False, max_length=2000)
