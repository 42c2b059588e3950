"""The cost meter's item (campaigns_site/meter.py): one per UTC hour with traffic."""

from pynamodb.attributes import NumberAttribute

from campaigns_site.table import TableModel


class MeterHour(TableModel, discriminator="MeterHour"):
    """PK `OPS`, SK `METER#<yyyy-mm-ddThh>`: the hour's counters, each made by its first ADD."""

    requests = NumberAttribute(null=True)
    lambda_gb_seconds = NumberAttribute(null=True)
    bytes_out = NumberAttribute(null=True)
    dynamodb_read_units = NumberAttribute(null=True)
    dynamodb_write_units = NumberAttribute(null=True)
    s3_tier1_requests = NumberAttribute(null=True)
    s3_tier2_requests = NumberAttribute(null=True)
    bedrock_input_tokens = NumberAttribute(null=True)
    bedrock_output_tokens = NumberAttribute(null=True)
