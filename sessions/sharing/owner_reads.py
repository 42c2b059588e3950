"""The owner's reads of a session's share links: the session page's list of them, the share
page's form and list, the previews' declared reads (campaigns_site.prefetch). The session
item lists its links' hashes (share_link_hashes), so a page reads the links and their
pointers by key in a BatchGetItem it makes anyway; a session whose links predate that list
has them found by a Query (pointers_of_session). Re-exported by sessions.sharing.repository.
"""

from django.utils import timezone

from campaigns.items import Campaign
from campaigns_site import dynamodb
from campaigns_site.dynamodb import read_items
from campaigns_site.table import SHARE_SK, campaign_sk, session_sk, share_pk, summary_sk, user_pk
from campaigns_site.table_keys import SHARE_POINTER_PREFIX, share_pointer_sk, speaker_names_sk, sub_of_user_pk
from sessions.core.items import PlaySession
from sessions.core.kinds import KINDS
from sessions.sharing.items import (
    ACTIVE,
    EXPIRED,
    GONE,
    USED_UP,
    ListedShareLink,
    ShareLink,
    ShareLinkPointer,
    kinds_shown,
)
from sessions.summaries.items import Summary
from sessions.transcripts.items import SpeakerNames


def list_share_links_for_session(*, sub, session_id, now=None):
    """The session's links, newest first, as ListedShareLink rows: one strongly consistent
    Query, `begins_with(SK, "SHARELINK#")` filtered on session_id (a user has few links),
    and, when there are any, one BatchGetItem of the links themselves for their views and
    last view. Pointers past their `ttl` count as gone."""
    now = now or timezone.now()
    pointers = pointers_of_session(sub, session_id, now=now)
    if not pointers:
        return []
    keys = [(share_pk(pointer.token_hash), SHARE_SK) for pointer in pointers]
    links = {link.token_hash: link for link in ShareLink.batch_get(keys, consistent_read=True)}
    return _rows(pointers, links, now)


def share_link_keys(*, sub, session):
    """The keys of the session's links and of their pointers, from its share_link_hashes:
    for a page to read them by key in a BatchGetItem it makes anyway (links_found picks
    them out). None when the session's links predate that list: list_share_links_for_session
    finds them (a Query and a BatchGetItem)."""
    if not session.share_link_hashes:
        return None if session.share_links_made else []  # (all revoked: one Query that finds none)
    keys = []
    for token_hash in sorted(session.share_link_hashes):
        keys += [(user_pk(sub), share_pointer_sk(token_hash)), (share_pk(token_hash), SHARE_SK)]
    return keys


def links_found(found, *, session, now=None):
    """The session's links as ListedShareLink rows, newest first, among the items read for
    share_link_keys. A pointer must be of this session and alive (its ttl), a link of its owner."""
    now = now or timezone.now()
    pointers = [
        item
        for item in found
        if isinstance(item, ShareLinkPointer)
        and item.session_id == session.session_id
        and (item.ttl is None or item.ttl > now)
    ]
    links = {
        item.token_hash: item for item in found if isinstance(item, ShareLink) and item.owner_sub == session.owner_sub
    }
    return _rows(pointers, links, now)


def _rows(pointers, links, now):
    rows = [with_status(pointer, links.get(pointer.token_hash), now) for pointer in pointers]
    return sorted(rows, key=lambda row: (row.created, row.token_hash), reverse=True)


def with_status(pointer, link, now):
    """The owner's row of a link: the pointer's settings, the link's counts and status."""
    if link is None:
        status = GONE
    elif link.has_expired(now):
        status = EXPIRED
    elif link.is_used_up:
        status = USED_UP
    else:
        status = ACTIVE
    return ListedShareLink(
        pointer=pointer,
        views=int(link.views or 0) if link else 0,
        last_viewed=link.last_viewed if link else None,
        status=status,
    )


def preview_keys(sub, campaign_id, session_id, token_hash, **_):
    """What the owner's previews read (get_share_link_for_owner, then the link's own reads
    when it is the user's link of that session), declared for campaigns_site.prefetch.reads:
    the link, the campaign, the session, its summaries of every kind a scope shows and the
    campaign's speaker names. Keys of the link's pages are taken only if they are these."""
    pk = user_pk(sub)
    return [
        (share_pk(token_hash), SHARE_SK),
        (pk, campaign_sk(campaign_id)),
        (pk, session_sk(campaign_id, session_id)),
        (pk, speaker_names_sk(campaign_id)),
    ] + [(pk, summary_sk(campaign_id, session_id, kind)) for kind in KINDS]


def session_to_share_keys(sub, campaign_id, session_id, **_):
    """What the share page reads first (read_session_to_share), and declares
    (campaigns_site.prefetch.reads): the campaign, the session, the campaign's speaker names
    and the session's summary of every kind of KINDS."""
    sks = [campaign_sk(campaign_id), session_sk(campaign_id, session_id), speaker_names_sk(campaign_id)]
    sks += [summary_sk(campaign_id, session_id, kind) for kind in KINDS]
    return [(user_pk(sub), sk) for sk in sks]


def read_session_to_share(*, sub, campaign_id, session_id, with_links=False):
    """(campaign, session, {label: names}, summaries, links) for the share form: one strongly
    consistent BatchGetItem of session_to_share_keys (none when the session check read them:
    campaigns_site.prefetch; the form's warning says who each scope would show), then, when
    there are any, one BatchGetItem of v1.0's own kinds and, `with_links`, of the session's
    links and their pointers by the hashes it lists (links: ListedShareLink rows, None
    without with_links). (None, None, {}, [], None) when the campaign or session is not the
    user's (or the campaign is being deleted)."""
    found = read_items(session_to_share_keys(sub, campaign_id, session_id))
    campaign = next((item for item in found if isinstance(item, Campaign) and item.is_live), None)
    session = next((item for item in found if isinstance(item, PlaySession)), None)
    if campaign is None or session is None:
        return None, None, {}, [], None
    names = next((item for item in found if isinstance(item, SpeakerNames)), None)
    other_keys = other_summary_keys(sub, campaign_id, session_id, kinds_shown("summaries", session))
    link_keys = share_link_keys(sub=sub, session=session) if with_links else []
    more = read_items(other_keys + (link_keys or [])) if other_keys or link_keys else []
    summaries = [item for item in found + more if isinstance(item, Summary)]
    links = None
    if link_keys is None:  # links made before the session listed them: a Query finds them
        links = list_share_links_for_session(sub=sub, session_id=session_id)
    elif with_links:
        links = links_found(more, session=session)
    return campaign, session, (names.as_dict() if names else {}), summaries, links


def other_summary_keys(sub, campaign_id, session_id, kinds):
    return [(user_pk(sub), summary_sk(campaign_id, session_id, kind)) for kind in kinds if kind not in KINDS]


def pointers_of_session(sub, session_id, *, now):
    """The pointers of the session's links, every page of one strongly consistent Query;
    those past their ttl count as gone."""
    found = ShareLinkPointer.query(
        user_pk(sub),
        ShareLinkPointer.sk.startswith(SHARE_POINTER_PREFIX),
        filter_condition=ShareLinkPointer.session_id == session_id,
        consistent_read=True,
    )
    return [pointer for pointer in found if pointer.ttl is None or pointer.ttl > now]


def pointers_by_session(*, now=None):
    """{(sub, campaign_id, session_id): {token hashes}} of every live pointer in the table:
    a Scan, for the operations command that lists them on their sessions (never a request path)."""
    now = now or timezone.now()
    found = {}
    where = dynamodb.attribute("entity") == "ShareLinkPointer"
    for page in dynamodb.scan_pages(where=where, attributes=["PK", "campaign_id", "session_id", "token_hash", "ttl"]):
        for item in page:
            if item.get("ttl") is None or item["ttl"] > int(now.timestamp()):
                key = (sub_of_user_pk(item["PK"]), item["campaign_id"], item["session_id"])
                found.setdefault(key, set()).add(item["token_hash"])
    return found
