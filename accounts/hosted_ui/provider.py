from allauth.socialaccount.providers.amazon_cognito.provider import AmazonCognitoProvider

from accounts.hosted_ui.views import VerifiedCognitoOAuth2Adapter


class HostedUIProvider(AmazonCognitoProvider):
    """allauth's Amazon Cognito provider, with URLs and views from accounts.hosted_ui."""

    package = "accounts.hosted_ui"
    oauth2_adapter_class = VerifiedCognitoOAuth2Adapter
