from django.urls import path

from accounts import views

urlpatterns = [
    path("confirm/", views.confirm_signup, name="account_confirm_signup"),
    path("confirm/resend/", views.resend_code, name="account_resend_code"),
]

# allauth pages that would act on this container's ORM cache instead of Cognito answer
# 404 until a Cognito-backed version replaces them (email changes go through Cognito on
# the profile page). campaigns_site.urls includes these before allauth's URLs.
urlpatterns += [
    path(route, views.not_available)
    for route in (
        "email/",
        "confirm-email/",
        "password/change/",
        "password/set/",
        "password/reset/",
        "reauthenticate/",
    )
]
