"""A bucket the commands need, checked before they start (one HeadBucket)."""

from botocore.exceptions import ClientError
from django.core.management.base import CommandError

from campaigns_site import aws


def check_readable(name, *, whose="v1.0's"):
    """One clear line (CommandError) when the bucket cannot be read."""
    try:
        aws.client("s3").head_bucket(Bucket=name)
    except ClientError as error:
        code = error.response["Error"]["Code"]
        raise CommandError(f"{whose} bucket {name!r} cannot be read ({code}).") from None
