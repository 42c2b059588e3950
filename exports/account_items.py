"""What an export reads, named after its access patterns: everything in the owner's
partition (`USER#<sub>`), one kind of item at a time, as lazily paged Queries, so the
writer holds one page of items at a time, never the account.

Every read is a strongly consistent Query or GetItem in the owner's partition (no Scan,
no other user's key); a share link's views are read by the hashes its owner's pointers
name, a page of pointers at a time (one BatchGetItem each).
"""

import itertools

from django.utils import timezone

from campaigns.items import Campaign
from campaigns_site.table_keys import (
    CAMPAIGN_PREFIX,
    SHARE_POINTER_PREFIX,
    SHARE_SK,
    SPEAKER_NAMES_PREFIX,
    campaign_sk,
    play_order_prefix,
    share_pk,
    speaker_names_sk,
    story_summary_sk,
    summaries_prefix,
    user_pk,
)
from sessions.core.items import PlaySession
from sessions.sharing.items import ShareLink, ShareLinkPointer
from sessions.summaries.items import Summary
from sessions.transcripts.items import SpeakerNames

BATCH_GET_LIMIT = 100  # keys in one BatchGetItem


def list_campaigns_to_export(*, sub, campaign_id=None):
    """The user's live campaigns (a campaign being deleted is left out), oldest first;
    with `campaign_id`, that one only (an empty list when it is not the user's)."""
    if campaign_id is not None:
        try:
            found = [Campaign.get(user_pk(sub), campaign_sk(campaign_id), consistent_read=True)]
        except Campaign.DoesNotExist:
            return []
    else:
        found = Campaign.query(user_pk(sub), Campaign.sk.startswith(CAMPAIGN_PREFIX), consistent_read=True)
    return [campaign for campaign in found if campaign.is_live]


def iter_sessions_in_play_order(*, sub, campaign_id):
    """The campaign's sessions, oldest first in play order (LSI1), page by page."""
    return PlaySession.second_sort_order.query(
        user_pk(sub),
        PlaySession.lsi1sk.startswith(play_order_prefix(campaign_id)),
        scan_index_forward=True,
        consistent_read=True,
    )


def iter_summaries_of_campaign(*, sub, campaign_id):
    """Every summary of the campaign's sessions and its story so far, page by page (SK order:
    by session id, then kind)."""
    return Summary.query(user_pk(sub), Summary.sk.startswith(summaries_prefix(campaign_id)), consistent_read=True)


def list_summaries_of_session(*, sub, campaign_id, session_id):
    return list(
        Summary.query(
            user_pk(sub), Summary.sk.startswith(summaries_prefix(campaign_id, session_id)), consistent_read=True
        )
    )


def get_story_so_far(*, sub, campaign_id):
    try:
        return Summary.get(user_pk(sub), story_summary_sk(campaign_id), consistent_read=True)
    except Summary.DoesNotExist:
        return None


def speaker_names_by_campaign(*, sub, campaign_id=None):
    """{campaign id: SpeakerNames} of the user's campaigns with names (one Query; a GetItem
    for one campaign)."""
    if campaign_id is not None:
        try:
            found = [SpeakerNames.get(user_pk(sub), speaker_names_sk(campaign_id), consistent_read=True)]
        except SpeakerNames.DoesNotExist:
            found = []
    else:
        found = SpeakerNames.query(user_pk(sub), SpeakerNames.sk.startswith(SPEAKER_NAMES_PREFIX), consistent_read=True)
    return {names.campaign_id: names for names in found if names.as_dict()}


def iter_share_links(*, sub, campaign_id=None):
    """(pointer, link or None) for each link the owner still lists (a pointer past its
    TTL is gone: DynamoDB's clean-up may lag), of one campaign if given."""
    now = timezone.now()
    pointers = ShareLinkPointer.query(
        user_pk(sub), ShareLinkPointer.sk.startswith(SHARE_POINTER_PREFIX), consistent_read=True
    )
    live = (
        pointer
        for pointer in pointers
        if (pointer.ttl is None or pointer.ttl > now) and (campaign_id is None or pointer.campaign_id == campaign_id)
    )
    while batch := list(itertools.islice(live, BATCH_GET_LIMIT)):
        keys = [(share_pk(pointer.token_hash), SHARE_SK) for pointer in batch]
        links = {link.token_hash: link for link in ShareLink.batch_get(keys, consistent_read=True)}
        for pointer in batch:
            yield pointer, links.get(pointer.token_hash)
