"""The provider's login and callback views: allauth's, with a verified ID token."""

import logging

from allauth.socialaccount.providers.amazon_cognito.views import AmazonCognitoOAuth2Adapter
from allauth.socialaccount.providers.base import ProviderException
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView

from accounts.tokens import InvalidToken, verify_id_token

log = logging.getLogger(__name__)


class VerifiedCognitoOAuth2Adapter(AmazonCognitoOAuth2Adapter):
    def complete_login(self, request, app, token, response=None, **kwargs):
        """The social login, built from the verified ID token's claims.

        allauth's Cognito adapter builds it from the userinfo endpoint alone and drops the
        ID token. We check the token like a password login's (signature against the pool's
        keys, issuer, audience, expiry, token_use) and insist that userinfo describes the
        same sub (OpenID Connect Core 5.3.2). The token's claims win: only they carry
        `cognito:groups`, which decides staff.
        """
        try:
            claims = verify_id_token((response or {}).get("id_token") or "")
        except InvalidToken as error:
            log.warning("Hosted UI callback with an ID token that does not verify: %s", error)
            raise ProviderException("the ID token does not verify") from error
        userinfo = super().complete_login(request, app, token, response=response, **kwargs).account.extra_data
        if userinfo.get("sub") != claims["sub"]:
            log.warning("Hosted UI userinfo names another sub than the ID token")
            raise ProviderException("userinfo and ID token disagree")
        return self.get_provider().sociallogin_from_response(request, {**userinfo, **claims})


oauth2_login = OAuth2LoginView.adapter_view(VerifiedCognitoOAuth2Adapter)
oauth2_callback = OAuth2CallbackView.adapter_view(VerifiedCognitoOAuth2Adapter)
