"""What DynamoDB counts of an item, from its wire form ({"name": {"S": "…"}}), for the
tests and benchmarks that check sizes and costs (the 400 KB item limit, read and write
units): one definition, an upper bound where DynamoDB's own rule is approximate
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html)."""

import math


def value_size(value):
    """An attribute value's size: strings and binaries their (UTF-8) length, numbers at most
    one byte a digit plus one (DynamoDB: about one per two), booleans and nulls 1, sets the
    sum of their elements, lists and maps 3 bytes plus 1 an element (maps add their names)."""
    ((kind, content),) = value.items()
    if kind == "S":
        return len(content.encode())
    if kind == "N":
        return len(content.lstrip("-").replace(".", "")) + 1
    if kind == "B":
        return len(content)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(value_size({kind[0]: element}) for element in content)
    if kind == "L":
        return 3 + sum(1 + value_size(element) for element in content)
    if kind == "M":
        return 3 + sum(1 + len(name.encode()) + value_size(element) for name, element in content.items())
    raise ValueError(f"unexpected attribute type {kind}")


def item_size(raw):
    """An item's size: its attributes' names and values."""
    return sum(len(name.encode()) + value_size(value) for name, value in raw.items())


def query_read_units(items):
    """Read units of a Query page (eventually consistent): its items' sizes summed, rounded
    up to 4 KB, half a unit each 4 KB (no filter: every item read is returned)."""
    return math.ceil(sum(item_size(item) for item in items) / 4096) * 0.5


def batch_read_units(items):
    """Read units of a BatchGetItem's items (eventually consistent): each rounded up to 4 KB."""
    return sum(math.ceil(item_size(item) / 4096) * 0.5 for item in items)


def write_units(size, *, in_index=False):
    """Write units of writing an item of `size` bytes (twice for an item LSI1 copies)."""
    return max(1, math.ceil(size / 1024)) * (2 if in_index else 1)
