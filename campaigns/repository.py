"""Campaign items, by owner. Every function takes the owner's Cognito `sub`.

Lookups (get_*) return None when the user has no such campaign; changes raise
CampaignNotFound (a NotFound, as is sessions' SessionNotFound). A campaign whose delete
cascade has started counts as gone for both.
"""

from dataclasses import dataclass

from botocore.exceptions import ClientError
from django.utils import timezone
from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.condition import size

from campaigns.items import ACTIVE, ARCHIVED, DELETING, MAX_LISTED_SESSIONS, Campaign
from campaigns_site import mirrored_writes, prefetch, usage
from campaigns_site.errors import NotFound, StaleEdit, StillChanging
from campaigns_site.pagination import query_page
from campaigns_site.table_keys import campaign_order_key, campaign_order_prefix, campaign_sk, new_id, user_pk
from campaigns_site.transactions import Transaction, TransactionCanceled

PAGE_SIZE = 25
# Attempts at a write whose guess about the campaign's state (archived or not) was wrong:
# one more is enough unless somebody flips the archive switch at that very moment.
STATE_ATTEMPTS = 3


class CampaignNotFound(NotFound):
    """The user has no such campaign (or it is being deleted)."""


def get_campaign(*, sub, campaign_id):
    """The campaign, or None if the user has no campaign with that id (or it is being deleted)."""
    campaign = _stored_campaign(sub, campaign_id)
    if campaign is None or not campaign.is_live:
        return None
    return campaign


def get_campaign_being_deleted(*, sub, campaign_id):
    """The campaign if its delete cascade has started and not finished, else None: what a
    "finish deleting" action may act on (never a campaign nobody confirmed deleting)."""
    campaign = _stored_campaign(sub, campaign_id)
    if campaign is None or campaign.is_live:
        return None
    return campaign


def list_campaigns_for_user(*, sub, archived=False, limit=PAGE_SIZE, cursor=None):
    """One page of the user's active (or archived) campaigns, latest activity first: one Query on LSI1."""
    return _campaigns_in_state(sub, ARCHIVED if archived else ACTIVE, limit=limit, cursor=cursor)


def list_campaigns_being_deleted(*, sub, limit=PAGE_SIZE, cursor=None):
    """Campaigns whose delete cascade started but has not finished, so the UI can offer to finish it."""
    return _campaigns_in_state(sub, DELETING, limit=limit, cursor=cursor)


def _campaigns_in_state(sub, state, *, limit, cursor):
    return query_page(
        Campaign,
        user_pk(sub),
        Campaign.lsi1sk.startswith(campaign_order_prefix(state)),
        index=Campaign.second_sort_order,
        limit=limit,
        cursor=cursor,
        # Strongly consistent (an LSI allows it): a list shown right after a change shows it.
        consistent_read=True,
    )


def _stored_campaign(sub, campaign_id):
    read, item = prefetch.take_one(user_pk(sub), campaign_sk(campaign_id))
    if read:  # the page's session check read it (campaigns_site.prefetch)
        return item if isinstance(item, Campaign) else None
    try:
        return Campaign.get(user_pk(sub), campaign_sk(campaign_id), consistent_read=True)
    except Campaign.DoesNotExist:
        return None


# --- changes --------------------------------------------------------------------------
def create_campaign(
    *, sub, name, description="", game_system="", archived=False, campaign_id=None, created=None, updated=None
):
    """A new campaign. `campaign_id`, `created`, `updated`: an imported one's (v1/), which
    keeps v1.0's times; its latest activity is then `updated` until its sessions land."""
    now = timezone.now()
    campaign_id = campaign_id or new_id()
    created = created or now
    updated = updated or created
    campaign = Campaign(
        user_pk(sub),
        campaign_sk(campaign_id),
        lsi1sk=campaign_order_key(state=ARCHIVED if archived else ACTIVE, moment=updated, campaign_id=campaign_id),
        name=name,
        description=description,
        game_system=game_system,
        archived=archived,
        created=created,
        updated=updated,
        last_activity=updated,
        version=1,
    )
    # One transaction: the campaign and the user's usage counters (campaigns_site.usage).
    # A new ULID never collides; the condition also guarantees this write cannot replace
    # an existing campaign (an imported id may be there already: PutError, as a save's).
    transaction = Transaction()
    transaction.put(campaign, condition=Campaign.sk.does_not_exist())
    usage.add_usage(transaction, sub=sub, campaigns=1)
    try:
        transaction.commit()
    except TransactionCanceled as canceled:
        code = "ConditionalCheckFailedException" if canceled.failed(0) else "TransactionCanceledException"
        cause = ClientError({"Error": {"Code": code, "Message": str(canceled)}}, "TransactWriteItems")
        raise PutError(f"Failed to put campaign {campaign_id}", cause=cause) from canceled
    return campaign


def update_campaign(*, sub, campaign_id, expected_version, name, description, game_system, updated=None):
    """Save the edit if the campaign is still at expected_version; returns the saved campaign.
    `updated`: the edit's time when it is v1.0's (the cutover's sync), else now.

    Raises StaleEdit (with the stored campaign) if somebody saved in between.
    """
    archived = False  # a guess that saves a read for most campaigns; corrected if wrong
    for _ in range(STATE_ATTEMPTS):
        now = updated or timezone.now()
        campaign = Campaign(user_pk(sub), campaign_sk(campaign_id), version=int(expected_version))
        state = ARCHIVED if archived else ACTIVE
        try:
            # PynamoDB adds "version = expected_version" to the condition, and version + 1.
            mirrored_writes.update(
                campaign,
                actions=[
                    Campaign.name.set(name),
                    Campaign.description.set(description),
                    Campaign.game_system.set(game_system),
                    Campaign.updated.set(now),
                    Campaign.last_activity.set(now),
                    Campaign.lsi1sk.set(campaign_order_key(state=state, moment=now, campaign_id=campaign_id)),
                ],
                condition=_campaign_in_state(archived),
            )
            return campaign
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
        current = _stored_campaign(sub, campaign_id)
        if current is None or not current.is_live:
            raise CampaignNotFound(campaign_id)
        if current.version != int(expected_version):
            raise StaleEdit(current)
        archived = current.archived
    raise StillChanging(campaign_id)  # archived and unarchived under our feet, again and again


def set_campaign_archived(*, sub, campaign_id, archived, updated=None):
    """Archive (or unarchive) the campaign. Setting what is already set changes nothing.
    `updated`: the change's time when it is v1.0's (the cutover's sync), else now.

    Not an edit: the version stays, so an open edit form still saves. Not activity either:
    the campaign keeps its place by latest activity, in the other list.
    """
    for _ in range(STATE_ATTEMPTS):
        current = _stored_campaign(sub, campaign_id)
        if current is None or not current.is_live:
            raise CampaignNotFound(campaign_id)
        if current.archived == archived:
            return
        new_state = ARCHIVED if archived else ACTIVE
        transaction = Transaction()
        transaction.update(
            user_pk(sub),
            campaign_sk(campaign_id),
            actions=[
                Campaign.archived.set(archived),
                Campaign.updated.set(updated or timezone.now()),
                Campaign.lsi1sk.set(
                    campaign_order_key(state=new_state, moment=current.last_activity, campaign_id=campaign_id)
                ),
            ],
            # Unchanged since the read: otherwise LSI1SK would carry a stale activity time.
            condition=_campaign_in_state(current.archived) & (Campaign.last_activity == current.last_activity),
        )
        try:
            transaction.commit()
            return
        except TransactionCanceled:
            continue  # changed in between: read again
    raise StillChanging(campaign_id)


def set_campaign_activity(*, sub, campaign_id, moment):
    """Set the campaign's latest activity (and so its place in the list) to `moment`: the
    import's last step for a campaign, whose sessions each wrote their own v1.0 time."""
    for _ in range(STATE_ATTEMPTS):
        current = _stored_campaign(sub, campaign_id)
        if current is None or not current.is_live:
            raise CampaignNotFound(campaign_id)
        if current.last_activity == moment:
            return
        state = ARCHIVED if current.archived else ACTIVE
        try:
            current.update(
                actions=[
                    Campaign.last_activity.set(moment),
                    Campaign.lsi1sk.set(campaign_order_key(state=state, moment=moment, campaign_id=campaign_id)),
                ],
                condition=_campaign_in_state(current.archived),
                add_version_condition=False,  # not an edit: an open edit form still saves
            )
            return
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
    raise StillChanging(campaign_id)


def mark_campaign_deleting(*, sub, campaign_id):
    """Take the campaign out of every list and refuse new sessions in it: its delete cascade
    begins (sessions.core.campaign_deletion.delete_campaign). Returns the campaign as marked."""
    current = _stored_campaign(sub, campaign_id)
    if current is None:
        raise CampaignNotFound(campaign_id)
    if not current.is_live:
        return current  # a resumed cascade keeps the time the first run started
    now = timezone.now()
    mirrored_writes.update(
        current,
        actions=[
            Campaign.deleting_since.set(now),
            Campaign.lsi1sk.set(campaign_order_key(state=DELETING, moment=now, campaign_id=campaign_id)),
        ],
        condition=Campaign.sk.exists(),
        add_version_condition=False,  # nothing to lose: every edit is refused from now on
    )
    return current


def delete_campaign_item(*, sub, campaign_id):
    """The cascade's last step: the campaign item itself, only once it is marked as
    deleting, with the user's usage counters."""
    transaction = Transaction()
    transaction.delete(user_pk(sub), campaign_sk(campaign_id), condition=Campaign.deleting_since.exists())
    usage.add_usage(transaction, sub=sub, campaigns=-1)
    try:
        transaction.commit()
    except TransactionCanceled as canceled:
        others = canceled.reasons[1:]  # the usage updates: unconditioned
        if canceled.reasons[:1] != ["ConditionalCheckFailed"] or any(reason not in ("None", None) for reason in others):
            raise
        # Already gone (a resumed run), or never marked: nothing to do either way.


# --- counters and activity, inside other writes ----------------------------------------
@dataclass
class CampaignChange:
    """What a write does to a campaign besides its own items: these counters are added
    (atomic ADD, so concurrent writers never lose a count) and its latest activity is now.
    `session_id`: the session that `sessions` (+1 or -1) counts, added to (or deleted from)
    the campaign's session_ids by the same update."""

    campaign_id: str
    sessions: int = 0
    transcript_bytes: int = 0
    session_id: str | None = None


def write_with_campaign_changes(*, sub, changes, add_own_actions=None, now=None):
    """One transaction: the caller's actions (`add_own_actions(transaction)`) and, for each
    campaign in `changes`, its counters and latest activity, and the user's usage counters
    (campaigns_site.usage: the changes' sessions and transcript bytes). All of it or none.

    Every campaign must exist and not be being deleted (else CampaignNotFound). If the
    caller's own conditions fail, TransactionCanceled is raised: the caller reads its item
    to say why (gone, or a stale version). Returns the time written as latest activity.

    This is the helper for anything that changes a campaign's sessions or transcript
    bytes: e.g. attaching a transcript puts the session's new size and passes
    CampaignChange(campaign_id, transcript_bytes=new_size - old_size).
    """
    now = now or timezone.now()
    archived = {change.campaign_id: False for change in changes}  # a guess, right for most
    full = set()  # campaigns whose session_ids has no room: the new session goes unlisted
    for _ in range(STATE_ATTEMPTS):
        transaction = Transaction()
        if add_own_actions:
            add_own_actions(transaction)
        campaign_actions = {}
        for change in changes:
            listing, room = _session_list_change(change, full=full)
            in_state = _campaign_in_state(archived[change.campaign_id])
            index = transaction.update(
                user_pk(sub),
                campaign_sk(change.campaign_id),
                actions=_activity_actions(change, now=now, archived=archived[change.campaign_id]) + listing,
                condition=in_state if room is None else in_state & room,
            )
            campaign_actions[index] = change.campaign_id
        usage.add_usage(transaction, sub=sub, **_usage_of(changes))
        try:
            transaction.commit()
            return now
        except TransactionCanceled as canceled:
            failed = [campaign_id for index, campaign_id in campaign_actions.items() if canceled.failed(index)]
            if not failed:
                raise  # the caller's own condition
            for campaign_id in failed:
                current = _stored_campaign(sub, campaign_id)
                if current is None or not current.is_live:
                    raise CampaignNotFound(campaign_id) from None
                archived[campaign_id] = current.archived
                if len(current.session_ids or ()) >= MAX_LISTED_SESSIONS:
                    full.add(campaign_id)
    raise StillChanging(", ".join(archived))  # archived and unarchived under our feet, again and again


def add_transcript_bytes(*, sub, campaign_id, delta):
    """Count transcript bytes on the campaign alone. Prefer passing
    CampaignChange(transcript_bytes=...) to write_with_campaign_changes with the session's
    own write, so that the session's size and the campaign's total change together."""
    return write_with_campaign_changes(sub=sub, changes=[CampaignChange(campaign_id, transcript_bytes=delta)])


def _usage_of(changes):
    """The user's usage deltas of campaign changes (a move's cancel out: nothing is added)."""
    return {
        "sessions": sum(change.sessions for change in changes),
        "transcript_bytes": sum(change.transcript_bytes for change in changes),
    }


def _activity_actions(change, *, now, archived):
    state = ARCHIVED if archived else ACTIVE
    actions = [
        Campaign.last_activity.set(now),
        Campaign.lsi1sk.set(campaign_order_key(state=state, moment=now, campaign_id=change.campaign_id)),
    ]
    if change.sessions:
        actions.append(Campaign.session_count.add(change.sessions))
    if change.transcript_bytes:
        actions.append(Campaign.transcript_bytes.add(change.transcript_bytes))
    return actions


def _session_list_change(change, *, full):
    """(update actions, extra condition or None) for the campaign's session_ids: the counted
    session's id deleted, or added while the list has room (MAX_LISTED_SESSIONS). A campaign
    in `full` has none: its new session goes unlisted, and the list stays incomplete
    (Campaign.sessions_listed is false: the story page reads by Query)."""
    if not change.session_id or not change.sessions:
        return [], None
    if change.sessions < 0:
        return [Campaign.session_ids.delete({change.session_id})], None
    if change.campaign_id in full:
        return [], None
    room = Campaign.session_ids.does_not_exist() | (size(Campaign.session_ids) < MAX_LISTED_SESSIONS)
    return [Campaign.session_ids.add({change.session_id})], room


def _campaign_in_state(archived):
    """The campaign exists, is (or is not) archived as we think, and is not being deleted."""
    return Campaign.live_condition() & (Campaign.archived == archived)
