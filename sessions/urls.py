"""Play session pages, under their campaign: /campaigns/<cid>/sessions/<sid>/...

Namespace "sessions" (the app's label is play_sessions: django.contrib.sessions owns
"sessions", but URL namespaces are separate), with search at /search/ (sessions:search).
"""

from django.urls import path

import campaigns_site.converters  # noqa: F401  (registers <item_id:...>)
from campaigns_site.lazy import lazy_view

app_name = "sessions"


def _view(name):
    # Loaded on the first request (campaigns_site.lazy.lazy_view): these pages are for
    # signed-in users, and a cold start serving the home page need not import them.
    return lazy_view(f"sessions.{name}")


SESSION = "campaigns/<item_id:campaign_id>/sessions/<item_id:session_id>/"

urlpatterns = [
    path("search/", _view("search.views.search"), name="search"),
    path("campaigns/<item_id:campaign_id>/sessions/new/", _view("views.session_create"), name="new"),
    path(SESSION, _view("views.session_detail"), name="detail"),
    path(f"{SESSION}edit/", _view("views.session_edit"), name="edit"),
    path(f"{SESSION}delete/", _view("views.session_delete"), name="delete"),
    path(f"{SESSION}move/", _view("views.session_move"), name="move"),
    path(f"{SESSION}transcript/", _view("transcripts.reader_views.transcript_read"), name="transcript"),
    path(f"{SESSION}transcript/upload/", _view("transcripts.views.transcript_upload"), name="transcript_upload"),
    path(f"{SESSION}transcript/uploaded/", _view("upload_views.transcript_uploaded"), name="transcript_uploaded"),
    path(f"{SESSION}transcript/download/", _view("transcripts.views.transcript_download"), name="transcript_download"),
    path(f"{SESSION}transcript/delete/", _view("transcripts.views.transcript_delete"), name="transcript_delete"),
    path(f"{SESSION}transcript/speakers/", _view("transcripts.speaker_views.speaker_names_edit"), name="speaker_names"),
    path(f"{SESSION}summaries/", _view("summarize_views.summarize"), name="summarize"),
    path(f"{SESSION}summaries/status/", _view("summaries.views.summary_status"), name="summary_status"),
    path(f"{SESSION}summaries/<slug:kind>/edit/", _view("summaries.views.summary_edit"), name="summary_edit"),
]
