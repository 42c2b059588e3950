"""Account forms: allauth's login and signup forms on Cognito, and the confirm-code forms."""

import logging

from allauth.account import forms as allauth_forms
from django import forms
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from accounts import cognito
from accounts.cognito import CognitoError
from campaigns_site.forms import EMAIL_TOO_LONG, EmailAddressField, OneLineField

log = logging.getLogger(__name__)


def confirm_url(email):
    return f"{reverse('account_confirm_signup')}?{urlencode({'email': email})}"


class LoginForm(allauth_forms.LoginForm):
    """allauth's login form (rate limits, flow, redirects), with Cognito's refusals as messages."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # allauth links its own password reset here, which cannot reset a Cognito password.
        self.fields["password"].help_text = ""
        self.fields["login"].error_messages["max_length"] = EMAIL_TOO_LONG  # allauth's EmailField
        if self.request is not None and not self.is_bound:
            self.initial.setdefault("login", self.request.GET.get("email", ""))

    def clean_login(self):
        # The pool ignores case; moto does not, so send one spelling everywhere.
        return super().clean_login().lower()

    def clean(self):
        try:
            return super().clean()
        except CognitoError as error:
            raise forms.ValidationError(self._message(error), code=error.code) from error

    def _message(self, error):
        if error.code == "UserNotConfirmedException":
            return format_html(
                'Please confirm your email address first: <a href="{}">enter the code we sent you</a>.',
                confirm_url(self.cleaned_data["login"]),
            )
        return error.message


def password_help_text():
    """The pool's password rules in words, e.g. "At least 10 characters, with a number."."""
    policy = cognito.cached_password_policy()
    if policy is None:
        return ""
    needs = [
        label
        for rule, label in (
            ("RequireLowercase", "a lowercase letter"),
            ("RequireUppercase", "an uppercase letter"),
            ("RequireNumbers", "a number"),
            ("RequireSymbols", "a symbol"),
        )
        if policy.get(rule)
    ]
    text = f"At least {policy.get('MinimumLength', 8)} characters"
    if len(needs) == 1:
        text += f", with {needs[0]}"
    elif needs:
        text += f", with {', '.join(needs[:-1])} and {needs[-1]}"
    return text + "."


# Cognito's special characters (its documentation's list, the space included).
COGNITO_SYMBOLS = set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")
RULE_CHECKS = {  # rule: (the policy's switch, the test a password must pass)
    "lowercase": ("RequireLowercase", lambda password: any("a" <= c <= "z" for c in password)),
    "uppercase": ("RequireUppercase", lambda password: any("A" <= c <= "Z" for c in password)),
    "number": ("RequireNumbers", lambda password: any("0" <= c <= "9" for c in password)),
    "symbol": ("RequireSymbols", lambda password: any(c in COGNITO_SYMBOLS for c in password)),
}


def unmet_password_rules(password):
    """The pool's rules that `password` breaks, in our words (checked before Cognito is
    asked, with the policy read once per process). Empty when it passes, or when the
    policy cannot be read (Cognito then checks, and its refusal is mapped the same way)."""
    policy = cognito.cached_password_policy()
    if policy is None:
        return []
    broken = []
    if len(password) < policy.get("MinimumLength", 8):
        broken.append("length")
    broken += [rule for rule, (switch, passes) in RULE_CHECKS.items() if policy.get(switch) and not passes(password)]
    if password != password.strip(" "):  # Cognito refuses a leading or trailing space
        broken.append("ends")
    return [cognito.rule_message(rule) for rule in broken]


def add_password_rule_errors(form, field, password):
    """Each broken rule as its own error on `field`; True if there was one."""
    problems = unmet_password_rules(password or "")
    for problem in problems:
        form.add_error(field, forms.ValidationError(problem, code="password_rule"))
    return bool(problems)


class SignupForm(allauth_forms.SignupForm):
    """allauth's signup form; the account is made in Cognito, which then emails a code."""

    display_name = OneLineField(
        max_length=80, label="Display name", help_text="How your group sees you. You can change it later."
    )
    field_order = ["email", "display_name", "password1"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = password_help_text()
        self.fields["display_name"].widget.attrs["autocomplete"] = "nickname"
        self.fields["email"].error_messages["max_length"] = EMAIL_TOO_LONG  # allauth's EmailField

    def validate_unique_email(self, value):
        # allauth would look in this container's ORM cache; Cognito knows (SignUp says so).
        return value

    def clean(self):
        cleaned_data = super().clean()
        if self.errors or add_password_rule_errors(self, "password1", cleaned_data.get("password1")):
            return cleaned_data
        # Imported here: it loads PynamoDB, which a cold start serving other pages skips.
        from accounts import services

        try:
            services.sign_up(
                email=cleaned_data["email"],
                password=cleaned_data["password1"],
                display_name=cleaned_data["display_name"],
            )
        except CognitoError as error:
            field = {
                "UsernameExistsException": "email",
                "AliasExistsException": "email",
                "InvalidPasswordException": "password1",
            }.get(error.code)
            self.add_error(field, forms.ValidationError(error.message, code=error.code))
        return cleaned_data

    def try_save(self, request):
        # The account exists (clean() made it) but is not confirmed: nobody is logged in.
        # allauth's view returns this response instead of logging the user in.
        return None, HttpResponseRedirect(confirm_url(self.cleaned_data["email"]))


CODE_TOO_LONG = "A code has at most %(limit_value)s characters: copy it from the email we sent you."


class ConfirmSignUpForm(forms.Form):
    email = EmailAddressField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    code = forms.CharField(
        max_length=12,
        label="Code",
        help_text="The code in the email we sent you.",
        error_messages={"max_length": CODE_TOO_LONG},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_email(self):
        return self.cleaned_data["email"].lower()

    def clean(self):
        cleaned_data = super().clean()
        if self.errors:
            return cleaned_data
        try:
            cognito.confirm_sign_up(email=cleaned_data["email"], code=cleaned_data["code"])
        except CognitoError as error:
            raise forms.ValidationError(self._message(error), code=error.code) from error
        return cleaned_data

    def _message(self, error):
        if error.code == "NotAuthorizedException":  # Cognito: "Current status is CONFIRMED"
            return format_html(
                'This account is already confirmed: <a href="{}">log in</a>.',
                f"{reverse('account_login')}?{urlencode({'email': self.cleaned_data['email']})}",
            )
        if error.code == "UserNotFoundException":  # reads like a wrong code: no enumeration
            return cognito.MESSAGES["CodeMismatchException"]
        return error.message


class ResendCodeForm(forms.Form):
    email = EmailAddressField()

    def clean_email(self):
        return self.cleaned_data["email"].lower()

    def clean(self):
        """Ask Cognito to email a new code."""
        cleaned_data = super().clean()
        if self.errors:
            return cleaned_data
        try:
            cognito.resend_confirmation_code(email=cleaned_data["email"])
        except CognitoError as error:
            if error.code == "UserNotFoundException":
                return cleaned_data  # looks like a sent code: no enumeration
            if error.code == "InvalidParameterException":  # Cognito: "User is already confirmed"
                raise forms.ValidationError("This account is already confirmed: log in.", code=error.code) from error
            raise forms.ValidationError(error.message, code=error.code) from error
        return cleaned_data
