"""A signed-in page's own reads, folded into its session check's BatchGetItem (issue 17).

A signed-in session's key names its user's sub (accounts.session_store), and the URL names
the campaign and session, so a page's items can be read in the same BatchGetItem as the
web session and the profile: one request where there were two or three. Each view says
what it reads with `@reads(keys_of)`, where keys_of(sub, **url_kwargs) lists (pk, sk)
keys built by table_keys from that sub and those ids. campaigns_site.lazy.lazy_view plans
the keys before the view's login check loads the session; the session store adds them to
its BatchGetItem and keeps what it found only when the web session is valid and its user is
the sub the key names (`keep`). The repositories then take an item from here instead of
asking again (`take`, `take_one`), by the very key they would have read: a key made from
another sub, or not planned, finds nothing and is read as before.

No caching: the items are read by this request, strongly consistent, and forgotten when
the view returns. Only GET and HEAD plan reads (a page that writes reads after its writes),
and each item can be taken once: a second read of the same key asks the table again.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from campaigns_site.table_keys import InvalidKeyPart

_planned = ContextVar("prefetch_planned", default=None)  # (keys_of, the URL's kwargs) while a view runs
_found = ContextVar("prefetch_found", default=None)  # {(pk, sk): item or None} once read

READING_METHODS = ("GET", "HEAD")
MAX_KEYS = 90  # BatchGetItem reads 100 keys at most; the session and profile are two of them


def reads(keys_of):
    """Declare a view's reads: keys_of(sub, **the URL's kwargs) -> [(pk, sk)]. functools.wraps
    carries the mark out through the view's other decorators."""

    def mark(view):
        view.prefetch_keys = keys_of
        return view

    return mark


@contextmanager
def planned(request, view, kwargs):
    """While the view runs: the reads it declared, if it is a GET whose session is not read
    yet. Forgotten, with whatever was read, when the view returns."""
    keys_of = getattr(view, "prefetch_keys", None)
    session = getattr(request, "session", None)
    plan = None
    if keys_of is not None and request.method in READING_METHODS and session is not None:
        if getattr(session, "_session_cache", None) is None:  # else too late to fold anything in
            plan = (keys_of, kwargs)
    planned_token = _planned.set(plan)
    found_token = _found.set(None)
    try:
        yield
    finally:
        _found.reset(found_token)
        _planned.reset(planned_token)


def planned_keys(sub):
    """The keys to add to the session check's BatchGetItem of a session of `sub`."""
    plan = _planned.get()
    if plan is None or not sub:
        return []
    keys_of, kwargs = plan
    try:
        keys = list(dict.fromkeys(keys_of(sub, **kwargs)))
    except InvalidKeyPart:
        return []  # an id that cannot be a key part: the view refuses it as before
    return keys[:MAX_KEYS]


def keep(*, sub, items):
    """The session check found its web session valid and owned by `sub`: keep the items read
    for the planned keys (a key without an item is kept as None: it does not exist)."""
    keys = planned_keys(sub)
    if not keys:
        return
    _planned.set(None)  # read once: a later load of another session reads nothing for it
    by_key = {(item.pk, item.sk): item for item in items}
    _found.set({key: by_key.get(key) for key in keys})


def take(keys):
    """(items found among `keys`, the keys this request has not read yet). Each key is
    taken once."""
    found = _found.get()
    if not found:
        return [], list(keys)
    items, missing = [], []
    for key in keys:
        if key in found:
            item = found.pop(key)
            if item is not None:
                items.append(item)
        else:
            missing.append(key)
    return items, missing


def take_one(pk, sk):
    """(True, the item or None) when this request read the key already, else (False, None)."""
    found = _found.get()
    if not found or (pk, sk) not in found:
        return False, None
    return True, found.pop((pk, sk))


def get_item(model, pk, sk):
    """The item of `model` at (pk, sk), or None: from this request's session check when it
    read the key (take_one), else one strongly consistent GetItem."""
    read, item = take_one(pk, sk)
    if read:
        return item if isinstance(item, model) else None
    try:
        return model.get(pk, sk, consistent_read=True)
    except model.DoesNotExist:
        return None
