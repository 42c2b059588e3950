from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns

from accounts.hosted_ui.provider import HostedUIProvider

urlpatterns = default_urlpatterns(HostedUIProvider)
