"""devtools/moto_fixes.py: a transaction copies each table once, and a failed one still
rolls back whole (moto's behaviour, DynamoDB's too), in the tests' moto and the local run's."""

import pytest
from moto.dynamodb.models.table import Table

from campaigns_site import dynamodb
from campaigns_site.table import user_pk


def _put(sk, **extra):
    return {"Put": {"TableName": dynamodb.table_name(), "Item": {"PK": {"S": user_pk("s1")}, "SK": {"S": sk}, **extra}}}


def _check_missing(sk):
    return {
        "ConditionCheck": {
            "TableName": dynamodb.table_name(),
            "Key": {"PK": {"S": user_pk("s1")}, "SK": {"S": sk}},
            "ConditionExpression": "attribute_not_exists(PK)",
        }
    }


def _stored(sk):
    found, _, _ = dynamodb.read_plain_items([(user_pk("s1"), sk)], consistent_read=True)
    return found


@pytest.mark.usefixtures("aws")
def test_a_transaction_copies_its_table_once(monkeypatch):
    import copy

    from devtools import moto_fixes

    copied = []

    class CountingCopy:
        def deepcopy(self, value, memo=None):
            copied.append(type(value))
            return copy.deepcopy(value, memo)

    monkeypatch.setattr(moto_fixes, "copy", CountingCopy())
    actions = [_put(f"THING#{n}", entity={"S": "Thing"}) for n in range(40)]
    dynamodb.connection().connection.dispatch("TransactWriteItems", {"TransactItems": actions})
    assert copied.count(Table) == 1  # moto 5.2.5 alone: 40
    assert len(_stored("THING#39")) == 1


@pytest.mark.usefixtures("aws")
def test_a_failed_transaction_still_rolls_back_whole():
    dynamodb.connection().connection.dispatch("TransactWriteItems", {"TransactItems": [_put("THING#taken")]})
    actions = [_put(f"THING#{n}") for n in range(30)] + [_check_missing("THING#taken")]
    with pytest.raises(Exception, match="ConditionalCheckFailed"):
        dynamodb.connection().connection.dispatch("TransactWriteItems", {"TransactItems": actions})
    assert all(_stored(f"THING#{n}") == [] for n in range(30))
    assert _stored("THING#taken") != []
