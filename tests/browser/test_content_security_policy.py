"""The Content-Security-Policy in a browser: the main pages, the upload straight to S3 and
the theme chooser's script run under it without a single violation."""

import pytest
from playwright.sync_api import expect

from accounts import staff
from campaigns.repository import create_campaign
from sessions.core.repository import create_session
from sessions.sharing.repository import create_share_link
from tests.browser.flows import confirmed_user, log_in, upload_transcript

pytestmark = pytest.mark.browser

VTT = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v SPEAKER_00>Welcome back to Barovia, everyone.

00:00:04.500 --> 00:00:07.250
<v SPEAKER_01>I check the door for traps.
"""


@pytest.fixture
def violations(page):
    """Every CSP violation the page reports (console and securitypolicyviolation events)."""
    found = []
    page.on("console", lambda message: "Content Security Policy" in message.text and found.append(message.text))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    return found


def test_main_pages_run_under_the_policy(live_server, page, transactional_db, console_errors, violations, tmp_path):
    for path in ("/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/no/such/page/"):
        response = page.goto(live_server.url + path)
        assert "script-src 'self'" in response.headers["content-security-policy"]

    sub = confirmed_user("csp@example.com")
    staff.add_staff(email="csp@example.com")
    campaign = create_campaign(sub=sub, name="Curse of Strahd")
    session = create_session(sub=sub, campaign_id=campaign.campaign_id, title="Death House")
    log_in(page, live_server, "csp@example.com")
    session_url = f"{live_server.url}/campaigns/{campaign.campaign_id}/sessions/{session.session_id}/"

    # The upload form posts to S3 (another origin, allowed by form-action); its script checks the file.
    upload_transcript(page, session_url, tmp_path / "death-house.vtt", VTT)
    expect(page.get_by_text("Transcript added (WebVTT): 2 lines, 2 speakers.")).to_be_visible()

    for path in (
        "/campaigns/",
        f"/campaigns/{campaign.campaign_id}/",
        f"{session_url}transcript/",
        "/search/?q=door",
        "/accounts/profile/",
        "/staff/",
        "/staff/costs/",  # its chart is an inline SVG: no script, no style attribute
    ):
        response = page.goto(live_server.url + path if path.startswith("/") else path)
        assert response.status == 200, path
        assert "private" in response.headers["cache-control"] and "no-store" in response.headers["cache-control"]

    # The theme chooser's script (fetch to this site) still works.
    page.get_by_label("Theme").select_option("dark")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")

    token = create_share_link(
        sub=sub, campaign_id=campaign.campaign_id, session_id=session.session_id, scope="transcript"
    ).token
    page.goto(f"{live_server.url}/share/{token}/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto(f"{live_server.url}/share/{token}/transcript/")

    assert violations == []
    assert [error for error in console_errors if "status of 404" not in error] == []  # /no/such/page/ itself
