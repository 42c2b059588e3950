"""The app's own cost model: what the app counted (the cost meter's hourly items, the table's
size, the user directory's transcript bytes), priced at the list prices of staff/prices.py,
by the service names Cost Explorer uses, so each row sits beside the real figure.

Read once a day, by the refresh (staff/costs.py), never by a page: the month's meter
items (one Query, ≤ 744 small items), the directory (one Query per 1 MB of it), the
table's size (DescribeTable: DynamoDB updates it about every six hours) and the bucket's
(CloudWatch's daily BucketSizeBytes; the directory's transcript bytes until S3 reports it).
"""

import calendar
import platform
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from campaigns_site import aws, dynamodb
from campaigns_site.meter import COUNTERS
from campaigns_site.meter_items import MeterHour
from campaigns_site.table import TableModel
from campaigns_site.table_keys import DIRECTORY_PK, METER_PREFIX, OPS_PK, sub_of_user_pk
from staff.prices import FREE_TIER, GB, GIB, PRICES, bedrock_prices

# The request line of each request in CloudWatch Logs (campaigns_site/request_log.py), as
# measured on the JSON format, with Lambda's START/END/REPORT lines: about 1 kB.
LOG_BYTES_PER_REQUEST = 1000
HEAVIEST_USERS = 25


def metered_usage(*, month):
    """The meter's counters summed over the month's hours (`month`: yyyy-mm): one Query."""
    totals = {name: Decimal(0) for name in COUNTERS}
    for hour in MeterHour.query(OPS_PK, MeterHour.sk.startswith(f"{METER_PREFIX}{month}")):
        for name in COUNTERS:
            if (value := getattr(hour, name)) is not None:
                totals[name] += Decimal(str(value))
    return totals


def directory_totals(*, month):
    """From the user directory (partition DIRECTORY, written by campaigns_site/directory.py):
    the heaviest users by storage and model cost, the transcript bytes of all, and the
    users signed in this month (Cognito's monthly active users, at least)."""
    users, transcript_bytes, active = [], 0, 0
    attributes = ["SK", "email", "transcript_bytes", "summary_cost_usd", "summaries", "last_sign_in"]
    for item in dynamodb.query(DIRECTORY_PK, attributes=attributes):
        size = int(item.get("transcript_bytes") or 0)
        transcript_bytes += size
        active += str(item.get("last_sign_in") or "") >= month
        users.append(
            {
                "sub": sub_of_user_pk(item["SK"]),
                "email": item.get("email", ""),
                "transcript_bytes": size,
                "summaries": int(item.get("summaries") or 0),
                "summary_cost_usd": Decimal(item.get("summary_cost_usd") or 0),
            }
        )
    return {"users": users, "transcript_bytes": transcript_bytes, "active_users": active}


def table_size_bytes():
    """DescribeTable's TableSizeBytes (DynamoDB updates it about every six hours)."""
    return int(TableModel.describe_table().get("TableSizeBytes", 0))


def bucket_size_bytes():
    """The transcript bucket's size from CloudWatch's daily S3 metric (BucketSizeBytes,
    Standard storage: what S3 bills), or None before S3 has reported it (a day or two
    after the first object). Free of S3 requests: no listing of the bucket."""
    now = timezone.now()
    answer = aws.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/S3",
        MetricName="BucketSizeBytes",
        Dimensions=[
            {"Name": "BucketName", "Value": settings.TRANSCRIPT_BUCKET},
            {"Name": "StorageType", "Value": "StandardStorage"},
        ],
        StartTime=now - timedelta(days=3),
        EndTime=now,
        Period=86400,
        Statistics=["Average"],
    )
    points = sorted(answer.get("Datapoints", []), key=lambda point: point["Timestamp"])
    return int(points[-1]["Average"]) if points else None


def month_fraction(month, *, today):
    """How much of the month storage has been billed for by `today` (whole month if past)."""
    year, number = (int(part) for part in month.split("-"))
    length = calendar.monthrange(year, number)[1]
    if (today.year, today.month) != (year, number):
        return Decimal(1)
    return Decimal(today.day) / Decimal(length)


def architecture():
    """The function's architecture, as Lambda prices it (the process runs on it)."""
    return "arm64" if platform.machine() in ("aarch64", "arm64") else "x86_64"


def model_rows(*, usage, table_bytes, s3_bytes, active_users, ce_requests, fraction):
    """[{service, amount, counted}] at list prices, without the free tier."""
    p, requests = PRICES, usage["requests"]
    input_price, output_price = bedrock_prices(
        settings.BEDROCK_MODEL_ID, fallback=(settings.BEDROCK_PRICE_INPUT_PER_1K, settings.BEDROCK_PRICE_OUTPUT_PER_1K)
    )
    gb_second_price = p[f"lambda_gb_second_{architecture()}"]
    table_gib, s3_gib = Decimal(table_bytes) / GIB, Decimal(s3_bytes) / GIB
    rows = [
        ("AWS Lambda", requests * p["lambda_request"] + usage["lambda_gb_seconds"] * gb_second_price,
         f"{requests:,.0f} requests, {usage['lambda_gb_seconds']:,.1f} GB-s ({architecture()}, "
         f"{settings.LAMBDA_MEMORY_MB} MB)"),
        ("Amazon API Gateway", requests * p["api_gateway_rest_request"], f"{requests:,.0f} REST API requests"),
        ("Amazon DynamoDB",
         usage["dynamodb_read_units"] * p["dynamodb_read_request_unit"]
         + usage["dynamodb_write_units"] * p["dynamodb_write_request_unit"]
         + table_gib * p["dynamodb_storage_gb_month"] * fraction,
         f"{usage['dynamodb_read_units']:,.1f} read and {usage['dynamodb_write_units']:,.1f} write units, "
         f"{table_gib:,.3f} GiB stored"),
        ("Amazon Simple Storage Service",
         usage["s3_tier1_requests"] * p["s3_tier1_request"] + usage["s3_tier2_requests"] * p["s3_tier2_request"]
         + s3_gib * p["s3_storage_gb_month"] * fraction,
         f"{usage['s3_tier1_requests']:,.0f} PUT/LIST and {usage['s3_tier2_requests']:,.0f} GET requests, "
         f"{s3_gib:,.3f} GiB of transcripts"),
        ("AWS Data Transfer", usage["bytes_out"] / GB * p["data_transfer_out_gb"],
         f"{usage['bytes_out'] / GB:,.3f} GB of responses"),
        ("Amazon Cognito", max(active_users - 10_000, 0) * p["cognito_mau"],
         f"{active_users:,} users signed in this month"),
        ("Amazon Bedrock",
         usage["bedrock_input_tokens"] / 1000 * input_price + usage["bedrock_output_tokens"] / 1000 * output_price,
         f"{usage['bedrock_input_tokens']:,.0f} input and {usage['bedrock_output_tokens']:,.0f} output tokens "
         f"({settings.BEDROCK_MODEL_ID})"),
        ("AmazonCloudWatch", requests * LOG_BYTES_PER_REQUEST / GB * p["cloudwatch_logs_ingested_gb"],
         f"about {requests * LOG_BYTES_PER_REQUEST / GB:,.3f} GB of request lines"),
        ("AWS Cost Explorer", ce_requests * p["cost_explorer_request"],
         f"{ce_requests} API request{'' if ce_requests == 1 else 's'}"),
    ]  # fmt: skip
    return [
        {"service": service, "amount": amount, "counted": counted, "free_tier": FREE_TIER.get(service, "")}
        for service, amount, counted in rows
    ]


def heaviest_users(users, *, table_bytes, total_transcript_bytes):
    """The users with the highest monthly storage and model cost, heaviest first. A user's
    storage: their transcript bytes in S3, and a share of the table as large as their
    share of all transcript bytes (their items' sizes are not counted one by one)."""
    p = PRICES
    for user in users:
        share = Decimal(user["transcript_bytes"]) / total_transcript_bytes if total_transcript_bytes else Decimal(0)
        user["storage_usd_month"] = (
            Decimal(user["transcript_bytes"]) / GIB * p["s3_storage_gb_month"]
            + share * Decimal(table_bytes) / GIB * p["dynamodb_storage_gb_month"]
        )
        user["total_usd"] = user["storage_usd_month"] + user["summary_cost_usd"]
    users.sort(key=lambda user: (user["total_usd"], user["transcript_bytes"]), reverse=True)
    return users[:HEAVIEST_USERS]
