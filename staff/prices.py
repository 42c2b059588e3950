"""The list prices the cost model uses (staff/cost_model.py), in one place, with their date.

Region: us-east-1 (US East, N. Virginia), the region zappa_settings.json deploys to. Source:
each service's public pricing page (aws.amazon.com/<service>/pricing/), on-demand, first
price tier, in US dollars, without tax. AS_OF is when they were copied from those pages:
check them again on that date's anniversary, when AWS announces a price change, or when
the app moves to another region. The free tier is NOT subtracted by the model (it is per
account, shared with whatever else the account runs); FREE_TIER says what it covers, and
the dashboard shows it beside the difference it explains.
"""

from decimal import Decimal

AS_OF = "2025-01-15"
REGION = "us-east-1"

MILLION = Decimal(1_000_000)
THOUSAND = Decimal(1_000)
GB = Decimal(1_000_000_000)  # AWS bills data by the GB of 10^9 bytes for transfer, 2^30 for storage
GIB = Decimal(2**30)

PRICES = {
    # AWS Lambda: per request, and per GB-second of duration by architecture.
    "lambda_request": Decimal("0.20") / MILLION,
    "lambda_gb_second_x86_64": Decimal("0.0000166667"),
    "lambda_gb_second_arm64": Decimal("0.0000133334"),
    # Amazon API Gateway, per request (Zappa makes a REST API; an HTTP API would be $1.00/M).
    "api_gateway_rest_request": Decimal("3.50") / MILLION,
    "api_gateway_http_request": Decimal("1.00") / MILLION,
    # Amazon DynamoDB on-demand (Standard table class), per request unit, and storage.
    "dynamodb_read_request_unit": Decimal("0.125") / MILLION,
    "dynamodb_write_request_unit": Decimal("0.625") / MILLION,
    "dynamodb_storage_gb_month": Decimal("0.25"),
    # Amazon S3 Standard: storage, and requests by class (DELETE is free).
    "s3_storage_gb_month": Decimal("0.023"),
    "s3_tier1_request": Decimal("0.005") / THOUSAND,  # PUT, COPY, POST, LIST
    "s3_tier2_request": Decimal("0.0004") / THOUSAND,  # GET, HEAD, SELECT
    # Data transfer out to the internet (API Gateway and S3 downloads), and through CloudFront.
    "data_transfer_out_gb": Decimal("0.09"),
    "cloudfront_transfer_out_gb": Decimal("0.085"),
    # Amazon Cognito, per monthly active user above the free 10,000 (Essentials; Lite: 0.0055).
    "cognito_mau": Decimal("0.015"),
    # CloudWatch Logs ingestion (the request line of every request).
    "cloudwatch_logs_ingested_gb": Decimal("0.50"),
    # AWS Cost Explorer API, per request (each page of an answer is a request).
    "cost_explorer_request": Decimal("0.01"),
}

# Bedrock on-demand prices per 1,000 tokens (input, output), by BEDROCK_MODEL_ID. A model not
# listed is priced with settings.BEDROCK_PRICE_INPUT_PER_1K / BEDROCK_PRICE_OUTPUT_PER_1K.
BEDROCK_PER_1K_TOKENS = {
    "amazon.nova-micro-v1:0": (Decimal("0.000035"), Decimal("0.00014")),
    "amazon.nova-lite-v1:0": (Decimal("0.00006"), Decimal("0.00024")),
    "amazon.nova-pro-v1:0": (Decimal("0.0008"), Decimal("0.0032")),
    "anthropic.claude-3-haiku-20240307-v1:0": (Decimal("0.00025"), Decimal("0.00125")),
    "anthropic.claude-3-5-haiku-20241022-v1:0": (Decimal("0.0008"), Decimal("0.004")),
}

FREE_TIER = {
    "AWS Lambda": "1 million requests and 400,000 GB-seconds a month, always free (per account)",
    "Amazon API Gateway": "1 million REST API calls a month in the account's first 12 months",
    "Amazon DynamoDB": "25 GB of storage a month, always free (per account)",
    "Amazon Simple Storage Service": "5 GB, 20,000 GET and 2,000 PUT a month in the first 12 months",
    "AWS Data Transfer": "100 GB out to the internet a month, always free (per account, all services)",
    "Amazon Cognito": "10,000 monthly active users, always free (Lite and Essentials tiers)",
    "AmazonCloudWatch": "5 GB of log ingestion a month, always free (per account)",
    "AWS Cost Explorer": "none: every API request costs $0.01 (the console is free)",
}
COST_EXPLORER_REQUEST_USD = PRICES["cost_explorer_request"]


def bedrock_prices(model_id, *, fallback):
    """(input, output) per 1,000 tokens for the model; `fallback` when it is not listed."""
    return BEDROCK_PER_1K_TOKENS.get(model_id, fallback)
