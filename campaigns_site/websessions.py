"""Django session engine backed by the DynamoDB table.

Signed-cookie sessions cannot be revoked, and the ORM is a per-container cache, so web
sessions live in the table under `WEBSESSION#<key>` with a TTL. DynamoDB deletes expired
items late (moto never does), so a read treats an expired item as gone.

The item class is imported on first use, not with this module: Django loads the session
engine at start-up, and PynamoDB/botocore cost ~130 ms to import, which a cold start for
a visitor without a session cookie should not pay.
"""

from datetime import datetime, timezone

from django.contrib.sessions.backends.base import CreateError, SessionBase, UpdateError

from campaigns_site.table_keys import WEB_SESSION_SK, InvalidKeyPart, web_session_pk


def _web_session_item():
    from campaigns_site.websession_item import WebSession

    return WebSession


def _now():
    return datetime.now(timezone.utc)


class SessionStore(SessionBase):
    def _fetch(self, session_key):
        if not session_key:
            return None
        WebSession = _web_session_item()
        try:
            item = WebSession.get(web_session_pk(session_key), WEB_SESSION_SK, consistent_read=True)
        except (WebSession.DoesNotExist, InvalidKeyPart):
            return None
        if item.expires <= _now():
            return None
        return item

    def load(self):
        item = self._fetch(self.session_key)
        if item is None:
            self._session_key = None
            return {}
        return self.decode(item.data)

    def exists(self, session_key):
        return self._fetch(session_key) is not None

    def create(self):
        while True:
            self._session_key = self._get_new_session_key()
            try:
                self.save(must_create=True)
            except CreateError:
                continue
            self.modified = True
            return

    def save(self, must_create=False):
        if self.session_key is None:
            return self.create()
        from pynamodb.exceptions import PutError

        WebSession = _web_session_item()
        item = WebSession(
            web_session_pk(self._get_or_create_session_key()),
            WEB_SESSION_SK,
            data=self.encode(self._get_session(no_load=must_create)),
            expires=self.get_expiry_date(),
        )
        # An update must not bring back a session deleted meanwhile (a logout in another
        # tab): like Django's database backend, raise UpdateError instead.
        condition = WebSession.pk.does_not_exist() if must_create else WebSession.pk.exists()
        try:
            item.save(condition=condition)
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise (CreateError if must_create else UpdateError) from error
            raise

    def delete(self, session_key=None):
        session_key = session_key or self.session_key
        if not session_key:
            return
        try:
            _web_session_item()(web_session_pk(session_key), WEB_SESSION_SK).delete()
        except InvalidKeyPart:
            pass

    @classmethod
    def clear_expired(cls):
        """Nothing to do: the table's TTL removes expired sessions."""
