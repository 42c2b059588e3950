"""Demo data for the local run: one user with a campaign and a played session.

Seeded on first start only; later starts find the demo user and change nothing, so
whatever someone did with the demo account survives.
"""

from dataclasses import dataclass

from django.conf import settings

from accounts.profiles import ProfileAlreadyExists, create_profile
from campaigns.repository import create_campaign
from campaigns_site import aws
from sessions.repository import create_session

DEMO_EMAIL = "demo@campaign-sessions.local"
# Meets the pool's policy (10+ characters, lowercase and digits). Local only: printed in the banner.
DEMO_PASSWORD = "roll-for-initiative-20"
DEMO_DISPLAY_NAME = "Demo Game Master"
DEMO_NOTES = """\
The party met at the Yawning Portal and took the job from Volo.
- Found the hidden stair under the old well; Mirt's seal on the door.
- Lost a torch-bearer to the stirges; Brannoc owes the party a favour.
Open thread: who is paying the Zhentarim to watch the inn?
"""


@dataclass
class DemoSeed:
    created: bool
    sub: str
    campaign_id: str = ""
    session_id: str = ""


def seed_demo_data(*, user_pool_id=None, email=DEMO_EMAIL, password=DEMO_PASSWORD):
    """Create the demo user, profile, campaign and session unless the user exists already."""
    cognito = aws.client("cognito-idp")
    user_pool_id = user_pool_id or settings.COGNITO_USER_POOL_ID
    try:
        user = cognito.admin_get_user(UserPoolId=user_pool_id, Username=email)
        return DemoSeed(created=False, sub=_attribute(user["UserAttributes"], "sub"))
    except cognito.exceptions.UserNotFoundException:
        pass

    user = cognito.admin_create_user(
        UserPoolId=user_pool_id,
        Username=email,
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "true"},
            {"Name": "name", "Value": DEMO_DISPLAY_NAME},
        ],
        MessageAction="SUPPRESS",
    )["User"]
    cognito.admin_set_user_password(UserPoolId=user_pool_id, Username=email, Password=password, Permanent=True)
    sub = _attribute(user["Attributes"], "sub")

    try:
        create_profile(sub=sub, email=email, display_name=DEMO_DISPLAY_NAME)
    except ProfileAlreadyExists:
        return DemoSeed(created=False, sub=sub)
    campaign = create_campaign(
        sub=sub,
        name="Dragon Heist",
        description="A treasure hunt through the wards of Waterdeep.",
        game_system="D&D 5e",
    )
    session = create_session(
        sub=sub, campaign_id=campaign.campaign_id, title="A Friend in Need", number=1,
        played_on="2024-05-31", notes=DEMO_NOTES,
    )
    return DemoSeed(created=True, sub=sub, campaign_id=campaign.campaign_id, session_id=session.session_id)


def _attribute(attributes, name):
    return next(attribute["Value"] for attribute in attributes if attribute["Name"] == name)
