"""/staff/jobs/ and /staff/shares/ in a browser, on a desktop and on a phone (375 px): a
staff member finds a failed job with its reason and opens its retry's confirm page, reads
the share counts and revokes a link after confirming, with nothing wider than the screen
(wide tables scroll in their box) and no console error. (The moto server lives for the
whole run, so each screen's registry_staff makes their own job and link.)"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts import staff
from campaigns.repository import create_campaign
from campaigns_site.table_keys import JOBS_PK, job_registry_order_key, job_registry_sk, new_id
from sessions.core.repository import create_session
from sessions.sharing import registry
from sessions.sharing.repository import create_share_link, open_share_link
from sessions.summaries.registry import JobRegistryEntry
from tests.browser.flows import confirmed_user, log_in

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
REASON = "Amazon Bedrock is busy. Try again in a few minutes."


@pytest.fixture
def registry_staff(transactional_db, request):
    email = f"jobs-{request.node.callspec.id}@example.com"
    confirmed_user(email)
    staff.add_staff(email=email)
    return email


@pytest.fixture
def owners_things(request):
    """Another user's session with a link viewed once, and a failed job of theirs."""
    owner = f"owner-{request.node.callspec.id}-{new_id()}"
    campaign = create_campaign(sub=owner, name="Dragon Heist")
    session = create_session(sub=owner, campaign_id=campaign.campaign_id, title="The Yawning Portal")
    made = create_share_link(sub=owner, campaign_id=campaign.campaign_id, session_id=session.session_id, scope="recap")
    open_share_link(token=made.token)
    registry.fresh_stats()  # the hourly count (sessions/sharing/scheduled.py): the page shows counts
    now, job_id = timezone.now(), new_id()
    JobRegistryEntry(
        JOBS_PK,
        job_registry_sk(sub=owner, campaign_id=campaign.campaign_id, session_id=session.session_id),
        lsi1sk=job_registry_order_key(requested=now, job_id=job_id),
        owner_sub=owner,
        campaign_id=campaign.campaign_id,
        session_id=session.session_id,
        job_id=job_id,
        status="failed",
        kinds=["recap"],
        requested=now,
        finished=now,
        deadline=now + timedelta(minutes=5),
        attempts=1,
        reason=REASON,
        ttl=now + timedelta(days=7),
    ).save()
    return owner, job_id, made.link.token_hash


@pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_staff_retry_a_job_and_revoke_a_link_on_any_screen(
    live_server, new_page, registry_staff, owners_things, console_errors, screen
):
    owner, job_id, token_hash = owners_things
    page = new_page(**screen)
    log_in(page, live_server, registry_staff)
    page.goto(f"{live_server.url}/staff/")
    page.get_by_role("navigation", name="Staff pages").get_by_role("link", name="Summary jobs").click()
    expect(page.get_by_role("heading", name="Summary jobs", level=1)).to_be_visible()
    page.get_by_role("link", name="Failed", exact=True).click()
    row = page.get_by_role("row").filter(has_text=owner)
    expect(row).to_contain_text(REASON)
    assert page.evaluate("document.documentElement.scrollWidth") <= screen["viewport"]["width"]
    row.get_by_role("link", name="Retry…").click()
    expect(page.get_by_role("heading", name="Retry this failed job?")).to_be_visible()
    expect(page.get_by_text(job_id)).to_be_visible()
    expect(page.get_by_role("button", name="Retry as its owner")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= screen["viewport"]["width"]

    page.get_by_role("navigation", name="Staff pages").get_by_role("link", name="Share links").click()
    expect(page.get_by_role("heading", name="Share links", level=1)).to_be_visible()
    expect(page.get_by_text("Total views")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= screen["viewport"]["width"]
    links = page.get_by_role("table", name="Links, newest first")
    links.get_by_role("row").filter(has_text=token_hash[:10]).get_by_role("link", name="Revoke…").click()
    expect(page.get_by_role("heading", name=f"Revoke link {token_hash[:10]}?")).to_be_visible()
    page.get_by_role("button", name="Revoke link").click()
    expect(page.get_by_text(f"Link {token_hash[:10]} is revoked")).to_be_visible()
    row = page.get_by_role("table", name="Links, newest first").get_by_role("row").filter(has_text=token_hash[:10])
    expect(row).to_contain_text("revoked")
    assert page.evaluate("document.documentElement.scrollWidth") <= screen["viewport"]["width"]
    assert owner not in page.get_by_role("heading", level=1).inner_text()
    assert console_errors == []
