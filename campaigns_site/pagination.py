"""One page of a Query, with an opaque signed cursor for the next page.

The cursor is DynamoDB's LastEvaluatedKey signed with the secret key and bound to the
partition it came from, so a user can neither forge one nor replay one from somebody
else's partition.
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


def encode_cursor(last_evaluated_key, *, partition):
    if not last_evaluated_key:
        return None
    return signing.dumps({"p": partition, "k": last_evaluated_key}, salt=_SALT, compress=True)


def decode_cursor(cursor, *, partition):
    if not cursor:
        return None
    try:
        payload = signing.loads(cursor, salt=_SALT)
    except signing.BadSignature:
        raise InvalidCursor("That page link is not valid.") from None
    if payload.get("p") != partition:
        raise InvalidCursor("That page link is not valid.")
    return payload["k"]


def query_page(model, partition, range_key_condition=None, *, limit, cursor=None,
               newest_first=True, filter_condition=None):
    """Read one page of `partition` with a single Query."""
    results = model.query(
        partition,
        range_key_condition,
        filter_condition=filter_condition,
        scan_index_forward=not newest_first,
        limit=limit,
        page_size=limit,
        last_evaluated_key=decode_cursor(cursor, partition=partition),
    )
    items = list(results)
    return Page(items=items, next_cursor=encode_cursor(results.last_evaluated_key, partition=partition))
