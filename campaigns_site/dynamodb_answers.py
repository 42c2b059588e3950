"""DynamoDB's answers to reads, decoded by json.loads instead of botocore's parser.

botocore parses an answer by walking the service model shape by shape: every attribute of
every item is an AttributeValue (a structure of ten members), so the time goes by the
attribute. Measured here (docs/decisions.md, issue 17): a Query page of 500 search heads
(242 KB) took 69 ms to parse against 15 ms for json.loads, and the parsing was 85 % of a
search's own time. For a successful answer the JSON is already what botocore would give:
strings, numbers (as strings), booleans, lists and maps are kept as sent. Binary values
(types B and BS) are base64 in JSON and bytes once parsed: the app stores none, but an
answer that holds one is left to botocore, as is every error (its parser reads the
error's code and modeled fields). botocore's own `before-parse` event, which it uses for
S3 the same way: what a handler puts in `customized_response_dict` is laid over the
parsed answer, and the body left for the parser is empty.
"""

import json

READS = ("GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems")
_BINARY = (b'"B"', b'"BS"')


def decode_reads_as_json(botocore_client):
    """Decode the client's successful read answers with json.loads. Called before every
    request (campaigns_site.table), so a client already set up is left at once."""
    if getattr(botocore_client.meta, "decodes_reads_as_json", False):
        return botocore_client
    botocore_client.meta.decodes_reads_as_json = True
    for operation in READS:
        botocore_client.meta.events.register(
            f"before-parse.dynamodb.{operation}",
            _decode_as_json,
            unique_id=f"campaigns_site.dynamodb_answers.{operation}",
        )
    return botocore_client


def _decode_as_json(response_dict, customized_response_dict, **_):
    body = response_dict.get("body")
    if response_dict.get("status_code") != 200 or not body or any(marker in body for marker in _BINARY):
        return
    customized_response_dict.update(json.loads(body))
    response_dict["body"] = b"{}"
