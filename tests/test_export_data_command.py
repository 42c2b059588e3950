"""manage.py export_data: one zip per account into a folder or an S3 prefix, with share
links' hashes unless told not to; says what it wrote; a re-run replaces the zips."""

import io
import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from campaigns_site import aws as aws_clients
from tests.export_accounts import build_account, lines_of, read_zip

pytestmark = pytest.mark.usefixtures("empty_transcript_cache")


@pytest.fixture
def two_accounts(make_user):
    ada = build_account(make_user("ada@example.com"), deleting_campaign=False)
    make_user("bob@example.com")
    return ada


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("export_data", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_all_accounts_go_to_a_folder_one_zip_each(two_accounts, tmp_path):
    said = run("--all", "--out", str(tmp_path / "out"))

    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["ada@example.com.zip", "bob@example.com.zip"]
    ada = read_zip((tmp_path / "out" / "ada@example.com.zip").read_bytes())
    assert json.loads(ada["manifest.json"])["share_link_hashes"] is True
    assert all("token_hash" in link for link in lines_of(ada, "share_links"))
    assert "Exported 2 account(s): 2 campaigns, 6 sessions" in said
    assert "ada@example.com:" in said and "bob@example.com:" in said


def test_a_rerun_replaces_the_zip_and_leaves_no_partial_file(two_accounts, tmp_path):
    run("--user", "ADA@example.com", "--out", str(tmp_path))
    first = (tmp_path / "ada@example.com.zip").read_bytes()
    run("--user", "ada@example.com", "--out", str(tmp_path))

    assert [path.name for path in tmp_path.iterdir()] == ["ada@example.com.zip"]
    assert (
        read_zip(first)["data/sessions.jsonl"]
        == read_zip((tmp_path / "ada@example.com.zip").read_bytes())["data/sessions.jsonl"]
    )


def test_without_link_hashes_is_a_copy_for_the_user(two_accounts, tmp_path):
    run("--user", "ada@example.com", "--out", str(tmp_path), "--without-link-hashes")
    ada = read_zip((tmp_path / "ada@example.com.zip").read_bytes())
    assert not [link for link in lines_of(ada, "share_links") if "token_hash" in link]


def test_an_s3_prefix_gets_the_zips(two_accounts):
    run("--all", "--out", f"s3://{settings.TRANSCRIPT_BUCKET}/moves/2026-12")
    s3 = aws_clients.client("s3")
    listed = s3.list_objects_v2(Bucket=settings.TRANSCRIPT_BUCKET, Prefix="moves/2026-12/")["Contents"]
    assert sorted(item["Key"] for item in listed) == [
        "moves/2026-12/ada@example.com.zip",
        "moves/2026-12/bob@example.com.zip",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "nobody@example.com", "--out", "x"], "No account uses nobody@example.com"),
        (["--all", "--out", "ftp://host/x"], "give a folder or s3://bucket/prefix"),
        (["--all", "--out", "s3://"], "an S3 target is s3://bucket/prefix"),
    ],
)
def test_bad_arguments_are_one_clear_line(two_accounts, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandError, match=message):
        run(*args)
