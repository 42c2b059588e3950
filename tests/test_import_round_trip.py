"""The round trip: export (with the links' hashes) → import into an empty table, bucket and
pool → export again gives the same zip: every data/*.jsonl line, every transcript file and
every note of the Markdown vault identical, the manifest too but for when it was exported."""

import json
import zipfile
from io import StringIO

import pytest
from django.core.management import call_command

from accounts import cognito
from exports.writer import write_export
from tests.export_zips import EMAIL, fresh_deployment, make_account

pytestmark = pytest.mark.django_db


def exported(sub, path):
    with open(path, "wb") as stream:
        write_export(stream, sub=sub, with_token_hashes=True)
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(files.pop("manifest.json"))
    del manifest["exported"]
    return manifest, files


def test_export_import_export_gives_the_same_data(make_user, make_campaign, settings, tmp_path):
    sub = make_account(make_user, make_campaign)
    manifest, files = exported(sub, tmp_path / "first.zip")
    fresh_deployment(settings)
    call_command("import_data", str(tmp_path / "first.zip"), stdout=StringIO(), stderr=StringIO())
    again_manifest, again = exported(cognito.find_user(email=EMAIL)["sub"], tmp_path / "second.zip")
    assert again_manifest == manifest
    assert sorted(again) == sorted(files)
    assert len([name for name in files if "/original/" in name]) == 3
    assert [name for name in files if name.startswith("markdown/")]
    for name in files:
        assert again[name] == files[name], name


def test_the_round_trip_holds_for_an_account_with_one_of_everything(make_user, settings, tmp_path):
    from tests.export_accounts import build_account

    account = build_account(make_user("ada@example.com", display_name="Ada the Bard"))
    manifest, files = exported(account.sub, tmp_path / "first.zip")
    fresh_deployment(settings)
    said = StringIO()
    call_command("import_data", str(tmp_path / "first.zip"), stdout=said, stderr=StringIO())
    again_manifest, again = exported(cognito.find_user(email="ada@example.com")["sub"], tmp_path / "second.zip")

    assert again_manifest == manifest
    assert sorted(again) == sorted(files)
    for name in files:
        assert again[name] == files[name], name
