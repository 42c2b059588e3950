"""manage.py import_v1 against a real PostgreSQL holding every awkward v1.0 case
(tests/legacy/v1_cases.py), into moto."""

import pytest
from django.conf import settings
from import_runs import lines_for, partition, run_import_v1, sub_of, whole_table

from accounts import cognito
from accounts.legacy_passwords import get_legacy_password
from accounts.profiles import get_profile
from campaigns_site import aws as aws_module
from campaigns_site import directory

pytestmark = pytest.mark.django_db


def user_row(dataset, user_id):
    return next(row for row in dataset.rows["users"] if row["id"] == user_id)


def session_row(dataset, session_id):
    return next(row for row in dataset.rows["game_sessions"] if row["id"] == session_id)


def test_the_report_counts_every_table_and_says_it_completed(imported_v1, v1_small_dataset):
    report, output = imported_v1
    assert report["source_rows"] == v1_small_dataset.counts()
    assert report["imported"]["users"] > 0 and report["imported"]["sessions"] > 0
    assert "Import complete." in output


def test_case_duplicates_and_null_emails_are_reported_not_imported(imported_v1, v1_small_dataset):
    report, _ = imported_v1
    older, newer = v1_small_dataset.case("email_case_duplicates")
    assert {line["id"] for line in lines_for(report, "email_case_duplicate")} == {str(older), str(newer)}
    assert sub_of(user_row(v1_small_dataset, older)["email"]) is None
    assert {line["id"] for line in lines_for(report, "email_null")} == {
        str(i) for i in v1_small_dataset.case("email_null")
    }
    assert [line["id"] for line in lines_for(report, "email_invalid")] == [
        str(v1_small_dataset.case("email_invalid")[0])
    ]


def test_users_land_with_profile_staff_and_old_password_item(imported_v1, v1_small_dataset):
    (admin,) = v1_small_dataset.case("admin")
    sub = sub_of(user_row(v1_small_dataset, admin)["email"])
    assert get_profile(sub=sub).is_staff
    entry = directory.get_entry(sub=sub)  # the staff's user directory says where it came from
    assert (entry.origin, entry.is_staff, entry.created) == (
        "v1",
        True,
        user_row(v1_small_dataset, admin)["created_at"],
    )
    assert get_legacy_password(sub=sub).password_hash == user_row(v1_small_dataset, admin)["password_hash"]
    user = aws_module.client("cognito-idp").admin_get_user(UserPoolId=settings.COGNITO_USER_POOL_ID, Username=sub)
    assert user["UserStatus"] == "CONFIRMED"  # never FORCE_CHANGE_PASSWORD: "forgot password" works
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]
    cognito.forgot_password(email=user_row(v1_small_dataset, admin)["email"])  # a code is sent, not refused
    for oauth_only in v1_small_dataset.case("oauth_only"):
        item = get_legacy_password(sub=sub_of(user_row(v1_small_dataset, oauth_only)["email"]))
        assert item.social_only


def test_soft_deleted_rows_are_counted_not_imported(imported_v1, v1_small_dataset):
    report, _ = imported_v1
    skipped = {line["id"] for line in lines_for(report, "soft_deleted")}
    assert str(v1_small_dataset.case("campaign_soft_deleted")[0]) in skipped
    assert str(v1_small_dataset.case("session_soft_deleted")[0]) in skipped
    in_gone = {line["id"] for line in lines_for(report, "in_soft_deleted_campaign")}
    assert str(v1_small_dataset.case("session_in_soft_deleted_campaign")[0]) in in_gone


def test_session_numbers_the_forms_refuse_become_no_number(imported_v1, v1_small_dataset):
    report, _ = imported_v1
    items = {item["SK"]: item for item in partition("Keeper@Example.com")}
    dropped = {line["id"] for line in lines_for(report, "session_number_dropped")}
    for case in ("session_number_zero", "session_number_negative"):
        (session_id,) = v1_small_dataset.case(case)
        assert str(session_id) in dropped
    sessions = [item for item in items.values() if item["SK"].startswith("SESSION#")]
    repeated = [item for item in sessions if item.get("number") == 7]
    assert len(repeated) == 2


def test_played_at_names_the_day_in_the_owners_time_zone(imported_v1, v1_small_dataset):
    for session_id, day in v1_small_dataset.local_days.items():
        row = session_row(v1_small_dataset, session_id)
        campaign = next(c for c in v1_small_dataset.rows["campaigns"] if c["id"] == row["campaign_id"])
        email = user_row(v1_small_dataset, campaign["owner_id"])["email"]
        sessions = [item for item in partition(email) if item["SK"].startswith("SESSION#")]
        assert [item["played_on"] for item in sessions] == [day.isoformat()]


def test_a_rerun_changes_nothing_and_says_so(v1_small_database, v1_small_bucket, tmp_path, imported_v1):
    before = whole_table()
    report, output = run_import_v1(v1_small_database, v1_small_bucket, tmp_path)
    assert report["imported"] == {}
    assert "Nothing changed" in output
    assert whole_table() == before


def test_a_dry_run_writes_nothing(v1_small_database, v1_small_bucket, tmp_path, aws):
    before = whole_table()
    report, output = run_import_v1(v1_small_database, v1_small_bucket, tmp_path, "--dry-run")
    assert whole_table() == before
    assert report["imported"]["users"] > 0
    assert "Dry run: nothing was written." in output


def test_the_profile_keeps_name_created_theme_and_time_zone(imported_v1, v1_small_dataset):
    from accounts.profiles import preferences_of

    expected_theme = {"light": "light", "dark": "dark", "system": "auto", None: None}
    for theme in ("light", "dark", "system", None):
        (user_id,) = v1_small_dataset.case(f"theme_{theme or 'null'}")
        profile = get_profile(sub=sub_of(user_row(v1_small_dataset, user_id)["email"]))
        assert preferences_of(profile).get("theme") == expected_theme[theme]
        assert profile.created == user_row(v1_small_dataset, user_id)["created_at"]
    keeper = get_profile(sub=sub_of("Keeper@Example.com"))
    assert preferences_of(keeper) == {"theme": "dark", "time_zone": "Europe/Berlin"}
    (markup_user,) = v1_small_dataset.case("user_markup")
    assert get_profile(sub=sub_of("markup@example.com")).display_name == user_row(v1_small_dataset, markup_user)["name"]


def test_text_past_an_items_budget_is_cut_whole_characters_and_reported(imported_v1, v1_small_dataset):
    report, _ = imported_v1
    (session_id,) = v1_small_dataset.case("session_notes_over_budget")
    (line,) = lines_for(report, "text_cut")
    assert line["id"] == str(session_id) and "notes of 370,000 bytes cut to 200,000" in line["detail"]
    sessions = [item for item in partition("Keeper@Example.com") if item.get("entity") == "PlaySession"]
    (stored,) = [item for item in sessions if item["title"] == "Very long notes"]
    original = session_row(v1_small_dataset, session_id)["notes"]
    assert original.startswith(stored["notes"]) and len(stored["notes"].encode()) <= 200_000


def test_a_rerun_puts_back_a_campaigns_latest_activity_and_never_moves_a_later_one_back(
    v1_small_database, v1_small_bucket, tmp_path, imported_v1
):
    from datetime import UTC, datetime

    from campaigns.repository import list_campaigns_for_user, set_campaign_activity

    sub = sub_of("Keeper@Example.com")
    campaigns = list_campaigns_for_user(sub=sub).items
    first, second = campaigns[0], campaigns[1]
    expected = first.last_activity
    set_campaign_activity(sub=sub, campaign_id=first.campaign_id, moment=datetime(2001, 1, 1, tzinfo=UTC))
    later = datetime(2030, 1, 1, tzinfo=UTC)  # the user's own activity, after the import
    set_campaign_activity(sub=sub, campaign_id=second.campaign_id, moment=later)
    run_import_v1(v1_small_database, v1_small_bucket, tmp_path)
    after = {campaign.campaign_id: campaign.last_activity for campaign in list_campaigns_for_user(sub=sub).items}
    assert after[first.campaign_id] == expected
    assert after[second.campaign_id] == later
