from django.urls import path

import campaigns_site.converters  # noqa: F401  (registers <item_id:...>)
from campaigns_site.lazy import lazy_view

app_name = "campaigns"


def _view(name):
    # Loaded on the first request (campaigns_site.lazy.lazy_view): pages for signed-in users.
    return lazy_view(f"campaigns.{name}")


urlpatterns = [
    path("", _view("views.campaign_list"), name="list"),
    path("archived/", _view("views.archived_list"), name="archived"),
    path("deleting/", _view("views.deleting_list"), name="deleting"),
    path("new/", _view("views.campaign_create"), name="new"),
    # The campaign's page lists its sessions, and its delete is a cascade through them: both
    # views live with the sessions (campaigns never import sessions), their addresses here.
    path("<item_id:campaign_id>/", lazy_view("sessions.views.campaign_detail"), name="detail"),
    path("<item_id:campaign_id>/edit/", _view("views.campaign_edit"), name="edit"),
    path("<item_id:campaign_id>/archive/", _view("views.campaign_archive"), name="archive"),
    path("<item_id:campaign_id>/unarchive/", _view("views.campaign_unarchive"), name="unarchive"),
    path("<item_id:campaign_id>/delete/", lazy_view("sessions.views.campaign_delete"), name="delete"),
    path(
        "<item_id:campaign_id>/finish-delete/",
        lazy_view("sessions.views.campaign_finish_delete"),
        name="finish_delete",
    ),
    # The story so far is a campaign's page made of its sessions' summaries: its views live
    # with the summaries (campaigns never import sessions), its address with the campaign.
    path("<item_id:campaign_id>/story/", lazy_view("sessions.summaries.story_views.story"), name="story"),
    path(
        "<item_id:campaign_id>/story/status/",
        lazy_view("sessions.summaries.story_views.story_status"),
        name="story_status",
    ),
]
