"""Play session items, by owner and campaign. Every function takes the owner's Cognito `sub`.

Lookups (get_*) return None when the user has no such session; changes raise
SessionNotFound or CampaignNotFound (both NotFound). A session's campaign counts it
(session_count, transcript_bytes) in the same transaction that writes or deletes it.
"""

from django.utils import timezone

from campaigns.items import Campaign
from campaigns.repository import PAGE_SIZE, CampaignChange, write_with_campaign_changes
from campaigns_site.dynamodb import first_of, read_items, set_or_remove
from campaigns_site.errors import NotFound, StaleEdit, StillChanging
from campaigns_site.pagination import query_page
from campaigns_site.table_keys import (
    JOBS_PK,
    campaign_sk,
    job_registry_sk,
    new_id,
    play_order_key,
    play_order_prefix,
    session_sk,
    summary_job_sk,
    user_pk,
)
from campaigns_site.transactions import Transaction, TransactionCanceled
from sessions.core.items import PlaySession
from sessions.core.play_order import clean_number, clean_played_on

# A session changed while we moved or deleted it: read it again, this many times at most.
CHANGE_ATTEMPTS = 3


class SessionNotFound(NotFound):
    """The user has no such session in that campaign."""


class TooMuchToMove(Exception):
    """The session and its summaries and share links do not fit one transaction."""


class SummariesBeingMade(StillChanging):
    """A summary job of the session is queued or running: it would write under the old
    campaign. Nothing was moved; try again once it has finished."""


# --- reads ----------------------------------------------------------------------------
def get_session(*, sub, campaign_id, session_id):
    """The session, or None if the user has no such session in that campaign."""
    try:
        return PlaySession.get(user_pk(sub), session_sk(campaign_id, session_id), consistent_read=True)
    except PlaySession.DoesNotExist:
        return None


def live_campaign(found):
    """The campaign among the items found, unless it is being deleted: then it counts as
    missing, and so does everything in it."""
    campaign = first_of(found, Campaign)
    return campaign if campaign is not None and campaign.is_live else None


def get_session_with_campaign(*, sub, campaign_id, session_id):
    """(campaign, session) in one strongly consistent BatchGetItem; each is None if the user
    has no such item. A session page needs both (the campaign names the breadcrumb and
    decides whether the page exists at all), and one request costs less than two GetItems.
    A campaign being deleted counts as missing, and then so does its session."""
    found = read_items([(user_pk(sub), campaign_sk(campaign_id)), (user_pk(sub), session_sk(campaign_id, session_id))])
    campaign = live_campaign(found)
    if campaign is None:
        return None, None
    return campaign, first_of(found, PlaySession)


def list_sessions_for_campaign(*, sub, campaign_id, limit=PAGE_SIZE, cursor=None):
    """One page of the campaign's sessions in play order, newest first: one Query on LSI1."""
    return query_page(
        PlaySession,
        user_pk(sub),
        PlaySession.lsi1sk.startswith(play_order_prefix(campaign_id)),
        index=PlaySession.second_sort_order,
        limit=limit,
        cursor=cursor,
        consistent_read=True,
    )


# --- changes --------------------------------------------------------------------------
def create_session(
    *, sub, campaign_id, title, number=None, played_on=None, notes="", session_id=None, created=None, updated=None
):
    """Write the session and count it on its campaign, both or neither. `session_id`,
    `created`, `updated`: an imported one's (v1/); the campaign's activity is then `updated`.

    Raises TransactionCanceled when a session with `session_id` exists already."""
    from sessions.core import search_index  # writes only: the GET pages need not load the search index

    now = updated or timezone.now()
    created = created or now
    session_id = session_id or new_id()
    number, played_on = clean_number(number), clean_played_on(played_on)
    session = PlaySession(
        user_pk(sub),
        session_sk(campaign_id, session_id),
        lsi1sk=play_order_key(campaign_id=campaign_id, played_on=played_on, number=number, session_id=session_id),
        title=title,
        number=number,
        played_on=played_on,
        notes=notes,
        created=created,
        updated=now,
        version=1,
    )

    def write_session(transaction):
        transaction.put(session, condition=PlaySession.sk.does_not_exist())
        # Its search item, whole: a new session has only its own fields to find.
        search_index.put_new_item(
            transaction,
            sub=sub,
            campaign_id=campaign_id,
            session_id=session_id,
            part=search_index.session_part_of(session),
        )

    write_with_campaign_changes(
        sub=sub,
        changes=[CampaignChange(campaign_id, sessions=1, session_id=session_id)],
        add_own_actions=write_session,
        now=now,
    )
    return session


def update_session(
    *, sub, campaign_id, session_id, expected_version, title, number, played_on, notes, updated=None, notes_before=None
):
    """Save the edit if the session is still at expected_version. `updated`: the edit's
    time when it is v1.0's (the cutover's sync), else now. `notes_before`: the edit form's
    search_index.edit_digest of the notes at expected_version: the search index then
    rewrites only the word groups whose notes' words changed (None: all of them).

    Raises StaleEdit (with the stored session) if somebody saved in between. Counts as
    activity on the campaign, without touching the campaign's own version.
    """
    from sessions.core import search_index  # writes only: the GET pages need not load the search index

    number, played_on = clean_number(number), clean_played_on(played_on)
    expected_version = int(expected_version)
    now = updated or timezone.now()

    def write_session(transaction):
        transaction.update(
            user_pk(sub),
            session_sk(campaign_id, session_id),
            actions=[
                PlaySession.title.set(title),
                set_or_remove(PlaySession.number, number),
                set_or_remove(PlaySession.played_on, played_on),
                PlaySession.notes.set(notes),
                PlaySession.updated.set(now),
                PlaySession.lsi1sk.set(
                    play_order_key(campaign_id=campaign_id, played_on=played_on, number=number, session_id=session_id)
                ),
                PlaySession.version.add(1),
            ],
            condition=PlaySession.sk.exists() & (PlaySession.version == expected_version),
        )
        search_index.write_part(
            transaction,
            sub=sub,
            campaign_id=campaign_id,
            session_id=session_id,
            part=search_index.session_part(
                title=title,
                number=number,
                played_on=played_on,
                notes=notes,
                session_id=session_id,
                notes_before=notes_before,
            ),
        )

    try:
        write_with_campaign_changes(
            sub=sub, changes=[CampaignChange(campaign_id)], add_own_actions=write_session, now=now
        )
    except TransactionCanceled:
        current = get_session(sub=sub, campaign_id=campaign_id, session_id=session_id)
        if current is None:
            raise SessionNotFound(session_id) from None
        if current.version != expected_version:
            raise StaleEdit(current) from None
        raise


def delete_session(*, sub, campaign_id, session_id):
    """Delete the session and what belongs to it; a re-run after an interruption finishes.

    Its transcript objects, share links and summaries go first, the session item last
    (with its campaign's counters, its summary job item and its search item, in one
    transaction): whatever stops this midway, what is left is still found through the
    session and deleted by the next attempt. A summary job still running then finds no session and ends quietly
    (its writes are conditioned on the session, and on its own item, both gone).
    """
    from sessions.core import children, search_index  # writes only: the GET pages need not load them

    for _ in range(CHANGE_ATTEMPTS):
        session = _existing_session(sub, campaign_id, session_id)
        children.delete_transcript_objects(sub=sub, session_id=session_id)
        children.delete_share_links(sub=sub, session_id=session_id)
        children.delete_summaries(sub=sub, campaign_id=campaign_id, session_id=session_id)

        def delete_item(transaction):
            # Only as we read it: a transcript replaced meanwhile changed the bytes to take
            # off, and a summary or link written meanwhile would be left behind.
            transaction.delete(session.pk, session.sk, condition=session.unchanged_since_read())
            transaction.delete(session.pk, summary_job_sk(campaign_id, session_id))
            # Its entry in the staff's job registry (sessions/summaries/registry.py) goes with it.
            transaction.delete(JOBS_PK, job_registry_sk(sub=sub, campaign_id=campaign_id, session_id=session_id))
            search_index.delete_item(transaction, sub=sub, session_id=session_id)

        change = CampaignChange(
            campaign_id, sessions=-1, transcript_bytes=-session.transcript_bytes, session_id=session_id
        )
        try:
            write_with_campaign_changes(sub=sub, changes=[change], add_own_actions=delete_item)
            return
        except TransactionCanceled:
            continue  # changed (or deleted by somebody else) meanwhile: look again
    raise StillChanging(session_id)


def move_session(*, sub, campaign_id, session_id, to_campaign_id, job_condition=None):
    """Move the session, its summaries and share links to another of the user's campaigns.

    One transaction: the session's SK (and its summaries') name the campaign, so the old
    items are deleted and copies put under the new campaign, the share links are pointed
    at it, and both campaigns' counters and activity change. Transcript objects stay: their
    keys name no campaign. Returns the moved session.

    The session's summary job item is deleted in the same transaction, only if `job_condition`
    holds (sessions.summaries.repository.replaceable_job_condition(): no job is queued or
    running; else SummariesBeingMade, a StillChanging: nothing moved); a job's status is of
    no use at the new address. A job overdue but still working finds its session gone: no write.
    """
    from sessions.core import children, search_index  # writes only: the GET pages need not load them

    if to_campaign_id == campaign_id:
        return _existing_session(sub, campaign_id, session_id)
    session_sk(to_campaign_id, session_id)  # refuses a bad id before anything is read
    for _ in range(CHANGE_ATTEMPTS):
        session = _existing_session(sub, campaign_id, session_id)
        summaries = children.session_summaries(sub=sub, campaign_id=campaign_id, session_id=session_id)
        links = children.session_share_link_pointers(sub=sub, session_id=session_id)
        now = timezone.now()
        moved = _moved_session(session, to_campaign_id, now=now)
        job_action = []

        def move_items(transaction):
            transaction.delete(session.pk, session.sk, condition=session.unchanged_since_read())
            transaction.put(moved, condition=PlaySession.sk.does_not_exist())
            job_action[:] = [
                transaction.delete(session.pk, summary_job_sk(campaign_id, session_id), condition=job_condition)
            ]
            transaction.delete(JOBS_PK, job_registry_sk(sub=sub, campaign_id=campaign_id, session_id=session_id))
            # Its search index names no campaign in its keys: its head only learns the new one
            # (with the session's fields as read, which the delete above conditions on).
            search_index.write_part(
                transaction,
                sub=sub,
                campaign_id=to_campaign_id,
                session_id=session_id,
                part=search_index.head_part_of(session),
            )
            children.move_summaries(
                transaction, summaries, campaign_id=campaign_id, session_id=session_id, to_campaign_id=to_campaign_id
            )
            children.point_share_links(transaction, links, session_id=session_id, to_campaign_id=to_campaign_id)
            if len(transaction) + 2 > Transaction.MAX_ACTIONS:
                raise TooMuchToMove(
                    f"{len(summaries)} summaries and {len(links)} share links: too many to move in one transaction"
                )

        changes = _counted_elsewhere(session, from_campaign_id=campaign_id, to_campaign_id=to_campaign_id)
        try:
            write_with_campaign_changes(sub=sub, changes=changes, add_own_actions=move_items, now=now)
            return moved
        except TransactionCanceled as canceled:
            if job_action and canceled.failed(job_action[0]):
                raise SummariesBeingMade(session_id) from None
            continue  # the session, a summary or a link changed meanwhile: read again
    raise StillChanging(session_id)


def _existing_session(sub, campaign_id, session_id):
    session = get_session(sub=sub, campaign_id=campaign_id, session_id=session_id)
    if session is None:
        raise SessionNotFound(session_id)
    return session


def _counted_elsewhere(session, *, from_campaign_id, to_campaign_id):
    """The campaigns' counters for a move: the session and its transcript bytes change campaign."""
    return [
        CampaignChange(
            from_campaign_id, sessions=-1, transcript_bytes=-session.transcript_bytes, session_id=session.session_id
        ),
        CampaignChange(
            to_campaign_id, sessions=1, transcript_bytes=session.transcript_bytes, session_id=session.session_id
        ),
    ]


def _moved_session(session, to_campaign_id, *, now):
    moved = PlaySession.from_raw_data(session.serialize())
    moved.sk = session_sk(to_campaign_id, session.session_id)
    moved.lsi1sk = play_order_key(
        campaign_id=to_campaign_id, played_on=session.played_on, number=session.number, session_id=session.session_id
    )
    moved.updated = now
    # Bumped: the session changed, and an edit begun before the move is stale.
    moved.version = session.version + 1
    return moved


# --- the session's children (sessions/core/children.py) -------------------------------
def record_child_write(transaction, *, sub, campaign_id, session_id, also=(), condition=None):
    """Add to a transaction that writes one of the session's children (a summary, a share
    link, ...): the session must exist, and its children_version goes up, so that a
    delete or move that read the children before this write reads them again. `also`:
    more update actions on the session item (one transaction updates an item once);
    `condition`: what else the session must hold."""
    transaction.update(
        user_pk(sub),
        session_sk(campaign_id, session_id),
        actions=[PlaySession.children_version.add(1), *also],
        condition=PlaySession.sk.exists() if condition is None else PlaySession.sk.exists() & condition,
    )
