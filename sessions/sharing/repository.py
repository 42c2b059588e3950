"""Share links, read and written: making, listing and revoking them (the owner's side, with
the staff's registry: sessions/sharing/registry.py), opening them and reading what they show
(the visitor's side). The items: sessions/sharing/items.py; docs/data-model.md, "Share link".

Opening a link (open_share_link) is ONE UpdateItem (`ADD views 1, SET last_viewed`, on
conditions, returning the item): read and counted in one atomic step, so a view limit holds
under concurrent visitors, and a dead link costs that one request like a live one. Later
pages of a visitor who opened it (a signed grant) read it with one GetItem.
"""

from dataclasses import dataclass

from django.utils import timezone
from pynamodb.exceptions import UpdateError

from campaigns.items import Campaign
from campaigns_site import prefetch
from campaigns_site.dynamodb import read_items
from campaigns_site.table import SHARE_SK, TableModel, campaign_sk, session_sk, share_pk, summary_sk, user_pk
from campaigns_site.table_keys import share_pointer_sk, speaker_names_sk
from campaigns_site.transactions import Transaction, TransactionCanceled
from campaigns_site.usage import add_usage
from sessions.core.items import PlaySession
from sessions.sharing import registry
from sessions.sharing.items import (
    LABEL_MAX_LENGTH,
    MAX_LINKS_PER_SESSION,
    MAX_VIEW_LIMIT,
    SCOPE_KINDS,
    SCOPES,
    ListedShareLink,
    NewShareLink,
    ShareLink,
    ShareLinkPointer,
    hash_token,
    is_well_formed,
    kinds_shown,
    new_token,
)
from sessions.sharing.link_writes import put_new_link  # noqa: F401  (re-exported: the import's)
from sessions.sharing.names import replace_names, summary_replacements
from sessions.sharing.owner_reads import (  # noqa: F401  (re-exported: the pages and tests read them here)
    links_found,
    list_share_links_for_session,
    other_summary_keys,
    pointers_of_session,
    preview_keys,
    read_session_to_share,
    session_to_share_keys,
    share_link_keys,
    with_status,
)
from sessions.summaries.items import Summary
from sessions.transcripts.items import SpeakerNames
from sessions.transcripts.repository import get_session_with_campaign_and_speaker_names
from sessions.transcripts.storage import speaker_labels


class TooManyShareLinks(Exception):
    """The session has MAX_LINKS_PER_SESSION links already; nothing was written."""


@dataclass(frozen=True)
class SharedSession:
    """What a link shows: the session, its campaign, and the summaries of the link's scope."""

    campaign: Campaign
    session: PlaySession
    summaries: list  # of sessions.summaries.items.Summary, in kinds_shown order
    # {what a summary may say: what the link shows instead} (summary_replacements): empty unless characters only.
    replacements: dict

    def summary_text(self, summary):
        """The summary's text as the link shows it (replace_names)."""
        return replace_names(summary.text, self.replacements)


# --- the owner's side ------------------------------------------------------------------------
def create_share_link(
    *,
    sub,
    campaign_id,
    session_id,
    scope,
    expires=None,
    view_limit=None,
    label="",
    characters_only=False,
    token=None,
    now=None,
    other_summary_kinds=None,
):
    """Make a link to the session; returns NewShareLink, whose token is shown once.

    One Query (the session's links, for the cap), then one TransactWriteItems: both items
    (`attribute_not_exists`) and the session's child write (sessions.core.repository.
    record_child_write: the session must exist, and a delete or move that read its links
    meanwhile reads them again). `expires` is the instant it stops working (None: never).
    `token`: an existing link's token (v1.0's, when importing); a new one otherwise.
    `characters_only`: its transcript names speakers by character only (shared_speaker_names).
    `other_summary_kinds`: the session's, when the caller read it (put_new_link).

    Raises TooManyShareLinks past MAX_LINKS_PER_SESSION (the count is read first, so two
    makers at the very same moment may pass it by one: a soft cap against runaway lists,
    not a security limit), SessionNotFound when the session is not the user's.
    """
    label = checked_settings(scope=scope, view_limit=view_limit, label=label, token=token)
    session_sk(campaign_id, session_id)  # refuses a bad id before anything is read
    now = now or timezone.now()
    live = pointers_of_session(sub, session_id, now=now)
    if len(live) >= MAX_LINKS_PER_SESSION:
        raise TooManyShareLinks(f"{MAX_LINKS_PER_SESSION} share links already")

    token = token or new_token()
    link = ShareLink.made(
        sub=sub,
        campaign_id=campaign_id,
        session_id=session_id,
        token_hash=hash_token(token),
        scope=scope,
        expires=expires,
        view_limit=None if view_limit is None else int(view_limit),
        characters_only=characters_only,
        now=now,
    )
    pointer = ShareLinkPointer.of_link(link, label=label)
    listed_with = [other.token_hash for other in live]
    put_new_link(link, pointer, listed_with=listed_with, other_summary_kinds=other_summary_kinds)
    return NewShareLink(token=token, link=link, pointer=pointer)


def checked_settings(*, scope, view_limit, label, token):
    """The label as stored (stripped), once the link's settings are ones the form allows:
    a ValueError otherwise (a caller past the form: the demo, an import)."""
    if scope not in SCOPES:
        raise ValueError(f"unknown share scope {scope!r}; expected one of {', '.join(SCOPES)}")
    if view_limit is not None and not 1 <= int(view_limit) <= MAX_VIEW_LIMIT:
        raise ValueError(f"a view limit runs from 1 to {MAX_VIEW_LIMIT}, not {view_limit!r}")
    label = (label or "").strip()
    if len(label) > LABEL_MAX_LENGTH:
        raise ValueError(f"a label has at most {LABEL_MAX_LENGTH} characters")
    if token is not None and not is_well_formed(token):
        raise ValueError("not a share link token")
    return label


@dataclass(frozen=True)
class LinkToRevoke:
    """What the page that asks to confirm a revoke shows, or why it cannot."""

    campaign: Campaign
    session: PlaySession
    row: ListedShareLink | None  # None: the user has no such link on this session
    elsewhere: bool  # the hash names a link, but not the user's on this session


def read_link_to_revoke(*, sub, campaign_id, session_id, token_hash, now=None):
    """The link the owner is about to revoke, for the page that asks them to confirm, or
    None when the campaign or session is not the user's. One strongly consistent
    BatchGetItem: the campaign, the session, the link's pointer in the user's partition
    and the link itself (its views). The pointer makes it the user's; it must name this
    campaign and session (every id in the URL must match)."""
    now = now or timezone.now()
    keys = [
        (user_pk(sub), campaign_sk(campaign_id)),
        (user_pk(sub), session_sk(campaign_id, session_id)),
        (user_pk(sub), share_pointer_sk(token_hash)),
        (share_pk(token_hash), SHARE_SK),
    ]
    found = list(TableModel.batch_get(keys, consistent_read=True))
    campaign = next((item for item in found if isinstance(item, Campaign) and item.is_live), None)
    session = next((item for item in found if isinstance(item, PlaySession)), None)
    if campaign is None or session is None:
        return None
    pointer = next((item for item in found if isinstance(item, ShareLinkPointer)), None)
    link = next((item for item in found if isinstance(item, ShareLink)), None)
    if pointer is None:
        return LinkToRevoke(campaign=campaign, session=session, row=None, elsewhere=link is not None)
    if (pointer.campaign_id, pointer.session_id) != (campaign_id, session_id):
        return LinkToRevoke(campaign=campaign, session=session, row=None, elsewhere=True)
    return LinkToRevoke(campaign=campaign, session=session, row=with_status(pointer, link, now), elsewhere=False)


def revoke_share_link(*, sub, campaign_id, session_id, token_hash):
    """Delete the link and its pointer in one TransactWriteItems: dead from the next request
    on. False (nothing deleted) when the user has no such link on that session of that
    campaign (already revoked, never theirs, or named under another campaign or session).
    The pointer's condition (it exists in the user's partition, for that campaign and
    session) makes the link theirs; the link's repeats it and lets a link its TTL took go
    with its pointer. The staff's registry entry is marked revoked, kept for the counts, and
    the user's usage counter goes down in the same transaction.
    """
    transaction = Transaction()
    transaction.delete(
        user_pk(sub),
        share_pointer_sk(token_hash),
        condition=ShareLinkPointer.sk.exists()
        & (ShareLinkPointer.campaign_id == campaign_id)
        & (ShareLinkPointer.session_id == session_id),
    )
    transaction.delete(
        share_pk(token_hash),
        SHARE_SK,
        condition=ShareLink.pk.does_not_exist()
        | (
            (ShareLink.owner_sub == sub) & (ShareLink.campaign_id == campaign_id) & (ShareLink.session_id == session_id)
        ),
    )
    registry.mark_revoked(transaction, sub=sub, campaign_id=campaign_id, session_id=session_id, token_hash=token_hash)
    add_usage(transaction, sub=sub, share_links=-1)  # counted once: the pointer's condition says it was there
    # Off the session's list of links. The pointer's condition says the link was of this
    # session, which exists while it has links (a delete or move takes them first or along).
    transaction.update(
        user_pk(sub),
        session_sk(campaign_id, session_id),
        actions=[PlaySession.share_link_hashes.delete({token_hash})],
        condition=PlaySession.sk.exists(),
    )
    try:
        transaction.commit()
    except TransactionCanceled as canceled:
        if canceled.failed(0):
            return False
        raise
    return True


def list_link_hashes_on_session(*, sub, campaign_id, session_id, hashes):
    """Add `hashes` to the session's share_link_hashes (a set: adding again changes nothing),
    for links made before sessions listed them. False when the session is not there. One
    TransactWriteItems (Transaction: PynamoDB's own update would bump the session's version)."""
    transaction = Transaction()
    transaction.update(
        user_pk(sub),
        session_sk(campaign_id, session_id),
        actions=[PlaySession.share_link_hashes.add(set(hashes))],
        condition=PlaySession.sk.exists(),
    )
    try:
        transaction.commit()
    except TransactionCanceled:
        return False
    return True


def get_share_link_for_owner(*, sub, campaign_id, session_id, token_hash):
    """The link if it is the user's and shares that session (for the owner's preview), else
    None: one GetItem. The key is the link's own partition, named by the URL's hash, but
    nothing of it is returned unless its owner_sub is the signed-in user's."""
    link = get_share_link(token_hash=token_hash)
    if link is None or link.owner_sub != sub or (link.campaign_id, link.session_id) != (campaign_id, session_id):
        return None
    return link


# --- the visitor's side -----------------------------------------------------------------------
def open_share_link(*, token, now=None):
    """The link, with this view counted, or None when it is dead: unknown, revoked, expired
    or at its view limit (which of them is never told).

    ONE UpdateItem, `ADD views :1 SET last_viewed = :now`, conditioned on
    `attribute_exists(PK) AND (attribute_not_exists(expires) OR expires > :now) AND
    (attribute_not_exists(view_limit) OR attribute_not_exists(views) OR views < view_limit)`,
    returning ALL_NEW. The read
    and the count are one atomic step: the limit holds exactly under concurrent visitors,
    and an unknown token creates nothing. A dead link costs this one request, as a live
    one does before its scope's reads.
    """
    now = now or timezone.now()
    link = ShareLink(share_pk(hash_token(token)), SHARE_SK)
    try:
        link.update(
            actions=[ShareLink.views.add(1), ShareLink.last_viewed.set(now)],
            condition=(
                ShareLink.pk.exists()
                & (ShareLink.expires.does_not_exist() | (ShareLink.expires > now))
                & (
                    ShareLink.view_limit.does_not_exist()
                    | ShareLink.views.does_not_exist()  # an imported link never opened yet
                    | (ShareLink.views < ShareLink.view_limit)
                )
            ),
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return None
        raise
    return link


def get_share_link(*, token_hash):
    """The link as stored, or None: one strongly consistent GetItem, nothing counted. The
    caller applies the rules (has_expired, opens_for_a_new_viewer). The owner's preview
    takes it from its session check's BatchGetItem (preview_keys)."""
    read, link = prefetch.take_one(share_pk(token_hash), SHARE_SK)
    if read:
        return link if isinstance(link, ShareLink) else None
    try:
        return ShareLink.get(share_pk(token_hash), SHARE_SK, consistent_read=True)
    except ShareLink.DoesNotExist:
        return None


def read_shared_session(link):
    """What the link shows, or None when its session or campaign is gone (or the campaign
    is being deleted). One strongly consistent BatchGetItem in the owner's partition, keys
    from the link: the campaign, the session and the summaries of the link's scope (the
    recap alone, or every kind; the ones never written are simply not found), and, for a
    link that shows character names only, the campaign's speaker names, to take players'
    names and raw labels out of the summaries (summary_replacements). The labels come from
    the session item (speaker_names.speaker_labels: S3 only for a transcript with more
    speakers than the item lists). v1.0's own kinds of summary: in it too, as the link names
    them (ShareLink.other_summary_kinds); a kind the session names and the link does not (a
    link made before it listed them, a summary imported after the link): a second one."""
    sub, campaign_id, session_id = link.owner_sub, link.campaign_id, link.session_id
    keys = [(user_pk(sub), campaign_sk(campaign_id)), (user_pk(sub), session_sk(campaign_id, session_id))]
    keys += [(user_pk(sub), summary_sk(campaign_id, session_id, kind)) for kind in SCOPE_KINDS.get(link.scope, ())]
    listed = sorted(link.other_summary_kinds or ()) if link.scope != "recap" else []
    keys += other_summary_keys(sub, campaign_id, session_id, listed)  # v1.0's own kinds, as the link names them
    if link.characters_only:
        keys.append((user_pk(sub), speaker_names_sk(campaign_id)))
    found = read_items(keys)  # (the owner's preview: read with the session check, if it planned them)
    campaign = next((item for item in found if isinstance(item, Campaign) and item.is_live), None)
    session = next((item for item in found if isinstance(item, PlaySession)), None)
    if campaign is None or session is None:
        return None
    kinds = kinds_shown(link.scope, session)
    found += _other_summaries(sub, campaign_id, session_id, [kind for kind in kinds if kind not in listed])
    order = {kind: index for index, kind in enumerate(kinds)}
    summaries = sorted(
        (item for item in found if isinstance(item, Summary) and item.kind in order),
        key=lambda summary: order[summary.kind],
    )
    replacements = {}
    if link.characters_only and summaries:
        names = next((item for item in found if isinstance(item, SpeakerNames)), None)
        replacements = summary_replacements(names.as_dict() if names else {}, speaker_labels(session))
    return SharedSession(campaign=campaign, session=session, summaries=summaries, replacements=replacements)


def read_shared_transcript(link):
    """(campaign, session, {label: names}) for the link's transcript pages, or None when the
    session is gone: the reader's one BatchGetItem (sessions.core.repository), in the owner's
    partition, keys from the link."""
    campaign, session, names = get_session_with_campaign_and_speaker_names(
        sub=link.owner_sub, campaign_id=link.campaign_id, session_id=link.session_id
    )
    if session is None:
        return None
    return campaign, session, (names.as_dict() if names else {})


def _other_summaries(sub, campaign_id, session_id, kinds):
    """The summaries of `kinds` outside KINDS (v1.0's own, named by the session): none, no request."""
    keys = other_summary_keys(sub, campaign_id, session_id, kinds)
    return read_items(keys) if keys else []
