"""The staff's pages across users, under /staff/ (campaigns_site.urls includes them after
accounts.staff_urls, which has /staff/ itself and the staff members).

Each view is loaded on its first request (campaigns_site.lazy.lazy_view): only signed-in
staff reach them, and a cold start serving the home page pays nothing for them.
"""

from django.urls import path

from campaigns_site.lazy import lazy_view

urlpatterns = [
    path("costs/", lazy_view("staff.cost_views.cost_dashboard"), name="staff_costs"),
    path("costs/refresh/", lazy_view("staff.cost_views.cost_refresh"), name="staff_costs_refresh"),
    path("costs/users/", lazy_view("staff.cost_views.cost_users"), name="staff_cost_users"),
]
