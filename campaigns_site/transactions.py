"""One DynamoDB transaction built from PynamoDB models, conditions and update actions."""

import random
import time

from django.conf import settings
from pynamodb.expressions.update import Update

from campaigns_site import aws


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
        """Put a PynamoDB model's item, or an item as DynamoDB returned it, with every
        attribute as it is (version included)."""
        return self._add("Put", {"Item": item if isinstance(item, dict) else item.serialize()}, condition=condition)

    def update(self, pk, sk, *, actions, condition=None):
        return self._add("Update", {"Key": _key(pk, sk)}, condition=condition, actions=actions)

    def delete(self, pk, sk, *, condition=None):
        return self._add("Delete", {"Key": _key(pk, sk)}, condition=condition)

    def check(self, pk, sk, *, condition):
        return self._add("ConditionCheck", {"Key": _key(pk, sk)}, condition=condition)

    def _add(self, kind, operation, *, condition=None, actions=None):
        """Add an action; returns its index (for TransactionCanceled.failed)."""
        placeholders, values = {}, {}
        if condition is not None:
            operation["ConditionExpression"] = condition.serialize(placeholders, values)
        if actions:
            operation["UpdateExpression"] = Update(*actions).serialize(placeholders, values)
        if placeholders:
            operation["ExpressionAttributeNames"] = {placeholder: name for name, placeholder in placeholders.items()}
        if values:
            operation["ExpressionAttributeValues"] = values
        operation["TableName"] = settings.DYNAMODB_TABLE
        self.actions.append({kind: operation})
        return len(self.actions) - 1

    def commit(self):
        """Write all of it or none; raises TransactionCanceled with the reasons."""
        if not self.actions:
            return
        if len(self.actions) > self.MAX_ACTIONS:
            raise ValueError(f"{len(self.actions)} actions: a transaction holds at most {self.MAX_ACTIONS}")
        dynamodb = aws.client("dynamodb")
        for attempt in range(self.CONFLICT_ATTEMPTS):
            try:
                # botocore fills in ClientRequestToken, so its own retry of this very
                # request (after a lost response) cannot apply the ADDs twice.
                dynamodb.transact_write_items(TransactItems=self.actions)
                return
            except dynamodb.exceptions.TransactionCanceledException as error:
                reasons = [reason.get("Code", "None") for reason in error.response.get("CancellationReasons", [])]
                last_attempt = attempt == self.CONFLICT_ATTEMPTS - 1
                # Another transaction held one of the items (a concurrent session write on
                # the same campaign): nothing was written, so trying again is safe.
                if "TransactionConflict" not in reasons or last_attempt:
                    raise TransactionCanceled(reasons) from None
            time.sleep(random.uniform(0, 0.05 * 2**attempt))


def _key(pk, sk):
    return {"PK": {"S": pk}, "SK": {"S": sk}}
