"""The single DynamoDB table: its base model and key helpers.

Every item lives in one table keyed by PK/SK (see docs/data-model.md). Repositories
build keys only through the helpers here, from the owner's Cognito `sub`: no code path
accepts a raw partition key from outside.
"""

from django.conf import settings
from pynamodb.attributes import DiscriminatorAttribute, UnicodeAttribute
from pynamodb.models import Model
from ulid import ULID


class TableModel(Model):
    """Base of every item type. `entity` says which type an item is."""

    class Meta:
        table_name = settings.DYNAMODB_TABLE
        region = settings.AWS_REGION
        host = settings.AWS_ENDPOINT_URL or None
        # Fail fast inside a request instead of hanging a Lambda for its whole timeout.
        connect_timeout_seconds = 2
        read_timeout_seconds = 5
        max_retry_attempts = 3

    pk = UnicodeAttribute(hash_key=True, attr_name="PK")
    sk = UnicodeAttribute(range_key=True, attr_name="SK")
    entity = DiscriminatorAttribute(attr_name="entity")


class InvalidKeyPart(ValueError):
    """A key part is empty or would break out of its key (contains '#')."""


def _part(name, value):
    value = str(value)
    if not value or "#" in value or len(value) > 200:
        raise InvalidKeyPart(f"invalid {name} for a key: {value!r}")
    return value


def new_id():
    """A new ULID: unique, and sorting by it sorts by creation time."""
    return str(ULID())


def user_pk(sub):
    return f"USER#{_part('sub', sub)}"


PROFILE_SK = "PROFILE"


def campaign_sk(campaign_id):
    return f"CAMPAIGN#{_part('campaign id', campaign_id)}"


def session_sk(campaign_id, session_id):
    return f"SESSION#{_part('campaign id', campaign_id)}#{_part('session id', session_id)}"


def sessions_of_campaign_prefix(campaign_id):
    return f"SESSION#{_part('campaign id', campaign_id)}#"


def summary_sk(campaign_id, session_id, kind):
    return f"SUMMARY#{_part('campaign id', campaign_id)}#{_part('session id', session_id)}#{_part('kind', kind)}"


def share_pk(token_hash):
    return f"SHARE#{_part('token hash', token_hash)}"


SHARE_SK = "SHARE"


def web_session_pk(session_key):
    return f"WEBSESSION#{_part('session key', session_key)}"


WEB_SESSION_SK = "WEBSESSION"
