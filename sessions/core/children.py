"""What belongs to a play session besides its item: its summaries, its summary job, its
share links and its transcript objects. Found by key prefix, deleted with the session
(or with its campaign), moved with it. Every function takes the owner's Cognito `sub`.

Writes of a child go through sessions.core.repository.record_child_write, so that a
delete or a move that read the children reads them again when one was written meanwhile.
"""

from datetime import datetime

from campaigns_site import dynamodb, usage
from campaigns_site.table import TableModel
from campaigns_site.table_keys import (
    JOBS_PK,
    SHARE_POINTER_PREFIX,
    SHARE_SK,
    SHARES_PK,
    export_sk,
    job_registry_sk_of_job,
    search_sk,
    session_sk,
    share_pk,
    share_registry_order_key,
    share_registry_sk,
    speaker_names_sk,
    sub_of_user_pk,
    summaries_prefix,
    summary_jobs_prefix,
    summary_sk,
    user_pk,
)
from campaigns_site.transactions import Transaction
from sessions.core.items import SHARED_CAMPAIGN_ID, SHARED_SESSION_ID
from sessions.core.object_store import delete_objects_under
from sessions.core.search_index import text_sk
from sessions.core.search_words import ALL_GROUPS, words_sk
from sessions.core.storage_keys import session_transcripts_prefix


# --- reads, for a move ---------------------------------------------------------------------
def session_summaries(*, sub, campaign_id, session_id):
    """The session's summaries, whole and as stored (a move copies them)."""
    return _items_with_prefix(sub, summaries_prefix(campaign_id, session_id))


def session_share_link_pointers(*, sub, session_id):
    """The pointers (`SHARELINK#<hash>`, in the owner's partition) of the session's share links."""
    return _share_link_pointers(sub, session_id=session_id)


# --- a move, inside the move's transaction ---------------------------------------------------
def move_summaries(transaction, summaries, *, campaign_id, session_id, to_campaign_id):
    """Delete each of the session's summaries and put a copy under the other campaign's key,
    whole, as stored."""
    for summary in summaries:
        transaction.delete(summary["PK"], summary["SK"], condition=TableModel.sk.exists())
        kind = summary["SK"].removeprefix(summaries_prefix(campaign_id, session_id))
        new_sk = summary_sk(to_campaign_id, session_id, kind)
        transaction.put(dict(summary, SK=new_sk), condition=TableModel.sk.does_not_exist())


def point_share_links(transaction, pointers, *, session_id, to_campaign_id):
    """Point each share link (its public item and its pointer) at the session's new campaign,
    and put its entry in the staff's share registry again from the pointer (whole: a link
    made before the registry existed gets its entry)."""
    for pointer in pointers:
        transaction.put(_share_registry_entry(pointer, campaign_id=to_campaign_id))
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


# --- deletes ---------------------------------------------------------------------------------
def delete_summaries(*, sub, campaign_id, session_id=None):
    """Delete one session's summaries (or, without session_id, all of a campaign's), with
    the user's usage counters (their number and estimated cost); returns how many."""
    found = _items_with_prefix(sub, summaries_prefix(campaign_id, session_id))
    counted = {
        (item["PK"], item["SK"]): {"summaries": -1, "summary_cost_usd": -usage.summary_cost(item)} for item in found
    }
    _delete_items(list(counted), sub=sub, counted=counted)
    return len(found)


def delete_summary_jobs(*, sub, campaign_id):
    """Delete every summary job item of a campaign (its sessions' and its story's), each with
    its entry in the staff's job registry; returns how many. A job still running finds its
    item gone and writes nothing more."""
    found = _items_with_prefix(sub, summary_jobs_prefix(campaign_id))
    keys = []
    for job in found:
        keys += [(job["PK"], job["SK"]), (JOBS_PK, job_registry_sk_of_job(sub=sub, job_sk=job["SK"]))]
    _delete_items(keys)
    return len(found)


def delete_share_links(*, sub, campaign_id=None, session_id=None):
    """Delete the share links of a session (or of a whole campaign): each public
    `SHARE#<hash>` item together with its pointer (and the user's share_links counter).
    Returns how many."""
    pointers = _share_link_pointers(sub, campaign_id=campaign_id, session_id=session_id)
    per_transaction = usage.ROOM_FOR_USAGE // 3  # a link, its pointer, its registry entry
    for start in range(0, len(pointers), per_transaction):
        batch = pointers[start : start + per_transaction]
        keys = []
        for pointer in batch:
            token_hash = _token_hash(pointer)
            keys += [(share_pk(token_hash), SHARE_SK), (pointer["PK"], pointer["SK"])]
            keys.append((SHARES_PK, share_registry_sk(token_hash)))  # its entry in the staff's registry
        counted = {(pointer["PK"], pointer["SK"]): {"share_links": -1} for pointer in batch}
        # All of a batch in one transaction: never a link that nothing lists, nor a count off.
        _delete_items(keys, sub=sub, counted=counted)
    return len(pointers)


def delete_transcript_objects(*, sub, session_id):
    """Delete the session's objects under `transcripts/<sub>/<session_id>/`; returns how many."""
    return delete_objects_under(prefix=session_transcripts_prefix(sub=sub, session_id=session_id))


def delete_sessions_with_search_items(*, sub, campaign_id, sessions):
    """Delete the session items (with no condition: a campaign's cascade, whose mark refuses
    new writes, has taken their children already), each in the same transaction as its
    search index's head and snippets (32 sessions to a transaction), with the user's usage counters (the
    sessions and their transcript bytes). `sessions`: PlaySession items as read."""
    # Their word groups first (a re-run finds the sessions again): nothing writes words for a
    # session of a campaign being deleted, and a search shows no words without their head.
    _delete_items([(user_pk(sub), words_sk(group, session.session_id)) for session in sessions for group in ALL_GROUPS])
    keys, counted = [], {}
    for session in sessions:
        session_key = (user_pk(sub), session_sk(campaign_id, session.session_id))
        keys += [
            session_key,
            (user_pk(sub), search_sk(session.session_id)),
            (user_pk(sub), text_sk(session.session_id)),
        ]
        counted[session_key] = {"sessions": -1, "transcript_bytes": -int(session.transcript_bytes or 0)}
    _delete_items(keys, sub=sub, counted=counted)


def delete_speaker_names_and_export(*, sub, campaign_id):
    """Delete the campaign's SpeakerNames item and the item of its export (exports/items.py)
    in one transaction (a campaign's cascade, once its sessions are gone), then the export's
    zip: deleting a campaign deletes every copy of it the app made. The zip's key is read
    first; a crash between the two leaves a zip no item names, which the bucket's lifecycle
    rule removes within a day (and a job still writing it finds its item gone at its next
    progress and aborts its upload)."""
    export = dynamodb.read_plain_item(user_pk(sub), export_sk(campaign_id), attributes=["object_key"])
    _delete_items([(user_pk(sub), speaker_names_sk(campaign_id)), (user_pk(sub), export_sk(campaign_id))])
    if export and export.get("object_key"):
        delete_objects_under(prefix=export["object_key"].rsplit("/", 1)[0] + "/")


def _delete_items(keys, *, sub=None, counted=None):
    """Delete (pk, sk) pairs, 98 to a transaction (an even number, with room for the usage
    updates). Deleting what is already gone is fine. `counted`: {key: usage deltas} of the
    keys whose delete moves the user's counters, added in the transaction that deletes them
    (items found by a Query just before: only two runs deleting the same items at once
    count them twice, which `manage.py recount_usage` puts right)."""
    counted = counted or {}
    for start in range(0, len(keys), usage.ROOM_FOR_USAGE):
        transaction = Transaction()
        for key in keys[start : start + usage.ROOM_FOR_USAGE]:
            transaction.delete(*key)
            if key in counted:
                usage.add_usage(transaction, sub=sub, **counted[key])
        transaction.commit()


def _delete_items_with_prefix(sub, prefix):
    found = _items_with_prefix(sub, prefix)
    _delete_items([(item["PK"], item["SK"]) for item in found])
    return len(found)


def _share_link_pointers(sub, *, campaign_id=None, session_id=None):
    if session_id is not None:
        return _items_with_prefix(sub, SHARE_POINTER_PREFIX, attribute=(SHARED_SESSION_ID, session_id))
    session_sk(campaign_id, "x")  # refuses an id that would reach into another key
    return _items_with_prefix(sub, SHARE_POINTER_PREFIX, attribute=(SHARED_CAMPAIGN_ID, campaign_id))


# What sessions/sharing/registry.py's ShareRegistryEntry stores (this layer cannot import it):
# the pointer's settings under the same names, its owner, and the order key from `created`.
_REGISTRY_ENTITY = "ShareRegistryEntry"
_REGISTRY_FIELDS = ("session_id", "scope", "created", "expires", "view_limit", "ttl")
_STORED_TIME = "%Y-%m-%dT%H:%M:%S.%f%z"  # PynamoDB's UTCDateTimeAttribute


def _share_registry_entry(pointer, *, campaign_id):
    token_hash = _token_hash(pointer)
    entry = {"PK": SHARES_PK, "SK": share_registry_sk(token_hash), "entity": _REGISTRY_ENTITY}
    entry |= {name: pointer[name] for name in _REGISTRY_FIELDS if pointer.get(name) is not None}
    entry |= {"owner_sub": sub_of_user_pk(pointer["PK"]), "campaign_id": campaign_id}
    if pointer.get("created"):
        created = datetime.strptime(pointer["created"], _STORED_TIME)
        entry["LSI1SK"] = share_registry_order_key(created=created, token_hash=token_hash)
    return entry


def _token_hash(pointer):
    # The pointer may carry `token_hash`; otherwise its SK, SHARELINK#<token_hash>, names it.
    return pointer.get("token_hash") or pointer["SK"].removeprefix(SHARE_POINTER_PREFIX)


def _items_with_prefix(sub, prefix, *, attribute=None):
    """Every item of the user's whose SK starts with prefix (and, if given, whose attribute
    has the value), whole and as stored: a Query, page after page, strongly consistent."""
    where = attribute[0] == attribute[1] if attribute else None
    return dynamodb.query(user_pk(sub), sk_prefix=prefix, where=where)
