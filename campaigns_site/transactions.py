"""One DynamoDB transaction built from PynamoDB models, conditions and update actions
(sent through PynamoDB's connection of the table: campaigns_site.dynamodb)."""

import random
import time
from datetime import timedelta

from campaigns_site import dynamodb, outbox


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
    # A full transaction has no room for its outbox entry, which is then written just
    # before it, due only after this: time enough for the transaction to commit first.
    FULL_ENTRY_DELAY = timedelta(minutes=1)

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

    def add_operation(self, kind, operation):
        """An action as PynamoDB builds it for a single write (get_*_kwargs_from_instance):
        what campaigns_site.outbox turns into a transaction with its entry."""
        return self._add({kind: dict(operation, TableName=dynamodb.table_name())})

    def _add(self, action):
        """Add an action; returns its index (for TransactionCanceled.failed)."""
        self.actions.append(action)
        return len(self.actions) - 1

    def commit(self):
        """Write all of it or none; raises TransactionCanceled with the reasons.

        When mirroring into v1.0 (campaigns_site.outbox), an outbox entry naming the
        mirrored items written is added as the last action: its reason is left out of
        TransactionCanceled, so the caller's indexes and reasons are as without it.
        """
        if not self.actions:
            return
        if len(self.actions) > self.MAX_ACTIONS:
            raise ValueError(f"{len(self.actions)} actions: a transaction holds at most {self.MAX_ACTIONS}")
        actions, entry = self._with_outbox_entry()
        for attempt in range(self.CONFLICT_ATTEMPTS):
            reasons = dynamodb.write_transaction(actions)
            if reasons is None:
                if entry is not None:
                    outbox.remember_written(entry)
                return
            last_attempt = attempt == self.CONFLICT_ATTEMPTS - 1
            # Another transaction held one of the items (a concurrent session write on
            # the same campaign): nothing was written, so trying again is safe.
            if "TransactionConflict" not in reasons or last_attempt:
                raise TransactionCanceled(reasons[: len(self.actions)])
            time.sleep(random.uniform(0, 0.05 * 2**attempt))

    def _with_outbox_entry(self):
        """The actions to send, and the outbox entry among them (None: not mirroring, or
        nothing v1.0 holds is written)."""
        if not outbox.mirroring():
            return self.actions, None
        keys = outbox.mirrored_keys(self.actions)
        if not keys:
            return self.actions, None
        if len(self.actions) < self.MAX_ACTIONS:
            entry = outbox.new_entry(keys)
            return [*self.actions, dynamodb.transaction_action("Put", item=entry)], entry
        # Full (a cascade's batch of 100 deletes): the entry goes first, on its own, due
        # a minute later. The mirror applies the items' state, so an entry whose change
        # then fails only applies what is already there; never a change without an entry.
        entry = outbox.new_entry(keys, delay=self.FULL_ENTRY_DELAY)
        entry.save()
        return self.actions, entry
