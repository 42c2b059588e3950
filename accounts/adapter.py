"""allauth's adapter, for an app whose credentials and emails belong to Cognito."""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from accounts.cognito import MESSAGES
from campaigns_site.themes import remember_theme

log = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    # The same words as every other Cognito refusal the forms show.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": MESSAGES["NotAuthorizedException"],
    }

    def post_login(self, request, user, **kwargs):
        # Signed in with a v1.0 password the pool's policy refuses: choose a new one first,
        # whatever page the login was on its way to (a `next` included).
        if getattr(user, "needs_new_password", False):
            kwargs["redirect_url"] = reverse("account_legacy_new_password")
        response = super().post_login(request, user, **kwargs)
        # Every way in ends here (password, v1.0 password, hosted UI): the theme saved in
        # the profile becomes this browser's, as if chosen on it.
        saved_theme = getattr(user, "saved_theme", None)
        if saved_theme:
            remember_theme(response, theme=saved_theme, secure=request.is_secure())
        return response

    def send_mail(self, template_prefix, email, context):
        # Cognito sends every account email (codes, resets). A flow of allauth's that
        # wants to mail someone is one we do not support: say so instead of sending.
        log.warning("allauth wanted to send %s; Cognito sends our account emails", template_prefix)

    def clean_password(self, password, user=None):
        # The pool's policy is the one that counts, and Cognito checks it (SignUp,
        # ChangePassword, ConfirmForgotPassword say which rule failed). allauth's own
        # minimum would only disagree with it.
        return password
