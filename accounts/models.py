"""The user row behind request.user.

Only a per-process cache: the durable user is the Cognito user and its DynamoDB
profile. The primary key is the Cognito `sub`, so the same person has the same id in
every container and in every key of the table.
"""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models


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

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    def __str__(self):
        return self.display_name or self.email

    def get_short_name(self):
        return self.display_name or self.email.split("@")[0]
