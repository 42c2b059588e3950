"""A campaign's list of its sessions' ids (Campaign.session_ids, issue 17), for campaigns
whose sessions were made before the list: what `manage.py list_sessions_on_campaigns`
writes. The app's own writes keep the list (campaigns.repository.write_with_campaign_changes:
create, delete and move add or delete the id with session_count, in one update); this
repairs it from the table, safely while the app serves."""

from campaigns.items import MAX_LISTED_SESSIONS, Campaign
from campaigns_site import dynamodb
from campaigns_site.table_keys import campaign_sk, sessions_of_campaign_prefix, sub_of_user_pk, user_pk
from campaigns_site.transactions import Transaction, TransactionCanceled

LISTED, ALREADY, TOO_MANY, GONE, CHANGING = "listed", "already listed", "too many to list", "gone", "still changing"
ATTEMPTS = 3


def campaigns_in_table():
    """[(sub, campaign_id)] of every campaign item: a Scan, for the operations command only."""
    where = dynamodb.attribute("entity") == "Campaign"
    found = []
    for page in dynamodb.scan_pages(where=where, attributes=["PK", "SK"]):
        found += [(sub_of_user_pk(item["PK"]), item["SK"].removeprefix("CAMPAIGN#")) for item in page]
    return sorted(found)


def list_sessions_on_campaign(*, sub, campaign_id):
    """Set the campaign's session_ids to the ids of its sessions (one Query of their keys),
    conditioned on its session_count being that many, so a session made or deleted
    meanwhile makes it look again (ATTEMPTS times, then CHANGING). One of LISTED, ALREADY,
    TOO_MANY (more than MAX_LISTED_SESSIONS: left as it is, the story page reads by Query),
    GONE (no campaign, or one being deleted), CHANGING."""
    for _ in range(ATTEMPTS):
        campaign = dynamodb.read_items([(user_pk(sub), campaign_sk(campaign_id))])
        if not campaign or not campaign[0].is_live:
            return GONE
        found = dynamodb.query(user_pk(sub), sk_prefix=sessions_of_campaign_prefix(campaign_id), attributes=["SK"])
        ids = {item["SK"].rsplit("#", 1)[-1] for item in found}
        if len(ids) > MAX_LISTED_SESSIONS:
            return TOO_MANY
        if set(campaign[0].session_ids or ()) == ids and campaign[0].sessions_listed:
            return ALREADY
        transaction = Transaction()
        transaction.update(
            user_pk(sub),
            campaign_sk(campaign_id),
            actions=[Campaign.session_ids.set(ids) if ids else Campaign.session_ids.remove()],
            condition=Campaign.live_condition() & (Campaign.session_count == len(ids)),
        )
        try:
            transaction.commit()
            return LISTED
        except TransactionCanceled:
            continue  # a session made or deleted meanwhile (or a count that disagrees): look again
    return CHANGING
