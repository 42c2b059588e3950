"""v1.0's campaigns and summaries, applied here (cutover/apply_v1.py says how);
sessions are cutover/apply_sessions.py's.

Summaries have no `updated_at` in v1.0: v1.0's text simply replaces this app's (a summary
is v1.0's as long as its user is on v1.0), as a new imported summary.
"""

from campaigns.repository import (
    CampaignNotFound,
    get_campaign,
    get_campaign_being_deleted,
    set_campaign_archived,
    update_campaign,
)
from cutover.apply_sessions import apply_session_change, session_place
from cutover.changed_content import bring_over_campaign
from cutover.changes import DELETE, SOFT_DELETE
from cutover.conflicts import APP, changed_on_both_sides, settle
from cutover.outcomes import APPLIED, KEPT_HERE, SKIPPED, UNCHANGED
from cutover.v1_rows import row_time
from sessions.core.campaign_deletion import delete_campaign
from sessions.core.repository import SessionNotFound
from sessions.summaries.imported import delete_summary, imported_summary, kept_whole, save_imported_summary
from sessions.summaries.repository import get_summary
from v1 import mapping

__all__ = ["apply_campaign_change", "apply_session_change", "apply_summary_change"]

CAMPAIGN_TEXTS = ("name", "description", "game_system")


def apply_campaign_change(applier, change):
    row = None if change.operation == DELETE else applier.source.campaign(change.row_id)
    if row is None or row.deleted_at is not None:
        return _delete_campaign(applier, change)
    sub = applier.sub_for(row.owner_id)
    if sub is None:
        return SKIPPED
    campaign_id = applier.campaign_id(row.id, row.created_at)
    item = get_campaign(sub=sub, campaign_id=campaign_id)
    if item is None:
        if get_campaign_being_deleted(sub=sub, campaign_id=campaign_id) is not None:
            return UNCHANGED  # deleted here meanwhile: v1.0 hears of it from the mirror
        return bring_over_campaign(applier, sub, row)
    if changed_on_both_sides(change, app_updated=item.updated, v1_updated=row.updated_at):
        if settle(change, what=f"campaigns {row.id}", app_updated=item.updated, v1_updated=row.updated_at) == APP:
            return KEPT_HERE
    texts = mapping.texts_as_imported(row, CAMPAIGN_TEXTS, on_cut=lambda note: None)
    outcome = UNCHANGED
    if any(getattr(item, field) != texts[field] for field in CAMPAIGN_TEXTS):
        item = update_campaign(
            sub=sub, campaign_id=campaign_id, expected_version=item.version, updated=row.updated_at, **texts
        )
        outcome = APPLIED
    if item.archived != row.archived:
        set_campaign_archived(sub=sub, campaign_id=campaign_id, archived=row.archived, updated=row.updated_at)
        outcome = APPLIED
    return outcome


def _delete_campaign(applier, change):
    known = change.old_row or change.new_row or {}
    created = row_time(known, "created_at")
    sub = applier.sub_for(change.user_id or known.get("owner_id"))
    if sub is None or created is None:
        return SKIPPED
    try:
        delete_campaign(sub=sub, campaign_id=applier.campaign_id(change.row_id, created))
    except CampaignNotFound:
        return UNCHANGED
    return APPLIED


def apply_summary_change(applier, change):
    row = None if change.operation in (DELETE, SOFT_DELETE) else applier.source.summary(change.row_id)
    known = row.__dict__ if row is not None else (change.old_row or change.new_row or {})
    place = session_place(applier, known.get("session_id"))
    if place is None:
        return SKIPPED  # its session is gone or not here: its own change says what to do
    sub, campaign_id, session_id = place
    kind = mapping.summary_kind_for(known["kind"])
    item = get_summary(sub=sub, campaign_id=campaign_id, session_id=session_id, kind=kind)
    if row is None:
        if item is None:
            return UNCHANGED
        delete_summary(item)
        return APPLIED
    if item is not None and item.text == kept_whole(row.content) and item.model == (row.model or ""):
        return UNCHANGED
    if item is not None:
        # Replaced whole, as a new imported summary: a pass killed in between makes it again.
        delete_summary(item)
    summary = imported_summary(
        sub=sub,
        campaign_id=campaign_id,
        session_id=session_id,
        kind=kind,
        text=row.content,
        model=row.model,
        input_tokens=row.prompt_tokens,
        output_tokens=row.completion_tokens,
        created=row.created_at,
    )
    try:
        save_imported_summary(summary=summary)
    except SessionNotFound:
        return SKIPPED
    return APPLIED
