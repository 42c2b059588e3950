"""The user's profile item: the durable account record next to the Cognito user."""

from pynamodb.attributes import BooleanAttribute, MapAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from campaigns_site.table import TableModel


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
        return self.pk.removeprefix("USER#")
