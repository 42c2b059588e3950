"""accounts.profiles: the theme and time zone a profile keeps (Profile.preferences), as the
v1.0 import writes them (create_profile) and a user changes them (set_preferences)."""

from datetime import UTC, datetime

import pytest

from accounts.deletion import mark_account_deleting
from accounts.profiles import (
    ProfileAlreadyExists,
    ProfileMissing,
    create_profile,
    get_profile,
    preferences_of,
    set_preferences,
)

ADA = "sub-ada"
V1_CREATED = datetime(2023, 3, 14, 15, 9, 26, tzinfo=UTC)


def test_create_profile_keeps_the_given_day_and_preferences(aws):
    create_profile(
        sub=ADA,
        email="ada@example.com",
        display_name="Ada",
        is_staff=True,
        created=V1_CREATED,
        preferences={"theme": "dark", "time_zone": "America/Los_Angeles"},
    )
    stored = get_profile(sub=ADA)
    assert (stored.display_name, stored.is_staff, stored.created) == ("Ada", True, V1_CREATED)
    assert preferences_of(stored) == {"theme": "dark", "time_zone": "America/Los_Angeles"}


def test_create_profile_without_preferences_keeps_none(aws):
    before = datetime.now(UTC)
    created = create_profile(sub=ADA, email="ada@example.com")
    stored = get_profile(sub=ADA)
    assert preferences_of(created) == preferences_of(stored) == {}
    assert stored.created >= before.replace(microsecond=0)


def test_create_profile_leaves_out_a_preference_given_as_none(aws):
    # v1.0's user_settings with a NULL column: nothing stored for it.
    create_profile(sub=ADA, email="ada@example.com", preferences={"theme": None, "time_zone": "Europe/Paris"})
    assert preferences_of(get_profile(sub=ADA)) == {"time_zone": "Europe/Paris"}


def test_create_profile_still_never_overwrites_one(aws):
    create_profile(sub=ADA, email="ada@example.com", preferences={"theme": "dark"})
    with pytest.raises(ProfileAlreadyExists):
        create_profile(sub=ADA, email="other@example.com", preferences={"theme": "light"})
    assert preferences_of(get_profile(sub=ADA)) == {"theme": "dark"}


@pytest.mark.parametrize(
    "preferences, message",
    [
        ({"theme": "system"}, "Unknown theme 'system': a theme is one of auto, light, dark."),
        ({"time_zone": "Mars/Olympus_Mons"}, "Unknown time zone 'Mars/Olympus_Mons'"),
        ({"language": "fr"}, "Unknown preferences ['language']: a profile keeps only theme, time_zone."),
    ],
)
def test_create_profile_refuses_bad_preferences_and_writes_nothing(aws, aws_calls, preferences, message):
    with aws_calls() as calls, pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        create_profile(sub=ADA, email="ada@example.com", preferences=preferences)
    assert calls.operations() == []
    assert get_profile(sub=ADA) is None


def test_set_preferences_is_one_update_of_the_named_preference_only(aws, aws_calls):
    create_profile(sub=ADA, email="ada@example.com", preferences={"theme": "dark", "time_zone": "Europe/Paris"})
    with aws_calls() as calls:
        updated = set_preferences(sub=ADA, theme="light")
    assert calls.operations() == ["dynamodb.UpdateItem"]
    assert preferences_of(updated) == {"theme": "light", "time_zone": "Europe/Paris"}  # from the ALL_NEW answer

    set_preferences(sub=ADA, time_zone="Asia/Kolkata")
    assert preferences_of(get_profile(sub=ADA)) == {"theme": "light", "time_zone": "Asia/Kolkata"}
    set_preferences(sub=ADA, theme="auto", time_zone="UTC")
    assert preferences_of(get_profile(sub=ADA)) == {"theme": "auto", "time_zone": "UTC"}


def test_set_preferences_on_a_profile_that_had_none(aws):
    create_profile(sub=ADA, email="ada@example.com")
    set_preferences(sub=ADA, theme="dark")
    assert preferences_of(get_profile(sub=ADA)) == {"theme": "dark"}


@pytest.mark.parametrize("theme", ["system", "Dark", "neon", "", 1, ["dark"]])
def test_a_theme_we_do_not_have_is_refused_before_any_request(aws, aws_calls, theme):
    create_profile(sub=ADA, email="ada@example.com")
    with aws_calls() as calls, pytest.raises(ValueError, match="Unknown theme .*: a theme is one of auto, light, dark"):
        set_preferences(sub=ADA, theme=theme)
    assert calls.operations() == []


# Names zoneinfo's own ZoneInfo() would open although they are no time zone (a file of
# the database, a path), wrong letter case, and no name at all.
@pytest.mark.parametrize(
    "time_zone", ["Mars/Olympus_Mons", "posixrules", "../zoneinfo/UTC", "america/los_angeles", "", 5, "UTC\x00"]
)
def test_a_time_zone_zoneinfo_does_not_know_is_refused_before_any_request(aws, aws_calls, time_zone):
    create_profile(sub=ADA, email="ada@example.com")
    with aws_calls() as calls, pytest.raises(ValueError, match="Unknown time zone .*: a time zone is an IANA name"):
        set_preferences(sub=ADA, time_zone=time_zone)
    assert calls.operations() == []


@pytest.mark.parametrize("time_zone", ["America/Los_Angeles", "Pacific/Kiritimati", "US/Pacific", "Etc/GMT-14", "UTC"])
def test_iana_names_and_their_old_aliases_are_kept(aws, time_zone):
    create_profile(sub=ADA, email="ada@example.com")
    set_preferences(sub=ADA, time_zone=time_zone)
    assert preferences_of(get_profile(sub=ADA)) == {"time_zone": time_zone}


def test_set_preferences_needs_something_to_set(aws):
    create_profile(sub=ADA, email="ada@example.com")
    with pytest.raises(ValueError, match="Give a theme, a time zone or both"):
        set_preferences(sub=ADA)


def test_set_preferences_never_creates_a_profile(aws):
    with pytest.raises(ProfileMissing):
        set_preferences(sub=ADA, theme="dark")
    assert get_profile(sub=ADA) is None


def test_set_preferences_writes_nothing_to_an_account_being_deleted(aws):
    create_profile(sub=ADA, email="ada@example.com")
    mark_account_deleting(sub=ADA)
    with pytest.raises(ProfileMissing):
        set_preferences(sub=ADA, theme="dark")
    assert preferences_of(get_profile(sub=ADA)) == {}
