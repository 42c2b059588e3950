"""Rebuilding search indexes whole, from what is stored: `manage.py rebuild_search_index`.

Search items are written in parts, each with the change it follows (sessions/core/
search_index.py). These rebuild a whole item from the session, its summaries and its
stored transcript: for sessions that existed before search did, and for repairs. An
operations path, never a request's: it reads every session's transcript.
"""

import logging

from django.utils import timezone

from campaigns_site import dynamodb
from campaigns_site.errors import NotFound
from campaigns_site.table import user_pk
from campaigns_site.table_keys import SEARCH_PREFIX, SESSION_PREFIX, search_sk
from campaigns_site.transactions import Transaction, TransactionCanceled
from sessions.core.items import PlaySession
from sessions.core.repository import SessionNotFound, get_session
from sessions.core.search_index import TEXT_PREFIX, SearchItem
from sessions.core.search_whole import build_items
from sessions.core.search_words import WORDS_PREFIX, session_of_words_sk
from sessions.summaries.repository import list_summaries_for_session
from sessions.transcripts.segments_json import load_segments
from sessions.transcripts.storage import load_stored_segments

REFRESH_ATTEMPTS = 3


class SearchItemNotRefreshed(Exception):
    """The session kept changing while its search item was rebuilt; nothing was written."""


def refresh_search_item(*, sub, campaign_id, session_id):
    """Rebuild the session's search index from what is stored, and write it whole (its
    head, snippets and every word group: sessions/core/search_index.py, build_items).

    Reads the session (GetItem), its summaries (Query) and its stored transcript (S3
    GetObject, or none when this process has it cached). The Put goes in one
    TransactWriteItems with a ConditionCheck that the session is still as read (same
    version and children_version: no part was written meanwhile, and it was neither
    moved nor deleted); otherwise it reads again. Returns the SessionIndex written. Raises
    SessionNotFound when there is no such session (a moved session: pass its campaign now).
    """
    for _ in range(REFRESH_ATTEMPTS):
        session = get_session(sub=sub, campaign_id=campaign_id, session_id=session_id)
        if session is None:
            raise SessionNotFound(session_id)
        summaries = list_summaries_for_session(sub=sub, campaign_id=campaign_id, session_id=session_id)
        segments = load_segments(load_stored_segments(session)) if session.has_transcript else None
        index = build_items(session=session, summaries=summaries, segments=segments)
        transaction = Transaction()
        transaction.check(session.pk, session.sk, condition=PlaySession.sk.exists() & session.unchanged_since_read())
        index.put(transaction)
        try:
            transaction.commit()
        except TransactionCanceled:
            continue
        return index
    raise SearchItemNotRefreshed(session_id)


def rebuild_search_items(*, sub, progress=None):
    """Rebuild every search item of the user's sessions, and delete search items whose
    session is gone. For sessions made before search existed, and for repairs; an
    operations command, never a request path (it reads every session's transcript).

    Returns (rebuilt, removed, failed): a session that keeps changing or fails to read is
    counted in `failed` and left as it is (run it again). Sessions: one Query, page after
    page, `begins_with(SK, "SESSION#")`; search items: the same with `SEARCH#`.
    """
    say = progress or (lambda line: None)
    started = timezone.now()
    sessions = _keys_with_prefix(sub, SESSION_PREFIX)
    rebuilt = failed = removed = 0
    for sk in sessions:
        _, campaign_id, session_id = sk.split("#")
        try:
            refresh_search_item(sub=sub, campaign_id=campaign_id, session_id=session_id)
            rebuilt += 1
        except NotFound:
            pass  # deleted meanwhile: its search item went with it
        except Exception:
            failed += 1
            logging.getLogger(__name__).exception("search item of session %s (user %s) not rebuilt", session_id, sub)
    say(f"search items: {rebuilt} rebuilt, {failed} failed")
    live = {sk.split("#")[2] for sk in sessions}
    for sk in _keys_with_prefix(sub, SEARCH_PREFIX):
        if sk.removeprefix(SEARCH_PREFIX) in live:
            continue
        transaction = Transaction()
        # Only if it was there before this run began: a session made meanwhile is not in `live`.
        transaction.delete(user_pk(sub), sk, condition=SearchItem.updated < started)
        try:
            transaction.commit()
            removed += 1
        except TransactionCanceled:
            pass
    removed += _delete_headless(sub, live)
    say(f"search items without a session: {removed} deleted")
    return rebuilt, removed, failed


def _delete_headless(sub, live):
    """Delete snippets and word groups of sessions that are gone, each only if its head is
    gone too (a session made during this run has one). Returns how many."""
    removed = 0
    for prefix, session_of in (
        (TEXT_PREFIX, lambda sk: sk.removeprefix(TEXT_PREFIX)),
        (WORDS_PREFIX, session_of_words_sk),
    ):
        for sk in _keys_with_prefix(sub, prefix):
            session_id = session_of(sk)
            if session_id in live:
                continue
            transaction = Transaction()
            transaction.check(user_pk(sub), search_sk(session_id), condition=SearchItem.sk.does_not_exist())
            transaction.delete(user_pk(sub), sk)
            try:
                transaction.commit()
                removed += 1
            except TransactionCanceled:
                pass
    return removed


def _keys_with_prefix(sub, prefix):
    return [item["SK"] for item in dynamodb.query(user_pk(sub), sk_prefix=prefix, attributes=["SK"])]
