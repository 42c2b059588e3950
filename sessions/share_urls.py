"""Share links: the public pages a link opens, and the owner's pages for a session's links.

Namespace "share". Public, no login: `/share/<token>/` (also without the final slash, as
v1.0's links were written) and `/share/<token>/transcript/`. A token of any shape
reaches the view, which refuses a malformed one without a request, so that every answer
under /share/<token> carries the share pages' headers (sessions.share_views).

The owner's, under the session: `.../share/` (list and make links), and per link, named by
its token's hash (the token itself is never kept): `revoke/`, `preview/` and
`preview/transcript/`.
"""

from django.urls import path, register_converter

import campaigns_site.converters  # noqa: F401  (registers <item_id:...>)
from sessions import share_views

app_name = "share"


class TokenHashConverter:
    """A token's SHA-256 as the table keeps it: 64 lower-case hex digits, nothing else."""

    regex = "[0-9a-f]{64}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)


register_converter(TokenHashConverter, "token_hash")

SESSION_SHARE = "campaigns/<item_id:campaign_id>/sessions/<item_id:session_id>/share/"
LINK = f"{SESSION_SHARE}<token_hash:token_hash>/"

urlpatterns = [
    path("share/<str:token>/", share_views.shared_session, name="session"),
    path("share/<str:token>", share_views.shared_session, name="session_v1"),
    path("share/<str:token>/transcript/", share_views.shared_transcript, name="transcript"),
    path(SESSION_SHARE, share_views.manage, name="manage"),
    path(f"{LINK}revoke/", share_views.revoke, name="revoke"),
    path(f"{LINK}preview/", share_views.preview, name="preview"),
    path(f"{LINK}preview/transcript/", share_views.preview_transcript, name="preview_transcript"),
]
