"""devtools/moto_fixes.py: a transaction copies each table once, and a failed one still
rolls back whole (moto's behaviour, DynamoDB's too), in the tests' moto and the local run's."""

import pytest
from moto.dynamodb.models.table import Table

from campaigns_site import dynamodb
from campaigns_site.provision import LSI1
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


# --- a Query lists only its partition, and answers as moto alone does ---
def _query(**request):
    request = {"TableName": dynamodb.table_name(), **request}
    return dynamodb.connection().connection.dispatch("Query", request)["Items"]


@pytest.fixture
def two_users_items():
    for sub in ("s1", "s2"):
        for n in range(5):
            item = {"PK": {"S": user_pk(sub)}, "SK": {"S": f"THING#{n}"}, "LSI1SK": {"S": f"ORDER#{4 - n}"}}
            dynamodb.connection().connection.dispatch("PutItem", {"TableName": dynamodb.table_name(), "Item": item})


@pytest.mark.usefixtures("aws", "two_users_items")
def test_a_query_lists_only_its_partition(monkeypatch):
    listed = []
    listing = Table.all_items

    def all_items(table):
        items = listing(table)
        listed.append({item.hash_key.value for item in items})
        return items

    monkeypatch.setattr(Table, "all_items", all_items)
    by_sort_key = _query(
        KeyConditionExpression="PK = :pk AND begins_with(SK, :thing)",
        ExpressionAttributeValues={":pk": {"S": user_pk("s1")}, ":thing": {"S": "THING#"}},
    )
    by_local_index = _query(
        IndexName=LSI1,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": user_pk("s1")}},
        ScanIndexForward=False,
    )
    assert listed == [{user_pk("s1")}, {user_pk("s1")}]  # moto 5.2.5 alone: both users', twice
    assert [item["SK"]["S"] for item in by_sort_key] == [f"THING#{n}" for n in range(5)]
    assert [item["LSI1SK"]["S"] for item in by_local_index] == [f"ORDER#{n}" for n in reversed(range(5))]
    assert _query(KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": {"S": user_pk("nobody")}}) == []


@pytest.mark.usefixtures("aws", "two_users_items")
def test_a_scan_still_lists_every_item():
    found = dynamodb.connection().connection.dispatch("Scan", {"TableName": dynamodb.table_name()})["Items"]
    assert {item["PK"]["S"] for item in found} >= {user_pk("s1"), user_pk("s2")}


# --- an update's expression is checked once, and still refused when DynamoDB refuses it ---
@pytest.mark.usefixtures("aws")
@pytest.mark.parametrize(
    "expression, error",
    [
        ("SET a = :one SET b = :one", 'The "SET" section can only be used once'),
        ("ADD n :one ADD m :one", 'The "ADD" section can only be used once'),
        ("SET a = :one, b = :one, a = :one", "Two document paths overlap"),
        ("SET a = :one, b.c = :one REMOVE b", "Two document paths overlap"),
    ],
)
def test_an_update_dynamodb_refuses_is_still_refused(expression, error):
    request = {
        "TableName": dynamodb.table_name(),
        "Key": {"PK": {"S": user_pk("s1")}, "SK": {"S": "THING#1"}},
        "UpdateExpression": expression,
        "ExpressionAttributeValues": {":one": {"N": "1"}},
    }
    with pytest.raises(Exception, match=error):
        dynamodb.connection().connection.dispatch("UpdateItem", request)


@pytest.mark.usefixtures("aws")
def test_an_update_of_many_actions_is_applied():
    names = [f"a{n}" for n in range(30)]
    request = {
        "TableName": dynamodb.table_name(),
        "Key": {"PK": {"S": user_pk("s1")}, "SK": {"S": "THING#1"}},
        "UpdateExpression": "SET " + ", ".join(f"{name} = :one" for name in names) + " ADD n :one REMOVE gone",
        "ExpressionAttributeValues": {":one": {"N": "1"}},
    }
    dynamodb.connection().connection.dispatch("UpdateItem", request)
    (item,) = _stored("THING#1")
    assert all(item[name] == 1 for name in names) and item["n"] == 1
