"""The staff's demo (devtools/demo_staff.py, devtools/demo_ops.py): a staff account that
signs in, and what the staff pages show locally: players, a failed summary job, share
links with views, an import report and a verify result, the local function's errors,
Cost Explorer's preset answers."""

import pytest
from django.utils import timezone

from accounts.profiles import get_profile
from campaigns.repository import list_campaigns_for_user
from campaigns_site import aws as aws_clients
from campaigns_site import directory
from campaigns_site.table_keys import V1_IMPORT_PK, V1_IMPORT_RUN_SK
from devtools.demo import seed_demo_data
from devtools.demo_costs import preset_cost_explorer
from devtools.demo_ops import LOCAL_FUNCTION_NAME, demo_log_lines, seed_local_error_log
from devtools.demo_staff import PLAYERS, SHARE_VIEWS, STAFF_EMAIL, STAFF_PASSWORD, seed_staff_demo
from sessions.core.repository import list_sessions_for_campaign
from sessions.sharing.repository import list_share_links_for_session
from sessions.summaries.items import NO_TRANSCRIPT, SummaryJob
from staff import last_errors
from tests.web_clients import anonymous_client, post
from v1.checkpoints import COMPLETE, ImportRun, get_run
from v1.verify_record import last_verification


@pytest.fixture
def staff_demo(aws, db):
    demo = seed_demo_data()
    return demo, seed_staff_demo(demo_seed=demo)


def staff_client():
    client = anonymous_client()
    assert post(client, "/accounts/login/", {"login": STAFF_EMAIL, "password": STAFF_PASSWORD}).status_code == 302
    return client


def test_the_staff_account_signs_in_and_is_staff(staff_demo, settings):
    _, staff = staff_demo
    assert staff.created and get_profile(sub=staff.sub).is_staff
    groups = aws_clients.client("cognito-idp").admin_list_groups_for_user(
        UserPoolId=settings.COGNITO_USER_POOL_ID, Username=STAFF_EMAIL
    )["Groups"]
    assert [group["GroupName"] for group in groups] == ["staff"]
    assert staff_client().get("/staff/").status_code == 200


def test_players_a_failed_job_and_share_links_with_views(staff_demo):
    demo, staff = staff_demo
    assert set(staff.players) == {email for email, *_ in PLAYERS}
    tomas = staff.players["tomas@example.com"]
    (job,) = SummaryJob.query(f"USER#{tomas}", SummaryJob.sk.startswith("SUMMARYJOB#"))
    assert job.job_id == staff.failed_job_id and job.is_failed and job.failure_reason == NO_TRANSCRIPT
    (demo_link,) = list_share_links_for_session(sub=demo.sub, session_id=demo.session_ids[0])
    assert demo_link.views == SHARE_VIEWS["demo"]
    ivy = staff.players["ivy@example.com"]
    (campaign,) = list_campaigns_for_user(sub=ivy).items
    (session,) = list_sessions_for_campaign(sub=ivy, campaign_id=campaign.campaign_id).items
    (ivy_link,) = list_share_links_for_session(sub=ivy, session_id=session.session_id)
    assert ivy_link.views == SHARE_VIEWS["player"] > SHARE_VIEWS["demo"]  # the most viewed
    # Counted once by the seeding (a local run has no hourly event): the page shows them.
    html = staff_client().get("/staff/shares/").content.decode()
    assert "Not counted yet" not in html and "Ivy" not in html  # ids and counts only


def test_the_import_and_verify_figures_show_on_the_migration_page(staff_demo):
    assert get_run().state == COMPLETE
    assert last_verification().ok
    html = staff_client().get("/staff/migration/").content.decode()
    assert "<dt>Written</dt><dd>campaigns 1, sessions 1, users 1</dd>" in html
    assert "exit 0: v1.0 and this app agree" in html


def test_a_real_import_is_never_overwritten(aws, db):
    run = ImportRun(V1_IMPORT_PK, V1_IMPORT_RUN_SK, state=COMPLETE, done_through=4031)  # a real import's checkpoint
    run.started = run.finished = timezone.now()
    run.save()
    seed_staff_demo()
    assert get_run().done_through == 4031 and last_verification() is None


def test_seeding_again_changes_nothing(staff_demo, aws_calls):
    with aws_calls() as calls:
        again = seed_staff_demo()
    assert not again.created and again.sub == staff_demo[1].sub
    assert calls.operations() == ["cognito-idp.AdminGetUser"]


def test_the_local_function_s_errors_show_on_the_errors_page(staff_demo, settings, monkeypatch):
    monkeypatch.setenv("LAMBDA_FUNCTION_NAME", LOCAL_FUNCTION_NAME)
    settings.LAMBDA_FUNCTION_NAME = LOCAL_FUNCTION_NAME
    monkeypatch.setattr(last_errors, "POLL_INTERVAL_SECONDS", 0)
    assert seed_local_error_log() == len(demo_log_lines(last_errors.timezone.now()))
    client = staff_client()
    html = client.get("/staff/errors/").content.decode()
    assert html.count("<code>4c1e0b7a-demo-") == 3  # the last 24 hours
    assert "<strong>ValueError</strong>: bad played_on date" in html
    assert "ok1" not in html  # the ordinary requests are not errors
    assert client.get("/staff/errors/", {"window": "7d"}).content.decode().count("<code>4c1e0b7a-demo-") == 4


def test_cost_explorer_answers_are_preset_in_the_local_moto(served_aws):
    preset_cost_explorer(endpoint_url=served_aws.endpoint_url)
    daily = aws_clients.client("ce").get_cost_and_usage(
        TimePeriod={"Start": "2026-09-06", "End": "2026-12-05"},
        Granularity="DAILY",
        Metrics=["UnblendedCost"],
        GroupBy=[{"Type": "DIMENSION", "Key": "SERVICE"}],
    )["ResultsByTime"]
    assert len(daily) == 90
    assert {group["Keys"][0] for group in daily[-1]["Groups"]} >= {"Amazon DynamoDB", "AWS Lambda"}


def test_the_users_and_audit_pages_show_the_demo_s_people(staff_demo):
    demo, staff = staff_demo
    client = staff_client()
    users = client.get("/staff/users/").content.decode()
    for email in (STAFF_EMAIL, "ivy@example.com", "tomas@example.com", "demo@campaign-sessions.local"):
        assert email in users
    tomas = directory.get_entry(sub=staff.players["tomas@example.com"])
    assert tomas.origin == "v1" and tomas.last_sign_in is not None
    assert directory.get_entry(sub=staff.sub).is_staff
    log = client.get("/staff/audit/").content.decode()
    assert "signed out everywhere" in log and "made staff" in log
    assert "tomas@example.com" in log
