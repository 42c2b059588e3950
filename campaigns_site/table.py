"""The single DynamoDB table's base model.

Every item lives in one table keyed by PK/SK (see docs/data-model.md); keys come from
campaigns_site.table_keys, re-exported here for the repositories' convenience.
"""

from django.conf import settings
from pynamodb.attributes import DiscriminatorAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, LocalSecondaryIndex
from pynamodb.models import Model

from campaigns_site import aws
from campaigns_site.table_keys import (  # noqa: F401  (re-exported)
    PROFILE_SK,
    SHARE_SK,
    WEB_SESSION_SK,
    InvalidKeyPart,
    campaign_sk,
    new_id,
    session_sk,
    sessions_of_campaign_prefix,
    share_pk,
    speaker_names_sk,
    story_job_sk,
    story_summary_sk,
    summary_job_sk,
    summary_jobs_prefix,
    summary_sk,
    user_pk,
    web_session_pk,
)


class SecondSortOrder(LocalSecondaryIndex):
    """LSI1: the same partition sorted by LSI1SK, for item types that set it
    (campaigns by latest activity, a campaign's sessions in play order)."""

    class Meta:
        index_name = "LSI1"
        projection = AllProjection()

    pk = UnicodeAttribute(hash_key=True, attr_name="PK")
    lsi1sk = UnicodeAttribute(range_key=True, attr_name="LSI1SK")


class TableModel(Model):
    """Base of every item type. `entity` says which type an item is."""

    class Meta:
        table_name = settings.DYNAMODB_TABLE
        region = settings.AWS_REGION
        host = settings.AWS_ENDPOINT_URL or None
        # Fail fast inside a request instead of hanging a Lambda for its whole timeout:
        # the same budget as every other client (campaigns_site.aws); PynamoDB's botocore
        # client makes 1 + max_retry_attempts attempts in standard retry mode.
        connect_timeout_seconds = aws.CONNECT_TIMEOUT_SECONDS
        read_timeout_seconds = aws.READ_TIMEOUT_SECONDS
        max_retry_attempts = aws.MAX_ATTEMPTS - 1

    pk = UnicodeAttribute(hash_key=True, attr_name="PK")
    sk = UnicodeAttribute(range_key=True, attr_name="SK")
    entity = DiscriminatorAttribute(attr_name="entity")
    # Sparse: only item types with a second sort order set it.
    lsi1sk = UnicodeAttribute(null=True, attr_name="LSI1SK")
    second_sort_order = SecondSortOrder()

    @classmethod
    def _get_connection(cls):
        # One connection, so one botocore client, for every item type: they share the
        # table and its key schema. PynamoDB would otherwise build one per subclass, each
        # parsing DynamoDB's service model again (tens of ms each on a cold start).
        connection = Model._get_connection.__func__(TableModel)
        # Its requests are reported to aws's recorders (call counts, the IAM test) like
        # those of aws.client(): with their parameters, which PynamoDB's signals lack.
        aws.watch(connection.connection.client)
        return connection


@aws.on_reset
def configure_pynamodb():
    """Point the table's PynamoDB models at the configured table, region and endpoint.

    aws.reset() calls it whenever tests (or the local run) change the endpoint. Dropping
    the cached connections makes the next request build a new one with the new values.
    """
    for model in _model_and_subclasses(TableModel):
        model.Meta.table_name = settings.DYNAMODB_TABLE
        model.Meta.region = settings.AWS_REGION
        model.Meta.host = settings.AWS_ENDPOINT_URL or None
        model.Meta.connect_timeout_seconds = aws.CONNECT_TIMEOUT_SECONDS
        model.Meta.read_timeout_seconds = aws.READ_TIMEOUT_SECONDS
        # PynamoDB's botocore client makes 1 + max_retry_attempts attempts (standard mode).
        model.Meta.max_retry_attempts = aws.MAX_ATTEMPTS - 1
        model._connection = None


def _model_and_subclasses(model):
    yield model
    for subclass in model.__subclasses__():
        yield from _model_and_subclasses(subclass)
