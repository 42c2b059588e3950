"""Django session engine backed by the DynamoDB table (settings.SESSION_ENGINE).

Signed-cookie sessions cannot be revoked, and the ORM is a per-container cache, so web
sessions live in the table under `WEBSESSION#<key>` with a TTL. DynamoDB deletes expired
items late (moto never does), so a read treats an expired item as gone.

A signed-in session's key carries its user's sub: `<32 random characters>-<sub>`. Loading
such a session reads the session and the user's profile in one BatchGetItem, and hands the
profile to the auth backend (accounts.profiles), so a signed-in page costs one DynamoDB
request for authentication. The key is rotated whenever the session's user changes
(login, logout), so it always names the user stored in it. Each signed-in session also
has a pointer item `USER#<sub>` / `WEBSESSION#<key>` with the same expiry, so all of a
user's sessions can be found with one Query (accounts.websessions).

The items and the profiles are imported on first use, not with this module: Django loads
the session engine at start-up, and PynamoDB/botocore cost ~130 ms to import, which a cold
start for a visitor without a session cookie should not pay (tests/test_aws_access.py).
"""

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, SessionBase, UpdateError
from django.utils import timezone
from django.utils.crypto import get_random_string

from campaigns_site import prefetch
from campaigns_site.table_keys import (
    PROFILE_SK,
    WEB_SESSION_SK,
    InvalidKeyPart,
    user_pk,
    web_session_pk,
    web_session_pointer_sk,
)

RANDOM_PART_LENGTH = 32
SUB_SEPARATOR = "-"  # not among the random part's characters


def sub_of_session_key(session_key):
    """The sub a signed-in session's key carries, or None for an anonymous session's key."""
    if not session_key:
        return None
    random_part, _, sub = session_key.partition(SUB_SEPARATOR)
    return sub if len(random_part) == RANDOM_PART_LENGTH and sub else None


class SessionStore(SessionBase):
    def _owner(self):
        """The sub of the user stored in this session (Django's auth user id), or None."""
        return getattr(self, "_session_cache", {}).get(SESSION_KEY)

    def _get_new_session_key(self):
        # No exists() round trip first: create() writes with a condition, and a collision
        # raises CreateError and tries again.
        random_part = get_random_string(RANDOM_PART_LENGTH, VALID_KEY_CHARS)
        owner = self._owner()
        return f"{random_part}{SUB_SEPARATOR}{owner}" if owner else random_part

    def _fetch(self, session_key, *, with_profile=False):
        """(the live web session item or None, the profile of the sub in its key or None,
        the page's planned items read with them: campaigns_site.prefetch)."""
        if not session_key:
            return None, None, []
        from accounts.items import Profile, WebSession  # on first use: see the module docstring
        from campaigns_site.table import TableModel

        sub = sub_of_session_key(session_key) if with_profile else None
        try:
            found = []
            if sub:
                keys = [(web_session_pk(session_key), WEB_SESSION_SK), (user_pk(sub), PROFILE_SK)]
                # The page's declared items ride along (a key repeated in a batch is an error).
                keys += [key for key in prefetch.planned_keys(sub) if key not in keys]
                found = list(TableModel.batch_get(keys, consistent_read=True))
                item = next((i for i in found if isinstance(i, WebSession)), None)
                profile = next((i for i in found if isinstance(i, Profile)), None)
            else:
                item = WebSession.get(web_session_pk(session_key), WEB_SESSION_SK, consistent_read=True)
                profile = None
        except (WebSession.DoesNotExist, InvalidKeyPart):
            return None, None, []
        if item is None or item.expires <= timezone.now():
            return None, None, []
        return item, profile, found

    def load(self):
        item, profile, found = self._fetch(self.session_key, with_profile=True)
        if self.session_key:
            from accounts.profiles import hand_over_profile  # on first use: see the module docstring

            # Always set (None too), so a profile can never outlive the load that read it.
            hand_over_profile(sub=sub_of_session_key(self.session_key), profile=profile if item else None)
        if item is None:
            self._session_key = None
            return {}
        data = self.decode(item.data)
        sub = sub_of_session_key(self.session_key)
        if sub and data.get(SESSION_KEY) == sub:
            # The page's own items, read with the session: theirs only once the session is
            # found valid and its user is the one the key names (the keys were made from it).
            prefetch.keep(sub=sub, items=found)
        return data

    def exists(self, session_key):
        return self._fetch(session_key)[0] is not None

    def create(self):
        while True:
            self._session_key = self._get_new_session_key()
            try:
                self.save(must_create=True)
            except CreateError:
                continue
            self.modified = True
            return

    def cycle_key(self):
        # Django's login() cycles the key before it stores the user in the session, so
        # the new key is made when the session is saved (end of the request), when it can
        # carry that user's sub. The old item goes now, as in Django's own cycle_key.
        data = self._session
        old_key = self.session_key
        self._session_key = None
        self._session_cache = data
        self.modified = True
        if old_key:
            self.delete(old_key)

    def save(self, must_create=False):
        data = self._get_session(no_load=must_create)
        if self.session_key is not None and not must_create and sub_of_session_key(self.session_key) != self._owner():
            self.cycle_key()  # the session changed hands without a new key: give it one
        if self.session_key is None:
            return self.create()
        from pynamodb.exceptions import PutError  # on first use: see the module docstring

        from accounts.items import WebSession, WebSessionPointer

        expires = self.get_expiry_date()
        item = WebSession(web_session_pk(self.session_key), WEB_SESSION_SK, data=self.encode(data), expires=expires)
        # An update must not bring back a session deleted meanwhile (a logout in another
        # tab): like Django's database backend, raise UpdateError instead.
        condition = WebSession.pk.does_not_exist() if must_create else WebSession.pk.exists()
        try:
            item.save(condition=condition)
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise (CreateError if must_create else UpdateError) from error
            raise
        sub = sub_of_session_key(self.session_key)
        if sub:
            # Written after the session: a pointer without its session is harmless, and
            # the profile's auth_version still ends a session whose pointer is missing.
            WebSessionPointer(user_pk(sub), web_session_pointer_sk(self.session_key), expires=expires).save()

    def delete(self, session_key=None):
        session_key = session_key or self.session_key
        if not session_key:
            return
        from accounts.items import WebSession, WebSessionPointer  # on first use: see the module docstring
        from campaigns_site.table import TableModel

        try:
            item = WebSession(web_session_pk(session_key), WEB_SESSION_SK)
            sub = sub_of_session_key(session_key)
            if sub is None:
                item.delete()
                return
            pointer = WebSessionPointer(user_pk(sub), web_session_pointer_sk(session_key))
        except InvalidKeyPart:
            return
        with TableModel.batch_write() as batch:
            batch.delete(item)
            batch.delete(pointer)

    @classmethod
    def clear_expired(cls):
        """Nothing to do: the table's TTL removes expired sessions."""
