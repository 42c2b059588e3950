"""Owner-scoped lookups for views: every object is reached through its owner's `sub`.

Each app writes one `<thing>_or_404(request, ...ids)` per owned object with these two
(campaigns.lookups.campaign_or_404, sessions.core.lookups.session_or_404, ...), and every
view uses it: a missing item and another user's item answer the same bare 404.
"""

from django.http import Http404


def sub(request):
    """The signed-in user's Cognito `sub` (accounts.models.User's primary key)."""
    return request.user.pk


def found_or_404(item):
    """The item, or a 404 that says nothing about whose or what it was."""
    if item is None:
        raise Http404
    return item
