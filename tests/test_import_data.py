"""manage.py import_data: an export back into an empty deployment or another account,
through the repositories (counters, usage, search, share links), idempotent, resumable."""

import pytest
from django.core.management import CommandError, call_command

from accounts import cognito
from accounts.deletion import mark_account_deleting
from accounts.profiles import get_profile, preferences_of
from campaigns.repository import get_campaign
from campaigns_site import aws as aws_module
from campaigns_site import directory
from campaigns_site.usage import recount, stored_counters
from exports import checks, importer
from exports.writer import write_export
from sessions.core import storage_keys
from sessions.search.services import search_sessions
from sessions.sharing.repository import create_share_link, open_share_link
from staff.directory_rebuild import rebuild_directory
from tests.export_zips import EMAIL, export_of, fresh_deployment, make_account

pytestmark = pytest.mark.django_db


def run(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("import_data", *[str(arg) for arg in args], stdout=out, stderr=err)
    return out.getvalue()


def without_time(export):
    return export.lines, {name: data for name, data in export.files.items() if not name.endswith("normalized.json")}


@pytest.fixture
def exported(make_user, make_campaign, tmp_path):
    """Ada's rich account, exported with its links' hashes; (the Export, the zip's path, a link's token)."""
    sub = make_account(make_user, make_campaign)
    first = export_of(sub).lines["sessions"][0]
    opened = create_share_link(sub=sub, campaign_id=first["campaign_id"], session_id=first["id"], scope="recap")
    export = export_of(sub, with_token_hashes=True)
    return export, export.write(tmp_path / "ada.zip"), opened.token


def test_an_empty_deployment_gets_the_account_back_as_it_was(exported, settings):
    export, path, token = exported
    fresh_deployment(settings)
    output = run(path)
    found = cognito.find_user(email=EMAIL)
    sub = found["sub"]
    assert found["status"] == "CONFIRMED"  # its owner sets a password with "Forgot password"
    profile = get_profile(sub=sub)
    assert profile.display_name == "Ada the Bard"
    assert preferences_of(profile) == {"theme": "dark", "time_zone": "Europe/Paris"}
    assert export.manifest["account"]["created"] == profile.created.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert directory.get_entry(sub=sub).origin == "import"
    again = export_of(sub, with_token_hashes=True)
    assert without_time(again) == without_time(export)
    assert "written: accounts 1, campaigns 2" in output
    assert open_share_link(token=token) is not None  # the link works in the new deployment


def test_counters_usage_and_search_follow(exported, settings):
    export, path, _ = exported
    fresh_deployment(settings)
    run(path)
    sub = cognito.find_user(email=EMAIL)["sub"]
    strahd = export.lines["campaigns"][0]
    campaign = get_campaign(sub=sub, campaign_id=strahd["id"])
    sessions_of = [s for s in export.lines["sessions"] if s["campaign_id"] == strahd["id"]]
    assert campaign.session_count == len(sessions_of)
    assert campaign.transcript_bytes == sum(s["transcript"]["bytes"] for s in sessions_of if s["transcript"])
    assert recount(sub=sub) == stored_counters(sub=sub)
    assert recount(sub=sub)["summaries"] == len(export.lines["summaries"])
    page = search_sessions(sub=sub, text="candle lane hatch")  # words of its transcript only
    assert [result.session_id for result in page.results] == [export.session("The Warehouse")["id"]]


def test_a_second_run_writes_nothing(exported, settings, monkeypatch):
    _, path, _ = exported
    fresh_deployment(settings)
    run(path)
    parsed = []
    original = checks.parse_transcript_bytes
    monkeypatch.setattr(checks, "parse_transcript_bytes", lambda *a, **k: parsed.append(1) or original(*a, **k))
    output = run(path)
    assert "written: nothing" in output and "Nothing to import" in output
    assert parsed == []  # the transcripts it holds already are not parsed again to be checked


def test_a_run_killed_half_way_finishes_on_the_next(exported, settings, monkeypatch):
    export, path, _ = exported
    fresh_deployment(settings)
    real, calls = importer.save_imported_summaries, []

    def dies_on_the_second(**arguments):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(**arguments)

    monkeypatch.setattr(importer, "save_imported_summaries", dies_on_the_second)
    with pytest.raises(KeyboardInterrupt):
        run(path)
    monkeypatch.setattr(importer, "save_imported_summaries", real)
    output = run(path)
    assert "already there" in output
    sub = cognito.find_user(email=EMAIL)["sub"]
    assert without_time(export_of(sub, with_token_hashes=True)) == without_time(export)
    assert recount(sub=sub) == stored_counters(sub=sub)


def test_as_another_user_in_the_same_deployment(exported, make_user):
    export, path, token = exported
    bob = make_user("bob@example.com", display_name="Bob")
    output = run(path, "--as", "bob@example.com")
    again = export_of(bob)
    assert again.lines["campaigns"] == export.lines["campaigns"]
    assert again.lines["summaries"] == export.lines["summaries"]
    assert again.lines["share_links"] == []  # Ada's links are Ada's: the hash is taken here
    assert output.count("another account of this deployment has a link with this token") == 3
    assert open_share_link(token=token).owner_sub != bob
    assert recount(sub=bob) == stored_counters(sub=bob)


def test_links_without_a_hash_are_listed_not_made(make_user, make_campaign, tmp_path, settings):
    sub = make_account(make_user, make_campaign)
    export = export_of(sub)  # a user's own download: no hashes
    path = export.write(tmp_path / "mine.zip")
    fresh_deployment(settings)
    output = run(path)
    assert output.count("not made: the export has no token hash") == 2
    assert export_of(cognito.find_user(email=EMAIL)["sub"]).lines["share_links"] == []


def test_as_refuses_an_account_that_is_not_there(exported):
    _, path, _ = exported
    with pytest.raises(CommandError, match="no account of this deployment has the e-mail 'nobody@example.com'"):
        run(path, "--as", "nobody@example.com")


def test_zips_from_s3_and_from_a_directory(make_user, make_campaign, tmp_path, settings):
    sub = make_account(make_user, make_campaign)
    export = export_of(sub, with_token_hashes=True)
    other = make_user("cy@example.com", display_name="Cy")
    cy = export_of(other)
    folder = tmp_path / "all"
    folder.mkdir()
    export.write(folder / "ada.zip")
    cy.write(folder / "cy.zip")
    fresh_deployment(settings)
    s3 = aws_module.client("s3")
    s3.put_object(Bucket=settings.TRANSCRIPT_BUCKET, Key="moves/ada.zip", Body=(folder / "ada.zip").read_bytes())
    run(f"s3://{settings.TRANSCRIPT_BUCKET}/moves/ada.zip")
    assert "written: accounts 1, nothing" not in run(folder)  # ada's is there; cy's is new
    assert cognito.find_user(email="cy@example.com") is not None
    assert "Nothing to import" in run(f"s3://{settings.TRANSCRIPT_BUCKET}/moves/")


def test_into_the_account_it_came_from_everything_is_already_there(exported):
    export, path, _ = exported
    output = run(path)  # the same deployment: Ada's account, every id hers already
    assert "written: nothing" in output and "accounts 1, campaigns 2" in output


def test_an_unknown_time_zone_is_left_out_with_a_note(exported, settings, tmp_path):
    export, _, _ = exported
    export.manifest["account"]["preferences"]["time_zone"] = "Mars/Olympus_Mons"
    path = export.write(tmp_path / "mars.zip")
    fresh_deployment(settings)
    output = run(path)
    assert "preference left out: Unknown time zone 'Mars/Olympus_Mons'" in output
    assert preferences_of(get_profile(sub=cognito.find_user(email=EMAIL)["sub"])) == {"theme": "dark"}


def test_rebuild_directory_keeps_the_import_origin(exported, settings):
    _, path, _ = exported
    fresh_deployment(settings)
    run(path)
    sub = cognito.find_user(email=EMAIL)["sub"]
    rebuild_directory(sub=sub)
    assert directory.get_entry(sub=sub).origin == "import"


def test_an_account_being_deleted_takes_nothing(exported):
    _, path, _ = exported
    ada = cognito.find_user(email=EMAIL)["sub"]
    mark_account_deleting(sub=ada)
    with pytest.raises(CommandError, match="nothing was written"):
        run(path)
    with pytest.raises(CommandError, match="is being deleted"):
        run(path, "--as", EMAIL)


def test_a_campaign_export_brings_that_campaign(make_user, make_campaign, tmp_path, settings):
    sub = make_account(make_user, make_campaign)
    strahd = export_of(sub).lines["campaigns"][0]
    with open(tmp_path / "one.zip", "wb") as stream:
        write_export(stream, sub=sub, campaign_id=strahd["id"], with_token_hashes=True)
    fresh_deployment(settings)
    run(tmp_path / "one.zip")
    again = export_of(cognito.find_user(email=EMAIL)["sub"])
    assert again.lines["campaigns"] == [strahd]
    assert {line["campaign_id"] for line in again.lines["sessions"]} == {strahd["id"]}


def test_a_transcript_missing_when_exported_leaves_its_session_without_one(
    make_user, make_campaign, tmp_path, settings
):
    sub = make_account(make_user, make_campaign)
    warehouse = export_of(sub).session("The Warehouse")
    key = storage_keys.original_key(sub=sub, session_id=warehouse["id"], upload_id=warehouse["transcript"]["upload_id"])
    aws_module.client("s3").delete_object(Bucket=settings.TRANSCRIPT_BUCKET, Key=key)
    path = export_of(sub).write(tmp_path / "missing.zip")
    fresh_deployment(settings)
    output = run(path)
    assert f"session {warehouse['id']}: its transcript was not in the export" in output
    again = export_of(cognito.find_user(email=EMAIL)["sub"]).session("The Warehouse")
    assert again["transcript"] is None and again["title"] == "The Warehouse"


def test_items_written_meanwhile_are_found_by_their_conditions(exported, settings, monkeypatch):
    export, path, _ = exported
    fresh_deployment(settings)
    run(path)
    sub = cognito.find_user(email=EMAIL)["sub"]
    counters = stored_counters(sub=sub)
    monkeypatch.setattr(importer.AccountImport, "_existing_items", lambda self: {})  # as if read before them
    output = run(path)
    assert "written: accounts" not in output and "written: nothing" in output
    assert stored_counters(sub=sub) == counters == recount(sub=sub)
    assert without_time(export_of(sub, with_token_hashes=True)) == without_time(export)


def test_killed_between_a_transcript_and_its_sessions_time_the_next_run_puts_the_time_back(
    exported, settings, monkeypatch
):
    export, path, _ = exported
    fresh_deployment(settings)

    def killed(**arguments):
        raise KeyboardInterrupt

    monkeypatch.setattr(importer, "update_session", killed)
    with pytest.raises(KeyboardInterrupt):
        run(path)
    monkeypatch.undo()
    run(path)
    sub = cognito.find_user(email=EMAIL)["sub"]
    assert without_time(export_of(sub, with_token_hashes=True)) == without_time(export)
