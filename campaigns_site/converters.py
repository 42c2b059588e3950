"""URL converters shared by the campaign and play session pages."""

import re

from django.urls import register_converter

# What new_id() makes (a ULID: 26 characters of Crockford's base 32, upper case): the
# only shape of a campaign, session or upload id. Values from outside a URL path (a
# signed token, a form) are checked against it too (is_item_id).
ITEM_ID_REGEX = "[0-9A-HJKMNP-TV-Z]{26}"
_ITEM_ID = re.compile(ITEM_ID_REGEX)


def is_item_id(value):
    return isinstance(value, str) and _ITEM_ID.fullmatch(value) is not None


class ItemIdConverter:
    """A ULID as new_id() makes it (26 characters of Crockford's base 32, upper case).

    Anything else cannot name an item, so such a URL is a 404 before any AWS request,
    and no text from a URL that could break out of a key part ("#") reaches a repository.
    """

    regex = ITEM_ID_REGEX

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)


# Registered here, once: this module is imported by every URLconf that uses <item_id:...>.
register_converter(ItemIdConverter, "item_id")
