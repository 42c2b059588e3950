"""v1.0's game sessions, applied here (cutover/apply_v1.py says how): the session's own
fields, its transcript and its v1.0 share link.

Transcripts: one in v1.0's bucket is brought over again when the change moved
`transcript_key` (v1.0 writes each upload under a new key); an inline one when its
SHA-256, computed in PostgreSQL, differs from the one recorded here. Each replacement has
its own upload id, derived from that key or digest, so applying the change again finds it
attached and copies nothing.
"""

from botocore.exceptions import ClientError
from django.utils import timezone

from campaigns.repository import get_campaign, get_campaign_being_deleted
from cutover import ids
from cutover.changed_content import ChangedContent, bring_over_campaign, rows_for
from cutover.changes import DELETE
from cutover.conflicts import APP, changed_on_both_sides, settle
from cutover.outcomes import APPLIED, KEPT_HERE, SKIPPED, UNCHANGED
from cutover.v1_rows import row_time
from sessions.core.repository import SessionNotFound, delete_session, get_session, update_session
from sessions.sharing.items import hash_token, is_well_formed
from sessions.sharing.repository import create_share_link, get_share_link, revoke_share_link
from sessions.transcripts.parsing import TranscriptError
from sessions.transcripts.services import delete_transcript, import_transcript
from v1 import mapping
from v1.content import V1_LINK_LABEL, V1_LINK_SCOPE


def session_place(applier, v1_session_id):
    """(sub, campaign_id, session_id) here of a live v1.0 session, or None."""
    row = applier.source.session(v1_session_id) if v1_session_id else None
    campaign = applier.source.campaign(row.campaign_id) if row is not None else None
    if row is None or row.deleted_at is not None or campaign is None or campaign.deleted_at is not None:
        return None
    sub = applier.sub_for(campaign.owner_id)
    if sub is None:
        return None
    return sub, applier.campaign_id(campaign.id, campaign.created_at), applier.session_id(row.id, row.created_at)


def apply_session_change(applier, change):
    row = None if change.operation == DELETE else applier.source.session(change.row_id)
    campaign = applier.source.campaign(row.campaign_id) if row is not None else None
    if row is None or row.deleted_at is not None or campaign is None or campaign.deleted_at is not None:
        return _delete_session(applier, change, campaign)
    sub = applier.sub_for(campaign.owner_id)
    if sub is None:
        return SKIPPED
    campaign_id = applier.campaign_id(campaign.id, campaign.created_at)
    session_id = applier.session_id(row.id, row.created_at)
    item = get_session(sub=sub, campaign_id=campaign_id, session_id=session_id)
    user = applier.source.user(campaign.owner_id)
    if item is None:
        if get_campaign(sub=sub, campaign_id=campaign_id) is None:
            if get_campaign_being_deleted(sub=sub, campaign_id=campaign_id) is not None:
                return UNCHANGED  # deleted here meanwhile: v1.0 hears of it from the mirror
            return bring_over_campaign(applier, sub, campaign)  # with this session
        summaries = applier.source.summaries_of(row.id)
        rows = rows_for(user, sessions=[row], summaries=summaries)
        content = ChangedContent(
            rows,
            sub=sub,
            source=applier.source,
            v1_bucket=applier.v1_bucket,
            report=applier.report,
            campaign_ids={campaign.id: campaign_id},
        )
        content.bring_over_session(campaign_id, row, summaries)
        applier.remember(ids.SESSION, row.id, mapping.session_id_for(row))
        return APPLIED
    if changed_on_both_sides(change, app_updated=item.updated, v1_updated=row.updated_at):
        if settle(change, what=f"game_sessions {row.id}", app_updated=item.updated, v1_updated=row.updated_at) == APP:
            return KEPT_HERE
    zone, _ = mapping.time_zone_for(user.time_zone if user else None)
    changed = _edit_fields(sub, item, row, zone)
    changed |= _transcript(applier, change, item, row)
    changed |= _share_link(sub, campaign_id, session_id, change, row)
    return APPLIED if changed else UNCHANGED


def _edit_fields(sub, item, row, zone):
    number, _ = mapping.session_number_for(row.session_number)
    played_on = mapping.played_on_for(row.played_at, zone)
    texts = mapping.texts_as_imported(row, ("title", "notes"), on_cut=lambda note: None)
    stored_number = None if item.number is None else int(item.number)
    wanted = (texts["title"], number, played_on, texts["notes"])
    if (item.title, stored_number, item.played_on_date, item.notes) == wanted:
        return False
    update_session(
        sub=sub,
        campaign_id=item.campaign_id,
        session_id=item.session_id,
        expected_version=item.version,
        number=number,
        played_on=played_on,
        updated=row.updated_at,
        **texts,
    )
    return True


def _transcript(applier, change, item, row):
    """Bring v1.0's transcript over again when it changed; True when something was written."""
    old_key = (change.old_row or {}).get("transcript_key")
    if not (row.transcript_key or row.has_text or row.has_raw):
        if item.has_transcript and (old_key or (change.old_row or {}).get("transcript_filename")):
            return delete_transcript(sub=item.owner_sub, campaign_id=item.campaign_id, session_id=item.session_id)
        return False
    arguments = {"uploaded": row.updated_at, "filename": mapping.transcript_filename_for(row)}
    if row.transcript_key:
        upload_id = mapping.derived_id("transcript", f"{row.id}#{row.transcript_key}", row.created_at)
        moved = change.old_row is not None and old_key != row.transcript_key
        if item.has_transcript and (not moved or item.transcript_upload_id == upload_id):
            return False
        arguments["copy_from"] = {"Bucket": applier.v1_bucket, "Key": row.transcript_key}
    else:
        digest = applier.source.inline_transcript_sha256(row.id)
        if item.transcript_sha256 == digest:
            return False
        upload_id = mapping.derived_id("transcript", f"{row.id}#{digest}", row.created_at)
        text, raw = applier.source.transcript_body(row.id)
        arguments["data"] = text.encode("utf-8") if text is not None else raw
    current = get_session(sub=item.owner_sub, campaign_id=item.campaign_id, session_id=item.session_id)
    try:
        import_transcript(session=current, upload_id=upload_id, **arguments)
    except (TranscriptError, ClientError) as error:
        if isinstance(error, ClientError) and error.response["Error"]["Code"] not in ("NoSuchKey", "404", "NotFound"):
            raise
        applier.report.note("game_sessions", row.id, "transcript not brought over", str(error)[:200])
        return False
    return True


def _share_link(sub, campaign_id, session_id, change, row):
    """v1.0's one link per session: revoke the one it replaced, make (or re-make, for a new
    expiry) the one it has now. True when something was written."""
    changed = False
    old_token = (change.old_row or {}).get("share_token")
    if old_token and old_token != row.share_token and is_well_formed(old_token):
        changed |= revoke_share_link(
            sub=sub, campaign_id=campaign_id, session_id=session_id, token_hash=hash_token(old_token)
        )
    if not row.share_token or not is_well_formed(row.share_token):
        return changed
    token_hash = hash_token(row.share_token)
    link = get_share_link(token_hash=token_hash)
    if link is not None and link.expires == row.share_expires_at:
        return changed
    if link is not None:
        revoke_share_link(sub=sub, campaign_id=campaign_id, session_id=session_id, token_hash=token_hash)
    if row.share_expires_at is None or row.share_expires_at > timezone.now():  # as the import
        create_share_link(
            sub=sub,
            campaign_id=campaign_id,
            session_id=session_id,
            scope=V1_LINK_SCOPE,
            expires=row.share_expires_at,
            label=V1_LINK_LABEL,
            token=row.share_token,
            now=row.updated_at,
        )
    return True


def _delete_session(applier, change, campaign):
    known = change.old_row or change.new_row or {}
    created = row_time(known, "created_at")
    campaign = campaign or (applier.source.campaign(known["campaign_id"]) if known.get("campaign_id") else None)
    if campaign is None or created is None:
        return UNCHANGED  # its campaign went: that change deletes it here
    sub = applier.sub_for(campaign.owner_id)
    if sub is None:
        return SKIPPED
    campaign_id = applier.campaign_id(campaign.id, campaign.created_at)
    session_id = applier.session_id(change.row_id, created)
    if get_session(sub=sub, campaign_id=campaign_id, session_id=session_id) is None:
        return UNCHANGED
    try:
        delete_session(sub=sub, campaign_id=campaign_id, session_id=session_id)
    except SessionNotFound:
        return UNCHANGED
    return APPLIED
