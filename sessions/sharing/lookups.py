"""The owner-scoped lookups of the share pages: what the owner's share views act on, or 404.

Like sessions.core.lookups.session_or_404 (which the revoke view uses): a missing item and
another user's answer the same bare 404.
"""

from django.http import Http404

from campaigns_site.owners import sub
from sessions.sharing import repository as share_links


def session_to_share_or_404(request, campaign_id, session_id, *, with_links=False):
    """(campaign, session, {label: names}, summaries, links or None) for the share form, or
    404 when the campaign or session is not the user's (read_session_to_share)."""
    campaign, session, names, summaries, links = share_links.read_session_to_share(
        sub=sub(request), campaign_id=campaign_id, session_id=session_id, with_links=with_links
    )
    if session is None:
        raise Http404
    return campaign, session, names, summaries, links


def link_to_preview_or_404(request, campaign_id, session_id, token_hash):
    """The owner's link, if a new recipient could open it now (else the same 404 they would
    get): one GetItem, nothing counted."""
    link = share_links.get_share_link_for_owner(
        sub=sub(request), campaign_id=campaign_id, session_id=session_id, token_hash=token_hash
    )
    if link is None or not link.opens_for_a_new_viewer():
        raise Http404
    return link


def link_to_revoke_or_404(request, campaign_id, session_id, token_hash):
    """What the page that confirms a revoke shows (share_links.LinkToRevoke; its `row` is
    None when the link was already revoked), or 404 when the session is not the user's or
    the hash names a link of another session, campaign or user: one BatchGetItem."""
    found = share_links.read_link_to_revoke(
        sub=sub(request), campaign_id=campaign_id, session_id=session_id, token_hash=token_hash
    )
    if found is None or found.elsewhere:
        raise Http404
    return found
