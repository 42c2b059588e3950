from django.urls import path

from accounts import password_views, views
from campaigns_site.lazy import lazy_view

urlpatterns = [
    path("confirm/", views.confirm_signup, name="account_confirm_signup"),
    path("confirm/resend/", views.resend_code, name="account_resend_code"),
    # Signed-in pages that read and write the profile: loaded on their first request, so a
    # cold start serving the home or login page does not import PynamoDB for them.
    path("profile/", lazy_view("accounts.profile_views.profile"), name="account_profile"),
    path("delete/", lazy_view("accounts.profile_views.delete_account"), name="account_delete"),
    # Cognito-backed replacements for allauth's password pages, under allauth's names.
    path("password/reset/", password_views.reset_password, name="account_reset_password"),
    path("password/reset/code/", password_views.reset_password_with_code, name="account_reset_password_code"),
    path("password/change/", password_views.change_password, name="account_change_password"),
    # v1.0 users: their old password broke the pool's rules, or they had none (Discord/Google).
    path("password/new/", lazy_view("accounts.legacy_password_views.new_password"), name="account_legacy_new_password"),
    path(
        "password/old-discord-google/",
        lazy_view("accounts.legacy_password_views.social_only"),
        name="account_legacy_social_only",
    ),
    path("logout/everywhere/", password_views.logout_everywhere, name="account_logout_everywhere"),
]

# allauth pages that would act on this container's ORM cache instead of Cognito answer
# 404 until a Cognito-backed version replaces them (email changes go through Cognito on
# the profile page). campaigns_site.urls includes these before allauth's URLs.
urlpatterns += [
    path(route, views.not_available)
    for route in (
        "email/",
        "confirm-email/",
        "password/set/",
        "password/reset/done/",  # allauth's reset by emailed link; ours is by Cognito's code
        "password/reset/key/<path:key>/",
        "reauthenticate/",
    )
]
