"""The Lambda role's extra grants while both stacks are live (deploy/iam-policy-cutover.json,
attached for the cutover and detached by retire_v1's run book) allow every AWS request
the scheduled sync, the scheduled drain and the mirror after a response make, and grant
nothing those requests do not use. The role's own policy (deploy/iam-policy.json) is
checked by tests/test_iam_policy.py's tour; this tour adds the cutover's work to it."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from mirror_world import forget_request_entries
from v1_standin import V1Standin

from campaigns_site import aws as aws_module
from campaigns_site.aws import record_aws_calls
from cutover import mirror_drain
from cutover.scheduled import sync_v1_event
from cutover.scheduled_drain import drain_outbox_event
from tests.iam_policy import POOL_PLACEHOLDER, IamRecorder, evaluate, policy_for, unused_grants
from tests.uploads import confirm, post_to_s3, upload_form_of
from tests.web_clients import post

CUTOVER_POLICY = Path(__file__).resolve().parents[2] / "deploy" / "iam-policy-cutover.json"
V1_BUCKET_PLACEHOLDER = "campaign-sessions-v1"  # deploy/README.md: replaced with v1.0's bucket
VTT = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Ada>The map is in the crypt\n"


class LambdaContext:
    """What Zappa passes a scheduled function: time left, plenty of it."""

    def get_remaining_time_in_millis(self):
        return 300_000


def cutover_policy_for(settings):
    text = CUTOVER_POLICY.read_text()
    for production, test in [
        (f":::{V1_BUCKET_PLACEHOLDER}/", f":::{settings.V1_BUCKET}/"),
        (f":userpool/{POOL_PLACEHOLDER}", f":userpool/{settings.COGNITO_USER_POOL_ID}"),
    ]:
        assert production in text, production
        text = text.replace(production, test)
    return json.loads(text)


@pytest.fixture
def cutover_tour(imported_v1, v1_small_database, v1_small_bucket, settings, owner):
    """v1.0 and this app both written, then the scheduled sync and drain as Lambda runs
    them: the AWS requests of the cutover's own work (and the pages that trigger the mirror)."""
    dsn = v1_small_database
    call_command("v1_capture", "install", "--source", dsn, stdout=io.StringIO())
    settings.V1_SOURCE_DSN = settings.V1_MIRROR_DSN = dsn
    settings.V1_BUCKET = v1_small_bucket
    mirror_drain.forget_outage()
    forget_request_entries()  # the owner's sign-up, made by the fixture: the drain below takes it
    aws_module.client("s3").put_object(Bucket=v1_small_bucket, Key="uploads/new.txt", Body=b"DM: Roll initiative.\n")
    with V1Standin(dsn) as v1:  # v1.0's users keep working there
        bea = v1.new_user("bea@example.com", "bea's old secret 1")
        tomb = v1.new_campaign(bea, name="Tomb of Annihilation")
        v1.new_session(tomb, title="Inline", transcript_text="DM: Welcome to Chult.\n")
        v1.new_session(tomb, title="In the bucket", transcript_key="uploads/new.txt", transcript_filename="new.txt")
        v1.change_password(bea, "bea's new secret 2")

    recorder = IamRecorder()
    with record_aws_calls(recorder):
        drain_outbox_event({}, LambdaContext())
        sync_v1_event({}, LambdaContext())
        # This app's users: a campaign and a session with an upload, each mirrored after its response.
        response = post(owner, "/campaigns/new/", {"name": "Dragon Heist", "game_system": "", "description": ""})
        campaign_id = response["Location"].split("/")[2]
        session = {"title": "Trollskull", "number": "1", "played_on": "2024-06-07", "notes": ""}
        response = post(owner, f"/campaigns/{campaign_id}/sessions/new/", session)
        page = owner.get(response["Location"])
        assert confirm(owner, post_to_s3(upload_form_of(page), VTT, "trollskull.vtt")).status_code == 302
        drain_outbox_event({}, LambdaContext())
    assert not recorder.unknown, recorder.unknown
    return recorder


def test_the_cutover_policy_and_the_roles_allow_every_request_of_the_cutover(cutover_tour, settings):
    policies = [policy_for(settings), cutover_policy_for(settings)]
    refused = sorted(
        {str(request) for request in cutover_tour.requests if not any(evaluate(p, request) for p in policies)}
    )
    assert not refused, "refused by deploy/iam-policy.json and deploy/iam-policy-cutover.json:\n" + "\n".join(refused)


def test_the_cutover_policy_grants_nothing_the_cutover_does_not_use(cutover_tour, settings):
    unused = unused_grants(cutover_policy_for(settings), cutover_tour.requests)
    assert not unused, "granted by deploy/iam-policy-cutover.json but never used:\n" + "\n".join(unused)
