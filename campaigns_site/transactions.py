"""One DynamoDB transaction built from PynamoDB models, conditions and update actions
(sent through PynamoDB's connection of the table: campaigns_site.dynamodb)."""

import random
import time

from campaigns_site import dynamodb


class TransactionCanceled(Exception):
    """DynamoDB refused the whole transaction. `reasons` has one code per action, in the
    order they were added: "None" for the fine ones, "ConditionalCheckFailed", ..."""

    def __init__(self, reasons):
        super().__init__(", ".join(reasons))
        self.reasons = reasons

    def failed(self, index):
        return index < len(self.reasons) and self.reasons[index] not in ("None", None)


class Transaction:
    """One TransactWriteItems request, from PynamoDB models, conditions and actions.

    Not PynamoDB's TransactWrite, for three reasons: it adds `version + 1` to every update
    of a versioned item (a counter or activity update is not an edit, and must not make
    an open edit form stale); it cannot put a copy of an item with its version as it is
    (a moved session); and it reorders the actions, so its cancellation reasons do not
    line up with what was added.
    """

    MAX_ACTIONS = 100  # DynamoDB's limit per transaction
    CONFLICT_ATTEMPTS = 5

    def __init__(self):
        self.actions = []

    def __len__(self):
        return len(self.actions)

    def put(self, item, *, condition=None):
        """Put a PynamoDB model's item, or an item as campaigns_site.dynamodb read it, with
        every attribute as it is (version included)."""
        return self._add(dynamodb.transaction_action("Put", item=item, condition=condition))

    def update(self, pk, sk, *, actions, condition=None):
        return self._add(dynamodb.transaction_action("Update", key=(pk, sk), condition=condition, actions=actions))

    def delete(self, pk, sk, *, condition=None):
        return self._add(dynamodb.transaction_action("Delete", key=(pk, sk), condition=condition))

    def check(self, pk, sk, *, condition):
        return self._add(dynamodb.transaction_action("ConditionCheck", key=(pk, sk), condition=condition))

    def _add(self, action):
        """Add an action; returns its index (for TransactionCanceled.failed)."""
        self.actions.append(action)
        return len(self.actions) - 1

    def commit(self):
        """Write all of it or none; raises TransactionCanceled with the reasons."""
        if not self.actions:
            return
        if len(self.actions) > self.MAX_ACTIONS:
            raise ValueError(f"{len(self.actions)} actions: a transaction holds at most {self.MAX_ACTIONS}")
        for attempt in range(self.CONFLICT_ATTEMPTS):
            reasons = dynamodb.write_transaction(self.actions)
            if reasons is None:
                return
            last_attempt = attempt == self.CONFLICT_ATTEMPTS - 1
            # Another transaction held one of the items (a concurrent session write on
            # the same campaign): nothing was written, so trying again is safe.
            if "TransactionConflict" not in reasons or last_attempt:
                raise TransactionCanceled(reasons)
            time.sleep(random.uniform(0, 0.05 * 2**attempt))
