"""The staff's pages across users, under /staff/ (campaigns_site.urls includes them after
accounts.staff_urls, which has /staff/ itself and the staff members).

Each view is loaded on its first request (campaigns_site.lazy.lazy_view): only signed-in
staff reach them, and a cold start serving the home page pays nothing for them.
"""

from django.urls import path

from campaigns_site.lazy import lazy_view

urlpatterns = [
    path("users/", lazy_view("staff.user_views.staff_users"), name="staff_users"),
    path("users/<str:sub>/", lazy_view("staff.user_views.staff_user"), name="staff_user"),
]
