"""The mirror's reverse mapping's pure parts (cutover/mirror_rows.py, mirror_transcripts.py)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from cutover.mirror_rows import V1_KINDS, V1_THEMES, number_for, played_at_for, v1_kind
from cutover.mirror_transcripts import mirror_key

LOS_ANGELES = ZoneInfo("America/Los_Angeles")


def test_a_day_is_noon_in_the_owners_time_zone():
    assert played_at_for("2024-03-10", LOS_ANGELES) == datetime(2024, 3, 10, 19, tzinfo=UTC)  # the DST change's day
    assert played_at_for("2024-06-07", UTC) == datetime(2024, 6, 7, 12, tzinfo=UTC)
    assert played_at_for(None, UTC) is None


def test_v1s_own_instant_is_kept_while_it_names_the_same_day():
    v1_instant = datetime(2024, 3, 2, 5, 30, tzinfo=UTC)  # 1 March in Los Angeles
    assert played_at_for("2024-03-01", LOS_ANGELES, current_played_at=v1_instant) == v1_instant
    assert played_at_for("2024-03-02", LOS_ANGELES, current_played_at=v1_instant) == datetime(
        2024, 3, 2, 20, tzinfo=UTC
    )


def test_a_number_the_import_dropped_stays_on_v1():
    assert number_for(3, current_number=0) == 3
    assert [number_for(None, current_number=n) for n in (0, -2, None, 5)] == [0, -2, None, None]


def test_kinds_and_themes_back_to_v1s_names():
    assert V1_KINDS == {"key_events": "highlights", "open_threads": "quests"}
    assert [v1_kind(kind) for kind in ("recap", "key_events", "session_mood")] == [
        "recap",
        "highlights",
        "session_mood",
    ]
    assert V1_THEMES == {"light": "light", "dark": "dark", "auto": "system"}


def test_a_transcripts_key_in_v1s_bucket_is_safe_whatever_the_file_name():
    assert mirror_key("u", "01J", "night.vtt") == "mirror/u/01J/night.vtt"
    assert mirror_key("u", "01J", "../a/b.txt") == "mirror/u/01J/.._a_b.txt"
    assert mirror_key("u", "01J", "") == "mirror/u/01J/transcript.txt"
