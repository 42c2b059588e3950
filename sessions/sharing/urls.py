"""Share links: the public pages a link opens, and the owner's pages for a session's links.

Namespace "share". Public, no login: `/share/<token>/` (also without the final slash, as
v1.0's links were written) and `/share/<token>/transcript/`. A token of any shape
reaches the view, which refuses a malformed one without a request, so that every answer
under /share/<token> carries the share pages' headers (sessions.sharing.views).

The owner's, under the session: `.../share/` (list and make links), and per link, named by
its token's hash (the token itself is never kept): `revoke/`, `preview/` and
`preview/transcript/`.
"""

from django.urls import path, register_converter

import campaigns_site.converters  # noqa: F401  (registers <item_id:...>)
from campaigns_site.lazy import lazy_view

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


def _view(name, **options):
    # Loaded on the first request (campaigns_site.lazy.lazy_view), not at every cold start.
    return lazy_view(f"sessions.sharing.views.{name}", **options)


# The public views are csrf_exempt (GET only: a POST gets the share pages' 405, not a CSRF 403).
urlpatterns = [
    path("share/<str:token>/", _view("shared_session", csrf_exempt=True), name="session"),
    path("share/<str:token>", _view("shared_session", csrf_exempt=True), name="session_v1"),
    path("share/<str:token>/transcript/", _view("shared_transcript", csrf_exempt=True), name="transcript"),
    path(SESSION_SHARE, _view("manage"), name="manage"),
    path(f"{LINK}revoke/", _view("revoke"), name="revoke"),
    path(f"{LINK}preview/", _view("preview"), name="preview"),
    path(f"{LINK}preview/transcript/", _view("preview_transcript"), name="preview_transcript"),
]
