"""Password forms: ask for a reset code, reset with it, change the password.

Cognito checks codes and password rules, so each form's clean() asks it (through
accounts.password_services) and shows its refusals on the field they concern.

accounts.password_services is imported in clean(), when a form is sent: it loads PynamoDB,
and the reset pages are shown to visitors without a session, whose pages must not pay for
it on a cold start (the module is imported at start-up: accounts.urls, accounts.views).
"""

from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from accounts.cognito import MESSAGES, CognitoError
from accounts.forms import CODE_TOO_LONG, add_password_rule_errors, password_help_text
from campaigns_site.forms import EmailAddressField

PASSWORDS_DIFFER = "The two passwords differ."


def reset_request_url(email=""):
    url = reverse("account_reset_password")
    return f"{url}?{urlencode({'email': email})}" if email else url


def reset_code_url(email):
    return f"{reverse('account_reset_password_code')}?{urlencode({'email': email})}"


def _email_field():
    return EmailAddressField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))


def _new_password_fields(form):
    form.fields["new_password1"] = forms.CharField(
        label="New password",
        strip=False,
        help_text=password_help_text(),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    form.fields["new_password2"] = forms.CharField(
        label="New password (again)",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


def _passwords_match(form, cleaned_data):
    """The two new passwords agree and meet the pool's rules (checked before Cognito is asked)."""
    if cleaned_data.get("new_password1") != cleaned_data.get("new_password2"):
        form.add_error("new_password2", forms.ValidationError(PASSWORDS_DIFFER, code="password_mismatch"))
        return False
    return not add_password_rule_errors(form, "new_password1", cleaned_data.get("new_password1"))


class PasswordResetRequestForm(forms.Form):
    """Page 1: the email to send a code to. Valid for any address, registered or not."""

    email = _email_field()

    def clean_email(self):
        return self.cleaned_data["email"].lower()

    def clean(self):
        cleaned_data = super().clean()
        self.local_code = None
        if self.errors:
            return cleaned_data
        from accounts import password_services

        try:
            self.local_code = password_services.request_password_reset(email=cleaned_data["email"])
        except CognitoError as error:  # only refusals that say nothing about the account
            raise forms.ValidationError(error.message, code=error.code) from error
        return cleaned_data


class PasswordResetCodeForm(forms.Form):
    """Page 2: the emailed code and the new password."""

    email = _email_field()
    code = forms.CharField(
        max_length=100,
        label="Code",
        help_text="The code in the email we sent you.",
        error_messages={"max_length": CODE_TOO_LONG},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _new_password_fields(self)

    def clean_email(self):
        return self.cleaned_data["email"].lower()

    def clean(self):
        cleaned_data = super().clean()
        if self.errors or not _passwords_match(self, cleaned_data):
            return cleaned_data
        from accounts import password_services

        try:
            password_services.reset_password(
                email=cleaned_data["email"], code=cleaned_data["code"], new_password=cleaned_data["new_password1"]
            )
        except CognitoError as error:
            self._show(error, email=cleaned_data["email"])
        return cleaned_data

    def _show(self, error, *, email):
        if error.code in ("InvalidPasswordException", "PasswordHistoryPolicyViolationException"):
            self.add_error("new_password1", forms.ValidationError(error.message, code=error.code))
        elif error.code in ("CodeMismatchException", "UserNotFoundException"):
            self.add_error("code", forms.ValidationError(MESSAGES["CodeMismatchException"], code=error.code))
        elif error.code == "ExpiredCodeException":
            message = format_html(
                'That code has expired. <a href="{}">Ask for a new one</a>.', reset_request_url(email)
            )
            self.add_error("code", forms.ValidationError(message, code=error.code))
        else:
            self.add_error(None, forms.ValidationError(error.message, code=error.code))


class ChangePasswordForm(forms.Form):
    """The signed-in user's current password, and the new one twice."""

    # Cognito's refusals that concern one field; the others concern the whole form.
    FIELD_OF_REFUSAL = {
        "WrongCurrentPassword": "old_password",
        "InvalidPasswordException": "new_password1",
        "PasswordHistoryPolicyViolationException": "new_password1",
    }

    old_password = forms.CharField(
        label="Current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.auth_version = None
        _new_password_fields(self)

    def clean(self):
        cleaned_data = super().clean()
        if self.errors or not _passwords_match(self, cleaned_data):
            return cleaned_data
        from accounts import password_services

        try:
            self.auth_version = password_services.change_password(
                sub=self.user.pk,
                email=self.user.email,
                old_password=cleaned_data["old_password"],
                new_password=cleaned_data["new_password1"],
            )
        except CognitoError as error:
            field = self.FIELD_OF_REFUSAL.get(error.code)
            self.add_error(field, forms.ValidationError(error.message, code=error.code))
        return cleaned_data


class NewPasswordForm(forms.Form):
    """A v1.0 user's new password, when the pool's policy refused their old one."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        _new_password_fields(self)

    def clean(self):
        cleaned_data = super().clean()
        if self.errors or not _passwords_match(self, cleaned_data):
            return cleaned_data
        from accounts import legacy_sign_in

        try:
            legacy_sign_in.set_new_password(sub=self.user.pk, new_password=cleaned_data["new_password1"])
        except CognitoError as error:
            field = "new_password1" if error.code == "InvalidPasswordException" else None
            self.add_error(field, forms.ValidationError(error.message, code=error.code))
        return cleaned_data
