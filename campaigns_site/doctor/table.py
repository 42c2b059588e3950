"""The table: what `provision` makes (campaigns_site/provision.py, ensure_table)."""

from django.conf import settings

from campaigns_site import aws, provision
from campaigns_site.doctor import fail, ok, warn

TTL_ATTRIBUTE = "ttl"
KEYS = {"PK": ("HASH", "S"), "SK": ("RANGE", "S")}
LSI1_SORT_KEY = "LSI1SK"
PROVISION = "Run `manage.py provision`"


def table_checks():
    dynamodb = aws.client("dynamodb")
    name = settings.DYNAMODB_TABLE
    try:
        table = dynamodb.describe_table(TableName=name)["Table"]
    except dynamodb.exceptions.ResourceNotFoundException:
        yield fail("table exists", f"no table {name}", f"{PROVISION}, or set DYNAMODB_TABLE to the deployment's table.")
        return
    yield ok("table exists", f"{name} ({table.get('TableStatus', '?')})")
    yield check_keys(table)
    yield check_lsi1(table)
    yield check_billing(table)
    yield check_ttl(dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"])
    yield check_pitr(dynamodb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"])
    yield check_tags(dynamodb.list_tags_of_resource(ResourceArn=table["TableArn"]).get("Tags", []))


def _attribute_types(table):
    return {a["AttributeName"]: a["AttributeType"] for a in table.get("AttributeDefinitions", [])}


def check_keys(table):
    types = _attribute_types(table)
    found = {key["AttributeName"]: (key["KeyType"], types.get(key["AttributeName"])) for key in table["KeySchema"]}
    described = ", ".join(f"{n} ({kind}, {type_})" for n, (kind, type_) in found.items())
    if found != KEYS:
        return fail(
            "table keys",
            f"{described}; the app needs PK (HASH, S), SK (RANGE, S)",
            "Keys cannot change on a table: back it up and create it anew with `manage.py provision`.",
        )
    return ok("table keys", described)


def check_lsi1(table):
    indexes = {index["IndexName"]: index for index in table.get("LocalSecondaryIndexes", [])}
    index = indexes.get(provision.LSI1)
    fix = "A local secondary index is only made with its table: back it up and create it anew (`manage.py provision`)."
    if index is None:
        return fail("table LSI1", f"no local secondary index {provision.LSI1}", fix)
    keys = {key["AttributeName"]: key["KeyType"] for key in index["KeySchema"]}
    projection = index.get("Projection", {}).get("ProjectionType")
    sort_type = _attribute_types(table).get(LSI1_SORT_KEY)
    if keys != {"PK": "HASH", LSI1_SORT_KEY: "RANGE"} or sort_type != "S" or projection != "ALL":
        return fail("table LSI1", f"keys {keys}, {LSI1_SORT_KEY} type {sort_type}, projection {projection}", fix)
    return ok("table LSI1", f"PK (HASH), {LSI1_SORT_KEY} (RANGE, S), projection ALL")


def check_billing(table):
    mode = table.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
    if mode != "PAY_PER_REQUEST":
        return fail(
            "table on-demand",
            f"billing mode {mode}",
            f"aws dynamodb update-table --table-name {table['TableName']} --billing-mode PAY_PER_REQUEST",
        )
    return ok("table on-demand", "PAY_PER_REQUEST")


def check_ttl(description):
    status, attribute = description.get("TimeToLiveStatus"), description.get("AttributeName")
    if status in ("ENABLED", "ENABLING") and attribute == TTL_ATTRIBUTE:
        return ok("table TTL", f"on '{TTL_ATTRIBUTE}' ({status})")
    found = f"{status} on '{attribute}'" if attribute else status or "DISABLED"
    return fail(
        "table TTL",
        f"{found}: expired sessions, share links and jobs would stay forever",
        f"{PROVISION} (turns TTL on '{TTL_ATTRIBUTE}' on).",
    )


def check_pitr(description):
    status = description.get("PointInTimeRecoveryDescription", {}).get("PointInTimeRecoveryStatus", "DISABLED")
    if status != "ENABLED":
        return fail(
            "table point-in-time recovery",
            f"{status}: a bad write or delete could not be undone",
            f"{PROVISION} (turns point-in-time recovery on).",
        )
    return ok("table point-in-time recovery", "ENABLED")


def check_tags(tags):
    # provision tags only with COST_ALLOCATION_TAG set; Cost Explorer splits the bill by a tag it finds.
    if not tags:
        return warn(
            "table tags",
            "no cost-allocation tag",
            "Set COST_ALLOCATION_TAG and run provision (then activate the tag in Billing > "
            "Cost allocation tags) to see its cost on its own.",
        )
    return ok("table tags", ", ".join(f"{tag['Key']}={tag['Value']}" for tag in tags))
