"""Play session pages, under their campaign: /campaigns/<cid>/sessions/<sid>/...

Namespace "sessions" (the app's label is play_sessions: django.contrib.sessions owns
"sessions", but URL namespaces are separate). Search (issue 7) joins this namespace as
sessions:search.
"""

from django.urls import path

import campaigns_site.converters  # noqa: F401  (registers <item_id:...>)
from sessions import reader_views, search_views, speaker_views, summary_views, transcript_views, views

app_name = "sessions"

SESSION = "campaigns/<item_id:campaign_id>/sessions/<item_id:session_id>/"

urlpatterns = [
    path("search/", search_views.search, name="search"),
    path("campaigns/<item_id:campaign_id>/sessions/new/", views.session_create, name="new"),
    path(SESSION, views.session_detail, name="detail"),
    path(f"{SESSION}edit/", views.session_edit, name="edit"),
    path(f"{SESSION}delete/", views.session_delete, name="delete"),
    path(f"{SESSION}move/", views.session_move, name="move"),
    path(f"{SESSION}transcript/", reader_views.transcript_read, name="transcript"),
    path(f"{SESSION}transcript/upload/", transcript_views.transcript_upload, name="transcript_upload"),
    path(f"{SESSION}transcript/uploaded/", transcript_views.transcript_uploaded, name="transcript_uploaded"),
    path(f"{SESSION}transcript/download/", transcript_views.transcript_download, name="transcript_download"),
    path(f"{SESSION}transcript/delete/", transcript_views.transcript_delete, name="transcript_delete"),
    path(f"{SESSION}transcript/speakers/", speaker_views.speaker_names_edit, name="speaker_names"),
    path(f"{SESSION}summaries/", summary_views.summarize, name="summarize"),
    path(f"{SESSION}summaries/status/", summary_views.summary_status, name="summary_status"),
    path(f"{SESSION}summaries/<slug:kind>/edit/", summary_views.summary_edit, name="summary_edit"),
]
