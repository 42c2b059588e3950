"""The audit log: one item per action staff (or an operator) took on a user.

PK `AUDIT`, SK `<sortable time>#<ULID>` (campaigns_site.table_keys.audit_sk): the whole
log is one Query read backwards, newest first, a page at a time. LSI1SK
`TARGET#<sub>#<time>#<ULID>` lists the actions on one user with one Query on LSI1.

The RECENT_ACTIONS newest entries on a user are also kept on their directory entry
(campaigns_site.directory, `recent_actions`), written in the same transaction as each
entry, so the staff's page of the user reads them by key (issue 17); `manage.py
list_recent_actions` makes the lists again from the log.

Here, not in the staff package, because `manage.py staff` (accounts) records its changes
too, and no app may import `staff`. An entry holds who, what, on whom, when and the
outcome: never a user's text (the reason is ours: an error code or a refusal; the detail
is counts).
"""

import json
from datetime import datetime

from django.utils import timezone
from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import UpdateError

from campaigns_site.directory import DirectoryEntry, sub_of
from campaigns_site.pagination import query_page
from campaigns_site.table import TableModel
from campaigns_site.table_keys import (
    AUDIT_PK,
    DIRECTORY_PK,
    audit_sk,
    audit_target_key,
    audit_target_prefix,
    directory_sk,
    new_id,
)
from campaigns_site.transactions import Transaction, TransactionCanceled

# The staff's actions (the user actions' URLs use these names), in the log's words.
ACTIONS = {
    "make-staff": "made staff",
    "remove-staff": "removed from staff",
    "sign-out-everywhere": "signed out everywhere",
    "disable": "disabled sign-in",
    "enable": "enabled sign-in",
    "delete": "deleted the account",
    # On something a user owns (/staff/jobs/, /staff/shares/): `detail` names it by id.
    "retry-job": "retried a summary job",
    "revoke-share": "revoked a share link",
}
DONE, FAILED = "done", "failed"
OPERATOR = "manage.py (operator)"  # who, for a change made with a management command
PAGE_SIZE = 50
RECENT_ACTIONS = 10  # kept on the target's directory entry: their staff page shows these
LIST_ATTEMPTS = 3  # conditional writes of the list that may meet a concurrent action
# What the list keeps of an entry: what the user's page shows, never the target's e-mail.
LISTED = ("by", "action", "outcome", "reason", "detail")


class AuditEntry(TableModel, discriminator="AuditEntry"):
    """PK `AUDIT`, SK `<sortable time>#<ULID>`, LSI1SK `TARGET#<sub>#<time>#<ULID>`."""

    at = UTCDateTimeAttribute()
    by = UnicodeAttribute()  # the staff member's email, or OPERATOR
    by_sub = UnicodeAttribute(default="")  # the staff member's sub ("" for an operator)
    action = UnicodeAttribute()  # a key of ACTIONS
    target_sub = UnicodeAttribute()
    target_email = UnicodeAttribute(default="")
    outcome = UnicodeAttribute(default=DONE)  # DONE or FAILED
    reason = UnicodeAttribute(default="")  # why it failed, in our words or an error code
    detail = UnicodeAttribute(default="")  # e.g. what a deletion removed (counts only)

    @property
    def action_label(self):
        return ACTIONS.get(self.action, self.action)

    @property
    def failed(self):
        return self.outcome == FAILED


def record_action(*, by, action, target_sub, target_email="", by_sub="", outcome=DONE, reason="", detail=""):
    """Write one entry (one PutItem); returns it. `action` is a key of ACTIONS."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown action {action!r}: one of {', '.join(ACTIONS)}.")
    if outcome not in (DONE, FAILED):
        raise ValueError(f"Unknown outcome {outcome!r}: {DONE} or {FAILED}.")
    at, entry_id = timezone.now(), new_id()
    entry = AuditEntry(
        AUDIT_PK,
        audit_sk(at, entry_id),
        lsi1sk=audit_target_key(sub=target_sub, at=at, entry_id=entry_id),
        at=at,
        by=by,
        by_sub=by_sub,
        action=action,
        target_sub=target_sub,
        target_email=target_email,
        outcome=outcome,
        reason=reason,
        detail=detail,
    )
    _save_listed(entry)
    return entry


# --- the newest actions on a user, on their directory entry ------------------------------------
def _save_listed(entry):
    """Save `entry` and, in the same transaction, the target's list of recent actions with it.
    A GetItem of the directory entry first (its list and version), then one transaction,
    conditioned on that version: a concurrent action makes it read and try again. A target
    without a listed entry (none, counters only, deleted) gets the entry alone; a list not
    kept yet starts from the log (one Query). After LIST_ATTEMPTS conflicts the list is
    dropped with the entry's write, and the page asks the log, which is never wrong."""
    sub = entry.target_sub
    for _ in range(LIST_ATTEMPTS):
        try:
            target = DirectoryEntry.get(DIRECTORY_PK, directory_sk(sub), consistent_read=True)
        except DirectoryEntry.DoesNotExist:
            target = None
        if target is None or not target.email:
            entry.save()
            return
        known = recent_actions_on(target)
        if known is None:
            known = list_actions_for(sub=sub, limit=RECENT_ACTIONS, consistent_read=True).items
        newest = sorted([entry, *known], key=lambda action: action.sk, reverse=True)[:RECENT_ACTIONS]
        transaction = Transaction()
        transaction.put(entry)
        transaction.update(
            DIRECTORY_PK,
            directory_sk(sub),
            actions=_list_actions(newest, listed=target.actions_listed),
            condition=_unchanged(target),
        )
        try:
            transaction.commit()
            return
        except TransactionCanceled:
            continue  # another action (or a change of the entry) came between: read again
    transaction = Transaction()
    transaction.put(entry)
    transaction.update(
        DIRECTORY_PK,
        directory_sk(sub),
        actions=[DirectoryEntry.recent_actions.remove(), DirectoryEntry.actions_listed.remove()],
        condition=DirectoryEntry.email.exists(),
    )
    try:
        transaction.commit()
    except TransactionCanceled:
        entry.save()  # the entry went meanwhile: nothing listed to drop


def write_recent_actions(*, directory_entry, actions):
    """Set the list on `directory_entry` to `actions` (newest first), if the entry is still as
    read (one conditional UpdateItem: manage.py list_recent_actions); False when it changed
    meanwhile (an action recorded since keeps the list right by itself)."""
    sub = sub_of(directory_entry)
    try:
        DirectoryEntry(DIRECTORY_PK, directory_sk(sub)).update(
            actions=_list_actions(actions[:RECENT_ACTIONS], listed=directory_entry.actions_listed),
            condition=_unchanged(directory_entry),
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def newest_by_target(*, sub=None):
    """{target sub: its RECENT_ACTIONS newest entries, newest first}: of `sub` only (one Query
    on LSI1), or of every user (the whole log, newest first, page after page: an operations
    command's read, never a request path's)."""
    if sub is not None:
        return {sub: list_actions_for(sub=sub, limit=RECENT_ACTIONS, consistent_read=True).items}
    newest = {}
    for entry in AuditEntry.query(AUDIT_PK, scan_index_forward=False, consistent_read=True):
        kept = newest.setdefault(entry.target_sub, [])
        if len(kept) < RECENT_ACTIONS:
            kept.append(entry)
    return newest


def _unchanged(target):
    """The directory entry still holds the list (or no list) read, and is still listed."""
    if target.actions_listed is None:
        return DirectoryEntry.actions_listed.does_not_exist() & DirectoryEntry.email.exists()
    return DirectoryEntry.actions_listed == target.actions_listed


def _list_actions(actions, *, listed):
    return [
        DirectoryEntry.recent_actions.set(listed_json(actions)),
        DirectoryEntry.actions_listed.set(int(listed or 0) + 1),
    ]


def listed_json(actions):
    """The directory entry's `recent_actions`: the entries newest first, what the page shows."""
    return json.dumps(
        [
            {"sk": action.sk, "at": action.at.isoformat(), **{name: getattr(action, name) for name in LISTED}}
            for action in actions
        ],
        separators=(",", ":"),
    )


def recent_actions_on(directory_entry):
    """The newest RECENT_ACTIONS entries on the user of `directory_entry`, newest first, as
    AuditEntry objects (not read from the log: from the entry's own list), or None when the
    entry keeps no list yet (ask list_actions_for)."""
    if directory_entry.actions_listed is None or directory_entry.recent_actions is None:
        return None
    sub = sub_of(directory_entry)
    return [
        AuditEntry(
            AUDIT_PK,
            action["sk"],
            at=datetime.fromisoformat(action["at"]),
            target_sub=sub,
            **{name: action[name] for name in LISTED},
        )
        for action in json.loads(directory_entry.recent_actions)
    ]


def list_actions(*, cursor=None, limit=PAGE_SIZE):
    """One page of the log, newest first (one Query); a Page with a signed next_cursor.
    Raises campaigns_site.pagination.InvalidCursor for a cursor that is not this list's."""
    return query_page(AuditEntry, AUDIT_PK, limit=limit, cursor=cursor, newest_first=True)


def list_actions_for(*, sub, cursor=None, limit=PAGE_SIZE, consistent_read=False):
    """One page of the actions on the user `sub`, newest first (one Query on LSI1)."""
    return query_page(
        AuditEntry,
        AUDIT_PK,
        AuditEntry.lsi1sk.startswith(audit_target_prefix(sub)),
        index=AuditEntry.second_sort_order,
        limit=limit,
        cursor=cursor,
        newest_first=True,
        consistent_read=consistent_read,
    )


def forget_target_email(*, sub):
    """Remove a deleted account's e-mail from the entries about it (one Query on LSI1, an
    UpdateItem per entry that has one); the sub stays, so the trail stays whole. Returns
    how many entries were changed; a re-run changes none."""
    changed = 0
    entries = AuditEntry.second_sort_order.query(AUDIT_PK, AuditEntry.lsi1sk.startswith(audit_target_prefix(sub)))
    for entry in entries:
        if entry.target_email:
            entry.update(actions=[AuditEntry.target_email.set("")])
            changed += 1
    return changed
