"""How a v1.0 row becomes this app's data: pure functions, shared by import_v1 and
verify_v1 so that both agree on every id, kind, day and number (docs/migration.md).

Ids are derived from the v1.0 row, not drawn at random: a ULID whose time part is the
row's created_at (lists keep v1.0's order of creation) and whose random part is a hash of
its v1.0 UUID. A re-run makes the same ids, so it finds what it wrote before without a
lookup table, and verify_v1 pairs the rows the same way.
"""

import hashlib
import re
from datetime import UTC
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from ulid import ULID

from accounts.profiles import checked_preferences
from sessions.core.play_order import MAX_NUMBER
from sessions.summaries.imported import kept_whole
from sessions.summaries.items import is_storable_kind

# v1.0's summary kinds that this app has under another name; the others known here keep
# theirs, and a kind this app does not know is kept under its v1.0 name.
KIND_RENAMES = {"highlights": "key_events", "quests": "open_threads"}
# v1.0's theme → this app's (campaigns_site.forms.THEMES): "system" is "match my device".
THEMES = {"light": "light", "dark": "dark", "system": "auto"}
# What the summary items say made them (the page shows the model as v1.0 had it).
PROVIDER = "v1.0"


def derived_id(kind, v1_id, created_at):
    """The ULID this app uses for a v1.0 row: `kind` keeps ids of different tables apart."""
    milliseconds = int(created_at.timestamp() * 1000)
    randomness = hashlib.sha256(f"v1:{kind}:{v1_id}".encode()).digest()[:10]
    return str(ULID.from_bytes(milliseconds.to_bytes(6, "big") + randomness))


def campaign_id_for(campaign):
    return derived_id("campaign", campaign.id, campaign.created_at)


def session_id_for(session):
    return derived_id("session", session.id, session.created_at)


def upload_id_for(session):
    """The upload id of an imported transcript: the same on a re-run, so a run killed after
    putting the objects and before recording them overwrites them, never leaves two."""
    return derived_id("transcript", session.id, session.created_at)


def transcript_filename_for(session):
    """The name an imported transcript is uploaded under (its extension helps the parser
    tell the format): v1.0's file name, else its object key's last part, else a .txt."""
    if session.transcript_filename:
        return session.transcript_filename
    if session.transcript_key:
        return session.transcript_key.rsplit("/", 1)[-1]
    return "transcript.txt"


def summary_kind_for(v1_kind):
    """This app's kind for v1.0's: renamed, or kept under v1.0's name; a name that cannot be
    a key (sessions.summaries.items.is_storable_kind) is kept in a form that can."""
    kind = KIND_RENAMES.get(v1_kind, v1_kind)
    if is_storable_kind(kind):
        return kind
    hashed = hashlib.sha256(v1_kind.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{re.sub(r'[^A-Za-z0-9_-]+', '_', v1_kind).strip('_')[:50]}_{hashed}".lstrip("_")


def theme_for(v1_theme):
    """This app's theme for v1.0's, or None (keep the default: match the device)."""
    return THEMES.get(v1_theme or "")


def time_zone_for(name):
    """(ZoneInfo, None) for a known IANA name; (UTC, a note) otherwise. NULL is UTC, silently.
    Known: what the profile accepts (accounts.profiles.checked_preferences)."""
    if not name:
        return UTC, None
    try:
        checked_preferences(time_zone=name)
    except ValueError:
        return UTC, f"unknown time zone {name!r}: days are read in UTC"
    return ZoneInfo(name), None


def preferences_for(v1_user):
    """The profile's preferences for v1.0's user_settings: theme and time zone, when known."""
    zone_name = v1_user.time_zone if time_zone_for(v1_user.time_zone)[1] is None else None
    return {"theme": theme_for(v1_user.theme), "time_zone": zone_name or None}


def played_on_for(played_at, zone):
    """The day `played_at` names in the owner's time zone; None when v1.0 had no instant."""
    if played_at is None:
        return None
    return played_at.astimezone(zone).date()


def session_number_for(v1_number):
    """(number, note): 0, a negative number or one past MAX_NUMBER becomes no number, and
    the note says which it was, for the report. NULL is simply no number.

    0: the issue counts it among the numbers to drop, though this app's form accepts it
    (docs/migration.md, "session_number"); the title keeps what the GM called it.
    """
    if v1_number is None:
        return None, None
    if not 1 <= v1_number <= MAX_NUMBER:
        return None, f"session number {v1_number} imported as no number"
    return v1_number, None


# v1.0's TEXT has no limit, an item holds 400 KB, and the app's forms cap what people type
# far lower. Imported text is kept whole up to these UTF-8 sizes (beyond any form's cap:
# nothing typed in v1.0 is cut for being longer than the form allows), and cut beyond,
# with a report line: a value this long was never typed by hand.
TEXT_BUDGETS = {
    "name": 10_000,
    "title": 10_000,
    "game_system": 10_000,
    "description": 100_000,
    "notes": 200_000,
}


def fitted_text(value, field):
    """(the text as imported, None) or, past the field's budget, (its start, a note)."""
    value = value or ""
    budget = TEXT_BUDGETS[field]
    encoded = value.encode("utf-8", "surrogatepass")
    if len(encoded) <= budget:
        return value, None
    kept = encoded[:budget].decode("utf-8", "ignore")  # never half a character
    return kept, f"{field} of {len(encoded):,} bytes cut to {budget:,}"


def texts_as_imported(row, fields, *, on_cut):
    """{field: the row's text as the import writes it}: `fitted_text` for the row's own
    fields, a summary's `content` as imported_summary keeps it. `on_cut(note)` is called
    for each text that is cut (import_v1 and verify_v1 report it the same way)."""
    texts = {}
    for field in fields:
        value = getattr(row, field) or ""
        if field == "content":
            texts[field], note = kept_whole(value), None
            if texts[field] != value:
                note = f"content of {len(value.encode('utf-8', 'surrogatepass')):,} bytes cut at a line"
        else:
            texts[field], note = fitted_text(value, field)
        if note:
            on_cut(note)
    return texts


def email_key(email):
    """Emails that differ only by letter case are one address to Cognito and to people."""
    return address_for(email)


def address_for(email):
    """The address the account signs in with: lower case, as the app's sign-up and login
    forms make every address (accounts/forms.py), so any spelling v1.0 kept signs in."""
    return email.strip().lower()


def is_valid_address(email):
    """Whether Cognito (and the app's forms) would take it as an e-mail address."""
    try:
        validate_email(address_for(email))
    except ValidationError:
        return False
    return True
