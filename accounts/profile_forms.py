"""Forms of the profile pages: the display name, and deleting the account."""

import logging

from django import forms

from accounts import cognito, profiles, services
from accounts.cognito import CognitoError
from campaigns_site.forms import OneLineField

log = logging.getLogger(__name__)

DISPLAY_NAME_MAX_LENGTH = 80  # the same as sign-up's field and the user row's column

# Cognito answers a wrong password with these (a wrong email reads the same).
WRONG_PASSWORD_CODES = {"NotAuthorizedException", "UserNotFoundException"}
WRONG_PASSWORD = "That password is not right. Nothing was deleted."


class DisplayNameForm(forms.Form):
    display_name = OneLineField(
        max_length=DISPLAY_NAME_MAX_LENGTH,
        label="Display name",
        help_text="How your group sees you.",
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )

    def save(self, *, sub):
        """Store the name in the profile and refresh this container's user row at once."""
        profile = profiles.update_display_name(sub=sub, display_name=self.cleaned_data["display_name"])
        return services.cache_user(profile)


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        help_text="To make sure it is you.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label="I understand that this deletes my account and everything in it, for good.",
        error_messages={"required": "Tick the box to confirm that you want to delete everything."},
    )

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email  # the signed-in user's: the only account this form can check

    def clean(self):
        """Ask Cognito whether the password is right; nothing is changed either way."""
        cleaned_data = super().clean()
        if self.errors:
            return cleaned_data
        try:
            cognito.password_auth(email=self.email, password=cleaned_data["password"])
        except CognitoError as error:
            # LockedOut and the rest carry a message a person can act on.
            message = WRONG_PASSWORD if error.code in WRONG_PASSWORD_CODES else error.message
            self.add_error("password", forms.ValidationError(message, code=error.code))
        return cleaned_data
