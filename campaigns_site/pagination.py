"""One page of a Query, with an opaque signed cursor for the next page.

The cursor is DynamoDB's LastEvaluatedKey signed with the secret key and bound to the
partition it came from (and to the index and key condition of its list), so a user can
neither forge one nor replay one from somebody else's partition or from another list.
"""

from dataclasses import dataclass, field

from django.core import signing

_SALT = "campaigns_site.pagination"


class InvalidCursor(ValueError):
    pass


@dataclass
class Page:
    items: list = field(default_factory=list)
    next_cursor: str | None = None


def encode_cursor(last_evaluated_key, *, partition, scope=""):
    if not last_evaluated_key:
        return None
    return signing.dumps({"p": partition, "s": scope, "k": last_evaluated_key}, salt=_SALT, compress=True)


def decode_cursor(cursor, *, partition, scope=""):
    if not cursor:
        return None
    try:
        payload = signing.loads(cursor, salt=_SALT)
    except signing.BadSignature:
        raise InvalidCursor("That page link is not valid.") from None
    # Checked whole before use: a payload signed with our key but of another shape (a
    # list, a missing key, a key that is not a dict) is refused like a forged one, not
    # handed to DynamoDB.
    if (
        not isinstance(payload, dict)
        or payload.get("p") != partition
        or payload.get("s", "") != scope
        or not _is_last_key_of(payload.get("k"), partition)
    ):
        raise InvalidCursor("That page link is not valid.")
    return payload["k"]


def _is_last_key_of(key, partition):
    # Imported here: views import this module for InvalidCursor alone, and must not load
    # PynamoDB for it (tests/test_aws_access.py).
    from campaigns_site import dynamodb

    return dynamodb.is_key_of(key, partition)


def query_page(
    model,
    partition,
    range_key_condition=None,
    *,
    limit,
    cursor=None,
    newest_first=True,
    filter_condition=None,
    index=None,
    consistent_read=False,
):
    """Read one page of `partition` (of the table, or of `index`) with a single Query."""
    index_name = index.Meta.index_name if index is not None else None
    # A cursor from one list handed to another (the active campaigns' to the archived
    # ones, say) would start outside the key condition: DynamoDB answers that with an
    # error, so such a cursor is refused here like a forged one.
    scope = f"{index_name or 'table'}|{range_key_condition}"
    results = model.query(
        partition,
        range_key_condition,
        filter_condition=filter_condition,
        index_name=index_name,
        consistent_read=consistent_read,
        scan_index_forward=not newest_first,
        limit=limit,
        page_size=limit,
        last_evaluated_key=decode_cursor(cursor, partition=partition, scope=scope),
    )
    items = list(results)
    return Page(items=items, next_cursor=encode_cursor(results.last_evaluated_key, partition=partition, scope=scope))
