"""The cutover's staff page, under /staff/cutover/ (campaigns_site.urls includes it).

Loaded on its first request (campaigns_site.lazy.lazy_view), like the other staff pages:
a cold start serving the home page pays nothing for it.
"""

from django.urls import path

from campaigns_site.lazy import lazy_view

urlpatterns = [
    path("", lazy_view("cutover.views.cutover_status"), name="staff_cutover"),
]
