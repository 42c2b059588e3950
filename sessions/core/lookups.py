"""The owner-scoped lookup of a play session, used by every view that takes a session_id."""

from django.http import Http404

from campaigns_site.owners import sub
from campaigns_site.table_keys import campaign_sk, session_sk, user_pk
from sessions.core import repository


def session_keys(sub, campaign_id, session_id, **_):
    """What session_or_404 reads: a page's declared reads (campaigns_site.prefetch.reads)."""
    return [(user_pk(sub), campaign_sk(campaign_id)), (user_pk(sub), session_sk(campaign_id, session_id))]


def session_or_404(request, campaign_id, session_id):
    """(campaign, session), or 404 when either is not the user's: one BatchGetItem."""
    campaign, session = repository.get_session_with_campaign(
        sub=sub(request), campaign_id=campaign_id, session_id=session_id
    )
    if session is None:
        raise Http404  # no detail: the 404 page must not tell whose or what it was
    return campaign, session
