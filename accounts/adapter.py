"""allauth's adapter, for an app whose credentials and emails belong to Cognito."""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from accounts.cognito import MESSAGES

log = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    # The same words as every other Cognito refusal the forms show.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": MESSAGES["NotAuthorizedException"],
    }

    def get_login_redirect_url(self, request):
        # Signed in with a v1.0 password the pool's policy refuses: choose a new one first.
        if getattr(request.user, "needs_new_password", False):
            return reverse("account_legacy_new_password")
        return super().get_login_redirect_url(request)

    def send_mail(self, template_prefix, email, context):
        # Cognito sends every account email (codes, resets). A flow of allauth's that
        # wants to mail someone is one we do not support: say so instead of sending.
        log.warning("allauth wanted to send %s; Cognito sends our account emails", template_prefix)

    def clean_password(self, password, user=None):
        # The pool's policy is the one that counts, and Cognito checks it (SignUp,
        # ChangePassword, ConfirmForgotPassword say which rule failed). allauth's own
        # minimum would only disagree with it.
        return password
