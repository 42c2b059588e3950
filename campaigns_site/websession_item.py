from pynamodb.attributes import TTLAttribute, UnicodeAttribute

from campaigns_site.table import TableModel


class WebSession(TableModel, discriminator="WebSession"):
    """PK `WEBSESSION#<key>`, SK `WEBSESSION`: Django's session data."""

    data = UnicodeAttribute()
    expires = TTLAttribute(attr_name="ttl")


class WebSessionPointer(TableModel, discriminator="WebSessionPointer"):
    """PK `USER#<sub>`, SK `WEBSESSION#<key>`: one per signed-in web session, with the same
    expiry, so one Query finds all of a user's sessions (log out everywhere, deletion)."""

    expires = TTLAttribute(attr_name="ttl")

    @property
    def session_key(self):
        return self.sk.split("#", 1)[1]
