"""Applying one change of v1.0's log here: state-based, so applying it twice is harmless.

A change names a row; the row is read again as it is now (it may have changed since, or be
gone), and this app is made to match it: what is missing is made the import's way
(v1/content.py, v1/accounts.py), what differs is changed through the app's repositories,
and a row that is gone or soft-deleted is deleted here. Applying a change again finds
everything matching and writes nothing.

Conflicts: an update from v1.0 to an item that was also changed here since the two stacks
last agreed (cutover/conflicts.py) keeps the later `updated_at`, and is recorded.
"""

from collections import Counter

from django.conf import settings

from cutover import apply_content, apply_users, ids
from cutover.outcomes import SKIPPED
from cutover.v1_rows import LiveSource
from v1 import checkpoints, mapping
from v1.report import Report


class ChangeApplier:
    """Applies changes of one v1.0 database (`conn`: autocommit, it also writes id pairs)."""

    def __init__(self, conn, *, v1_bucket=None):
        self.conn = conn
        self.source = LiveSource(conn)
        self.v1_bucket = v1_bucket or settings.V1_BUCKET
        self.report = Report(dry_run=False)  # the import's code notes what it could not bring over
        self.outcomes = Counter()
        self._subs = {}

    def apply(self, change):
        handler = HANDLERS.get(change.table)
        outcome = handler(self, change) if handler else SKIPPED
        self.outcomes[outcome] += 1
        return outcome

    # --- which item is which row --------------------------------------------------------
    def sub_for(self, v1_user_id):
        """The Cognito sub of a v1.0 user, or None (not brought over, or not yet)."""
        if v1_user_id is None:
            return None
        v1_user_id = int(v1_user_id)
        if v1_user_id in self._subs:
            return self._subs[v1_user_id]
        sub = ids.app_id_for(self.conn, kind=ids.USER, v1_id=v1_user_id)
        if sub is None:
            imported = checkpoints.get_imported_account(v1_user_id=v1_user_id)
            if imported is None:
                return None
            sub = imported.sub
            ids.remember(self.conn, kind=ids.USER, v1_id=v1_user_id, app_id=sub)
        self._subs[v1_user_id] = sub
        return sub

    def forget_user(self, v1_user_id):
        self._subs.pop(int(v1_user_id), None)

    def campaign_id(self, v1_id, created_at):
        """The campaign's ULID: its pair (an item made here, mirrored), else the import's."""
        return ids.app_id_for(self.conn, kind=ids.CAMPAIGN, v1_id=v1_id) or mapping.derived_id(
            "campaign", v1_id, created_at
        )

    def session_id(self, v1_id, created_at):
        return ids.app_id_for(self.conn, kind=ids.SESSION, v1_id=v1_id) or mapping.derived_id(
            "session", v1_id, created_at
        )

    def remember(self, kind, v1_id, app_id):
        ids.remember(self.conn, kind=kind, v1_id=v1_id, app_id=app_id)


def _not_brought_over(applier, change):
    return SKIPPED


HANDLERS = {
    "users": apply_users.apply_user_change,
    "user_settings": apply_users.apply_settings_change,
    "accounts": _not_brought_over,  # Discord/Google links: this app's sign-in is Cognito's
    "campaigns": apply_content.apply_campaign_change,
    "game_sessions": apply_content.apply_session_change,
    "summaries": apply_content.apply_summary_change,
}
