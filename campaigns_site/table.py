"""The single DynamoDB table's base model.

Every item lives in one table keyed by PK/SK (see docs/data-model.md); keys come from
campaigns_site.table_keys, re-exported here for the repositories' convenience.

One connection for every item type: PynamoDB gives a model the connection of its base
when the base has one for the same table (Model._get_connection), so TableModel's is made
as soon as this module is loaded (and again by aws.reset()), before any item type can
make one of its own. One connection means one botocore client, so DynamoDB's service
model is parsed once on a cold start instead of once per item type (tens of ms each).
Making it costs no request and no client: PynamoDB makes its botocore client on the
first request.
"""

from django.conf import settings
from pynamodb.attributes import DiscriminatorAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, LocalSecondaryIndex
from pynamodb.models import Model
from pynamodb.signals import pre_dynamodb_send

from campaigns_site import aws
from campaigns_site.dynamodb_answers import decode_reads_as_json
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


def configure():
    """Point the table's PynamoDB models at the configured table, region and endpoint,
    and make again the one connection they share (aws.reset() calls it, so tests can
    change the endpoint). Item types have no Meta of their own: TableModel's is theirs."""
    TableModel.Meta.table_name = settings.DYNAMODB_TABLE
    TableModel.Meta.region = settings.AWS_REGION
    TableModel.Meta.host = settings.AWS_ENDPOINT_URL or None
    TableModel.Meta.connect_timeout_seconds = aws.CONNECT_TIMEOUT_SECONDS
    TableModel.Meta.read_timeout_seconds = aws.READ_TIMEOUT_SECONDS
    TableModel.Meta.max_retry_attempts = aws.MAX_ATTEMPTS - 1
    share_one_connection()


def share_one_connection():
    """(Re)make TableModel's connection, the one every item type uses; item types drop
    any connection of their own."""
    for model in _model_and_subclasses(TableModel):
        if "_connection" in vars(model):
            del model._connection  # back to the inherited one (PynamoDB's Model: None)
    TableModel._get_connection()


def _model_and_subclasses(model):
    yield model
    for subclass in model.__subclasses__():
        yield from _model_and_subclasses(subclass)


def _report_requests(connection, **kwargs):
    # PynamoDB's public signal, sent before each request with the connection that makes
    # it: its botocore client then reports the request to aws's recorders (call counts,
    # the IAM test) like those of aws.client(), with its parameters, which the signal
    # lacks. Watching a client twice is a no-op; a client PynamoDB makes again (it does
    # when one has no credentials) is watched at its first request. Its read answers are
    # decoded by json.loads, not by botocore's shape-by-shape parser (dynamodb_answers).
    decode_reads_as_json(aws.watch(connection.client))


pre_dynamodb_send.connect(_report_requests)
aws.on_reset(configure)
share_one_connection()
