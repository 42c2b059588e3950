"""The mirror's writes into v1.0's schema: one function per table, each making v1.0's row
match an item of this app (the reverse of v1/mapping.py, docs/migration.md).

Every write is an upsert by id (or by (session_id, kind) for summaries), so applying the
same item twice writes the same row. Rows with `updated_at` (campaigns, game_sessions)
take the item's own change time, so the sync's conflict rule sees one time on both
sides; a row v1.0 changed after the item (a later `updated_at`) is kept and the conflict
recorded (`Rows.conflicts`, written down once the PostgreSQL transaction commits).
"""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cutover import ids
from v1.mapping import KIND_RENAMES, THEMES, session_number_for

# This app's names back to v1.0's (v1.mapping maps them forward).
V1_KINDS = {kind: v1_kind for v1_kind, kind in KIND_RENAMES.items()}
V1_THEMES = {theme: v1_theme for v1_theme, theme in THEMES.items()}  # "auto" ("match my device") → "system"
# A day becomes an instant at noon in the owner's time zone: the import reads the day an
# instant names in that zone, and noon names the same day whatever the DST shift.
PLAYED_AT_TIME = time(12, 0)
# Summaries have no id here (one per session and kind): the row's id is made from both.
SUMMARY_NAMESPACE = uuid.UUID("6f1d2b7e-3c1a-4c55-9a51-6d1c1e0b2a10")
# An item changed this long before its entry was written is not that entry's change (the
# sync's interval: a change older than that has been mirrored already).
SAME_CHANGE_WINDOW = timedelta(minutes=1)


@dataclass
class Rows:
    """One entry's writes: the connection (inside its transaction) and what it found."""

    conn: object
    now: datetime
    entry_created: datetime  # when the change was written here
    conflicts: list = field(default_factory=list)  # kwargs of cutover.state.record_conflict

    def later_in_v1(self, table, row_id, item_updated):
        """True when v1.0 changed the row after the item: v1.0's row is kept (the sync
        brings it here). A conflict is noted when the item's change is this entry's own
        (within the sync's interval of it): both sides changed the row. When the entry
        only touched the item's counters (a session added to a campaign), v1.0 is just
        ahead: no conflict."""
        row = self.conn.execute(f"SELECT updated_at FROM {table} WHERE id = %s FOR UPDATE", (row_id,)).fetchone()
        if row is None or row[0] <= item_updated:
            return False
        if item_updated >= self.entry_created - SAME_CHANGE_WINDOW:
            self.conflicts.append(
                {
                    "kept": "v1",
                    "what": f"{table} {row_id}",
                    "v1_updated": row[0],
                    "app_updated": item_updated,
                    "detail": "changed on v1.0 after this app's change: v1.0's row kept",
                }
            )
        return True


# --- users ----------------------------------------------------------------------------------------
def user_id_for(rows, profile):
    """v1.0's users.id of the profile's owner: the pair, else an unpaired row with the same
    address (paired now), else a new row without a password (its owner resets it on v1.0).
    An address a paired row holds makes the INSERT fail: the entry waits with that error."""
    sub = profile.sub
    v1_id = ids.v1_id_for(rows.conn, kind=ids.USER, app_id=sub)
    if v1_id is not None:
        return int(v1_id)
    found = rows.conn.execute(
        "SELECT id FROM users WHERE lower(email) = lower(%s) AND NOT EXISTS "
        "(SELECT 1 FROM cutover_ids WHERE kind = 'user' AND v1_id = users.id::text) ORDER BY id LIMIT 1",
        (profile.email,),
    ).fetchone()
    if found is None:
        found = rows.conn.execute(
            "INSERT INTO users (name, email, role, created_at, password_hash) VALUES (%s, %s, %s, %s, NULL) "
            "RETURNING id",
            (profile.display_name or None, profile.email, _role(profile), profile.created),
        ).fetchone()
    ids.remember(rows.conn, kind=ids.USER, v1_id=found[0], app_id=sub)
    return found[0]


def write_user(rows, profile):
    """users (name, email, role) and user_settings (theme, time zone) as the profile has them."""
    user_id = user_id_for(rows, profile)
    rows.conn.execute(
        # An address differing only by case is the same one: v1.0's spelling is kept.
        "UPDATE users SET name = %s, role = %s, email = CASE WHEN lower(email) = lower(%s) THEN email ELSE %s END "
        "WHERE id = %s",
        (profile.display_name or None, _role(profile), profile.email, profile.email, user_id),
    )
    preferences = profile.preferences.as_dict() if hasattr(profile.preferences, "as_dict") else {}
    theme = V1_THEMES.get(preferences.get("theme"))
    rows.conn.execute(
        # Only what the profile holds: a v1.0 value this app could not take (an unknown
        # time zone) stays until the user chooses one here.
        "INSERT INTO user_settings (user_id, time_zone, theme) VALUES (%s, %s, %s) ON CONFLICT (user_id) DO UPDATE "
        "SET time_zone = COALESCE(EXCLUDED.time_zone, user_settings.time_zone), "
        "theme = COALESCE(EXCLUDED.theme, user_settings.theme)",
        (user_id, preferences.get("time_zone"), theme),
    )
    return user_id


def delete_user(rows, *, sub):
    """The account was deleted here: v1.0's row goes too (its data with it, ON DELETE CASCADE)."""
    v1_id = ids.v1_id_for(rows.conn, kind=ids.USER, app_id=sub)
    if v1_id is not None:
        rows.conn.execute("DELETE FROM users WHERE id = %s", (int(v1_id),))


def _role(profile):
    return "admin" if profile.is_staff else "user"


# --- campaigns ------------------------------------------------------------------------------------
def row_id(rows, kind, item_id):
    """The v1.0 UUID of a campaign or session: its pair, else one made from the ULID (paired now)."""
    v1_id = ids.v1_id_for(rows.conn, kind=kind, app_id=item_id)
    if v1_id is not None:
        return uuid.UUID(v1_id)
    new = ids.uuid_for_new_item(item_id)
    ids.remember(rows.conn, kind=kind, v1_id=new, app_id=item_id)
    return new


def paired_row_id(rows, kind, item_id):
    v1_id = ids.v1_id_for(rows.conn, kind=kind, app_id=item_id)
    return uuid.UUID(v1_id) if v1_id is not None else None


def write_campaign(rows, campaign, *, owner_id):
    campaign_uuid = row_id(rows, ids.CAMPAIGN, campaign.sk.split("#")[1])
    if rows.later_in_v1("campaigns", campaign_uuid, campaign.updated):
        return campaign_uuid
    rows.conn.execute(
        """
        INSERT INTO campaigns (id, owner_id, name, description, game_system, archived, deleted_at, created_at,
                               updated_at)
        VALUES (%s, %s, %s, %s, %s, %s, NULL, %s, %s)
        ON CONFLICT (id) DO UPDATE SET owner_id = EXCLUDED.owner_id, name = EXCLUDED.name,
          description = EXCLUDED.description, game_system = EXCLUDED.game_system, archived = EXCLUDED.archived,
          deleted_at = NULL, updated_at = EXCLUDED.updated_at
        """,
        (
            campaign_uuid,
            owner_id,
            campaign.name,
            campaign.description or None,
            campaign.game_system or None,
            bool(campaign.archived),
            campaign.created,
            campaign.updated,
        ),
    )
    return campaign_uuid


def soft_delete(rows, table, kind, item_id):
    """A deleted campaign or session: `deleted_at`, as v1.0 deletes (never a row's removal).
    A row v1.0 changed after the delete here is still deleted, and the conflict noted."""
    row_uuid = paired_row_id(rows, kind, item_id)
    if row_uuid is None:
        return
    row = rows.conn.execute(
        f"UPDATE {table} SET deleted_at = %s WHERE id = %s AND deleted_at IS NULL RETURNING updated_at",
        (rows.now, row_uuid),
    ).fetchone()
    if row is not None and row[0] > rows.entry_created:
        rows.conflicts.append(
            {
                "kept": "app",
                "what": f"{table} {row_uuid}",
                "v1_updated": row[0],
                "app_updated": rows.entry_created,
                "detail": "deleted here after v1.0 changed it: deleted on v1.0 too",
            }
        )


# --- game sessions --------------------------------------------------------------------------------
def write_session(rows, session, *, campaign_uuid, zone, transcript):
    """The session's row; `transcript(session, session_uuid, created_at, transcript_key)`
    gives the transcript columns to set (a dict), or None to leave them as they are."""
    session_uuid = row_id(rows, ids.SESSION, session.session_id)
    if rows.later_in_v1("game_sessions", session_uuid, session.updated):
        return session_uuid
    current = rows.conn.execute(
        "SELECT played_at, session_number, created_at, transcript_key FROM game_sessions WHERE id = %s",
        (session_uuid,),
    ).fetchone()
    played_at = played_at_for(session.played_on, zone, current_played_at=current[0] if current else None)
    number = number_for(session.number, current_number=current[1] if current else None)
    rows.conn.execute(
        """
        INSERT INTO game_sessions (id, campaign_id, session_number, title, played_at, notes, deleted_at, created_at,
                                   updated_at)
        VALUES (%s, %s, %s, %s, %s, %s, NULL, %s, %s)
        ON CONFLICT (id) DO UPDATE SET campaign_id = EXCLUDED.campaign_id, session_number = EXCLUDED.session_number,
          title = EXCLUDED.title, played_at = EXCLUDED.played_at, notes = EXCLUDED.notes, deleted_at = NULL,
          updated_at = EXCLUDED.updated_at
        """,
        (
            session_uuid,
            campaign_uuid,
            number,
            session.title,
            played_at,
            session.notes or None,
            session.created,
            session.updated,
        ),
    )
    columns = transcript(session, session_uuid, *(current[2:] if current else (session.created, None)))
    if columns:
        assignments = ", ".join(f"{name} = %s" for name in columns)
        rows.conn.execute(f"UPDATE game_sessions SET {assignments} WHERE id = %s", (*columns.values(), session_uuid))
    return session_uuid


def played_at_for(played_on, zone, *, current_played_at=None):
    """The instant for a day: v1.0's own instant when it still names that day, else noon."""
    if not played_on:
        return None
    day = datetime.fromisoformat(played_on).date()
    if current_played_at is not None and current_played_at.astimezone(zone).date() == day:
        return current_played_at
    return datetime.combine(day, PLAYED_AT_TIME, tzinfo=zone).astimezone(UTC)


def number_for(number, *, current_number=None):
    """The item's number; none here but one v1.0 had that the import dropped (0, negative,
    past MAX_NUMBER: v1.mapping.session_number_for) keeps v1.0's."""
    if number is not None:
        return int(number)
    if current_number is not None and session_number_for(current_number)[0] is None:
        return current_number
    return None


def zone_of(profile):
    preferences = profile.preferences.as_dict() if profile and hasattr(profile.preferences, "as_dict") else {}
    return ZoneInfo(preferences["time_zone"]) if preferences.get("time_zone") else UTC


# --- summaries and share tokens -------------------------------------------------------------------
def v1_kind(kind):
    return V1_KINDS.get(kind, kind)


def write_summary(rows, summary, *, session_uuid):
    kind = v1_kind(summary.kind)
    rows.conn.execute(
        """
        INSERT INTO summaries (id, session_id, kind, content, model, prompt_tokens, completion_tokens, created_at)
        VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
        ON CONFLICT (session_id, kind) DO UPDATE SET content = EXCLUDED.content, model = EXCLUDED.model,
          prompt_tokens = EXCLUDED.prompt_tokens, completion_tokens = EXCLUDED.completion_tokens
        """,
        (
            uuid.uuid5(SUMMARY_NAMESPACE, f"{session_uuid}:{kind}"),
            session_uuid,
            kind,
            summary.text,
            summary.model or None,
            int(summary.input_tokens or 0),
            int(summary.output_tokens or 0),
            summary.created,
        ),
    )


def delete_summary(rows, *, session_id, kind):
    session_uuid = paired_row_id(rows, ids.SESSION, session_id)
    if session_uuid is not None:
        rows.conn.execute("DELETE FROM summaries WHERE session_id = %s AND kind = %s", (session_uuid, v1_kind(kind)))


def write_share_token(rows, *, user_id, token_hash, pointer):
    """Only a token v1.0 made (imported) can be there: stored here as its SHA-256, found
    among the owner's sessions by it. A link gone here (revoked, or its session deleted)
    is no longer shared on v1.0; a link still here keeps its expiry. A link made here (43
    characters) has no row: v1.0 cannot hold it."""
    if pointer is None:
        assignments, values = "share_token = NULL, share_expires_at = NULL", ()
    else:
        assignments, values = "share_expires_at = %s", (pointer.expires,)
    rows.conn.execute(
        f"""
        UPDATE game_sessions SET {assignments}
        WHERE share_token IS NOT NULL
          AND encode(sha256(convert_to(share_token, 'UTF8')), 'hex') = %s
          AND campaign_id IN (SELECT id FROM campaigns WHERE owner_id = %s)
        """,
        (*values, token_hash, user_id),
    )
