"""Account services: sign-up and sign-in through Cognito, and the local user row."""

import logging

from accounts import cognito, profiles
from accounts.cognito import CognitoError
from accounts.models import User
from accounts.tokens import InvalidToken, verify_id_token
from campaigns_site.provision import STAFF_GROUP

log = logging.getLogger(__name__)

UNAVAILABLE = cognito.UNAVAILABLE
BEING_DELETED = "This account is being deleted."


def sign_up(*, email, password, display_name):
    """Register with Cognito (which emails a code) and create the profile; returns the sub.

    The user confirms the code next, then logs in: nobody is signed in here.
    """
    sub = cognito.sign_up(email=email, password=password, display_name=display_name)
    try:
        profile = profiles.create_profile(sub=sub, email=email, display_name=display_name)
    except profiles.ProfileAlreadyExists:
        profile = profiles.get_profile(sub=sub)
    cache_user(profile)
    return sub


def log_in_with_password(*, email, password):
    """The user for these credentials, or CognitoError with a message for the form.

    Claims are used only after the ID token's signature, issuer and audience are checked.
    """
    result = cognito.password_auth(email=email, password=password)
    try:
        claims = verify_id_token(result["IdToken"])
    except InvalidToken as error:
        log.error("Cognito issued an ID token that does not verify: %s", error)
        raise CognitoError("InvalidToken", UNAVAILABLE) from error
    return log_in_with_claims(claims, email=email)


def log_in_with_claims(claims, *, email=""):
    """The user named by a *verified* ID token's claims, with the profile synced to them.

    Both doors end here (the password login and the hosted UI's callback), so the same
    Cognito user is the same sub, profile and local row whichever way they came in.
    """
    profile = profiles.sync_profile_at_login(
        sub=claims["sub"],
        email=claims.get("email", email),
        display_name=claims.get("name", ""),
        is_staff=STAFF_GROUP in claims.get("cognito:groups", []),
    )
    return signed_in_user(profile)


def signed_in_user(profile):
    """The user row for a sign-in with `profile`; CognitoError while the account is being
    deleted. `user.saved_theme` is the profile's theme (None: none saved), which the
    login's response sets as the theme cookie (accounts.adapter): it follows the user to
    any browser they sign in on, with no read per page.
    """
    if profile.deleting_since:
        raise CognitoError("AccountBeingDeleted", BEING_DELETED)
    user = cache_user(profile)
    user.saved_theme = profiles.preferences_of(profile).get("theme")
    return user


def cache_user(profile):
    """The local user row for `profile`, created or brought up to date.

    The ORM is a per-process cache, so a fresh container has no row yet; the profile
    is the source of truth for everything the row holds.
    """
    fields = {
        "email": profile.email,
        "display_name": profile.display_name,
        "is_staff": profile.is_staff,
        "auth_version": profile.auth_version,
    }
    user = User.objects.filter(sub=profile.sub).first()
    if user is not None and all(getattr(user, name) == value for name, value in fields.items()):
        return user
    # Another sub may hold this email in the cache: an account deleted and signed up
    # again, or an email that moved. The profile wins; the stale row goes.
    User.objects.filter(email=profile.email).exclude(sub=profile.sub).delete()
    if user is None:
        return User.objects.create_user(sub=profile.sub, **fields)
    for name, value in fields.items():
        setattr(user, name, value)
    user.save(update_fields=list(fields))
    return user


def forget_user(*, sub):
    """Drop this container's row of an account that ends (deleted, or being deleted).

    The row holds the email and display name: nothing of a deleted account may stay
    in a container that lives on. Other containers drop theirs at the account's next
    request (accounts.backends.CognitoBackend.get_user).
    """
    User.objects.filter(sub=sub).delete()
