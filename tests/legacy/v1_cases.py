"""The awkward v1.0 data issue 13 lists, each under a name in `V1Dataset.cases`.

CASES says what each name holds; tests/legacy/test_v1_data.py queries v1.0's tables for
every one. Ids are user ids (int) for user cases, UUIDs for campaigns, sessions and
summaries, the token for share-token cases and the object key for bucket cases.
"""

from datetime import UTC, date, datetime, timedelta

import v1_transcripts as bodies

CASES = {
    "email_case_duplicates": "users: two rows whose emails differ only by letter case (older first)",
    "email_null": "users: email IS NULL",
    "email_invalid": "users: an e-mail that is no address (v1.0 did not check)",
    "email_unverified": 'users: "emailVerified" IS NULL',
    "oauth_only": "users: accounts rows (discord, google) and password_hash IS NULL",
    "oauth_and_password": "users: an accounts row and a password",
    "admin": "users: role = 'admin'",
    "bcrypt_2a": "users: $2a$ hashes",
    "bcrypt_2b": "users: $2b$ hashes",
    "bcrypt_cost_10": "users: cost 10",
    "bcrypt_cost_11": "users: cost 11",
    "bcrypt_cost_12": "users: cost 12",
    "password_over_72_bytes": "users: a passphrase longer than bcrypt's 72 bytes",
    "password_against_policy": "users: an old password the user pool's policy would refuse",
    "user_markup": "users: a name with markup and control characters",
    "no_user_settings": "users: no user_settings row",
    "time_zone_null": "user_settings: time_zone IS NULL (UTC)",
    "theme_light": "user_settings: theme 'light'",
    "theme_dark": "user_settings: theme 'dark'",
    "theme_system": "user_settings: theme 'system'",
    "theme_null": "user_settings: theme IS NULL",
    "played_at_previous_local_day": "game_sessions: played_at's UTC day is a day after the owner's local day",
    "played_at_next_local_day": "game_sessions: played_at's UTC day is a day before the owner's local day",
    "played_at_utc_late": "game_sessions: 23:30 UTC for an owner with time_zone NULL: the UTC day",
    "played_at_null": "game_sessions: played_at IS NULL",
    "campaign_soft_deleted": "campaigns: deleted_at set (its sessions are not)",
    "campaign_archived": "campaigns: archived",
    "campaign_markup": "campaigns: name and description with markup and control characters",
    "session_soft_deleted": "game_sessions: deleted_at set, in a live campaign",
    "session_in_soft_deleted_campaign": "game_sessions: live, in a soft-deleted campaign",
    "session_number_null": "game_sessions: session_number IS NULL",
    "session_number_zero": "game_sessions: session_number = 0",
    "session_number_negative": "game_sessions: session_number < 0",
    "session_number_repeated": "game_sessions: two sessions of one campaign with the same number",
    "session_markup": "game_sessions: title and notes with markup and control characters",
    "session_notes_over_budget": "game_sessions: notes of 350 KB, past what an item should hold",
    "transcript_none": "game_sessions: no transcript at all",
    "transcript_text": "game_sessions: transcript_text (inline, small)",
    "transcript_text_multi_megabyte": "game_sessions: transcript_text of several MB",
    "transcript_raw_utf16_bom": "game_sessions: transcript_raw in UTF-16 with a BOM",
    "transcript_raw_cp1252": "game_sessions: transcript_raw in Windows-1252",
    "transcript_raw_utf8_bom": "game_sessions: transcript_raw in UTF-8 with a BOM",
    "transcript_key": "game_sessions: transcript_key whose object is in `objects` (txt, vtt, srt, json)",
    "transcript_key_missing_object": "game_sessions: transcript_key whose object does not exist",
    "transcript_unparseable": "game_sessions: a transcript the app's parser refuses",
    "share_token_no_expiry": "game_sessions: share_token, share_expires_at IS NULL",
    "share_token_future_expiry": "game_sessions: share_token expiring after 2090",
    "share_token_expired": "game_sessions: share_token whose share_expires_at has passed",
    "share_token_dash_underscore": "game_sessions: a share_token holding both '-' and '_'",
    "summaries_without_transcript": "game_sessions: summaries but no transcript",
    "summary_recap": "summaries: kind 'recap'",
    "summary_highlights": "summaries: kind 'highlights' (this app: key_events)",
    "summary_npcs": "summaries: kind 'npcs'",
    "summary_locations": "summaries: kind 'locations'",
    "summary_loot": "summaries: kind 'loot'",
    "summary_quests": "summaries: kind 'quests' (this app: open_threads)",
    "summary_unknown_kind": "summaries: an older kind this app does not have ('cliffhangers')",
    "summary_without_model": "summaries: model and token counts NULL",
    "summary_markup": "summaries: content with markup and control characters",
}
V1_KINDS = ["recap", "highlights", "npcs", "locations", "loot", "quests"]
OLDER_KIND = "cliffhangers"
MARKUP = '<script>alert("v1")</script> <b>bold</b> & <img src=x onerror=alert(1)> [x](javascript:alert(1))'
CONTROL = "bell\x07 escape\x1b[31m tab\t vt\x0b ff\x0c cr\r rtl\u202eevil zero\u200bwidth 🐉"


def add_awkward_cases(b, *, big_transcript_bytes):
    _users(b)
    owner = b.user(email="Keeper@Example.com", name="Keeper", password="keeper-pass-1")
    b.settings(owner, time_zone="Europe/Berlin", theme="dark")
    _campaigns(b, owner)
    _session_fields(b, b.campaign(owner, name="Odd numbers"))
    _transcripts(b, owner, b.campaign(owner, name="Transcripts"), big_transcript_bytes)
    _share_tokens(b, b.campaign(owner, name="Shared"))
    _summaries(b, b.campaign(owner, name="Summaries"))
    _local_days(b)
    for user_id in (owner, *b.case("oauth_only")):
        b.web_session(user_id)
    b.verification_token("keeper@example.com")


def _users(b):
    older = b.user(email="Ana.Case@Example.com", name="Ana (old)", password="ana-old-pass", created_at=_at(2022, 3))
    newer = b.user(email="ana.case@example.COM", name="Ana (new)", password="ana-new-pass", created_at=_at(2023, 6))
    b.mark("email_case_duplicates", older, newer)
    b.settings(older, time_zone="Europe/Paris", theme="light")
    b.settings(newer, time_zone="America/New_York", theme="dark")
    for user_id in (older, newer):
        b.session(b.campaign(user_id, name=f"Campaign of user {user_id}"), number=1, title="Case twin's night")
    b.mark("email_null", b.user(email=None, name="No email", password="no-email-pass"))
    b.mark("email_null", b.user(email=None, name="No email, Discord only"))
    b.account(b.case("email_null")[-1], provider="discord")
    b.mark("email_invalid", b.user(email="player one at home", name="No address", password="invalid-1"))
    b.mark("email_unverified", b.user(email="unverified@example.com", password="unverified-1", emailVerified=None))
    for provider in ("discord", "google"):
        user_id = b.mark("oauth_only", b.user(email=f"{provider}-only@example.com", name=f"{provider} user"))
        b.account(user_id, provider=provider)
        b.campaign(user_id, name=f"Campaign via {provider}")
    both = b.mark("oauth_and_password", b.user(email="both@example.com", password="both-pass-123"))
    b.account(both, provider="google")
    b.mark("admin", b.user(email="admin@example.com", name="Admin", password="admin-pass-1", role="admin"))
    for prefix in ("2a", "2b"):
        for cost in (10, 11, 12):
            user_id = b.user(
                email=f"hash-{prefix}-{cost}@example.com", password=f"pw-{prefix}-{cost}", prefix=prefix, cost=cost
            )
            b.mark(f"bcrypt_{prefix}", user_id)
            b.mark(f"bcrypt_cost_{cost}", user_id)
    long_pass = "correct horse battery staple " * 4  # 116 bytes: bcrypt reads the first 72
    b.mark("password_over_72_bytes", b.user(email="long@example.com", password=long_pass))
    b.mark("password_against_policy", b.user(email="weak@example.com", password="abc"))
    b.mark("user_markup", b.user(email="markup@example.com", name=f"{MARKUP[:60]} {CONTROL}", password="markup-1"))
    b.mark("no_user_settings", b.user(email="no-settings@example.com", password="no-settings-1"))
    for theme in ("light", "dark", "system", None):
        user_id = b.user(email=f"theme-{theme}@example.com", password=f"theme-{theme}")
        b.settings(user_id, time_zone=None, theme=theme)
        b.mark(f"theme_{theme or 'null'}", user_id)
        b.mark("time_zone_null", user_id)


def _campaigns(b, owner):
    gone = b.mark("campaign_soft_deleted", b.campaign(owner, name="Abandoned", deleted_at=_at(2024, 1)))
    b.mark("session_in_soft_deleted_campaign", b.session(gone, number=1, title="In a deleted campaign"))
    b.mark("campaign_archived", b.campaign(owner, name="Finished", archived=True))
    b.mark("campaign_markup", b.campaign(owner, name=f"{MARKUP} {CONTROL}", description=f"**{MARKUP}**\n{CONTROL}"))


def _session_fields(b, campaign):
    b.mark("session_number_null", b.session(campaign, number=None, title="Unnumbered"))
    b.mark("session_number_zero", b.session(campaign, number=0, title="Session zero"))
    b.mark("session_number_negative", b.session(campaign, number=-3, title="A prequel"))
    b.mark("session_number_repeated", *(b.session(campaign, number=7, title=f"Seven, part {n}") for n in (1, 2)))
    b.mark("played_at_null", b.session(campaign, number=8, title="Undated", played_at=None))
    b.mark("session_soft_deleted", b.session(campaign, number=9, title="Deleted", deleted_at=_at(2024, 2)))
    b.mark("session_markup", b.session(campaign, number=10, title=f"{MARKUP} {CONTROL}", notes=f"{MARKUP}\n{CONTROL}"))
    long_notes = "The party argues about the map. 🐉\n" * 10_000  # 370,000 bytes of UTF-8
    b.mark("session_notes_over_budget", b.session(campaign, number=11, title="Very long notes", notes=long_notes))


def _transcripts(b, owner, campaign, big_transcript_bytes):
    rng = b.rng
    b.mark("transcript_none", b.session(campaign, number=1, title="Nothing recorded"))
    text = bodies.plain_text(bodies.spoken_lines(rng, 30))
    b.mark("transcript_text", b.session(campaign, number=2, transcript_text=text, transcript_filename="night.txt"))
    big = bodies.multi_megabyte_text(rng, big_transcript_bytes)
    b.mark("transcript_text_multi_megabyte", b.session(campaign, number=3, transcript_text=big))
    for number, (case, encoding) in enumerate(
        [("utf16_bom", "utf-16"), ("cp1252", "cp1252"), ("utf8_bom", "utf-8-sig")], start=4
    ):
        raw = bodies.raw_bytes(rng, encoding)
        session = b.session(campaign, number=number, transcript_raw=raw, transcript_filename=f"{case}.txt")
        b.mark(f"transcript_raw_{case}", session)
    for number, (extension, render) in enumerate(bodies.OBJECT_FORMATS, start=10):
        key = f"transcripts/{owner}/{b.uuid()}/session-{number}.{extension}"
        b.stored_object(key, render(bodies.spoken_lines(rng, 20)).encode())
        b.mark("transcript_key", b.session(campaign, number=number, transcript_key=key, transcript_filename=key))
    missing = f"transcripts/{owner}/{b.uuid()}/lost.vtt"
    b.data.missing_object_keys.append(missing)
    b.mark("transcript_key_missing_object", b.session(campaign, number=20, transcript_key=missing))
    bad = bodies.unparseable_text()
    b.mark("transcript_unparseable", b.session(campaign, number=21, transcript_text=bad, transcript_filename="bad.vtt"))


def _share_tokens(b, campaign):
    for number, (case, expires) in enumerate(
        [("no_expiry", None), ("future_expiry", _at(2099, 1)), ("expired", _at(2023, 1))], start=1
    ):
        token = b.new_share_token()
        b.session(campaign, number=number, share_token=token, share_expires_at=expires)
        b.mark(f"share_token_{case}", token)
    token = b.new_share_token(wanted="-_")
    b.session(campaign, number=4, share_token=token)
    b.mark("share_token_dash_underscore", token)


def _summaries(b, campaign):
    text = bodies.plain_text(bodies.spoken_lines(b.rng, 20))
    with_transcript = b.session(campaign, number=1, transcript_text=text)
    for kind in V1_KINDS:
        b.mark(f"summary_{kind}", b.summary(with_transcript, kind=kind))
    b.mark("summary_unknown_kind", b.summary(with_transcript, kind=OLDER_KIND, model=None))
    bare = b.mark("summaries_without_transcript", b.session(campaign, number=2, title="Summarized, no transcript"))
    b.mark("summary_without_model", b.summary(bare, kind="recap", model=None))
    b.mark("summary_markup", b.summary(bare, kind="npcs", content=f"# {MARKUP}\n\n{CONTROL}\n"))


def _local_days(b):
    """Sessions whose played_at names another day in the owner's time zone than in UTC."""
    cases = [
        (
            "played_at_previous_local_day",
            "America/Los_Angeles",
            datetime(2024, 3, 2, 5, 30, tzinfo=UTC),
            date(2024, 3, 1),
        ),
        ("played_at_next_local_day", "Pacific/Kiritimati", datetime(2024, 3, 1, 20, 0, tzinfo=UTC), date(2024, 3, 2)),
        ("played_at_utc_late", None, datetime(2024, 3, 1, 23, 30, tzinfo=UTC), date(2024, 3, 1)),
    ]
    for case, zone, played_at, local_day in cases:
        owner = b.user(email=f"{case.replace('_', '-')}@example.com", password=f"{case}-pw")
        b.settings(owner, time_zone=zone, theme="system")
        session = b.mark(case, b.session(b.campaign(owner, name=f"Night in {zone or 'UTC'}"), played_at=played_at))
        b.data.local_days[session] = local_day
        if zone is None:
            b.mark("time_zone_null", owner)


def _at(year, month):
    return datetime(year, month, 15, 12, 0, tzinfo=UTC) + timedelta(microseconds=123)
