import base64
import hashlib
import hmac

from django.test import Client

from accounts.profiles import get_profile
from campaigns.repository import get_campaign, list_campaigns_for_user
from campaigns_site import aws as aws_clients
from campaigns_site.demo import DEMO_EMAIL, DEMO_PASSWORD, seed_demo_data
from sessions.repository import list_sessions_for_campaign


def test_seeding_creates_a_demo_user_who_can_log_in(aws):
    seed = seed_demo_data()
    assert seed.created

    cognito = aws_clients.client("cognito-idp")
    user = cognito.admin_get_user(UserPoolId=aws.user_pool_id, Username=DEMO_EMAIL)
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]
    result = cognito.initiate_auth(
        ClientId=aws.app_client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": DEMO_EMAIL, "PASSWORD": DEMO_PASSWORD, "SECRET_HASH": _secret_hash(aws)},
    )
    assert "AccessToken" in result["AuthenticationResult"]


def test_seeding_creates_profile_campaign_and_session(aws):
    seed = seed_demo_data()

    assert get_profile(sub=seed.sub).email == DEMO_EMAIL
    campaign = get_campaign(sub=seed.sub, campaign_id=seed.campaign_id)
    assert campaign.session_count == 1
    sessions = list_sessions_for_campaign(sub=seed.sub, campaign_id=seed.campaign_id, limit=10).items
    assert [s.session_id for s in sessions] == [seed.session_id]
    assert len(sessions[0].notes.splitlines()) >= 3


def test_second_seeding_does_nothing(aws, aws_calls):
    first = seed_demo_data()

    with aws_calls() as calls:
        second = seed_demo_data()

    assert (second.created, second.sub) == (False, first.sub)
    assert calls.operations() == ["cognito-idp.AdminGetUser"]
    assert len(list_campaigns_for_user(sub=first.sub, limit=10).items) == 1


def _secret_hash(aws):
    digest = hmac.new(aws.app_client_secret.encode(), (DEMO_EMAIL + aws.app_client_id).encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


def test_demo_user_logs_in_through_the_login_page(aws, db):
    seed_demo_data()
    client = Client()
    response = client.post("/accounts/login/", {"login": DEMO_EMAIL, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert "Welcome back, Demo Game Master" in client.get("/").content.decode()
