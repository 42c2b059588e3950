"""Share links brought over from another deployment (manage.py import_data, exports/): a
link made from the SHA-256 of its token, which an operator's export carries, so every link
keeps working after the move (the token itself was never stored anywhere). Written as
create_share_link writes a new one (the same items, checks and transaction:
sessions/sharing/repository.py), with the link's own history (made, views, last view).
"""

import re

from campaigns_site.transactions import TransactionCanceled
from sessions.sharing.items import ShareLink, ShareLinkPointer
from sessions.sharing.repository import checked_settings, put_new_link

TOKEN_HASH = re.compile(r"[0-9a-f]{64}")


class ShareLinkTaken(Exception):
    """A link with this token hash exists in this deployment, and it is not this user's
    (the same export imported as another user): nothing was written."""


def import_share_link(
    *,
    sub,
    campaign_id,
    session_id,
    token_hash,
    scope,
    created,
    expires=None,
    view_limit=None,
    label="",
    characters_only=False,
    views=0,
    last_viewed=None,
):
    """Make the link whose token hashes to `token_hash`, as it was: made at `created`,
    opened `views` times, last at `last_viewed`. Returns False when the user has it already
    (its pointer is there: a re-run). Raises ShareLinkTaken when another account's link has
    this hash, SessionNotFound when the session is not the user's, ValueError for settings
    the app does not allow. One TransactWriteItems (put_new_link)."""
    label = checked_settings(scope=scope, view_limit=view_limit, label=label, token=None)
    if not TOKEN_HASH.fullmatch(token_hash or ""):
        raise ValueError("not a share link token's SHA-256")
    link = ShareLink.made(
        sub=sub,
        campaign_id=campaign_id,
        session_id=session_id,
        token_hash=token_hash,
        scope=scope,
        expires=expires,
        view_limit=None if view_limit is None else int(view_limit),
        characters_only=characters_only,
        now=created,
    )
    link.views, link.last_viewed = int(views or 0), last_viewed
    try:
        put_new_link(link, ShareLinkPointer.of_link(link, label=label))
    except TransactionCanceled as canceled:
        if canceled.failed(1):  # the user's pointer: theirs already
            return False
        if canceled.failed(0):
            raise ShareLinkTaken(token_hash) from None
        raise
    return True
