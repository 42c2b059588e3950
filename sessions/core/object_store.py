"""Transcript objects in S3, under `transcripts/<sub>/<session_id>/` (sessions.core.storage_keys)."""

from django.conf import settings

from campaigns_site import aws

S3_BATCH_SIZE = 1000  # DeleteObjects' limit, and the largest page ListObjectsV2 returns


class ObjectsNotDeleted(RuntimeError):
    pass


def delete_objects_under(*, prefix, page_size=S3_BATCH_SIZE):
    """Delete every object under prefix, a page at a time; returns how many.

    The bucket is not versioned (campaigns_site/provision.py), so a deleted object is gone.
    If versioning is ever turned on, this must delete every version too
    (list_object_versions, which needs s3:ListBucketVersions).
    """
    s3 = aws.client("s3")
    bucket = settings.TRANSCRIPT_BUCKET
    count = 0
    pages = s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix=prefix, PaginationConfig={"PageSize": page_size}
    )
    for page in pages:
        objects = [{"Key": found["Key"]} for found in page.get("Contents", [])]
        if not objects:
            continue
        errors = s3.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True}).get("Errors", [])
        if errors:
            first = f"{errors[0]['Key']}: {errors[0]['Code']}"
            raise ObjectsNotDeleted(f"S3 did not delete {len(errors)} objects (first: {first}); try again")
        count += len(objects)
    return count
