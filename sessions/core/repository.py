"""Play session items, by owner and campaign. Every function takes the owner's Cognito `sub`.

Lookups (get_*) return None when the user has no such session; changes raise
SessionNotFound or CampaignNotFound (both NotFound). A session's campaign counts it
(session_count, transcript_bytes) in the same transaction that writes or deletes it.
"""

from datetime import UTC, datetime

from campaigns.items import DELETING, Campaign
from campaigns.repository import (  # noqa: F401  (CampaignNotFound: re-exported for callers)
    PAGE_SIZE,
    CampaignChange,
    CampaignNotFound,
    write_with_campaign_changes,
)
from campaigns_site import dynamodb
from campaigns_site.errors import NotFound, StaleEdit, StillChanging  # noqa: F401  (re-exported for callers)
from campaigns_site.pagination import query_page
from campaigns_site.table import (
    SHARE_SK,
    TableModel,
    campaign_sk,
    new_id,
    session_sk,
    share_pk,
    speaker_names_sk,
    summary_job_sk,
    summary_jobs_prefix,
    user_pk,
)
from campaigns_site.table_keys import SHARE_POINTER_PREFIX
from campaigns_site.transactions import Transaction, TransactionCanceled
from sessions.core import search_index
from sessions.core.items import (
    SHARED_CAMPAIGN_ID,
    SHARED_SESSION_ID,
    PlaySession,
    clean_number,
    clean_played_on,
    play_order_key,
    play_order_prefix,
)
from sessions.core.object_store import delete_objects_under
from sessions.core.storage_keys import session_transcripts_prefix

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


def read_items(keys):
    """The items that exist among (pk, sk) keys, in one strongly consistent BatchGetItem
    (PynamoDB retries unprocessed keys). Pick them out with first_of and live_campaign."""
    return list(TableModel.batch_get(keys, consistent_read=True))


def first_of(found, item_class):
    return next((item for item in found if isinstance(item, item_class)), None)


def live_campaign(found):
    """The campaign among the items found, unless it is being deleted: then it counts as
    missing, and so does everything in it."""
    campaign = first_of(found, Campaign)
    return campaign if campaign is not None and campaign.state != DELETING else None


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


def get_session_with_campaign_and_speaker_names(*, sub, campaign_id, session_id):
    """(campaign, session, speaker_names) in one strongly consistent BatchGetItem, for the
    pages that show a transcript: get_session_with_campaign plus the campaign's
    SpeakerNames item (None when no name is set yet)."""
    from sessions.transcripts.speaker_names import SpeakerNames  # the reader's pages only

    found = read_items(
        [
            (user_pk(sub), campaign_sk(campaign_id)),
            (user_pk(sub), session_sk(campaign_id, session_id)),
            (user_pk(sub), speaker_names_sk(campaign_id)),
        ]
    )
    campaign = live_campaign(found)
    if campaign is None:
        return None, None, None
    return campaign, first_of(found, PlaySession), first_of(found, SpeakerNames)


def get_session_page(*, sub, campaign_id, session_id):
    """(campaign, session, speaker_names, summary_job) in one strongly consistent
    BatchGetItem, for the session page: get_session_with_campaign_and_speaker_names plus
    the session's latest summary job (None when there is none, or it expired). A missing
    campaign (or one being deleted) makes all four None."""
    from sessions.summaries.jobs import SummaryJob, live_job
    from sessions.transcripts.speaker_names import SpeakerNames  # the session page only

    found = read_items(
        [
            (user_pk(sub), campaign_sk(campaign_id)),
            (user_pk(sub), session_sk(campaign_id, session_id)),
            (user_pk(sub), speaker_names_sk(campaign_id)),
            (user_pk(sub), summary_job_sk(campaign_id, session_id)),
        ]
    )
    campaign = live_campaign(found)
    if campaign is None:
        return None, None, None, None
    session = first_of(found, PlaySession)
    if session is None:
        return campaign, None, None, None
    return campaign, session, first_of(found, SpeakerNames), live_job(first_of(found, SummaryJob))


def list_sessions_for_campaign(*, sub, campaign_id, limit=PAGE_SIZE, cursor=None):
    """One page of the campaign's sessions in play order, newest first: one Query on LSI1."""
    return query_page(
        PlaySession,
        user_pk(sub),
        PlaySession.lsi1sk.startswith(play_order_prefix(_checked(campaign_id))),
        index=PlaySession.second_sort_order,
        limit=limit,
        cursor=cursor,
        consistent_read=True,
    )


# --- changes --------------------------------------------------------------------------
def create_session(*, sub, campaign_id, title, number=None, played_on=None, notes=""):
    """Write the session and count it on its campaign, both or neither."""
    now = _now()
    session_id = new_id()
    number, played_on = clean_number(number), clean_played_on(played_on)
    session = PlaySession(
        user_pk(sub),
        session_sk(campaign_id, session_id),
        lsi1sk=play_order_key(campaign_id=campaign_id, played_on=played_on, number=number, session_id=session_id),
        title=title,
        number=number,
        played_on=played_on,
        notes=notes,
        created=now,
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
        sub=sub, changes=[CampaignChange(campaign_id, sessions=1)], add_own_actions=write_session, now=now
    )
    return session


def update_session(*, sub, campaign_id, session_id, expected_version, title, number, played_on, notes):
    """Save the edit if the session is still at expected_version.

    Raises StaleEdit (with the stored session) if somebody saved in between. Counts as
    activity on the campaign, without touching the campaign's own version.
    """
    number, played_on = clean_number(number), clean_played_on(played_on)
    expected_version = int(expected_version)
    now = _now()

    def write_session(transaction):
        transaction.update(
            user_pk(sub),
            session_sk(campaign_id, session_id),
            actions=[
                PlaySession.title.set(title),
                _set_or_remove(PlaySession.number, number),
                _set_or_remove(PlaySession.played_on, played_on),
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
                title=title, number=number, played_on=played_on, notes=notes, session_id=session_id
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
    for _ in range(CHANGE_ATTEMPTS):
        session = get_session(sub=sub, campaign_id=campaign_id, session_id=session_id)
        if session is None:
            raise SessionNotFound(session_id)
        delete_transcript_objects(sub=sub, session_id=session_id)
        delete_share_links(sub=sub, session_id=session_id)
        delete_summaries(sub=sub, campaign_id=campaign_id, session_id=session_id)

        def delete_item(transaction):
            # Only as we read it: a transcript replaced meanwhile changed the bytes to take
            # off, and a summary or link written meanwhile would be left behind.
            transaction.delete(session.pk, session.sk, condition=_unchanged_since_read(session))
            transaction.delete(session.pk, summary_job_sk(campaign_id, session_id))
            search_index.delete_item(transaction, sub=sub, session_id=session_id)

        change = CampaignChange(campaign_id, sessions=-1, transcript_bytes=-session.transcript_bytes)
        try:
            write_with_campaign_changes(sub=sub, changes=[change], add_own_actions=delete_item)
            return
        except TransactionCanceled:
            continue  # changed (or deleted by somebody else) meanwhile: look again
    raise StillChanging(session_id)


def move_session(*, sub, campaign_id, session_id, to_campaign_id):
    """Move the session, its summaries and share links to another of the user's campaigns.

    One transaction: the session's SK (and its summaries') name the campaign, so the old
    items are deleted and copies put under the new campaign, the share links are pointed
    at it, and both campaigns' counters and activity change. Transcript objects stay: their
    keys name no campaign. Returns the moved session.

    The session's summary job item is deleted in the same transaction, only if no job is
    queued or running (else SummariesBeingMade, a StillChanging: nothing moved); a job's
    status is of no use at the new address. A job past its deadline that is still working
    finds its session gone from the old campaign and ends without writing.
    """
    if to_campaign_id == campaign_id:
        session = get_session(sub=sub, campaign_id=campaign_id, session_id=session_id)
        if session is None:
            raise SessionNotFound(session_id)
        return session
    session_sk(to_campaign_id, session_id)  # refuses a bad id before anything is read
    for _ in range(CHANGE_ATTEMPTS):
        session = get_session(sub=sub, campaign_id=campaign_id, session_id=session_id)
        if session is None:
            raise SessionNotFound(session_id)
        summaries = _items_with_prefix(sub, summaries_prefix(campaign_id, session_id))
        links = _share_link_pointers(sub, session_id=session_id)
        now = _now()
        moved = _moved_session(session, to_campaign_id, now=now)
        job_action = []

        def move_items(transaction):
            transaction.delete(session.pk, session.sk, condition=_unchanged_since_read(session))
            transaction.put(moved, condition=PlaySession.sk.does_not_exist())
            job_action[:] = [
                transaction.delete(session.pk, summary_job_sk(campaign_id, session_id), condition=replaceable_job())
            ]
            # Its search item names no campaign in its key: it only learns the new one (with
            # the session's fields as read, which the delete above conditions on).
            search_index.write_part(
                transaction,
                sub=sub,
                campaign_id=to_campaign_id,
                session_id=session_id,
                part=search_index.session_part_of(session),
            )
            for summary in summaries:  # copied whole, as stored
                transaction.delete(summary["PK"], summary["SK"], condition=TableModel.sk.exists())
                new_sk = summary["SK"].replace(f"#{campaign_id}#", f"#{to_campaign_id}#", 1)
                transaction.put(dict(summary, SK=new_sk), condition=TableModel.sk.does_not_exist())
            for pointer in links:
                still_this_session = TableModel.sk.exists() & (SHARED_SESSION_ID == session_id)
                transaction.update(
                    pointer["PK"],
                    pointer["SK"],
                    actions=[SHARED_CAMPAIGN_ID.set(to_campaign_id)],
                    condition=still_this_session,
                )
                transaction.update(
                    share_pk(_token_hash(pointer)),
                    SHARE_SK,
                    actions=[SHARED_CAMPAIGN_ID.set(to_campaign_id)],
                    condition=still_this_session,
                )
            if len(transaction) + 2 > Transaction.MAX_ACTIONS:
                raise TooMuchToMove(
                    f"{len(summaries)} summaries and {len(links)} share links: too many to move in one transaction"
                )

        changes = [
            CampaignChange(campaign_id, sessions=-1, transcript_bytes=-session.transcript_bytes),
            CampaignChange(to_campaign_id, sessions=1, transcript_bytes=session.transcript_bytes),
        ]
        try:
            write_with_campaign_changes(sub=sub, changes=changes, add_own_actions=move_items, now=now)
            return moved
        except TransactionCanceled as canceled:
            if job_action and canceled.failed(job_action[0]):
                raise SummariesBeingMade(session_id) from None
            continue  # the session, a summary or a link changed meanwhile: read again
    raise StillChanging(session_id)


def replaceable_job():
    """No summary job is queued or running (sessions/summaries/jobs.py)."""
    from sessions.summaries.jobs import replaceable_job_condition

    return replaceable_job_condition()


def _unchanged_since_read(session):
    """Neither edited nor given a summary or share link since it was read (see
    PlaySession.children_version): what we read of it and its children is still all of it."""
    children = PlaySession.children_version == session.children_version
    if not session.children_version:
        children |= PlaySession.children_version.does_not_exist()  # an item older than the attribute
    return (PlaySession.version == session.version) & children


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


# --- what belongs to a session: summaries, share links, transcript objects ------------
def record_child_write(transaction, *, sub, campaign_id, session_id, also=()):
    """Add to a transaction that writes one of the session's children (a summary, a share
    link, ...): the session must exist, and its children_version goes up, so that a
    delete or move that read the children before this write reads them again. `also`:
    more update actions on the session item (one transaction updates an item once)."""
    transaction.update(
        user_pk(sub),
        session_sk(campaign_id, session_id),
        actions=[PlaySession.children_version.add(1), *also],
        condition=PlaySession.sk.exists(),
    )


def summaries_prefix(campaign_id, session_id=None):
    """`SUMMARY#<cid>#<sid>#` for one session's summaries, `SUMMARY#<cid>#` for a campaign's."""
    if session_id is None:
        return f"SUMMARY#{_checked(campaign_id)}#"
    session_sk(campaign_id, session_id)  # checks both parts
    return f"SUMMARY#{campaign_id}#{session_id}#"


def delete_summaries(*, sub, campaign_id, session_id=None):
    """Delete one session's summaries (or, without session_id, all of a campaign's); returns how many."""
    return _delete_items_with_prefix(sub, summaries_prefix(campaign_id, session_id))


def delete_summary_jobs(*, sub, campaign_id):
    """Delete every summary job item of a campaign (its sessions' and its story's); returns
    how many. A job still running finds its item gone and writes nothing more."""
    return _delete_items_with_prefix(sub, summary_jobs_prefix(campaign_id))


def delete_share_links(*, sub, campaign_id=None, session_id=None):
    """Delete the share links of a session (or of a whole campaign): each public
    `SHARE#<hash>` item together with its pointer. Returns how many."""
    pointers = _share_link_pointers(sub, campaign_id=campaign_id, session_id=session_id)
    for start in range(0, len(pointers), Transaction.MAX_ACTIONS // 2):
        keys = []
        for pointer in pointers[start : start + Transaction.MAX_ACTIONS // 2]:
            keys += [(share_pk(_token_hash(pointer)), SHARE_SK), (pointer["PK"], pointer["SK"])]
        delete_items(keys)  # both in one transaction: never a link that nothing lists
    return len(pointers)


def delete_transcript_objects(*, sub, session_id):
    """Delete the session's objects under `transcripts/<sub>/<session_id>/`; returns how many."""
    return delete_objects_under(prefix=session_transcripts_prefix(sub=sub, session_id=session_id))


def delete_items(keys):
    """Delete (pk, sk) pairs, 100 to a transaction. Deleting what is already gone is fine."""
    for start in range(0, len(keys), Transaction.MAX_ACTIONS):
        transaction = Transaction()
        for pk, sk in keys[start : start + Transaction.MAX_ACTIONS]:
            transaction.delete(pk, sk)
        transaction.commit()


def _delete_items_with_prefix(sub, prefix):
    found = _items_with_prefix(sub, prefix)
    delete_items([(item["PK"], item["SK"]) for item in found])
    return len(found)


def _share_link_pointers(sub, *, campaign_id=None, session_id=None):
    if session_id is not None:
        return _items_with_prefix(sub, SHARE_POINTER_PREFIX, attribute=(SHARED_SESSION_ID, session_id))
    return _items_with_prefix(sub, SHARE_POINTER_PREFIX, attribute=(SHARED_CAMPAIGN_ID, _checked(campaign_id)))


def _token_hash(pointer):
    # The pointer may carry `token_hash`; otherwise its SK, SHARELINK#<token_hash>, names it.
    return pointer.get("token_hash") or pointer["SK"].removeprefix(SHARE_POINTER_PREFIX)


def _items_with_prefix(sub, prefix, *, attribute=None):
    """Every item of the user's whose SK starts with prefix (and, if given, whose attribute
    has the value), whole and as stored: a Query, page after page, strongly consistent."""
    where = attribute[0] == attribute[1] if attribute else None
    return dynamodb.query(user_pk(sub), sk_prefix=prefix, where=where)


def _set_or_remove(attribute, value):
    return attribute.remove() if value is None else attribute.set(value)


def _checked(campaign_id):
    session_sk(campaign_id, "x")  # refuses an id that would reach into another key
    return campaign_id


def _now():
    return datetime.now(UTC)
