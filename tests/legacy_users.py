"""v1.0 users as the importer leaves them: a Cognito user with a random password and a
profile, plus the one-time old password item (a bcrypt hash, or none for Discord/Google)."""

import bcrypt

from accounts import legacy_passwords

RANDOM_PASSWORD = "random import password 93817"  # what the importer sets; nobody knows it
OLD_PASSWORD = "my old v1 password 7"


def old_hash(password=OLD_PASSWORD, *, prefix=b"2b", rounds=4):
    """v1.0's hash of `password` (its first 72 bytes, as v1.0's library read it)."""
    return bcrypt.hashpw(password.encode()[:72], bcrypt.gensalt(rounds=rounds, prefix=prefix)).decode()


def make_legacy_user(make_user, email="ada@example.com", *, password_hash=None, social_only=False):
    """The sub of a v1.0 user; their old password is OLD_PASSWORD unless `password_hash` says."""
    sub = make_user(email, password=RANDOM_PASSWORD)
    if not social_only:
        password_hash = password_hash or old_hash()
    legacy_passwords.save_legacy_password(sub=sub, password_hash=None if social_only else password_hash)
    return sub
