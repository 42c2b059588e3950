"""A user's web sessions, found through their pointer items (see accounts.session_store)."""

from django.utils import timezone

from accounts.items import WebSession, WebSessionPointer
from campaigns_site.table import WEB_SESSION_SK, TableModel, user_pk, web_session_pk
from campaigns_site.table_keys import WEB_SESSION_POINTER_PREFIX


def _pointers(sub):
    return list(
        WebSessionPointer.query(
            user_pk(sub), WebSessionPointer.sk.startswith(WEB_SESSION_POINTER_PREFIX), consistent_read=True
        )
    )


def web_session_keys(*, sub):
    """The keys of the user's live web sessions: one Query on the user's partition."""
    now = timezone.now()
    # Expired pointers are gone, whatever DynamoDB's late TTL deletion has not done yet.
    return [pointer.session_key for pointer in _pointers(sub) if pointer.expires > now]


def delete_web_sessions(*, sub):
    """Delete all of the user's web sessions and their pointers; returns how many there were.

    One Query, then BatchWriteItem (25 deletes a request). With
    accounts.profiles.bump_auth_version this is "log out everywhere".
    """
    pointers = _pointers(sub)
    with TableModel.batch_write() as batch:
        for pointer in pointers:
            batch.delete(WebSession(web_session_pk(pointer.session_key), WEB_SESSION_SK))
            batch.delete(pointer)
    return len(pointers)
