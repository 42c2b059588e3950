"""A v1.0 user's old password: the one-time item the importer writes, by owner.

PK `USER#<sub>`, SK `LEGACYPASSWORD`. It holds v1.0's bcrypt hash, or no hash for a user
who only ever signed in with Discord or Google. accounts.legacy_sign_in reads it when
Cognito refuses a password, and deletes it once the password is Cognito's.
The hash is never shown, logged or put in an exception: the item's repr names only the
owner (PynamoDB's default repr would print every attribute).
"""

from datetime import timedelta

from django.utils import timezone
from pynamodb.attributes import TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute

from campaigns_site.table import TableModel, user_pk
from campaigns_site.table_keys import LEGACY_PASSWORD_SK, sub_of_user_pk

# An old password the pool's policy refuses signs its user in during this long after the
# first such sign-in, while they choose a new one; then the item expires
# (docs/data-model.md says why).
POLICY_REFUSED_GRACE = timedelta(days=14)


class LegacyPassword(TableModel, discriminator="LegacyPassword"):
    """PK `USER#<sub>`, SK `LEGACYPASSWORD`."""

    # bcrypt ($2a$ or $2b$, cost 10-12); None: the user only used Discord or Google.
    password_hash = UnicodeAttribute(null=True)
    # Set at the first sign-in whose old password the pool's policy refused.
    policy_refused_since = UTCDateTimeAttribute(null=True)
    expires = TTLAttribute(attr_name="ttl", null=True)

    @property
    def sub(self):
        return sub_of_user_pk(self.pk)

    @property
    def social_only(self):
        return not self.password_hash

    def __repr__(self):
        return f"LegacyPassword(sub={self.sub!r})"

    __str__ = __repr__


def save_legacy_password(*, sub, password_hash=None):
    """Write the user's old password item (the importer's one call); None: Discord/Google only."""
    LegacyPassword(user_pk(sub), LEGACY_PASSWORD_SK, password_hash=password_hash or None).save()


def get_legacy_password(*, sub):
    """The user's old password item, or None (never had one, used, or expired)."""
    try:
        item = LegacyPassword.get(user_pk(sub), LEGACY_PASSWORD_SK, consistent_read=True)
    except LegacyPassword.DoesNotExist:
        return None
    if item.expires is not None and item.expires <= timezone.now():
        return None  # DynamoDB deletes expired items late: the time is what counts
    return item


def delete_legacy_password(*, sub):
    LegacyPassword(user_pk(sub), LEGACY_PASSWORD_SK).delete()


def mark_policy_refused(item):
    """Start the grace period of an old password the pool's policy refuses (once)."""
    if item.policy_refused_since is not None:
        return
    now = timezone.now()
    item.update(
        actions=[
            LegacyPassword.policy_refused_since.set(now),
            LegacyPassword.expires.set(now + POLICY_REFUSED_GRACE),
        ]
    )


def needs_new_password(*, sub):
    """True while the user signed in with an old password the pool's policy refused."""
    item = get_legacy_password(sub=sub)
    return item is not None and item.policy_refused_since is not None
