"""The account's items: the profile (the durable account record next to the Cognito
user) and the web sessions (accounts.session_store, Django's session engine)."""

from pynamodb.attributes import (
    BooleanAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from campaigns_site.table import TableModel
from campaigns_site.table_keys import sub_of_user_pk


class Profile(TableModel, discriminator="Profile"):
    """PK `USER#<sub>`, SK `PROFILE`."""

    email = UnicodeAttribute()
    display_name = UnicodeAttribute(default="")
    created = UTCDateTimeAttribute()
    # Part of every session's auth hash: bumping it ends all of the user's sessions.
    auth_version = NumberAttribute(default=1)
    is_staff = BooleanAttribute(default=False)
    preferences = MapAttribute(default=dict)
    # Set when the account's deletion starts (accounts/deletion.py); the profile is the
    # last item to go, so while it is set, sign-in and every view refuse the account.
    deleting_since = UTCDateTimeAttribute(null=True)

    @property
    def sub(self):
        return sub_of_user_pk(self.pk)


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
