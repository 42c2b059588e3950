"""How a search reads its index (sessions/core/search_index.py): the heads' and the word
groups' Queries, page after page, and reads made at once. sessions/search/services.py
decides what to read; this module only reads it."""

import contextvars
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from campaigns_site import dynamodb
from campaigns_site.table_keys import SEARCH_PREFIX
from sessions.core.search_words import group_prefix

_INDEX = "LSI1"


@dataclass
class Pages:
    """A Query's pages: their items, and what reading them took."""

    items: list = field(default_factory=list)
    requests: int = 0
    scanned: int = 0
    capacity_units: float = 0.0

    def add(self, response):
        self.items += response.items
        self.requests += 1
        self.scanned += response.scanned
        self.capacity_units += response.capacity_units


def at_once(reads):
    """{name: read()} of every read, made at the same time (threads: each is one request
    or a few pages, waiting on the network)."""
    with ThreadPoolExecutor(max_workers=len(reads)) as pool:
        # Each in a copy of this context: the request's id stays on what the reads log.
        futures = {name: pool.submit(contextvars.copy_context().run, read) for name, read in reads.items()}
        return {name: future.result() for name, future in futures.items()}


def read_heads(partition, played_from, played_to, start_key, page_size, *, max_pages):
    """(the heads in range after start_key, newest first; the key to go on from when
    max_pages were read with more to go, else None)."""
    return _all_pages(heads_query(partition, played_from, played_to), start_key, page_size, max_pages=max_pages)


def heads_query(partition, played_from=None, played_to=None):
    """The Query of the heads in range (LSI1, newest first), as query_expression takes it."""
    values = {":pk": partition}
    if played_from or played_to:
        key_condition = "#pk = :pk AND #order BETWEEN :from AND :to"
        # Undated sessions (0000-00-00) sort below every date, so any range leaves them out.
        values[":from"] = f"{SEARCH_PREFIX}{played_from or '0001-01-01'}"
        values[":to"] = f"{SEARCH_PREFIX}{played_to}~" if played_to else f"{SEARCH_PREFIX}~"
    else:
        key_condition = "#pk = :pk AND begins_with(#order, :prefix)"
        values[":prefix"] = SEARCH_PREFIX
    return {
        "IndexName": _INDEX,
        "KeyConditionExpression": key_condition,
        "ExpressionAttributeNames": {"#pk": "PK", "#order": "LSI1SK"},
        "ExpressionAttributeValues": values,
        "ScanIndexForward": False,  # newest first
        "ReturnConsumedCapacity": "TOTAL",
    }


def read_group(partition, group, page_size):
    """Every session's words of one group: one Query (a page per MB)."""
    pages, _ = _all_pages(group_query(partition, group), None, page_size)
    return pages


def group_query(partition, group):
    """The Query of one word group of every session, as query_expression takes it."""
    return {
        "KeyConditionExpression": "#pk = :pk AND begins_with(#sk, :prefix)",
        "ExpressionAttributeNames": {"#pk": "PK", "#sk": "SK"},
        "ExpressionAttributeValues": {":pk": partition, ":prefix": group_prefix(group)},
        "ReturnConsumedCapacity": "TOTAL",
    }


def _all_pages(query, start_key, page_size, *, max_pages=None):
    if page_size:
        query["Limit"] = page_size
    pages = Pages()
    while True:
        response = dynamodb.query_expression(query, start_key=start_key)
        pages.add(response)
        start_key = response.last_key
        if not start_key:
            return pages, None
        if max_pages and pages.requests >= max_pages:
            return pages, start_key
