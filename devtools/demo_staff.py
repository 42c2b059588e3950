"""The staff's side of the demo (issue 15): a staff account, and enough across users that
every staff page shows plausible local figures.

Seeded once, with the staff account (later starts find it and change nothing): two more
players with a campaign each, a summary job that failed (through the job's own failure
path: its transcript went before the worker ran), share links with views (the demo's and
a player's, opened through the visitor's path), the v1.0 import's checkpoint with a
report and a verify_v1 result (only when no import ever ran here), and the staff items of
the directory and the audit log (hooks below, filled once their modules are merged).

CloudWatch Logs and Cost Explorer are given at every start instead: devtools/demo_ops.py.
"""

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from accounts.staff import add_staff
from campaigns.repository import create_campaign
from campaigns_site import audit, aws, directory
from devtools import demo_transcripts
from devtools.demo import _attribute, _upload_transcript, create_confirmed_account
from sessions.core.repository import create_session
from sessions.sharing.registry import count_links
from sessions.sharing.repository import create_share_link, open_share_link
from sessions.summaries.jobs import start_summary_job
from sessions.summaries.runners import run_summary_job
from sessions.transcripts.services import delete_transcript
from v1 import checkpoints
from v1.differences import Verification
from v1.report import CASE_DUPLICATE, SOFT_DELETED, Report
from v1.verify_record import EVERYONE, record_verification

STAFF_EMAIL = "staff@example.com"
# Meets the pool's policy (10+ characters, lowercase and digits). Local only: printed in the banner.
STAFF_PASSWORD = "keep-the-lights-on-15"
STAFF_DISPLAY_NAME = "Demo Staff"
# (email, display name, campaign, origin): "v1" as if brought over by the import.
PLAYERS = (
    ("ivy@example.com", "Ivy Ashdown", "Curse of Strahd", "new"),
    ("tomas@example.com", "Tomas Reed", "Tomb of Annihilation", "v1"),
)
SHARE_VIEWS = {"demo": 3, "player": 7}  # the player's link is the most viewed


@dataclass
class StaffSeed:
    created: bool
    sub: str
    players: dict = field(default_factory=dict)  # {email: sub}
    failed_job_id: str = ""


def seed_staff_demo(*, demo_seed=None, user_pool_id=None):
    """The staff account and the figures of the staff pages, unless the account exists."""
    user_pool_id = user_pool_id or settings.COGNITO_USER_POOL_ID
    sub, created = ensure_account(STAFF_EMAIL, STAFF_PASSWORD, STAFF_DISPLAY_NAME, user_pool_id=user_pool_id)
    if not created:
        return StaffSeed(created=False, sub=sub)
    add_staff(email=STAFF_EMAIL)
    seed = StaffSeed(created=True, sub=sub)
    for email, name, _, _ in PLAYERS:
        password = f"{secrets.token_urlsafe(12).lower()}-7"  # nobody signs in as them
        seed.players[email] = ensure_account(email, password, name, user_pool_id=user_pool_id)[0]
    ivy, tomas = (seed.players[email] for email, *_ in PLAYERS)
    ivy_campaign, ivy_session = _campaign_with_a_transcript(ivy, PLAYERS[0][2])
    _share_and_view(ivy, ivy_campaign, ivy_session, views=SHARE_VIEWS["player"])
    tomas_campaign, tomas_session = _campaign_with_a_transcript(tomas, PLAYERS[1][2])
    seed.failed_job_id = _a_failed_summary_job(tomas, tomas_campaign, tomas_session)
    if demo_seed is not None and demo_seed.share_path:
        token = demo_seed.share_path.rstrip("/").rsplit("/", 1)[-1]
        for _ in range(SHARE_VIEWS["demo"]):
            open_share_link(token=token)
    seed_import_report()
    users = [(sub, STAFF_EMAIL, "new", True)] + [
        (seed.players[email], email, origin, False) for email, _, _, origin in PLAYERS
    ]
    if demo_seed is not None:
        users.append((demo_seed.sub, "demo@campaign-sessions.local", "new", False))
    seed_directory_entries(users)
    seed_audit_entries(staff_sub=sub, staff_email=STAFF_EMAIL, target_sub=tomas)
    count_links()  # as the hourly event would have: a local run has no scheduled events
    return seed


def ensure_account(email, password, display_name, *, user_pool_id):
    """(sub, made now): a confirmed Cognito user with its profile."""
    cognito = aws.client("cognito-idp")
    try:
        user = cognito.admin_get_user(UserPoolId=user_pool_id, Username=email)
        return _attribute(user["UserAttributes"], "sub"), False
    except cognito.exceptions.UserNotFoundException:
        pass
    sub, _ = create_confirmed_account(
        email=email, password=password, display_name=display_name, user_pool_id=user_pool_id
    )
    return sub, True


def _campaign_with_a_transcript(sub, name):
    campaign = create_campaign(sub=sub, name=name, description="", game_system="D&D 5e")
    session = create_session(sub=sub, campaign_id=campaign.campaign_id, title="Session one", number=1)
    text = demo_transcripts.as_vtt(demo_transcripts.excerpt("friend_in_need", first=0, count=40))
    _upload_transcript(
        sub=sub, campaign_id=campaign.campaign_id, session_id=session.session_id, data=text.encode(), filename="one.vtt"
    )
    return campaign.campaign_id, session.session_id


def _share_and_view(sub, campaign_id, session_id, *, views):
    link = create_share_link(sub=sub, campaign_id=campaign_id, session_id=session_id, scope="transcript", label="Table")
    for _ in range(views):
        open_share_link(token=link.token)


def _a_failed_summary_job(sub, campaign_id, session_id):
    """Queued, its transcript deleted, then run: the worker ends it as failed, with its reason."""
    with override_settings(SUMMARY_JOB_RUNNER="manual", SUMMARY_PROVIDER="offline"):
        job = start_summary_job(sub=sub, campaign_id=campaign_id, session_id=session_id, kinds=["recap"])
    delete_transcript(sub=sub, campaign_id=campaign_id, session_id=session_id)
    run_summary_job(sub=sub, campaign_id=campaign_id, session_id=session_id, job_id=job.job_id)
    return job.job_id


def seed_import_report():
    """A completed import pass with its report and a verify_v1 result, as counts; only when
    no import ever ran here (a real one's state is never overwritten)."""
    if checkpoints.get_run() is not None:
        return False
    # As if Tomas (origin "v1") had come over from v1.0 with his campaign and session.
    report = Report(source_rows={"users": 2, "accounts": 1, "campaigns": 2, "game_sessions": 1, "summaries": 0})
    for what, count in {"users": 1, "campaigns": 1, "sessions": 1}.items():
        report.wrote(what, count)
    report.transcript_bytes = 3_412
    report.accounts_done = 1
    for table, row_id, reason in [("users", "2", CASE_DUPLICATE), ("campaigns", "c-demo-1", SOFT_DELETED)]:
        report.skip(table, row_id, reason)
    run = checkpoints.start_pass()
    checkpoints.record_progress(run, done_through=2)
    checkpoints.complete_pass(run, report_json=report.as_json())
    verification = Verification(source_rows=report.source_rows, on_purpose=report)
    verification.accounts = 1
    verification.compared.update({"users": 1, "campaigns": 1, "sessions": 1})
    record_verification(verification, scope=EVERYONE)
    return True


# --- hooks for the modules of issue 15 that other branches bring --------------------------------
def seed_directory_entries(users):
    """Each user's directory entry with its origin, staff flag and a last sign-in (the
    counters come from the writes themselves, campaigns_site.usage). `users` is
    [(sub, email, origin, is_staff)]; returns how many were written."""
    now = timezone.now()
    for days_ago, (sub, email, origin, is_staff) in enumerate(users):
        created = now - timedelta(days=30 + 20 * days_ago)
        directory.write_entry(
            sub=sub, email=email, created=created, origin=origin, is_staff=is_staff, sign_in_disabled=False
        )
        directory.record_sign_in(sub=sub, email=email, at=now - timedelta(hours=3 * days_ago + 1))
    return len(users)


def seed_audit_entries(*, staff_sub, staff_email, target_sub):
    """Two entries for the audit log, as the staff page writes them: the operator made the
    staff member staff, and the staff member signed a player out everywhere."""
    audit.record_action(by=audit.OPERATOR, action="make-staff", target_sub=staff_sub, target_email=staff_email)
    target_email = directory.get_entry(sub=target_sub).email
    audit.record_action(
        by=staff_email, by_sub=staff_sub, action="sign-out-everywhere", target_sub=target_sub, target_email=target_email
    )
    return 2
