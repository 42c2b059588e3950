"""moto's costs that DynamoDB does not have, taken away for benchmarks that write many
items (scripts/bench_import.py's local AWS, tests/legacy/bench_cutover_load.py): each
function patches moto in this process. Not used by the tests, beyond the fixes they share
with the local run (devtools/moto_fixes.py)."""


def back_up_only_the_items_a_transaction_names():
    """moto (5.2) deep-copies the whole table before each TransactWriteItems, once per
    action, to roll back a failed one: every transaction then costs time in proportion to
    the table, the import grows quadratic, and at ~50,000 items one takes seconds, past the
    app's 5 s read timeout (a retry then fails its own condition: moto ignores the
    ClientRequestToken that makes DynamoDB's retries idempotent). DynamoDB's cost does not
    depend on the table's size, so here the backup is the named items alone, as good for
    the rollback: the table is shared, not copied, and a failed transaction puts back
    (or removes again) each item it named."""
    import copy

    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    Table.__deepcopy__ = lambda table, memo: table
    whole_table_backup = DynamoDBBackend.transact_write_items

    def transact_write_items(backend, transact_items):
        saved = []
        for action in transact_items:
            ((_, operation),) = action.items()
            table = backend.get_table(operation["TableName"])
            key = operation.get("Key") or operation["Item"]
            hash_value = DynamoType(key[table.hash_key_attr])
            range_value = DynamoType(key[table.range_key_attr]) if table.has_range_key else None
            saved.append((table, hash_value, range_value, copy.deepcopy(table.get_item(hash_value, range_value))))
        try:
            return whole_table_backup(backend, transact_items)
        except Exception:
            for table, hash_value, range_value, item in reversed(saved):
                if item is None:
                    table.delete_item(hash_value, range_value)
                elif range_value is None:
                    table.items[hash_value] = item
                else:
                    table.items[hash_value][range_value] = item
            raise

    DynamoDBBackend.transact_write_items = transact_write_items


def query_only_the_partition():
    """moto (5.2) answers a Query by listing and sorting every item of the table: the fix
    the tests and the local run use too (devtools/moto_fixes.py)."""
    from devtools.moto_fixes import query_only_the_partition as fix

    fix()


_writes = {"count": 0, "counting": False}


def _count_writes():
    """Count every write to moto's tables (before and after it), so what is worked out
    from the items can be kept until the next one: the count it was made at."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    if _writes["counting"]:
        return _writes

    def counting(write):
        def counted(*args, **kwargs):
            _writes["count"] += 1
            try:
                return write(*args, **kwargs)
            finally:
                _writes["count"] += 1

        return counted

    for owner, name in ((Table, "put_item"), (Table, "delete_item")):
        setattr(owner, name, counting(getattr(owner, name)))
    for name in ("update_item", "transact_write_items", "delete_table"):
        setattr(DynamoDBBackend, name, counting(getattr(DynamoDBBackend, name)))
    _writes["counting"] = True
    return _writes


def size_items_once():
    """moto (5.2) works out an item's size (for a Query's 1 MB page) value by value on
    every read: DynamoDB keeps it. Here it is kept on the item until the next write."""
    from moto.dynamodb.models.dynamo_type import Item

    writes = _count_writes()
    size_of = Item.size

    def size(item):
        kept = getattr(item, "_kept_size", None)
        if kept is None or kept[0] != writes["count"]:
            kept = item._kept_size = (writes["count"], size_of(item))
        return kept[1]

    Item.size = size


def query_only_the_key_range():
    """moto (5.2) answers a Query by testing its key condition on every item of the
    partition (sorting them all first, for an index), in Python: a Query of a few items
    in a partition of 30,000 (a search index of 500 sessions: a head, snippets and 64
    word groups each) takes seconds. DynamoDB reads the key range alone, from keys kept in
    order; so does moto here: the partition's items are kept sorted by the queried key
    (the table's sort key or a local index's), made again after any write, and a
    `begins_with` or BETWEEN finds its range by bisection before moto's own work (which
    tests those items again). Apply after query_only_the_partition."""
    import bisect

    from moto.dynamodb.models.table import Table

    from devtools.moto_fixes import queried_partition

    partition_items, partition_query = Table.all_items, Table.query
    writes = _count_writes()
    in_order = {}  # (table, partition, attribute) -> (writes when made, [values], [items])

    def sorted_by(table, partition, attribute):
        key = (table.name, partition, attribute)
        made = in_order.get(key)
        if made is None or made[0] != writes["count"]:
            pairs = []
            for item in table.items.get(partition, {}).values():
                value = item.attrs.get(attribute)
                if value is not None and isinstance(value.value, str):
                    pairs.append((value.value, item))
            pairs.sort(key=lambda pair: pair[0])
            made = in_order[key] = (writes["count"], [value for value, _ in pairs], [item for _, item in pairs])
        return made[1], made[2]

    def all_items(table):
        wanted = getattr(table, "queried_range", None)
        partition = queried_partition(table)
        if wanted is None or partition is None or not table.has_range_key:
            return partition_items(table)
        attribute, comparison, bounds = wanted
        values, items = sorted_by(table, partition, attribute)
        if comparison == "BEGINS_WITH":
            first = bisect.bisect_left(values, bounds[0])
            last = first
            while last < len(values) and values[last].startswith(bounds[0]):
                last += 1
        else:  # BETWEEN
            first, last = bisect.bisect_left(values, bounds[0]), bisect.bisect_right(values, bounds[1])
        return items[first:last]

    def query(table, hash_key, range_comparison=None, range_objs=None, *args, **kwargs):
        index_name = kwargs.get("index_name") or (args[4] if len(args) > 4 else None)
        index = next((index for index in table.indexes if index.name == index_name), None)
        if index_name and index is None:
            return partition_query(table, hash_key, range_comparison, range_objs, *args, **kwargs)
        schema = index.schema if index is not None else table.schema
        range_key = next((key["AttributeName"] for key in schema if key["KeyType"] == "RANGE"), None)
        comparison = (range_comparison or "").upper()
        if range_key and comparison in ("BEGINS_WITH", "BETWEEN") and range_objs:
            table.queried_range = (range_key, comparison, [bound.value for bound in range_objs])
        try:
            return partition_query(table, hash_key, range_comparison, range_objs, *args, **kwargs)
        finally:
            table.queried_range = None

    Table.all_items, Table.query = all_items, query


def answer_queries_as_plain_json():
    """moto (5.2) writes every answer through a generic serializer that walks the service's
    shapes value by value: about 4 ms an item for a Query or BatchGetItem of small items
    (a search reads a thousand), a cost DynamoDB does not have. Here those two answer with
    their result as JSON at once (the same document)."""
    import json

    from moto.dynamodb.responses import DynamoHandler

    for name in ("query", "batch_get_item"):
        original = getattr(DynamoHandler, name)

        def answer(handler, original=original):
            result = original(handler)
            return json.dumps(result.result) if hasattr(result, "result") else result

        setattr(DynamoHandler, name, answer)


def answer_queries_without_copying_the_items():
    """moto (5.2) deep-copies every item a Query returns, value by value (DynamoType's own
    __deepcopy__): most of its time for a search's thousand small items, a cost DynamoDB
    does not have. The answer is written out at once and nothing changes the items on the
    way (an index's or an expression's projection makes new ones), so here a Query's
    results are the stored items themselves. Apply after query_only_the_key_range."""
    import copy
    import threading

    from moto.dynamodb.models import table as table_module

    answering = threading.local()

    class CopyExceptAQuerysResults:
        def __getattr__(self, name):
            return getattr(copy, name)

        @staticmethod
        def deepcopy(value, memo=None):
            if getattr(answering, "query", False) and isinstance(value, list):
                return list(value)
            return copy.deepcopy(value, memo)

    copying_query = table_module.Table.query

    def query(table, *args, **kwargs):
        answering.query = True
        try:
            return copying_query(table, *args, **kwargs)
        finally:
            answering.query = False

    table_module.copy = CopyExceptAQuerysResults()
    table_module.Table.query = query
