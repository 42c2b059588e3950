"""The hosted UI door: Cognito's own sign-in page as a second way in (COGNITO_DOMAIN).

allauth's amazon_cognito provider runs the authorization-code flow with PKCE. Settings
swap in HostedUIProvider (allauth's `provider_class`), whose package is this one, so
allauth builds the provider's URLs from `urls.py` and `views.py` here: the same flow,
except that the callback verifies the ID token before any claim is used. The user is
then found by the verified sub in accounts.social_adapter.
"""
