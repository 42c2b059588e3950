"""Single-item writes of mirrored items (campaigns_site.outbox): the model's own save,
update or delete when mirroring is off (the same request as ever), and when it is on one
transaction of the write and its outbox entry, raising what the model's write would
(PutError, UpdateError, DeleteError with cause_response_code) so callers do not change."""

from botocore.exceptions import ClientError
from pynamodb.exceptions import DeleteError, PutError, UpdateError

from campaigns_site import outbox
from campaigns_site.transactions import Transaction, TransactionCanceled


def save(item, *, condition=None):
    """item.save(condition=...), with the entry in the same transaction when mirroring."""
    if not _mirrors(item):
        return item.save(condition=condition)
    _write_with_entry(item, "Put", item.get_save_kwargs_from_instance(condition=condition), PutError)
    item.update_local_version_attribute()
    return None


def update(item, *, actions, condition=None, add_version_condition=True):
    """item.update(...), with the entry in the same transaction when mirroring; the item
    is then read back (a transaction returns no ALL_NEW values), so callers see the same."""
    if not _mirrors(item):
        return item.update(actions=actions, condition=condition, add_version_condition=add_version_condition)
    operation = item.get_update_kwargs_from_instance(actions, condition, add_version_condition=add_version_condition)
    _write_with_entry(item, "Update", operation, UpdateError)
    item.refresh(consistent_read=True)
    return None


def delete(item, *, condition=None):
    """item.delete(condition=...), with the entry in the same transaction when mirroring."""
    if not _mirrors(item):
        return item.delete(condition=condition)
    _write_with_entry(item, "Delete", item.get_delete_kwargs_from_instance(condition=condition), DeleteError)
    return None


def _mirrors(item):
    return outbox.mirroring() and outbox.is_mirrored_key(item.pk, item.sk)


def _write_with_entry(item, kind, operation, error_class):
    transaction = Transaction()
    transaction.add_operation(kind, operation)
    try:
        transaction.commit()
    except TransactionCanceled as canceled:
        # Raised as the model's own write would: callers read cause_response_code.
        code = "ConditionalCheckFailedException" if canceled.failed(0) else "TransactionCanceledException"
        cause = ClientError({"Error": {"Code": code, "Message": str(canceled)}}, f"{kind}Item")
        raise error_class(f"Failed to {kind.lower()} item {item.pk} {item.sk}", cause=cause) from canceled
