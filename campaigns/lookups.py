"""The owner-scoped lookup of a campaign, used by every view that takes a campaign_id."""

from campaigns import repository
from campaigns_site.owners import found_or_404, sub
from campaigns_site.table_keys import campaign_sk, user_pk


def campaign_keys(sub, campaign_id, **_):
    """What campaign_or_404 reads: a page's declared reads (campaigns_site.prefetch.reads)."""
    return [(user_pk(sub), campaign_sk(campaign_id))]


def campaign_or_404(request, campaign_id):
    """The user's live campaign, or 404 (also for a campaign being deleted): one GetItem."""
    return found_or_404(repository.get_campaign(sub=sub(request), campaign_id=campaign_id))
