"""Play session items, by owner and campaign. Every function takes the owner's Cognito `sub`."""

from datetime import datetime, timezone

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from campaigns.items import Campaign
from campaigns_site.pagination import query_page
from campaigns_site.table import campaign_sk, new_id, session_sk, sessions_of_campaign_prefix, user_pk
from sessions.items import PlaySession


class CampaignNotFound(Exception):
    pass


def create_session(*, sub, campaign_id, title, number=None, played_on=None, notes=""):
    """Write the session and count it on its campaign, both or neither."""
    now = datetime.now(timezone.utc)
    session = PlaySession(
        user_pk(sub),
        session_sk(campaign_id, new_id()),
        title=title,
        number=number,
        played_on=played_on,
        notes=notes,
        created=now,
        updated=now,
    )
    # A key-only campaign with version=0: PynamoDB then adds 1 to the stored version (the
    # campaign did change) without requiring a particular one, so no read is needed first.
    campaign = Campaign(user_pk(sub), campaign_sk(campaign_id), version=0)
    try:
        # The model's own connection: the cached client, already pointed at the table's endpoint.
        with TransactWrite(connection=Campaign._get_connection().connection) as transaction:
            transaction.save(session)
            transaction.update(
                campaign,
                actions=[
                    Campaign.session_count.add(1),
                    Campaign.updated.set(now),
                    Campaign.last_activity.set(now),
                ],
                condition=Campaign.sk.exists(),
                add_version_condition=False,
            )
    except TransactWriteError as error:
        reasons = [reason and reason.code for reason in error.cancellation_reasons]
        if reasons[1:2] == ["ConditionalCheckFailed"]:  # items go puts first, then updates
            raise CampaignNotFound(campaign_id) from error
        raise
    return session


def list_sessions_for_campaign(*, sub, campaign_id, limit, cursor=None):
    """One page of the campaign's sessions, newest first, from a single Query."""
    return query_page(
        PlaySession,
        user_pk(sub),
        PlaySession.sk.startswith(sessions_of_campaign_prefix(campaign_id)),
        limit=limit,
        cursor=cursor,
    )
