"""The deployment's cost-allocation tag (COST_ALLOCATION_TAG, `key=value`) on every resource
provision makes: the table, the bucket, the user pool and the function's log group.

Once the tag key is activated in the Billing console, Cost Explorer and budgets can count
this deployment's costs apart from the rest of the account. Each resource keeps its other
tags: only ours is added or corrected, and a resource already tagged is left alone.
"""

from django.conf import settings

from campaigns_site import aws


def cost_tag():
    """COST_ALLOCATION_TAG as {key: value}; {} when it is unset (nothing is tagged)."""
    if not settings.COST_ALLOCATION_TAG:
        return {}
    key, value = settings.COST_ALLOCATION_TAG.split("=", 1)
    return {key: value}


def ensure_cost_tags(*, user_pool_id, log_group, say):
    tag = cost_tag()
    if not tag:
        say("cost-allocation tag: COST_ALLOCATION_TAG unset, nothing tagged")
        return
    (key, value), label = next(iter(tag.items())), settings.COST_ALLOCATION_TAG
    taggers = (
        (f"table {settings.DYNAMODB_TABLE}", _tag_table),
        (f"bucket {settings.TRANSCRIPT_BUCKET}", _tag_bucket),
        (f"user pool {settings.COGNITO_USER_POOL_NAME}", lambda k, v: _tag_user_pool(user_pool_id, k, v)),
        (f"log group {log_group}", lambda k, v: _tag_log_group(log_group, k, v)),
    )
    for thing, tagger in taggers:
        if tagger(key, value):
            say(f"{thing}: tagged {label}")
        else:
            say(f"{thing}: already tagged {label}")


def _tag_table(key, value):
    dynamodb = aws.client("dynamodb")
    arn = dynamodb.describe_table(TableName=settings.DYNAMODB_TABLE)["Table"]["TableArn"]
    tags = {t["Key"]: t["Value"] for t in dynamodb.list_tags_of_resource(ResourceArn=arn).get("Tags", [])}
    if tags.get(key) == value:
        return False
    dynamodb.tag_resource(ResourceArn=arn, Tags=[{"Key": key, "Value": value}])
    return True


def _tag_bucket(key, value):
    s3 = aws.client("s3")
    bucket = settings.TRANSCRIPT_BUCKET
    try:
        tag_set = s3.get_bucket_tagging(Bucket=bucket)["TagSet"]
    except s3.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") != "NoSuchTagSet":
            raise
        tag_set = []
    if {"Key": key, "Value": value} in tag_set:
        return False
    # The request replaces the bucket's whole tag set: keep every other tag.
    others = [tag for tag in tag_set if tag["Key"] != key]
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [*others, {"Key": key, "Value": value}]})
    return True


def _tag_user_pool(user_pool_id, key, value):
    cognito = aws.client("cognito-idp")
    pool = cognito.describe_user_pool(UserPoolId=user_pool_id)["UserPool"]
    if (pool.get("UserPoolTags") or {}).get(key) == value:
        return False
    # TagResource, not UpdateUserPool: that one resets every setting it is not given.
    cognito.tag_resource(ResourceArn=pool["Arn"], Tags={key: value})
    return True


def _tag_log_group(name, key, value):
    logs = aws.client("logs")
    groups = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    group = next(group for group in groups if group["logGroupName"] == name)
    arn = group.get("logGroupArn") or group["arn"].removesuffix(":*")
    if logs.list_tags_for_resource(resourceArn=arn).get("tags", {}).get(key) == value:
        return False
    logs.tag_resource(resourceArn=arn, tags={key: value})
    return True
