"""Profile items, by owner."""

from datetime import datetime, timezone

from pynamodb.exceptions import PutError

from accounts.items import Profile
from campaigns_site.table import PROFILE_SK, user_pk


class ProfileAlreadyExists(Exception):
    pass


def get_profile(*, sub):
    """The user's profile, or None if there is none yet."""
    try:
        return Profile.get(user_pk(sub), PROFILE_SK, consistent_read=True)
    except Profile.DoesNotExist:
        return None


def create_profile(*, sub, email, display_name=""):
    """Create the profile; raises ProfileAlreadyExists instead of overwriting one."""
    profile = Profile(
        user_pk(sub), PROFILE_SK, email=email, display_name=display_name, created=datetime.now(timezone.utc)
    )
    try:
        profile.save(condition=Profile.sk.does_not_exist())
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise ProfileAlreadyExists(sub) from error
        raise
    return profile
