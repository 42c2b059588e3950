"""The table's low-level access: what the item classes do not offer, in one place.

Transactions (campaigns_site.transactions), prefix queries, scans for operations commands,
batch deletes and the search's expression queries all go through PynamoDB's connection
of the table: the one every item type uses (campaigns_site.table), so TableModel.Meta's
timeouts and retries apply to all table traffic and aws's recorders count every request.

This is the only module that sees DynamoDB's typed attribute values ({"S": "..."}):
callers give and get plain Python values (str, int or Decimal, bool, set, list, dict,
bytes, None), and keys as (pk, sk) pairs.
"""

import time
from dataclasses import dataclass, field
from decimal import Decimal

from botocore.exceptions import ClientError
from pynamodb.expressions.operand import Path
from pynamodb.expressions.update import Update

from campaigns_site import prefetch
from campaigns_site.table import TableModel

BATCH_WRITE_SIZE = 25  # BatchWriteItem's limit
BATCH_WRITE_ATTEMPTS = 8


class DeletesUnprocessed(Exception):
    """DynamoDB kept some deletes of a batch unprocessed (throttling) after every attempt."""


def connection():
    """PynamoDB's connection (a TableConnection) to the table: TableModel's, which every
    item type shares (see campaigns_site.table)."""
    return TableModel._get_connection()


def table_name():
    return TableModel.Meta.table_name


def attribute(name):
    """An attribute by its name in the table, for conditions (`attribute("SK").startswith(...)`)."""
    return Path(name)


# --- transactions ----------------------------------------------------------------------------
def transaction_action(kind, *, key=None, item=None, condition=None, actions=None):
    """One action of a TransactWriteItems request: kind "Put" (with item: a PynamoDB model's
    item, or a plain item as read here), or "Update", "Delete", "ConditionCheck" (with key,
    a (pk, sk) pair). Conditions and update actions are PynamoDB's."""
    operation = {"Item": _item_of(item)} if kind == "Put" else {"Key": _key(*key)}
    placeholders, values = {}, {}
    if condition is not None:
        operation["ConditionExpression"] = condition.serialize(placeholders, values)
    if actions:
        operation["UpdateExpression"] = Update(*actions).serialize(placeholders, values)
    if placeholders:
        operation["ExpressionAttributeNames"] = {placeholder: name for name, placeholder in placeholders.items()}
    if values:
        operation["ExpressionAttributeValues"] = values
    operation["TableName"] = table_name()
    return {kind: operation}


def keys_written_by(actions):
    """The (pk, sk) key of each transaction_action() that writes (a ConditionCheck does not), in order."""
    for action in actions:
        ((kind, operation),) = action.items()
        if kind != "ConditionCheck":
            written = operation.get("Key") or operation.get("Item")
            yield (written["PK"]["S"], written["SK"]["S"])


def write_transaction(actions):
    """One TransactWriteItems request of transaction_action()s, in their order.

    Returns None when written, else why DynamoDB canceled it: one code per action, in
    order ("None" for the fine ones, "ConditionalCheckFailed", "TransactionConflict", ...).
    botocore fills in ClientRequestToken, so its own retry of this very request (after a
    lost response) cannot apply an ADD twice.
    """
    try:
        connection().connection.dispatch("TransactWriteItems", {"TransactItems": actions})
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
            raise
        return [reason.code if reason else "None" for reason in getattr(error, "cancellation_reasons", [])]
    return None


# --- reads ---------------------------------------------------------------------------------------
def read_items(keys):
    """The items that exist among (pk, sk) keys, as their item classes, in one strongly
    consistent BatchGetItem (PynamoDB retries unprocessed keys): the one read a page makes
    of several items. Repositories build the keys (table_keys) from `sub` and ids; pick the
    items out with first_of. Keys the page's session check read already (campaigns_site.
    prefetch) are taken from there: no request at all when it read them all."""
    found, missing = prefetch.take(keys)
    return found + (list(TableModel.batch_get(missing, consistent_read=True)) if missing else [])


def read_plain_items(keys, *, consistent_read=False):
    """The items that exist among (pk, sk) keys (at most 100), as plain items, with one
    BatchGetItem (another for keys DynamoDB held back): (items, requests, capacity units)."""
    request = {
        "RequestItems": {table_name(): {"Keys": [_key(pk, sk) for pk, sk in keys], "ConsistentRead": consistent_read}},
        "ReturnConsumedCapacity": "TOTAL",
    }
    items, requests, units = [], 0, 0.0
    while request["RequestItems"]:
        response = connection().connection.dispatch("BatchGetItem", request)
        requests += 1
        items += [_plain_item(item) for item in response.get("Responses", {}).get(table_name(), [])]
        units += sum(float(used.get("CapacityUnits", 0) or 0) for used in response.get("ConsumedCapacity", []))
        request["RequestItems"] = response.get("UnprocessedKeys") or {}
    return items, requests, units


def read_plain_item(pk, sk, *, attributes=None):
    """One item as a plain item (None if there is none), whatever its item class: one
    strongly consistent GetItem. attributes: the names to read (default: all)."""
    found = connection().get_item(pk, sk, consistent_read=True, attributes_to_get=attributes)
    return _plain_item(found["Item"]) if found.get("Item") else None


def first_of(found, item_class):
    return next((item for item in found if isinstance(item, item_class)), None)


def add_number(name, value):
    """The update action `ADD <name> <value>` for an attribute by its name, with the number
    exact (an int or a Decimal: PynamoDB's NumberAttribute would make a Decimal a float)."""
    return Path(name).add(_typed(value))


def set_or_remove(attribute, value):
    """The update action that stores `value`, or removes the attribute for None."""
    return attribute.remove() if value is None else attribute.set(value)


def query_pages(pk, *, sk_prefix=None, where=None, attributes=None):
    """The partition's items (SK starting with sk_prefix, if given; passing `where`, a
    PynamoDB condition, if given), a page at a time as lists of plain items: a Query, page
    after page, strongly consistent. attributes: the names to read (default: all)."""
    range_condition = attribute("SK").startswith(sk_prefix) if sk_prefix else None
    start_key = None
    while True:
        page = connection().query(
            pk,
            range_key_condition=range_condition,
            filter_condition=where,
            attributes_to_get=attributes,
            consistent_read=True,
            exclusive_start_key=start_key,
        )
        if page.get("Items"):
            yield [_plain_item(item) for item in page["Items"]]
        if not (start_key := page.get("LastEvaluatedKey")):
            return


def query(pk, *, sk_prefix=None, where=None, attributes=None):
    """query_pages(), all pages in one list."""
    return [item for page in query_pages(pk, sk_prefix=sk_prefix, where=where, attributes=attributes) for item in page]


def scan_pages(*, where, attributes):
    """Every item of the table passing `where`, a page at a time: a Scan, for operations
    commands only (never a request path)."""
    start_key = None
    while True:
        page = connection().scan(filter_condition=where, attributes_to_get=attributes, exclusive_start_key=start_key)
        yield [_plain_item(item) for item in page.get("Items", [])]
        if not (start_key := page.get("LastEvaluatedKey")):
            return


@dataclass
class ExpressionPage:
    items: list = field(default_factory=list)  # plain items
    last_key: dict | None = None  # where the next page starts (an opaque key), None at the end
    scanned: int = 0  # items DynamoDB read (ScannedCount)
    capacity_units: float = 0.0


def query_expression(request, *, start_key=None):
    """One Query page of a request with its expressions written out (the search's, too
    long and too many for PynamoDB's conditions to build): DynamoDB's Query parameters,
    with ExpressionAttributeValues as {":placeholder": plain value}; start_key: a
    last_key of an earlier page."""
    request = dict(request, TableName=table_name())
    request["ExpressionAttributeValues"] = {
        placeholder: _typed(value) for placeholder, value in request.get("ExpressionAttributeValues", {}).items()
    }
    if start_key:
        request["ExclusiveStartKey"] = start_key
    response = connection().connection.dispatch("Query", request)
    return ExpressionPage(
        items=[_plain_item(item) for item in response.get("Items", [])],
        last_key=response.get("LastEvaluatedKey"),
        scanned=response.get("ScannedCount", 0),
        capacity_units=float(response.get("ConsumedCapacity", {}).get("CapacityUnits", 0) or 0),
    )


def start_key_of(item, names):
    """The opaque key (as query_expression's last_key) that starts a page after `item`,
    from its string attributes `names` (the table's and the index's keys)."""
    return {name: {"S": item[name]} for name in names}


def is_key_of(key, partition):
    """`key` is a LastEvaluatedKey as DynamoDB gives them for this table: string
    attributes only, the partition's own key among them."""
    return (
        isinstance(key, dict)
        and key.get("PK") == {"S": partition}
        and set(key) <= {"PK", "SK", "LSI1SK"}
        and all(
            isinstance(value, dict) and list(value) == ["S"] and isinstance(value["S"], str) and value["S"]
            for value in key.values()
        )
    )


# --- batch deletes -------------------------------------------------------------------------------
def delete_keys(keys):
    """Delete (pk, sk) pairs with BatchWriteItem, 25 a request, retrying what DynamoDB
    leaves unprocessed (throttling) with backoff. Deleting what is already gone is fine.
    No order and no atomicity between items: for items that must go together, use a
    Transaction. Raises DeletesUnprocessed when throttling outlasts the attempts."""
    for start in range(0, len(keys), BATCH_WRITE_SIZE):
        deletes = [{"DeleteRequest": {"Key": _key(*key)}} for key in keys[start : start + BATCH_WRITE_SIZE]]
        requests = {table_name(): deletes}
        for attempt in range(BATCH_WRITE_ATTEMPTS):
            response = connection().connection.dispatch("BatchWriteItem", {"RequestItems": requests})
            requests = response.get("UnprocessedItems")
            if not requests:
                break
            time.sleep(min(0.05 * 2**attempt, 2))  # throttled: back off, as AWS advises for UnprocessedItems
        else:
            raise DeletesUnprocessed("DynamoDB kept some deletes unprocessed (throttling)")


# --- attribute values ------------------------------------------------------------------------------
def _key(pk, sk):
    return {"PK": {"S": pk}, "SK": {"S": sk}}


def _item_of(item):
    if isinstance(item, TableModel):
        return item.serialize()
    return {name: _typed(value) for name, value in item.items()}


def _plain_item(item):
    return {name: _plain(value) for name, value in item.items()}


def _plain(value):
    ((kind, data),) = value.items()
    if kind in ("S", "B", "BOOL"):
        return data
    if kind == "N":
        return _number(data)
    if kind == "NULL":
        return None
    if kind in ("SS", "BS"):
        return set(data)
    if kind == "NS":
        return {_number(number) for number in data}
    if kind == "L":
        return [_plain(element) for element in data]
    return {name: _plain(element) for name, element in data.items()}  # "M"


def _number(text):
    return int(text) if text.lstrip("-").isdigit() else Decimal(text)


def _typed(value):
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | Decimal):
        return {"N": str(value)}
    if isinstance(value, bytes):
        return {"B": value}
    if value is None:
        return {"NULL": True}
    if isinstance(value, set | frozenset):
        element = next(iter(value))
        kind = "SS" if isinstance(element, str) else "BS" if isinstance(element, bytes) else "NS"
        return {kind: [str(each) if kind == "NS" else each for each in value]}
    if isinstance(value, list):
        return {"L": [_typed(element) for element in value]}
    return {"M": {name: _typed(element) for name, element in value.items()}}
