"""Play session pages, under their campaign: /campaigns/<cid>/sessions/<sid>/...

Namespace "sessions" (the app's label is play_sessions: django.contrib.sessions owns
"sessions", but URL namespaces are separate). Search (issue 7) joins this namespace as
sessions:search.
"""

from django.urls import path

import campaigns_site.converters  # noqa: F401  (registers <item_id:...>)
from sessions import views

app_name = "sessions"

SESSION = "campaigns/<item_id:campaign_id>/sessions/<item_id:session_id>/"

urlpatterns = [
    path("campaigns/<item_id:campaign_id>/sessions/new/", views.session_create, name="new"),
    path(SESSION, views.session_detail, name="detail"),
    path(f"{SESSION}edit/", views.session_edit, name="edit"),
    path(f"{SESSION}delete/", views.session_delete, name="delete"),
    path(f"{SESSION}move/", views.session_move, name="move"),
]
