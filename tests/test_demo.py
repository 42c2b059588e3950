import base64
import hashlib
import hmac

import pytest
from django.test import Client

from accounts.profiles import get_profile
from campaigns.repository import create_campaign, get_campaign, list_campaigns_for_user
from campaigns_site import aws as aws_clients
from campaigns_site.table_keys import story_summary_sk
from devtools import demo
from devtools.demo import DEMO_EMAIL, DEMO_PASSWORD, seed_demo_data
from sessions.core.kinds import KINDS
from sessions.core.repository import create_session, get_session, list_sessions_for_campaign
from sessions.search.services import search_sessions
from sessions.sharing.repository import list_share_links_for_session
from sessions.summaries.items import Summary
from sessions.transcripts.repository import get_speaker_names
from sessions.transcripts.segments_json import load_segments
from sessions.transcripts.storage import load_stored_segments


def test_seeding_creates_a_demo_user_who_can_log_in(aws):
    seed = seed_demo_data()
    assert seed.created

    cognito = aws_clients.client("cognito-idp")
    user = cognito.admin_get_user(UserPoolId=aws.user_pool_id, Username=DEMO_EMAIL)
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]
    result = cognito.initiate_auth(
        ClientId=aws.app_client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": DEMO_EMAIL, "PASSWORD": DEMO_PASSWORD, "SECRET_HASH": _secret_hash(aws)},
    )
    assert "AccessToken" in result["AuthenticationResult"]


@pytest.fixture
def seeded(aws, db):
    return seed_demo_data()


def test_seeding_creates_profile_campaign_and_two_sessions_with_transcripts(seeded):
    assert get_profile(sub=seeded.sub).email == DEMO_EMAIL
    campaign = get_campaign(sub=seeded.sub, campaign_id=seeded.campaign_id)
    assert campaign.session_count == 2
    sessions = list_sessions_for_campaign(sub=seeded.sub, campaign_id=seeded.campaign_id, limit=10).items
    assert {s.session_id for s in sessions} == set(seeded.session_ids)
    assert campaign.transcript_bytes == sum(s.transcript_bytes for s in sessions) > 0
    for session in sessions:
        assert len(session.notes.splitlines()) >= 3
        segments = load_segments(load_stored_segments(session))  # the stored object, from S3
        assert len(segments) >= 250
        assert 4 <= len({segment.speaker for segment in segments}) <= 6
        assert session.transcript_speaker_count == 5


def test_the_demo_speakers_are_named_and_every_summary_is_written(seeded):
    names = get_speaker_names(sub=seeded.sub, campaign_id=seeded.campaign_id).as_dict()
    assert names["SPEAKER_01"] == {"player": "Ana", "character": "Mira Thornwood"}
    for session_id in seeded.session_ids:
        summaries = {
            summary.kind: summary
            for summary in Summary.query(
                f"USER#{seeded.sub}", Summary.sk.startswith(f"SUMMARY#{seeded.campaign_id}#{session_id}#")
            )
        }
        assert set(summaries) == set(KINDS)
        assert all(summary.text.strip() for summary in summaries.values())
    story = Summary.get(f"USER#{seeded.sub}", story_summary_sk(seeded.campaign_id))
    assert story.text.strip()


def test_the_demo_has_a_share_link_whose_address_is_given_once(seeded, anonymous):
    links = list_share_links_for_session(sub=seeded.sub, session_id=seeded.session_ids[0])
    assert [(link.label, link.pointer.scope) for link in links] == [(demo.SHARE_LABEL, "transcript")]
    assert seeded.share_path.startswith("/share/")

    page = anonymous.get(seeded.share_path)
    assert page.status_code == 200
    transcript = anonymous.get(f"{seeded.share_path}transcript/")
    assert "Mira Thornwood" in transcript.content.decode()


def test_search_finds_a_word_of_the_demo_transcripts(seeded):
    found = search_sessions(sub=seeded.sub, text="grell")
    assert [result.session_id for result in found.results] == [seeded.session_ids[1]]


def test_second_seeding_does_nothing(seeded, aws_calls):
    with aws_calls() as calls:
        second = seed_demo_data()

    assert (second.created, second.sub, second.share_path) == (False, seeded.sub, "")
    assert calls.operations() == ["cognito-idp.AdminGetUser", "dynamodb.Query"]
    campaigns = list_campaigns_for_user(sub=seeded.sub, limit=10).items
    assert [campaign.session_count for campaign in campaigns] == [2]
    assert len(list_share_links_for_session(sub=seeded.sub, session_id=seeded.session_ids[0])) == 1


def test_a_demo_seeded_before_transcripts_gets_them_added_once(aws, db, monkeypatch):
    # The demo as it was seeded before: the user, the campaign, one session, no transcript.
    monkeypatch.setattr(
        demo,
        "_played",
        lambda sub, campaign_id, session_id, *, created: demo.DemoSeed(
            created=created, sub=sub, campaign_id=campaign_id, session_ids=[session_id]
        ),
    )
    old = seed_demo_data()
    monkeypatch.undo()

    upgraded = seed_demo_data()

    assert upgraded.upgraded and not upgraded.created and upgraded.share_path
    assert upgraded.session_ids[0] == old.session_id
    assert get_session(sub=old.sub, campaign_id=old.campaign_id, session_id=old.session_id).has_transcript
    assert get_campaign(sub=old.sub, campaign_id=old.campaign_id).session_count == 2
    assert not seed_demo_data().upgraded  # and only once


def test_a_changed_old_demo_is_left_alone(aws, db, monkeypatch):
    monkeypatch.setattr(
        demo,
        "_played",
        lambda sub, campaign_id, session_id, *, created: demo.DemoSeed(
            created=created, sub=sub, campaign_id=campaign_id, session_ids=[session_id]
        ),
    )
    old = seed_demo_data()
    monkeypatch.undo()
    create_session(sub=old.sub, campaign_id=old.campaign_id, title="My own session")
    create_campaign(sub=old.sub, name="My own campaign")

    again = seed_demo_data()

    assert not again.upgraded and again.share_path == ""
    assert not get_session(sub=old.sub, campaign_id=old.campaign_id, session_id=old.session_id).has_transcript


def _secret_hash(aws):
    digest = hmac.new(aws.app_client_secret.encode(), (DEMO_EMAIL + aws.app_client_id).encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


def test_demo_user_logs_in_through_the_login_page(aws, db):
    seed_demo_data()
    client = Client()
    response = client.post("/accounts/login/", {"login": DEMO_EMAIL, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert "Welcome back, Demo Game Master" in client.get("/").content.decode()
