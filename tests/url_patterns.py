"""The URLconf, walked: every URL pattern as literal pieces and converters, for the tests
that visit every URL (tests/test_fuzz_urls.py, tests/test_url_ids.py). A page added to any
URLconf is found without a change here."""

import re
from dataclasses import dataclass

from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RoutePattern


@dataclass(frozen=True)
class Route:
    """One URL pattern: its pieces (literal text, or (name, regex) for a converter), the
    view (to find the forms that post to it) and a readable id."""

    pieces: tuple
    callback: object
    id: str

    @property
    def params(self):
        return [piece for piece in self.pieces if isinstance(piece, tuple)]


_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _pieces(pattern):
    if isinstance(pattern, RoutePattern):
        route, pieces, at = str(pattern), [], 0
        for match in _CONVERTER.finditer(route):
            pieces.append(route[at : match.start()])
            pieces.append((match["name"], pattern.converters[match["name"]].regex))
            at = match.end()
        pieces.append(route[at:])
        return [piece for piece in pieces if piece != ""]
    # A regex pattern (allauth's): the whole of it is one generated piece.
    regex = pattern.regex.pattern.removeprefix("^").removesuffix("$")
    return [(f"regex:{regex}", regex)]


def walk(resolver=None, prefix=()):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        pieces = prefix + tuple(_pieces(entry.pattern))
        if isinstance(entry, URLResolver):
            yield from walk(entry, pieces)
        else:
            readable = "".join(piece if isinstance(piece, str) else f"<{piece[0]}>" for piece in pieces)
            yield Route(pieces=pieces, callback=entry.callback, id=f"/{readable}")


def fill(route, params):
    """The path of `route` with `params` for its converters, or None if one is missing."""
    parts = []
    for piece in route.pieces:
        if isinstance(piece, str):
            parts.append(piece)
        elif piece[0] in params:
            parts.append(str(params[piece[0]]))
        else:
            return None
    return "/" + "".join(parts)
