"""allauth's social-account adapter, for the hosted UI door (settings: COGNITO_DOMAIN).

allauth would keep a SocialAccount row per user and find the user through it next time.
Our ORM is a per-container cache, so such a row would be missing on the next container.
Instead, every hosted-UI login resolves the user from the verified sub, exactly as a
password login does (accounts.services.log_in_with_claims: the DynamoDB profile `USER#<sub>`,
created on the first login, and the local row with pk=sub). allauth then sees an existing
user and logs them in with our backend, so the session is the same kind as after a password
login. Its signup and connect paths, which would write SocialAccount rows, never run.
"""

import logging

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base import AuthProcess
from django.contrib import messages
from django.shortcuts import redirect

from accounts.cognito import CognitoError

log = logging.getLogger(__name__)

PROVIDER_ID = "amazon_cognito"
CANNOT_SIGN_IN = "We could not sign you in with the hosted page. Please try again, or log in with your password."


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request, sociallogin):
        """Attach the user with pk = the verified sub (accounts.hosted_ui verified the claims)."""
        # Imported here: loads PynamoDB, and with the hosted UI door on allauth loads this
        # adapter for the login page, which a cold start must serve without it.
        from accounts import services

        claims = sociallogin.account.extra_data
        if sociallogin.account.provider != PROVIDER_ID or sociallogin.state.get("process") != AuthProcess.LOGIN:
            # Only logging in: connecting accounts would write rows no other container has.
            raise ImmediateHttpResponse(self._refuse(request, CANNOT_SIGN_IN))
        if not claims.get("email"):
            log.warning("Hosted UI login without an email claim (is the `email` scope allowed?)")
            raise ImmediateHttpResponse(self._refuse(request, CANNOT_SIGN_IN))
        try:
            sociallogin.user = services.log_in_with_claims(claims)
        except CognitoError as error:  # the account is being deleted
            raise ImmediateHttpResponse(self._refuse(request, error.message)) from error

    def save_user(self, request, sociallogin, form=None):
        # Unreachable: pre_social_login always attaches an existing user. If allauth ever
        # took its signup path, it would save rows that only this container has.
        raise RuntimeError("hosted UI users are resolved by sub in pre_social_login, never signed up here")

    def _refuse(self, request, message):
        messages.error(request, message)
        return redirect("account_login")
