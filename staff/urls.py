"""The staff's pages across users, under /staff/ (campaigns_site.urls includes them after
accounts.staff_urls, which has /staff/ itself and the staff members).

Each view is loaded on its first request (campaigns_site.lazy.lazy_view): only signed-in
staff reach them, and a cold start serving the home page pays nothing for them.
"""

from django.urls import path

from campaigns_site.lazy import lazy_view

urlpatterns = [
    path("errors/", lazy_view("staff.error_views.errors_page"), name="staff_errors"),
    path("errors/refresh/", lazy_view("staff.error_views.refresh_errors"), name="staff_errors_refresh"),
    path("migration/", lazy_view("staff.migration_views.migration_page"), name="staff_migration"),
]
