"""A v1.0 user after the import, in a browser: signs in with the old v1.0 password, finds
their campaigns, reads a transcript, signs in again with the same password (now Cognito's
own), and a v1.0 share link opens the session's public page in a fresh browser.

The v1.0 side is the awkward-case data set (tests/legacy/v1_data.py, seed 13) in a real
PostgreSQL (tests/legacy/pg_harness.py), its bucket's objects in the browser tests' moto
server; `manage.py import_v1` runs once for the module (it takes several seconds).
"""

import io
import sys
import uuid
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import psycopg
import pytest
from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import expect

from accounts import cognito
from accounts.legacy_passwords import get_legacy_password, save_legacy_password
from campaigns_site import aws
from campaigns_site.provision import provision
from v1.mapping import campaign_id_for, session_id_for

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "legacy"))  # its modules import each other plainly
from pg_harness import INSTALL_HINT, PostgresServer, PostgresUnavailable, find_postgres_bin  # noqa: E402
from v1_data import build_v1_dataset, create_v1_schema, put_v1_objects, write_v1_dataset  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

# v1.0 has this user as "Keeper@Example.com". The importer makes the Cognito user with the
# address as typed and the login form sends it in lower case: the pool is provisioned
# case-insensitive (UsernameConfiguration), which real Cognito honours and moto (5.2)
# does not, so on moto that user cannot sign in. The copy of the data set this module
# writes has the address in lower case, and the flow is tested whole. (main's importer
# lower-cases addresses, v1.mapping.address_for: once merged, this copy can keep v1.0's.)
KEEPER = "keeper@example.com"
V1_BUCKET = "campaign-sessions-v1-browser"
# The shared session of the case "share_token_no_expiry" has no summaries in the data set:
# as_this_module_needs() adds these, as v1.0 wrote them (Markdown), so its public page has some to show.
SHARED_SUMMARIES = {
    "recap": "The party crossed the **Ivlis river** at dusk.",
    "highlights": "- Ireena joined the party\n- The ferryman took silver",
}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def row(dataset, table, **match):
    return next(found for found in dataset.rows[table] if all(found[name] == value for name, value in match.items()))


def as_this_module_needs(dataset):
    row(dataset, "users", email="Keeper@Example.com")["email"] = KEEPER
    (token,) = dataset.case("share_token_no_expiry")
    shared = row(dataset, "game_sessions", share_token=token)
    for kind, content in SHARED_SUMMARIES.items():
        dataset.rows["summaries"].append(
            {
                "id": uuid.UUID(int=len(dataset.rows["summaries"]) + 1, version=4),
                "session_id": shared["id"],
                "kind": kind,
                "content": content,
                "model": "gpt-4o-mini",
                "prompt_tokens": 1200,
                "completion_tokens": 80,
                "created_at": shared["updated_at"] + timedelta(minutes=1),
            }
        )
    return dataset


def path_of(dataset, session_row):
    campaign = SimpleNamespace(**row(dataset, "campaigns", id=session_row["campaign_id"]))
    return f"/campaigns/{campaign_id_for(campaign)}/sessions/{session_id_for(SimpleNamespace(**session_row))}/"


@pytest.fixture(scope="module")
def v1_browser_database():
    """The URL of a v1.0 database holding the awkward-case data set; (url, dataset)."""
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    server = PostgresServer(bin_dir)
    try:
        server.start()
    except PostgresUnavailable as error:
        pytest.fail(str(error), pytrace=False)
    try:
        with psycopg.connect(server.url(), autocommit=True) as admin:
            admin.execute("CREATE DATABASE v1 ENCODING 'UTF8'")
        dataset = as_this_module_needs(build_v1_dataset(seed=13))
        with psycopg.connect(server.url("v1")) as conn:
            create_v1_schema(conn)
            write_v1_dataset(conn, dataset)
        yield server.url("v1"), dataset
    finally:
        server.stop()


@pytest.fixture(scope="module")
def imported(moto_server, v1_browser_database, tmp_path_factory):
    """import_v1 run once against the moto server, provisioned as `live_aws` has it; what the
    tests need of the v1.0 side."""
    url, dataset = v1_browser_database
    blank_cognito = {"COGNITO_USER_POOL_ID": "", "COGNITO_APP_CLIENT_ID": "", "COGNITO_APP_CLIENT_SECRET": ""}
    with override_settings(AWS_ENDPOINT_URL=moto_server, **blank_cognito):
        aws.reset()
        report = provision()
        pool = {
            "COGNITO_USER_POOL_ID": report.user_pool_id,
            "COGNITO_APP_CLIENT_ID": report.app_client_id,
            "COGNITO_APP_CLIENT_SECRET": report.app_client_secret,
        }
        with override_settings(**pool):
            put_v1_objects(aws.client("s3"), bucket=V1_BUCKET, dataset=dataset)
            report_file = tmp_path_factory.mktemp("import-v1") / "report.json"
            out = io.StringIO()
            call_command(
                "import_v1", "--source", url, "--v1-bucket", V1_BUCKET, "--report", str(report_file), stdout=out
            )
            assert "Import complete." in out.getvalue()
    aws.reset()
    keeper = row(dataset, "users", email=KEEPER)
    (token,) = dataset.case("share_token_no_expiry")
    (transcribed_id,) = dataset.case("transcript_text")
    transcribed = row(dataset, "game_sessions", id=transcribed_id)
    first_line = transcribed["transcript_text"].splitlines()[0]
    return SimpleNamespace(
        password=dataset.passwords[keeper["id"]],
        password_hash=keeper["password_hash"],
        share_token=token,
        transcript_path=path_of(dataset, transcribed),
        first_words=first_line.split(": ", 1)[1],
    )


@pytest.fixture
def keeper(imported, transactional_db):
    """Keeper as the import left them, whichever test signed in before: an unknown random
    password in Cognito and the one-time item holding v1.0's hash. Returns the sub."""
    sub = cognito.find_user(email=KEEPER)["sub"]
    cognito.set_permanent_password(sub=sub, password=f"{uuid.uuid4().hex}aA1!")
    save_legacy_password(sub=sub, password_hash=imported.password_hash)
    return sub


def sign_in(page, live_server, password):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(KEEPER)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/campaigns/")


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_v1_user_signs_in_with_the_old_password_reads_and_shares(
    live_server, new_page, imported, keeper, device, console_errors
):
    page = new_page(**device)
    assert get_legacy_password(sub=keeper) is not None
    sign_in(page, live_server, imported.password)
    assert get_legacy_password(sub=keeper) is None  # the password is Cognito's now
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation).to_contain_text("Keeper")

    # Their campaigns, as v1.0 had them (the archived one under Archived).
    main = page.get_by_role("main")
    for name in ("Odd numbers", "Transcripts", "Shared", "Summaries"):
        expect(main.get_by_role("link", name=name, exact=True)).to_be_visible()
    main.get_by_role("link", name="Transcripts", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Transcripts")

    # A session whose transcript was inline in v1.0's row, in the reader.
    page.goto(live_server.url + imported.transcript_path)
    page.get_by_role("main").get_by_role("link", name="Read the transcript").click()
    transcript = page.get_by_role("list", name="Transcript, page 1 of 1")
    expect(transcript.get_by_role("listitem")).to_have_count(30)
    expect(transcript.get_by_role("listitem").first).to_contain_text(imported.first_words)
    page.screenshot(path=f"/tmp/campaign-sessions-v1-reader-{page.viewport_size['width']}.png", full_page=True)

    # Again with the same old password: Cognito alone signs them in.
    page.goto(live_server.url + "/campaigns/")
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    sign_in(page, live_server, imported.password)
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Keeper")

    # A v1.0 share link, in a fresh browser that never signed in.
    stranger = new_page(**device)
    response = stranger.goto(f"{live_server.url}/share/{imported.share_token}")
    assert response.status == 200
    expect(stranger.get_by_text("Shared", exact=True)).to_be_visible()  # the campaign's name
    expect(stranger.get_by_role("heading", name="Recap (previously on…)")).to_be_visible()
    expect(stranger.get_by_role("heading", name="Key events")).to_be_visible()
    expect(stranger.get_by_text("Ivlis river")).to_be_visible()
    expect(stranger.get_by_text("Ireena joined the party")).to_be_visible()
    expect(stranger.get_by_text(KEEPER, exact=False)).to_have_count(0)
    stranger.screenshot(path=f"/tmp/campaign-sessions-v1-share-{page.viewport_size['width']}.png", full_page=True)
    assert console_errors == []
