"""The traffic split: the percentage of visitors CloudFront sends to this app, the rest
going to v1.0 (docs/cutover.md).

With settings.CUTOVER_KVS_ARN set, the split lives in that CloudFront KeyValueStore under
the key `app_percent` (the integer percentage as a string; the CloudFront Function in
deploy/ reads it and takes 0 when it is missing), and the table's item (PK `CUTOVER`,
SK `SPLIT`) is a copy for the staff page, which so needs no CloudFront permission. With
it empty (a local run, tests), no edge is configured and the item is the split.

A change names the version it was read at (the store's ETag, or the item's revision) and
is refused with SplitChanged if someone else changed it since: two operators shifting at
once cannot overwrite each other's step unseen.
"""

from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError, MissingDependencyException
from django.conf import settings
from django.utils import timezone
from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import PutError

from campaigns_site import aws, prefetch
from campaigns_site.table import TableModel
from campaigns_site.table_keys import CUTOVER_PK

SPLIT_KEY = "app_percent"  # the KeyValueStore's key, read by the CloudFront Function
SPLIT_SK = "SPLIT"
USUAL_STEPS = (10, 25, 50, 100)
KVS_SERVICE = "cloudfront-keyvaluestore"
# The store answers a stale IfMatch with a conflict (HTTP 409); 412 is HTTP's own word for it.
STALE_ETAG_CODES = ("ConflictException", "PreconditionFailed")


class SplitChanged(Exception):
    """Someone else changed the split after it was read: read it again and decide again."""


class EdgeUnavailable(Exception):
    """The KeyValueStore refused or could not be reached: nothing was changed."""


class TrafficSplit(TableModel, discriminator="CutoverSplit"):
    """PK `CUTOVER`, SK `SPLIT`: the split (no edge configured) or a copy of the store's."""

    percent = NumberAttribute(default=0)
    revision = NumberAttribute(default=0)  # +1 per change: the version a change must match
    changed = UTCDateTimeAttribute(null=True)
    kvs_etag = UnicodeAttribute(null=True)  # the store's ETag after the change it copies


@dataclass(frozen=True)
class Split:
    percent: int  # of visitors sent to this app
    etag: str  # the version read: the store's ETag, or the item's revision
    where: str  # where it was read, for the operator

    @property
    def next_step(self):
        """The usual next step (10 → 25 → 50 → 100), None at 100 %."""
        return next((step for step in USUAL_STEPS if step > self.percent), None)


def read_split():
    """The split as it stands, with the version a change must match."""
    if settings.CUTOVER_KVS_ARN:
        return _read_store(settings.CUTOVER_KVS_ARN)
    item = stored_split()
    return Split(
        percent=int(item.percent) if item else 0,
        etag=str(int(item.revision) if item else 0),
        where="the table (no CUTOVER_KVS_ARN: no edge configured)",
    )


def write_split(*, percent, read):
    """Set the split to `percent`, if it is still at the version of `read` (a Split from
    read_split); raises SplitChanged if not, EdgeUnavailable if the store fails."""
    if not 0 <= percent <= 100:
        raise ValueError(f"a percentage is 0 to 100, not {percent}")
    previous = stored_split()
    revision = int(previous.revision) + 1 if previous else 1
    item = TrafficSplit(CUTOVER_PK, SPLIT_SK, percent=percent, revision=revision, changed=timezone.now())
    if settings.CUTOVER_KVS_ARN:
        item.kvs_etag = _put_store(settings.CUTOVER_KVS_ARN, percent=percent, if_match=read.etag)
        item.save()  # the copy: the store is the truth, and has changed already
        return item
    expected = int(read.etag)
    condition = TrafficSplit.revision == expected if expected else TrafficSplit.sk.does_not_exist()
    try:
        item.save(condition=condition)
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise SplitChanged(
                f"someone else changed the split since it was read at {read.percent} %: run the command again"
            ) from None
        raise
    return item


def stored_split():
    """The table's item (the split, or the store's copy), None before the first shift: one
    strongly consistent GetItem, none when the staff page's session check read it."""
    return prefetch.get_item(TrafficSplit, CUTOVER_PK, SPLIT_SK)


def _kvs():
    return aws.client(KVS_SERVICE)


def _read_store(arn):
    where = f"CloudFront KeyValueStore {arn}"
    try:
        etag = _kvs().describe_key_value_store(KvsARN=arn)["ETag"]
        try:
            value = _kvs().get_key(KvsARN=arn, Key=SPLIT_KEY)["Value"]
        except ClientError as error:
            if error.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
            value = "0"  # as the CloudFront Function reads a missing key
    except (BotoCoreError, ClientError) as error:
        raise EdgeUnavailable(_why(error, arn)) from None
    try:
        percent = int(value)
    except ValueError:
        raise EdgeUnavailable(f"{where} holds {SPLIT_KEY}={value!r}, not a percentage") from None
    return Split(percent=percent, etag=etag, where=where)


def _put_store(arn, *, percent, if_match):
    try:
        return _kvs().put_key(KvsARN=arn, Key=SPLIT_KEY, Value=str(percent), IfMatch=if_match)["ETag"]
    except ClientError as error:
        if error.response["Error"]["Code"] in STALE_ETAG_CODES or _status(error) in (409, 412):
            raise SplitChanged(
                f"the KeyValueStore changed since it was read (ETag {if_match} is stale): someone else "
                "changed it; run the command again to see the split as it is now"
            ) from None
        raise EdgeUnavailable(_why(error, arn)) from None
    except BotoCoreError as error:
        raise EdgeUnavailable(_why(error, arn)) from None


def _status(error):
    return error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")


def _why(error, arn):
    if isinstance(error, MissingDependencyException):
        # The KeyValueStore API is signed with SigV4A, which botocore does only with awscrt.
        return f"the KeyValueStore API needs botocore's CRT extra (pip install 'botocore[crt]'): {error}"
    return f"CloudFront KeyValueStore {arn} refused or is unreachable: {error}"
