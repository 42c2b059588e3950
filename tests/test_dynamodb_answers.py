"""DynamoDB's read answers decoded by json.loads (campaigns_site/dynamodb_answers.py) are
what botocore's parser makes of them: for any item of the types the app stores, for every
read; an answer with binary values and an error are left to botocore."""

import json

import botocore.session
import pytest
from botocore import parsers
from hypothesis import given
from hypothesis import strategies as st

from campaigns_site.dynamodb_answers import READS, _decode_as_json

_MODEL = botocore.session.get_session().get_service_model("dynamodb")

names = st.text(min_size=1, max_size=12)
scalars = st.one_of(
    st.builds(lambda text: {"S": text}, st.text(max_size=40)),
    st.builds(lambda number: {"N": str(number)}, st.integers() | st.decimals(allow_nan=False, allow_infinity=False)),
    st.builds(lambda flag: {"BOOL": flag}, st.booleans()),
    st.just({"NULL": True}),
    st.builds(lambda texts: {"SS": sorted(texts)}, st.sets(st.text(max_size=10), min_size=1, max_size=4)),
    st.builds(lambda numbers: {"NS": [str(n) for n in sorted(numbers)]}, st.sets(st.integers(), min_size=1)),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.builds(lambda items: {"L": items}, st.lists(inner, max_size=4)),
        st.builds(lambda fields: {"M": fields}, st.dictionaries(names, inner, max_size=4)),
    ),
    max_leaves=12,
)
items = st.dictionaries(names, values, min_size=1, max_size=6)


def _answers(found):
    return {
        "Query": {"Items": found, "Count": len(found), "ScannedCount": len(found), "LastEvaluatedKey": found[0]},
        "Scan": {"Items": found, "Count": len(found), "ScannedCount": len(found)},
        "GetItem": {"Item": found[0], "ConsumedCapacity": {"TableName": "t", "CapacityUnits": 0.5}},
        "BatchGetItem": {
            "Responses": {"t": found},
            "UnprocessedKeys": {},
            "ConsumedCapacity": [{"TableName": "t", "CapacityUnits": 1.5}],
        },
        "TransactGetItems": {"Responses": [{"Item": item} for item in found]},
    }


def _parsed(operation, body, status=200, *, fast):
    response = {"body": body, "headers": {"x-amzn-requestid": "r1"}, "status_code": status}
    customized = {}
    if fast:
        _decode_as_json(response_dict=response, customized_response_dict=customized)
    parsed = parsers.create_parser("json").parse(response, _MODEL.operation_model(operation).output_shape)
    parsed.update(customized)
    return parsed


@given(found=st.lists(items, min_size=1, max_size=5))
def test_every_read_answer_is_what_botocore_makes_of_it(found):
    for operation, answer in _answers(found).items():
        body = json.dumps(answer).encode()
        assert _parsed(operation, body, fast=True) == _parsed(operation, body, fast=False), operation


def test_every_read_is_covered():
    assert set(READS) == set(_answers([{"a": {"S": "b"}}]))


@pytest.mark.parametrize("binary", [{"B": "AAE="}, {"BS": ["AAE="]}])
def test_an_answer_with_binary_values_is_left_to_botocore(binary):
    body = json.dumps({"Item": {"data": binary}}).encode()
    parsed = _parsed("GetItem", body, fast=True)
    assert parsed == _parsed("GetItem", body, fast=False)
    assert isinstance(parsed["Item"]["data"].get("B", parsed["Item"]["data"].get("BS", [b""])[0]), bytes)


def test_an_error_is_left_to_botocore():
    body = json.dumps({"__type": "ResourceNotFoundException", "message": "gone"}).encode()
    response = {"body": body, "headers": {}, "status_code": 400}
    customized = {}
    _decode_as_json(response_dict=response, customized_response_dict=customized)
    assert customized == {} and response["body"] == body


@pytest.mark.usefixtures("aws")
def test_the_tables_client_decodes_reads_as_json_and_errors_still_raise():
    from unittest import mock

    from botocore.exceptions import ClientError

    from campaigns.repository import create_campaign, get_campaign
    from campaigns_site import dynamodb, dynamodb_answers
    from campaigns_site.table import campaign_sk, user_pk

    campaign = create_campaign(sub="sub-1", name="Strahd “quoted” \u00e9")
    with mock.patch.object(dynamodb_answers, "json", wraps=json) as decoder:
        found, _, _ = dynamodb.read_plain_items([(user_pk("sub-1"), campaign_sk(campaign.campaign_id))])
        assert get_campaign(sub="sub-1", campaign_id=campaign.campaign_id).name == campaign.name
        assert decoder.loads.call_count == 2
    assert found[0]["name"] == campaign.name
    with pytest.raises(ClientError) as raised:
        dynamodb.connection().connection.dispatch(
            "GetItem", {"TableName": "missing", "Key": {"PK": {"S": "a"}, "SK": {"S": "b"}}}
        )
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
