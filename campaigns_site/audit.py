"""The audit log: one item per action staff (or an operator) took on a user.

PK `AUDIT`, SK `<sortable time>#<ULID>` (campaigns_site.table_keys.audit_sk): the whole
log is one Query read backwards, newest first, a page at a time. LSI1SK
`TARGET#<sub>#<time>#<ULID>` lists the actions on one user with one Query on LSI1.

Here, not in the staff package, because `manage.py staff` (accounts) records its changes
too, and no app may import `staff`. An entry holds who, what, on whom, when and the
outcome: never a user's text (the reason is ours: an error code or a refusal; the detail
is counts).
"""

from django.utils import timezone
from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute

from campaigns_site.pagination import query_page
from campaigns_site.table import TableModel
from campaigns_site.table_keys import AUDIT_PK, audit_sk, audit_target_key, audit_target_prefix, new_id

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
    entry.save()
    return entry


def list_actions(*, cursor=None, limit=PAGE_SIZE):
    """One page of the log, newest first (one Query); a Page with a signed next_cursor.
    Raises campaigns_site.pagination.InvalidCursor for a cursor that is not this list's."""
    return query_page(AuditEntry, AUDIT_PK, limit=limit, cursor=cursor, newest_first=True)


def list_actions_for(*, sub, cursor=None, limit=PAGE_SIZE):
    """One page of the actions on the user `sub`, newest first (one Query on LSI1)."""
    return query_page(
        AuditEntry,
        AUDIT_PK,
        AuditEntry.lsi1sk.startswith(audit_target_prefix(sub)),
        index=AuditEntry.second_sort_order,
        limit=limit,
        cursor=cursor,
        newest_first=True,
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
