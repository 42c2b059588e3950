"""Staff see metadata only: a player's campaign name and description, session title and
notes, transcript, summary and share link label all hold one word, and no staff page
shows it. Every GET route under /staff/ is walked from the URLconf (a page added later is
covered), with the player's sub and ids in its path and the queries its links carry."""

import pytest

from campaigns_site import audit
from sessions.sharing.repository import create_share_link, open_share_link
from sessions.summaries import registry as job_registry
from sessions.summaries import runners
from sessions.summaries.jobs import start_summary_job
from sessions.summaries.repository import edit_summary, list_summaries_for_session
from sessions.summaries.summarizers.base import SummaryProviderError
from tests.cost_explorer_answers import forecast_answers
from tests.transcript_samples import sample_bytes
from tests.url_patterns import fill, walk
from tests.web_clients import signed_in

SECRET = "Wyrmquill"
STAFF_ROUTES = [route for route in walk() if route.id.startswith("/staff/")]
ACTIONS = ["make-staff", "remove-staff", "sign-out-everywhere", "disable", "enable", "delete"]


@pytest.fixture
def planted(staff, player, make_campaign, make_session, monkeypatch):
    """The player's content, every text field holding SECRET, with a failed job, a viewed
    share link and an audit entry about them."""
    campaign = make_campaign(sub=player, name=f"Campaign {SECRET}", description=f"About {SECRET}")
    transcript = sample_bytes("vtt", hours=0.05).replace(b"the", f"the {SECRET}".encode())
    session = make_session(
        sub=player, campaign=campaign, title=f"Title {SECRET}", notes=f"Notes {SECRET}", transcript=transcript
    )
    ids = {"sub": player, "campaign_id": campaign.campaign_id, "session_id": session.session_id}
    start_summary_job(**ids, kinds=["recap"])
    (recap,) = list_summaries_for_session(**ids)
    edit_summary(**ids, kind="recap", expected_version=recap.version, text=f"Recap {SECRET}")

    def refused(request, **kwargs):
        raise SummaryProviderError("the model refused the request", retryable=False)

    monkeypatch.setattr(runners, "summarize", refused)
    start_summary_job(**ids, kinds=["loot"])
    monkeypatch.undo()
    made = create_share_link(**ids, scope="transcript", label=f"Label {SECRET}")
    open_share_link(token=made.token)
    audit.record_action(by="ada@example.com", action="sign-out-everywhere", target_sub=player)
    job = job_registry.get_entry(**ids)
    return {
        "sub": player,
        "/staff/jobs/retry/": {
            "owner": player,
            "campaign": job.campaign_id,
            "session": job.session_id,
            "job": job.job_id,
        },
        "/staff/shares/revoke/": {"link": made.link.token_hash},
    }


def _visits(planted):
    for route in STAFF_ROUTES:
        names = {name for name, _ in route.params}
        for action in ACTIONS if "action" in names else [None]:
            path = fill(route, {"sub": planted["sub"], "action": action})
            if path is not None:
                yield path, planted.get(route.id, {})
    yield "/staff/jobs/", {"show": "failed"}
    yield "/staff/errors/", {"window": "7d"}
    yield "/staff/users/", {"email": "bo"}


def test_no_staff_page_shows_a_user_s_text(planted, settings):
    settings.COST_ALLOCATION_TAG = ""
    client = signed_in("ada@example.com")
    client.get("/")  # the login message is shown once
    seen = 0
    with forecast_answers(1.25):  # the cost page's first view fetches the figures; moto has no forecast
        for path, query in _visits(planted):
            response = client.get(path, query)
            assert response.status_code < 500, path
            assert SECRET not in response.content.decode(), path
            seen += response.status_code == 200
    # The users' list and page, each action's confirm page, the audit log, jobs, the retry's
    # confirm page, shares, the revoke's, costs, heaviest users, errors, migration, cutover.
    assert seen >= 15
