"""import_v1's options and its refusals: --user, --merge-case-duplicates, a bad source."""

import pytest
from django.core.management import CommandError
from import_runs import lines_for, partition, run_import_v1, sub_of

from accounts.legacy_passwords import get_legacy_password
from accounts.profiles import get_profile, preferences_of

pytestmark = pytest.mark.django_db
BUCKET = "campaign-sessions-v1"


def test_user_imports_that_user_only(v1_small_database, v1_small_bucket, tmp_path):
    report, _ = run_import_v1(v1_small_database, v1_small_bucket, tmp_path, "--user", "keeper@example.com")
    assert report["imported"]["users"] == 1
    assert sub_of("Keeper@Example.com") and sub_of("admin@example.com") is None
    assert any(item.get("entity") == "PlaySession" for item in partition("Keeper@Example.com"))


def test_user_refuses_an_email_nobody_imports(v1_small_database, v1_small_bucket, tmp_path):
    with pytest.raises(CommandError, match="no v1.0 user to import has the e-mail"):
        run_import_v1(v1_small_database, v1_small_bucket, tmp_path, "--user", "ana.case@example.com")


def test_merge_case_duplicates_makes_one_account_where_the_newest_row_wins(
    v1_small_database, v1_small_dataset, v1_small_bucket, tmp_path
):
    older, newer = v1_small_dataset.case("email_case_duplicates")
    report, _ = run_import_v1(v1_small_database, v1_small_bucket, tmp_path, "--merge-case-duplicates")
    assert [line["id"] for line in lines_for(report, "merged_case_duplicate")] == [str(older)]
    newest = next(user for user in v1_small_dataset.rows["users"] if user["id"] == newer)
    sub = sub_of(newest["email"])
    profile = get_profile(sub=sub)
    assert profile.display_name == "Ana (new)"
    assert preferences_of(profile)["time_zone"] == "America/New_York"
    assert get_legacy_password(sub=sub).password_hash == newest["password_hash"]
    names = {item["name"] for item in partition(newest["email"]) if item.get("entity") == "Campaign"}
    assert names == {f"Campaign of user {older}", f"Campaign of user {newer}"}


def test_a_bad_source_stops_with_one_line(aws, v1_small_bucket, tmp_path):
    with pytest.raises(CommandError, match="cannot connect to v1.0's database") as refused:
        run_import_v1("postgresql://nobody@127.0.0.1:1/none", v1_small_bucket, tmp_path)
    assert "\n" not in str(refused.value)


def test_a_missing_bucket_stops_with_one_line(v1_small_database, aws, tmp_path):
    with pytest.raises(CommandError, match="v1.0's bucket 'no-such-bucket' cannot be read"):
        run_import_v1(v1_small_database, "no-such-bucket", tmp_path)


def test_unreachable_aws_stops_with_one_line(v1_small_database, settings, tmp_path):
    from campaigns_site import aws as aws_module

    settings.AWS_ENDPOINT_URL = "http://127.0.0.1:1"  # nothing listens there
    aws_module.reset()
    try:
        with pytest.raises(CommandError, match="AWS refused or is unreachable") as refused:
            run_import_v1(v1_small_database, BUCKET, tmp_path)
    finally:
        aws_module.reset()
    assert "\n" not in str(refused.value)
