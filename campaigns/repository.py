"""Campaign items, by owner. Every function takes the owner's Cognito `sub`."""

from datetime import datetime, timezone

from campaigns.items import Campaign
from campaigns_site.pagination import query_page
from campaigns_site.table import campaign_sk, new_id, user_pk

CAMPAIGN_PREFIX = "CAMPAIGN#"


def create_campaign(*, sub, name, description="", game_system=""):
    now = datetime.now(timezone.utc)
    campaign = Campaign(
        user_pk(sub),
        campaign_sk(new_id()),
        name=name,
        description=description,
        game_system=game_system,
        created=now,
        updated=now,
        last_activity=now,
    )
    # A new ULID never collides; the version condition PynamoDB adds (version absent)
    # also guarantees this write cannot replace an existing campaign.
    campaign.save()
    return campaign


def get_campaign(*, sub, campaign_id):
    """The campaign, or None if the user has no campaign with that id."""
    try:
        return Campaign.get(user_pk(sub), campaign_sk(campaign_id))
    except Campaign.DoesNotExist:
        return None


def list_campaigns_for_user(*, sub, limit, cursor=None):
    """One page of the user's campaigns, newest first, from a single Query."""
    return query_page(Campaign, user_pk(sub), Campaign.sk.startswith(CAMPAIGN_PREFIX), limit=limit, cursor=cursor)
