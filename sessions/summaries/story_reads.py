"""The story page's sessions and recaps, read by key (issue 17).

The campaign item lists its sessions' ids (Campaign.session_ids, added and deleted with
session_count by the writes that create, delete and move a session), and the page reads
the campaign with its session check (campaigns_site.prefetch). So the sessions and their
recaps are one BatchGetItem of known keys, `SESSION#<cid>#<sid>` and
`SUMMARY#<cid>#<sid>#recap` (100 keys a request: 50 sessions), where two Queries were: the
sessions in play order on LSI1 and every summary of the campaign filtered to recaps, which
read and bill every kind. Play order is the sessions' own LSI1SK, sorted here as LSI1 sorts it.

The list is trusted only when it is whole: as many ids as session_count (exact: the same
ADD) and every listed session found. Otherwise (a campaign made before the list, one past
MAX_LISTED_SESSIONS) the two Queries of before (list_recaps_in_play_order):
the same sessions, the same recaps, in the same order. `manage.py list_sessions_on_campaigns`
lists the sessions of campaigns made before.
"""

from campaigns_site.dynamodb import read_items
from campaigns_site.table import session_sk, summary_sk, user_pk
from sessions.core.items import PlaySession
from sessions.summaries.items import Summary
from sessions.summaries.repository import list_recaps_in_play_order

RECAP = "recap"


def recaps_in_play_order(*, sub, campaign):
    """[(session, its recap or None)] for every session of `campaign` (read already), oldest
    first: list_recaps_in_play_order's answer, by key when the campaign lists its sessions."""
    campaign_id = campaign.campaign_id
    listed = sorted(campaign.session_ids or ()) if campaign.sessions_listed else None
    if listed is None:
        return list_recaps_in_play_order(sub=sub, campaign_id=campaign_id)
    pk = user_pk(sub)
    keys = [(pk, session_sk(campaign_id, session_id)) for session_id in listed]
    keys += [(pk, summary_sk(campaign_id, session_id, RECAP)) for session_id in listed]
    found = read_items(keys) if keys else []
    sessions = [item for item in found if isinstance(item, PlaySession)]
    if len(sessions) != len(listed):  # a listed session is gone: the list is wrong, ask the table
        return list_recaps_in_play_order(sub=sub, campaign_id=campaign_id)
    recaps = {item.session_id: item for item in found if isinstance(item, Summary) and item.kind == RECAP}
    sessions.sort(key=lambda session: session.lsi1sk or "")  # LSI1's order: code points, as UTF-8 bytes sort
    return [(session, recaps.get(session.session_id)) for session in sessions]
