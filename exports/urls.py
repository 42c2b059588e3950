from django.urls import path

import campaigns_site.converters  # noqa: F401  (registers <item_id:...>)
from campaigns_site.lazy import lazy_view

app_name = "exports"


def _view(name):
    # Loaded on the first request (campaigns_site.lazy.lazy_view): pages for signed-in users.
    return lazy_view(f"exports.views.{name}")


urlpatterns = [
    path("", _view("export_list"), name="list"),
    path("account/", _view("start_account_export"), name="start_account"),
    path("account/download/", _view("download_account_export"), name="download_account"),
    path("campaigns/<item_id:campaign_id>/", _view("start_campaign_export"), name="start_campaign"),
    path("campaigns/<item_id:campaign_id>/download/", _view("download_campaign_export"), name="download_campaign"),
]
