from django.urls import path

import campaigns_site.converters  # noqa: F401  (registers <item_id:...>)
from campaigns import story_views, views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("archived/", views.archived_list, name="archived"),
    path("deleting/", views.deleting_list, name="deleting"),
    path("new/", views.campaign_create, name="new"),
    path("<item_id:campaign_id>/", views.campaign_detail, name="detail"),
    path("<item_id:campaign_id>/edit/", views.campaign_edit, name="edit"),
    path("<item_id:campaign_id>/archive/", views.campaign_archive, name="archive"),
    path("<item_id:campaign_id>/unarchive/", views.campaign_unarchive, name="unarchive"),
    path("<item_id:campaign_id>/delete/", views.campaign_delete, name="delete"),
    path("<item_id:campaign_id>/finish-delete/", views.campaign_finish_delete, name="finish_delete"),
    path("<item_id:campaign_id>/story/", story_views.story, name="story"),
    path("<item_id:campaign_id>/story/status/", story_views.story_status, name="story_status"),
]
