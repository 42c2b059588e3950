"""v1/mapping.py: how a v1.0 row becomes this app's ids, days, numbers and texts."""

from datetime import UTC, date, datetime
from types import SimpleNamespace
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st
from ulid import ULID

from v1 import mapping

CREATED = datetime(2023, 4, 5, 6, 7, 8, 123000, tzinfo=UTC)
ROW_ID = UUID("12345678-1234-5678-1234-567812345678")


def test_a_derived_id_is_a_ulid_of_the_rows_time_and_the_same_every_time():
    first = mapping.derived_id("session", ROW_ID, CREATED)
    assert first == mapping.derived_id("session", ROW_ID, CREATED)
    assert ULID.from_str(first).datetime == CREATED
    assert first != mapping.derived_id("campaign", ROW_ID, CREATED)  # tables never share an id


@given(st.uuids(), st.uuids())
def test_different_rows_get_different_ids(one, other):
    if one != other:
        assert mapping.derived_id("session", one, CREATED) != mapping.derived_id("session", other, CREATED)


def test_kinds_map_and_unknown_kinds_are_kept():
    assert mapping.summary_kind_for("highlights") == "key_events"
    assert mapping.summary_kind_for("quests") == "open_threads"
    assert mapping.summary_kind_for("recap") == "recap"
    assert mapping.summary_kind_for("cliffhangers") == "cliffhangers"


def test_the_day_is_the_owners_local_day():
    zone, note = mapping.time_zone_for("America/Los_Angeles")
    assert note is None
    assert mapping.played_on_for(datetime(2024, 3, 2, 5, 30, tzinfo=UTC), zone) == date(2024, 3, 1)
    assert mapping.played_on_for(None, zone) is None


def test_an_unknown_time_zone_reads_as_utc_with_a_note():
    for name in ("Mars/Olympus_Mons", "posixrules", "../etc/passwd"):
        zone, note = mapping.time_zone_for(name)
        assert zone is UTC and "unknown time zone" in note
    assert mapping.time_zone_for(None) == (UTC, None)


def test_numbers_the_forms_refuse_become_no_number_with_a_note():
    assert mapping.session_number_for(None) == (None, None)
    assert mapping.session_number_for(7) == (7, None)
    for refused in (0, -3, 10**12):
        number, note = mapping.session_number_for(refused)
        assert number is None and str(refused) in note


def test_preferences_map_theme_and_keep_a_known_zone():
    user = SimpleNamespace(theme="system", time_zone="Europe/Berlin")
    assert mapping.preferences_for(user) == {"theme": "auto", "time_zone": "Europe/Berlin"}
    user = SimpleNamespace(theme=None, time_zone="Nowhere/Land")
    assert mapping.preferences_for(user) == {"theme": None, "time_zone": None}


@given(st.text(), st.sampled_from(sorted(mapping.TEXT_BUDGETS)))
def test_fitted_text_is_a_whole_character_prefix_within_the_budget(text, field):
    kept, note = mapping.fitted_text(text, field)
    assert text.startswith(kept)
    assert len(kept.encode("utf-8", "surrogatepass")) <= mapping.TEXT_BUDGETS[field]
    assert (note is None) == (kept == text)


def test_fitted_text_cuts_a_long_value_between_characters():
    kept, note = mapping.fitted_text("🐉" * 60_000, "notes")
    assert kept == "🐉" * 50_000 and "240,000 bytes cut to 200,000" in note


def test_emails_differing_only_by_case_are_one_key():
    assert mapping.email_key("Ana.Case@Example.com") == mapping.email_key("ana.case@example.COM")


def test_an_address_signs_in_in_lower_case_and_nonsense_is_no_address():
    assert mapping.address_for(" Keeper@Example.com ") == "keeper@example.com"
    assert mapping.is_valid_address("Keeper@Example.com")
    for nonsense in ("player one at home", "@", "a@b@c", ""):
        assert not mapping.is_valid_address(nonsense)


def test_a_v1_kind_that_cannot_be_a_key_is_kept_in_a_form_that_can():
    from sessions.summaries.items import is_storable_kind

    for odd in ("Session Mood", "combat log #2", "éclair", "###"):
        kind = mapping.summary_kind_for(odd)
        assert is_storable_kind(kind), kind
        assert kind == mapping.summary_kind_for(odd)  # the same on every run
    assert mapping.summary_kind_for("Session Mood").startswith("Session_Mood_")
