"""The staff's pages across users, under /staff/ (campaigns_site.urls includes them after
accounts.staff_urls, which has /staff/ itself and the staff members).

Each view is loaded on its first request (campaigns_site.lazy.lazy_view): only signed-in
staff reach them, and a cold start serving the home page pays nothing for them.
"""

from django.urls import path, register_converter

from campaigns_site.lazy import lazy_view


class UserActionConverter:
    """One of the actions on a user (staff/user_actions.py's ACTIONS, which a test keeps the
    same): any other path under a user's page is left to the routes that own it."""

    regex = "make-staff|remove-staff|sign-out-everywhere|disable|enable|delete"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)


register_converter(UserActionConverter, "user_action")

urlpatterns = [
    path("costs/", lazy_view("staff.cost_views.cost_dashboard"), name="staff_costs"),
    path("costs/refresh/", lazy_view("staff.cost_views.cost_refresh"), name="staff_costs_refresh"),
    path("costs/users/", lazy_view("staff.cost_views.cost_users"), name="staff_cost_users"),
    path("users/", lazy_view("staff.user_views.staff_users"), name="staff_users"),
    path("users/<str:sub>/", lazy_view("staff.user_views.staff_user"), name="staff_user"),
    path(
        "users/<str:sub>/<user_action:action>/",
        lazy_view("staff.user_action_views.user_action"),
        name="staff_user_action",
    ),
    path("audit/", lazy_view("staff.audit_views.audit_log"), name="staff_audit"),
    path("jobs/", lazy_view("staff.job_views.staff_jobs"), name="staff_jobs"),
    path("jobs/retry/", lazy_view("staff.job_views.staff_job_retry"), name="staff_job_retry"),
    path("shares/", lazy_view("staff.share_views.staff_shares"), name="staff_shares"),
    path("shares/revoke/", lazy_view("staff.share_views.staff_share_revoke"), name="staff_share_revoke"),
    path("errors/", lazy_view("staff.error_views.errors_page"), name="staff_errors"),
    path("errors/refresh/", lazy_view("staff.error_views.refresh_errors"), name="staff_errors_refresh"),
    path("migration/", lazy_view("staff.migration_views.migration_page"), name="staff_migration"),
]
