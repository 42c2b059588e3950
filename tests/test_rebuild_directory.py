"""manage.py rebuild_directory: the user directory made again from the profiles, Cognito
and the v1.0 import's list; only what differs is written (counters kept), entries of
deleted accounts removed, safe to re-run; --sub for one account without a Scan."""

import io
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from accounts.items import Profile
from accounts.profiles import get_profile
from campaigns_site import aws, directory
from campaigns_site.directory import DirectoryEntry
from campaigns_site.table_keys import DIRECTORY_PK, PROFILE_SK, directory_sk, user_pk
from v1.checkpoints import record_imported_account


def rebuild(*args):
    out = io.StringIO()
    call_command("rebuild_directory", *args, stdout=out)
    return out.getvalue(), None


@pytest.fixture
def accounts(make_user):
    """Three accounts whose entries went missing or wrong, and one entry left by a deletion."""
    ada, bo, cy = make_user("ada@example.com"), make_user("bo@example.com"), make_user("cy@example.com")
    # ada: an account older than the directory, with counters ADDed since.
    directory.remove_entry(sub=ada)
    DirectoryEntry(DIRECTORY_PK, directory_sk(ada)).update(actions=[DirectoryEntry.sessions.add(4)])
    # bo: imported from v1.0, with a wrong email and sign-in disabled in Cognito since.
    record_imported_account(v1_user_id=7, sub=bo, email="bo@example.com", v1_user_ids=[7])
    directory.write_entry(
        sub=bo, email="old@example.com", created=datetime(2020, 1, 1, tzinfo=UTC), origin="new",
        is_staff=False, sign_in_disabled=False,
    )  # fmt: skip
    aws.client("cognito-idp").admin_disable_user(UserPoolId=settings.COGNITO_USER_POOL_ID, Username="bo@example.com")
    # A deletion that stopped before its last step: an entry without a profile.
    directory.record_sign_up(
        sub="gone", email="gone@example.com", created=datetime(2021, 1, 1, tzinfo=UTC), origin="new"
    )
    return {"ada": ada, "bo": bo, "cy": cy}


def test_adds_corrects_and_removes_then_a_rerun_writes_nothing(accounts, aws_calls, capsys):
    out, _ = rebuild()
    assert out.strip() == (
        "User directory: 3 accounts checked: 1 entries added, 1 corrected, 1 unchanged; "
        "1 entries without a profile removed."
    )
    assert "rebuild_directory: 100%" in capsys.readouterr().err  # tqdm's progress, on stderr

    ada = directory.get_entry(sub=accounts["ada"])
    assert (ada.email, ada.origin, ada.sessions) == ("ada@example.com", "new", 4)
    assert ada.created == get_profile(sub=accounts["ada"]).created
    bo = directory.get_entry(sub=accounts["bo"])
    assert (bo.email, bo.origin, bo.sign_in_disabled) == ("bo@example.com", "v1", True)
    assert bo.created == get_profile(sub=accounts["bo"]).created
    assert directory.list_entries(email_prefix="old")[0] == []
    assert directory.get_entry(sub="gone") is None

    with aws_calls() as calls:
        out, _ = rebuild()
    assert "3 accounts checked: 0 entries added, 0 corrected, 3 unchanged; 0 entries without" in out
    assert calls.count("dynamodb", "UpdateItem") == calls.count("dynamodb", "DeleteItem") == 0
    assert calls.count("dynamodb", "Scan") == 1


def test_keeps_the_deletion_mark_of_an_account_being_deleted(accounts):
    Profile(user_pk(accounts["cy"]), PROFILE_SK).update(
        actions=[Profile.deleting_since.set(datetime(2026, 12, 1, tzinfo=UTC))]
    )
    rebuild()
    assert directory.get_entry(sub=accounts["cy"]).deleting_since == datetime(2026, 12, 1, tzinfo=UTC)


def test_one_account_by_sub_without_a_scan(accounts, aws_calls):
    with aws_calls() as calls:
        out, _ = rebuild("--sub", accounts["bo"])
    assert "1 accounts checked: 0 entries added, 1 corrected, 0 unchanged" in out
    assert calls.count("dynamodb", "Scan") == 0
    assert directory.get_entry(sub=accounts["bo"]).origin == "v1"
    assert directory.get_entry(sub=accounts["ada"]) is None  # the others are left alone

    out, _ = rebuild("--sub", "gone")
    assert "0 accounts checked" in out and "1 entries without a profile removed" in out


def test_a_bad_or_unknown_sub_is_one_clear_error(aws):
    with pytest.raises(CommandError, match="Not a Cognito sub: 'a#b'"):
        rebuild("--sub", "a#b")
    with pytest.raises(CommandError, match="No account nobody: no profile and no directory entry"):
        rebuild("--sub", "nobody")
