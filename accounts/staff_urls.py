"""Staff pages, under /staff/ (campaigns_site.urls includes them).

Loaded on their first request (campaigns_site.lazy.lazy_view): only signed-in staff reach
them, and they read DynamoDB and Cognito, which a cold start serving the home page need
not import.
"""

from django.urls import path

from campaigns_site.lazy import lazy_view

urlpatterns = [
    path("", lazy_view("accounts.staff_views.staff_home"), name="staff_home"),
    path("members/add/", lazy_view("accounts.staff_views.add_staff"), name="staff_add"),
    path("members/remove/", lazy_view("accounts.staff_views.remove_staff"), name="staff_remove"),
]
