"""URL converters shared by the campaign and play session pages."""

from django.urls import register_converter


class ItemIdConverter:
    """A ULID as new_id() makes it (26 characters of Crockford's base 32, upper case).

    Anything else cannot name an item, so such a URL is a 404 before any AWS request,
    and no text from a URL that could break out of a key part ("#") reaches a repository.
    """

    regex = "[0-9A-HJKMNP-TV-Z]{26}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)


# Registered here, once: this module is imported by every URLconf that uses <item_id:...>.
register_converter(ItemIdConverter, "item_id")
