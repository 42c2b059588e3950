"""A new share link's one transaction (create_share_link's and the import's: sessions/sharing/
repository.py, sessions/sharing/imported.py): both items, the session's child write, the
staff's registry entry and the usage counter, with the session's v1.0 kinds of summary
copied on the link (issue 17: the public page reads them by key)."""

from campaigns_site.errors import StillChanging
from campaigns_site.table import SHARE_SK, share_pk
from campaigns_site.transactions import Transaction, TransactionCanceled
from campaigns_site.usage import add_usage
from sessions.core.items import PlaySession
from sessions.core.repository import SessionNotFound, get_session, record_child_write
from sessions.sharing import newest, registry
from sessions.sharing.items import ShareLink, ShareLinkPointer

# A link made while v1.0's kinds of summary are imported into its session: read it again, this many times.
KINDS_ATTEMPTS = 3


def put_new_link(link, pointer, *, listed_with=(), other_summary_kinds=None):
    """One TransactWriteItems: both items, each new, the session's child write (it must exist;
    raises SessionNotFound otherwise, and nothing was written; it adds the link's hash to the
    session's share_link_hashes, with `listed_with`: the hashes of its links found alive, so
    a session whose links predate that list has them all listed from now on), the registry's
    entry and the user's usage counter.

    The link copies the session's other_summary_kinds (the public page reads them by key):
    `other_summary_kinds` as the caller read them (None: it did not, or there are none), and
    the session's update is conditioned on them; a session that names others is read (one
    GetItem) and the transaction made again with its kinds."""
    kinds = set(other_summary_kinds or ())
    for _ in range(KINDS_ATTEMPTS):
        link.other_summary_kinds = kinds or None
        if _put_link(link, pointer, listed_with=listed_with, kinds=kinds):
            return
        session = get_session(sub=link.owner_sub, campaign_id=link.campaign_id, session_id=link.session_id)
        if session is None:
            raise SessionNotFound(link.session_id)
        kinds = set(session.other_summary_kinds or ())
    raise StillChanging(link.session_id)


def _put_link(link, pointer, *, listed_with, kinds):
    """put_new_link's transaction; False when the session is not there or names other kinds."""
    transaction = Transaction()
    transaction.put(link, condition=ShareLink.pk.does_not_exist())
    transaction.put(pointer, condition=ShareLinkPointer.sk.does_not_exist())
    session_check = len(transaction)
    record_child_write(
        transaction,
        sub=link.owner_sub,
        campaign_id=link.campaign_id,
        session_id=link.session_id,
        also=[
            PlaySession.share_links_made.add(1),
            PlaySession.share_link_hashes.add({link.token_hash, *listed_with}),
        ],
        condition=PlaySession.other_kinds_are(kinds),
    )
    registry.put_entry(transaction, link)
    add_usage(transaction, sub=link.owner_sub, share_links=1)
    listed = newest.append_key(transaction, order_key=registry.entry_of(link).lsi1sk)
    try:
        transaction.commit()
    except TransactionCanceled as canceled:
        if canceled.failed(session_check):
            return False
        if canceled.failed(listed) and not any(canceled.failed(index) for index in range(listed)):
            newest.drop_list()  # past NEWEST_CAP: no count for a long while; the next one lists again
            return _put_link(link, pointer, listed_with=listed_with, kinds=kinds)
        raise  # the token's hash is taken: 256 random bits never collide; an imported token may
    return True


def name_session_kinds_on_links(*, sub, campaign_id, session_id, hashes):
    """Copy the session's other_summary_kinds onto its links `hashes` that do not name them
    (links made before the copy, or before a summary imported after them): how many were
    updated. One GetItem of the session; per link one GetItem and, if it differs, one
    TransactWriteItems: the link's SET (it must exist, of this session) beside a
    ConditionCheck that the session's kinds are still those. A gone link or a changed
    session is left for the next run (safe to re-run: a link that names them is skipped)."""
    session = get_session(sub=sub, campaign_id=campaign_id, session_id=session_id)
    kinds = set(session.other_summary_kinds or ()) if session is not None else set()
    if not kinds:
        return 0
    updated = 0
    for token_hash in sorted(hashes):
        link = _get_link(token_hash)
        if link is None or link.session_id != session_id or set(link.other_summary_kinds or ()) == kinds:
            continue
        transaction = Transaction()
        transaction.update(
            link.pk,
            link.sk,
            actions=[ShareLink.other_summary_kinds.set(kinds)],
            condition=ShareLink.pk.exists() & (ShareLink.session_id == session_id),
        )
        transaction.check(session.pk, session.sk, condition=PlaySession.other_kinds_are(kinds))
        try:
            transaction.commit()
            updated += 1
        except TransactionCanceled:
            continue
    return updated


def _get_link(token_hash):
    try:
        return ShareLink.get(share_pk(token_hash), SHARE_SK, consistent_read=True)
    except ShareLink.DoesNotExist:
        return None
