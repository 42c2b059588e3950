"""The owner-scoped lookup of a campaign, used by every view that takes a campaign_id."""

from campaigns import repository
from campaigns_site.owners import found_or_404, sub


def campaign_or_404(request, campaign_id):
    """The user's live campaign, or 404 (also for a campaign being deleted): one GetItem."""
    return found_or_404(repository.get_campaign(sub=sub(request), campaign_id=campaign_id))
