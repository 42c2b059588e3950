"""The user row behind request.user.

Only a per-process cache: the durable user is the Cognito user and its DynamoDB
profile. The primary key is the Cognito `sub`, so the same person has the same id in
every container and in every key of the table. The backend (accounts.backends) refreshes
the row from the profile on every request, so nothing here outlives a container.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils.crypto import salted_hmac

SESSION_AUTH_HASH_SALT = "accounts.User.get_session_auth_hash"


class UserManager(BaseUserManager):
    def create_user(self, sub, email, **extra):
        user = self.model(sub=sub, email=self.normalize_email(email), **extra)
        user.set_unusable_password()  # passwords live in Cognito only
        user.save(using=self._db)
        return user


class User(AbstractBaseUser, PermissionsMixin):
    sub = models.CharField(primary_key=True, max_length=64)
    email = models.EmailField(unique=True)
    display_name = models.CharField(max_length=80, blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    # A copy of the profile's counter: bumping it there ends every web session.
    auth_version = models.PositiveIntegerField(default=1)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    def __str__(self):
        return self.display_name or self.email

    def get_short_name(self):
        return self.display_name or self.email.split("@")[0]

    # Django stores this hash in the session at login and compares it on every request.
    # Its default derives from the password, which lives in Cognito, not here; ours
    # derives from the sub and the profile's auth_version instead.
    def get_session_auth_hash(self):
        return self._session_auth_hash()

    def get_session_auth_fallback_hash(self):
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_auth_hash(secret=fallback_secret)

    def _session_auth_hash(self, secret=None):
        value = f"{self.sub}:{self.auth_version}"
        return salted_hmac(SESSION_AUTH_HASH_SALT, value, secret=secret, algorithm="sha256").hexdigest()
