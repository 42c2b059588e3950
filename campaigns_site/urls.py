from django.urls import include, path

from campaigns_site import views
from campaigns_site.lazy import lazy_view

urlpatterns = [
    path("", views.home, name="home"),
    # A signed-in user's choice is saved in the profile: PynamoDB loads on the first one.
    path("preferences/theme/", lazy_view("accounts.preference_views.set_theme"), name="set_theme"),
    path("health/", views.health, name="health"),
    path("favicon.ico", views.favicon),
    # Your data out (namespace "exports"): under /accounts/, whose pages CloudFront never caches.
    path("accounts/exports/", include("exports.urls")),
    # Ours first: the confirm page, and 404s for allauth pages that cannot work with Cognito.
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("", include("sessions.urls")),  # /campaigns/<cid>/sessions/...: namespace "sessions"
    path("", include("sessions.sharing.urls")),  # /share/<token>/ and .../sessions/<sid>/share/: namespace "share"
    path("staff/", include("accounts.staff_urls")),
    path("staff/", include("staff.urls")),  # across users: directory, audit, jobs, links, costs, errors
    path("staff/cutover/", include("cutover.urls")),  # the cutover from v1.0: its own app, named by string
]

handler500 = "campaigns_site.views.server_error"
