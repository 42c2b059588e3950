"""A moto bug fixed where we run moto (the local run's AWS and the tests'): nothing else.

moto (5.2.5) backs up a table before a TransactWriteItems so that a failed one can be
rolled back, but it deep-copies the whole table once per *action* instead of once per
table (`DynamoDBBackend.transact_write_items`: the copy sits inside the loop over the
actions, each copy replacing the last). A transaction of 66 actions (a transcript's
upload with its search index's word groups, docs/data-model.md) copies the table 66
times: seconds on the local run's table, and tests whose threads share a moto server
timed out. Here each table is copied once per transaction, as moto means to: the
rollback restores the same state, so DynamoDB's behaviour as moto gives it is unchanged
(tests/test_moto_fixes.py). Thread-safe: the once-per-transaction memory is the thread's.
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
