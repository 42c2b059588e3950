"""Three of moto's whole-table or quadratic costs fixed where we run moto (the local run's
AWS and the tests'), each keeping DynamoDB's behaviour as moto gives it
(tests/test_moto_fixes.py); fix_moto() applies them all.

A transaction's copies. moto (5.2.5) backs up a table before a TransactWriteItems so that a failed one can be
rolled back, but it deep-copies the whole table once per *action* instead of once per
table (`DynamoDBBackend.transact_write_items`: the copy sits inside the loop over the
actions, each copy replacing the last). A transaction of 66 actions (a transcript's
upload with its search index's word groups, docs/data-model.md) copies the table 66
times: seconds on the local run's table, and tests whose threads share a moto server
timed out. Here each table is copied once per transaction, as moto means to: the
rollback restores the same state, so DynamoDB's behaviour as moto gives it is unchanged
(tests/test_moto_fixes.py). Thread-safe: the once-per-transaction memory is the thread's.

A Query's listing. moto answers a Query on the table or a local index by listing and
sorting every item of the table, then keeping the asked partition's. Every transcribed
session holds ~66 search-index items (docs/data-model.md), so each Query cost time in
proportion to every test's fixtures (measured in-process: 1.6 ms on an empty table, 4.8 ms
at 500 items, 14 ms at 2,000), and the whole suite grew with the index. DynamoDB reads the
partition alone; here so does moto, which still tests the key condition on what it gets.
A global index's partition is another attribute's, so its Query lists the table as before.

An update's checks. moto checks an UpdateExpression (one SET, one ADD…; no two actions on
overlapping paths) at every node of its tree, each check walking the node's whole subtree:
quadratic in the actions, and most of moto's time for the app's updates of twenty actions
(measured: 5 s of 114 in four view test files). The root's check sees every action of
every subtree, so here it runs at the root alone: the same requests are refused with the
same errors (of several overlapping pairs, the first in the expression is named, where
moto named the last).
"""

import copy
import threading

_transaction = threading.local()


class _CopyOncePerTransaction:
    """Stands in for the `copy` module inside moto's DynamoDB backend."""

    def __getattr__(self, name):
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value, memo=None):
        from moto.dynamodb.models.table import Table

        copies = getattr(_transaction, "copies", None)
        if copies is None or not isinstance(value, Table):  # an item's copy (update_item's) as before
            return copy.deepcopy(value, memo)
        if id(value) not in copies:
            copies[id(value)] = copy.deepcopy(value, memo)
        return copies[id(value)]


def copy_each_table_once_per_transaction():
    """Apply the fix (once; later calls do nothing)."""
    from moto.dynamodb import models

    if isinstance(models.copy, _CopyOncePerTransaction):
        return
    copying_per_action = models.DynamoDBBackend.transact_write_items

    def transact_write_items(backend, transact_items):
        _transaction.copies = {}
        try:
            return copying_per_action(backend, transact_items)
        finally:
            _transaction.copies = None

    models.copy = _CopyOncePerTransaction()
    models.DynamoDBBackend.transact_write_items = transact_write_items


_querying = threading.local()


def queried_partition(table):
    """The partition the thread's Query is reading from `table`, or None outside one."""
    return getattr(_querying, "partitions", {}).get(id(table))


def query_only_the_partition():
    """Apply the fix (once; later calls do nothing)."""
    from moto.dynamodb.models.table import Table

    if getattr(Table, "reads_only_the_partition", False):  # not Table.query's: others wrap it later
        return
    list_every_item, whole_table_query = Table.all_items, Table.query

    def all_items(table):
        partition = queried_partition(table)
        if partition is None:  # a Scan, a global index's Query, a backup: every item
            return list_every_item(table)
        found = table.items.get(partition)
        if found is None:
            return []
        return sorted(found.values(), key=lambda item: item.range_key) if table.has_range_key else [found]

    def query(table, hash_key, *args, **kwargs):
        index_name = kwargs.get("index_name") or (args[6] if len(args) > 6 else None)
        if index_name and index_name not in {index.name for index in table.indexes}:
            return whole_table_query(table, hash_key, *args, **kwargs)  # a global index
        if not hasattr(_querying, "partitions"):
            _querying.partitions = {}
        _querying.partitions[id(table)] = hash_key
        try:
            return whole_table_query(table, hash_key, *args, **kwargs)
        finally:
            _querying.partitions.pop(id(table), None)

    Table.all_items, Table.query = all_items, query
    Table.reads_only_the_partition = True


def check_each_update_expression_once():
    """Apply the fix (once; later calls do nothing)."""
    from moto.dynamodb.parsing.ast_nodes import UpdateExpression
    from moto.dynamodb.parsing.validators import ActionCountValidator, OverlappingPathsValidator

    for validator, check in (
        (ActionCountValidator, ActionCountValidator.verify_action_counts),
        (OverlappingPathsValidator, OverlappingPathsValidator.check_for_overlapping_paths),
    ):
        if getattr(validator, "checks_the_root_only", False):
            continue
        walking_every_node = validator.traverse

        def traverse(self, node, check=check, walking_every_node=walking_every_node):
            if isinstance(node, UpdateExpression):
                return check(self, node)  # the root: its clauses are every subtree's
            return walking_every_node(self, node)

        validator.traverse = traverse
        validator.checks_the_root_only = True


def fix_moto():
    """Every fix above, as the tests and the local run's AWS apply them."""
    copy_each_table_once_per_transaction()
    query_only_the_partition()
    check_each_update_expression_once()
