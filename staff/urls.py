"""The staff's pages across users, under /staff/ (campaigns_site.urls includes them after
accounts.staff_urls, which has /staff/ itself and the staff members).

Each view is loaded on its first request (campaigns_site.lazy.lazy_view): only signed-in
staff reach them, and a cold start serving the home page pays nothing for them.
"""

from django.urls import path

from campaigns_site.lazy import lazy_view

urlpatterns = [
    path("jobs/", lazy_view("staff.job_views.staff_jobs"), name="staff_jobs"),
    path("jobs/retry/", lazy_view("staff.job_views.staff_job_retry"), name="staff_job_retry"),
    path("shares/", lazy_view("staff.share_views.staff_shares"), name="staff_shares"),
    path("shares/revoke/", lazy_view("staff.share_views.staff_share_revoke"), name="staff_share_revoke"),
]
