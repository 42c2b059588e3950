"""Download everything, in a browser, on a desktop and on a phone: the profile page's
button starts an export, the exports page shows it waiting and refreshes itself until the
job (run here, as the worker would) has written the zip, then the Download link gives the
zip: its manifest, its data lines and a Markdown note."""

import io
import json
import zipfile

import pytest
from playwright.sync_api import expect

from campaigns.repository import create_campaign
from exports import jobs, runner
from sessions.core.repository import create_session
from tests.browser.flows import confirmed_user, log_in
from tests.transcript_samples import sample_bytes
from tests.transcript_uploads import store_transcript

pytestmark = pytest.mark.browser

DEVICES = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True},
}


@pytest.mark.parametrize("device", DEVICES)
def test_download_everything_from_the_profile_page(
    live_server, new_page, transactional_db, console_errors, settings, device
):
    # The export waits in the table until this test runs it: the page must show it waiting,
    # then notice by itself (it refreshes) that the zip is ready.
    settings.SUMMARY_JOB_RUNNER = "manual"
    email = f"exporter-{device}@export.example"  # the moto server lives for the whole run
    sub = confirmed_user(email)
    campaign = create_campaign(sub=sub, name="Curse of Strahd")
    session = create_session(sub=sub, campaign_id=campaign.campaign_id, title="Death House", number=1)
    store_transcript(
        sub=sub,
        campaign_id=campaign.campaign_id,
        session_id=session.session_id,
        data=sample_bytes("vtt", hours=0.05),
        filename="death-house.vtt",
    )
    page = new_page(**DEVICES[device])
    log_in(page, live_server, email)

    page.goto(f"{live_server.url}/accounts/profile/")
    page.get_by_role("button", name="Download everything").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your exports")
    expect(page.get_by_text("Your export has started.")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Waiting to start")).to_be_visible()
    expect(page.get_by_role("link", name="Download")).to_have_count(0)

    export = jobs.get_export(sub=sub)
    runner.run_export(sub=sub, campaign_id=None, job_id=export.job_id)
    download_link = page.get_by_role("link", name="Download everything in your account", exact=True)
    expect(download_link).to_be_visible(timeout=15_000)  # the page refreshed itself
    expect(page.get_by_text(export.file_name)).to_be_visible()
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width, "the page scrolls sideways"

    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert download.suggested_filename == export.file_name
    with open(download.path(), "rb") as downloaded:
        archive = zipfile.ZipFile(io.BytesIO(downloaded.read()))
    names = archive.namelist()
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["scope"] == "account" and manifest["counts"]["sessions"] == 1
    (line,) = archive.read("data/sessions.jsonl").decode().splitlines()
    assert json.loads(line)["title"] == "Death House"
    notes = [name for name in names if name.startswith("markdown/") and name.endswith(".md")]
    assert notes, names
    page.screenshot(path=f"/tmp/campaign-sessions-export-{device}.png", full_page=True)
    assert console_errors == []
