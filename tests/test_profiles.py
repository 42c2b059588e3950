"""accounts.profiles: sign-in sync, auth_version, and the profile handed over by the session store."""

from datetime import UTC, datetime

import pytest
from pynamodb.exceptions import PynamoDBException

from accounts.deletion import mark_account_deleting
from accounts.profiles import (
    ProfileMissing,
    bump_auth_version,
    create_profile,
    get_profile,
    hand_over_profile,
    profile_for_request,
    sync_profile_at_login,
    update_display_name,
)
from campaigns_site import directory

ADA = "sub-ada"
SIGNED_IN = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


def test_first_sign_in_creates_the_profile(aws):
    profile = sync_profile_at_login(sub=ADA, email="ada@example.com", display_name="Ada", is_staff=True)
    stored = get_profile(sub=ADA)
    assert (stored.email, stored.display_name, stored.is_staff, stored.auth_version) == (
        "ada@example.com",
        "Ada",
        True,
        1,
    )
    assert profile.sub == ADA


def test_sign_in_syncs_email_and_staff_but_keeps_the_display_name(aws, aws_calls):
    create_profile(sub=ADA, email="old@example.com", display_name="Ada the Bard")
    with aws_calls() as calls:
        profile = sync_profile_at_login(sub=ADA, email="ada@example.com", display_name="Cognito Name", is_staff=True)
    assert (profile.email, profile.display_name, profile.is_staff) == ("ada@example.com", "Ada the Bard", True)
    assert get_profile(sub=ADA).email == "ada@example.com"
    assert calls.operations() == [
        "dynamodb.GetItem",  # the profile
        "dynamodb.UpdateItem",  # its email and staff flag
        "dynamodb.UpdateItem",  # the user directory: the sign-in, the email, the flag
    ]
    assert directory.get_entry(sub=ADA).email == "ada@example.com"


def test_sign_in_with_nothing_changed_only_reads_the_profile_and_records_the_sign_in(aws, aws_calls, time_machine):
    create_profile(sub=ADA, email="ada@example.com")
    assert directory.get_entry(sub=ADA).last_sign_in is None
    time_machine.move_to(SIGNED_IN, tick=False)
    with aws_calls() as calls:
        sync_profile_at_login(sub=ADA, email="ada@example.com", display_name="", is_staff=False)
    assert calls.operations() == ["dynamodb.GetItem", "dynamodb.UpdateItem"]  # the profile; the directory
    assert directory.get_entry(sub=ADA).last_sign_in == SIGNED_IN


def test_sign_up_and_first_sign_in_write_the_directory(aws, aws_calls):
    with aws_calls() as calls:
        create_profile(sub=ADA, email="Ada@example.com", is_staff=True)
    assert calls.operations() == ["dynamodb.PutItem", "dynamodb.UpdateItem"]  # the profile; the directory
    entry = directory.get_entry(sub=ADA)
    assert (entry.email, entry.origin, entry.is_staff, entry.created) == (
        "ada@example.com",
        "new",
        True,
        get_profile(sub=ADA).created,
    )
    sync_profile_at_login(sub="sub-bo", email="bo@example.com", display_name="Bo", is_staff=False)
    assert directory.get_entry(sub="sub-bo").last_sign_in is not None


def test_a_refused_sign_in_of_an_account_being_deleted_is_not_recorded(aws):
    create_profile(sub=ADA, email="ada@example.com")
    mark_account_deleting(sub=ADA)
    sync_profile_at_login(sub=ADA, email="ada@example.com", display_name="", is_staff=False)
    assert directory.get_entry(sub=ADA).last_sign_in is None


def test_a_failed_directory_write_does_not_fail_the_sign_in(aws, monkeypatch, caplog):
    create_profile(sub=ADA, email="ada@example.com")

    def refused(**facts):
        raise PynamoDBException("throttled")

    monkeypatch.setattr(directory, "record_sign_in", refused)
    profile = sync_profile_at_login(sub=ADA, email="ada@example.com", display_name="", is_staff=False)
    assert profile.email == "ada@example.com"
    assert "user directory: refused for sub-ada failed" in caplog.text


def test_bump_auth_version_counts_up(aws):
    create_profile(sub=ADA, email="ada@example.com")
    assert bump_auth_version(sub=ADA) == 2
    assert bump_auth_version(sub=ADA) == 3
    assert get_profile(sub=ADA).auth_version == 3


def test_bump_auth_version_never_creates_a_profile(aws):
    with pytest.raises(ProfileMissing):
        bump_auth_version(sub=ADA)
    assert get_profile(sub=ADA) is None


def test_profile_for_request_prefers_the_handed_over_one_once(aws, aws_calls):
    create_profile(sub=ADA, email="ada@example.com")
    hand_over_profile(sub=ADA, profile=get_profile(sub=ADA))
    with aws_calls() as calls:
        assert profile_for_request(sub=ADA).email == "ada@example.com"
        assert profile_for_request(sub=ADA).email == "ada@example.com"
    assert calls.operations() == ["dynamodb.GetItem"]


def test_a_later_session_load_replaces_what_was_handed_over(aws, aws_calls):
    create_profile(sub=ADA, email="ada@example.com")
    hand_over_profile(sub=ADA, profile=get_profile(sub=ADA))
    hand_over_profile(sub=None, profile=None)  # an anonymous session loaded since
    with aws_calls() as calls:
        profile_for_request(sub=ADA)
    assert calls.operations() == ["dynamodb.GetItem"]


def test_update_display_name_is_one_update_and_returns_the_profile(aws, aws_calls):
    create_profile(sub=ADA, email="ada@example.com", display_name="Ada")
    with aws_calls() as calls:
        profile = update_display_name(sub=ADA, display_name="Ada the Sage 🐉")
    assert calls.operations() == ["dynamodb.UpdateItem"]
    assert (profile.display_name, profile.email, profile.sub) == ("Ada the Sage 🐉", "ada@example.com", ADA)
    assert get_profile(sub=ADA).display_name == "Ada the Sage 🐉"


def test_update_display_name_never_creates_a_profile_nor_touches_one_being_deleted(aws):
    from accounts.deletion import mark_account_deleting

    with pytest.raises(ProfileMissing):
        update_display_name(sub=ADA, display_name="Ada")
    assert get_profile(sub=ADA) is None

    create_profile(sub=ADA, email="ada@example.com", display_name="Ada")
    mark_account_deleting(sub=ADA)
    with pytest.raises(ProfileMissing):
        update_display_name(sub=ADA, display_name="Someone else")
    assert get_profile(sub=ADA).display_name == "Ada"
