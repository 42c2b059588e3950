"""Profile items, by owner."""

import logging
import zoneinfo
from contextvars import ContextVar
from functools import cache

from django.utils import timezone
from pynamodb.attributes import MapAttribute
from pynamodb.exceptions import PutError, PynamoDBException, UpdateError

from accounts.items import Profile
from campaigns_site import directory, mirrored_writes
from campaigns_site.forms import THEMES
from campaigns_site.table import PROFILE_SK, user_pk

# What Profile.preferences may hold: `theme` (a key of THEMES: the cookie every page
# reads, set again from here at each sign-in) and `time_zone` (an IANA name).
PREFERENCES = ("theme", "time_zone")

log = logging.getLogger(__name__)


class ProfileAlreadyExists(Exception):
    pass


class ProfileMissing(Exception):
    pass


def get_profile(*, sub):
    """The user's profile, or None if there is none yet."""
    try:
        return Profile.get(user_pk(sub), PROFILE_SK, consistent_read=True)
    except Profile.DoesNotExist:
        return None


def create_profile(*, sub, email, display_name="", is_staff=False, created=None, preferences=None, origin="new"):
    """Create the profile, and the user's directory entry; raises ProfileAlreadyExists
    instead of overwriting one.

    `created` is now unless given (an import keeps the account's first day); `preferences`
    ({"theme": ..., "time_zone": ...}, either optional) are checked as set_preferences
    checks them: ValueError before anything is written. `origin` is "v1" for an account
    the v1.0 import made, "new" for one made here.
    """
    unknown = sorted(set(preferences or {}) - set(PREFERENCES))
    if unknown:
        raise ValueError(f"Unknown preferences {unknown}: a profile keeps only {', '.join(PREFERENCES)}.")
    profile = Profile(
        user_pk(sub),
        PROFILE_SK,
        email=email,
        display_name=display_name,
        is_staff=is_staff,
        created=created or timezone.now(),
        preferences=checked_preferences(**(preferences or {})),
    )
    try:
        mirrored_writes.save(profile, condition=Profile.sk.does_not_exist())
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise ProfileAlreadyExists(sub) from error
        raise
    _write_directory(
        directory.record_sign_up, sub=sub, email=email, created=profile.created, origin=origin, is_staff=is_staff
    )
    return profile


def sync_profile_at_login(*, sub, email, display_name, is_staff):
    """The profile after a sign-in: created if missing, email and staff flag as Cognito says;
    and the sign-in in the user directory (one UpdateItem: its time, the email, the flag).

    Cognito is the source for the email and the `staff` group; the display name is the
    profile's own once it exists (the user edits it here, not in Cognito).
    """
    profile = get_profile(sub=sub)
    if profile is None:
        try:
            profile = create_profile(sub=sub, email=email, display_name=display_name, is_staff=is_staff)
        except ProfileAlreadyExists:  # a sign-in on another container just made it
            profile = get_profile(sub=sub)
    if (profile.email, profile.is_staff) != (email, is_staff):
        _update(profile, [Profile.email.set(email), Profile.is_staff.set(is_staff)])
    record_sign_in(profile)
    return profile


def record_sign_in(profile):
    """The sign-in of `profile`'s user in the user directory: one UpdateItem of its time,
    the email and the staff flag. None for an account being deleted (its sign-in is refused)."""
    if profile.deleting_since:
        return
    _write_directory(
        directory.record_sign_in,
        sub=profile.sub,
        email=profile.email,
        at=timezone.now(),
        is_staff=profile.is_staff,
        created=profile.created,
    )


def _write_directory(write, **facts):
    # The directory is the staff's list, not the account: an account works without its
    # entry, so a failed write is logged, not raised into a sign-up or sign-in. The next
    # sign-in writes it again, and `manage.py rebuild_directory` repairs any entry.
    try:
        write(**facts)
    except PynamoDBException as error:
        log.warning("user directory: %s for %s failed: %s", write.__name__, facts["sub"], error)


def update_display_name(*, sub, display_name):
    """Set the user's display name; returns the updated profile.

    One UpdateItem. Raises ProfileMissing for a user without a profile (never creates a
    bare one) or whose account is being deleted (nothing should be written to it then).
    """
    return _update_live_profile(sub, [Profile.display_name.set(display_name)])


def set_preferences(*, sub, theme=None, time_zone=None):
    """Save the user's theme, time zone or both (None leaves one as it is); returns the
    updated profile.

    One UpdateItem, of the named preferences only. ValueError for a theme that is not
    one of THEMES' keys or a time zone zoneinfo does not know, or for neither given;
    ProfileMissing as for update_display_name.
    """
    changes = checked_preferences(theme=theme, time_zone=time_zone)
    if not changes:
        raise ValueError("Give a theme, a time zone or both to set.")
    return _update_live_profile(sub, [Profile.preferences[name].set(value) for name, value in changes.items()])


def checked_preferences(*, theme=None, time_zone=None):
    """The preferences given (None leaves one out), or ValueError saying what is wrong."""
    preferences = {}
    if theme is not None:
        if not isinstance(theme, str) or theme not in dict(THEMES):
            raise ValueError(f"Unknown theme {theme!r}: a theme is one of {', '.join(dict(THEMES))}.")
        preferences["theme"] = theme
    if time_zone is not None:
        if not isinstance(time_zone, str) or time_zone not in _known_time_zones():
            raise ValueError(f"Unknown time zone {time_zone!r}: a time zone is an IANA name such as 'Europe/Paris'.")
        preferences["time_zone"] = time_zone
    return preferences


def preferences_of(profile):
    """The profile's preferences as a plain dict: only those set ({} for none)."""
    stored = profile.preferences
    return stored.as_dict() if isinstance(stored, MapAttribute) else dict(stored or {})


@cache
def _known_time_zones():
    # The names zoneinfo can load (the system's database, else the tzdata package), and
    # only those: ZoneInfo() alone would also take a file name such as "posixrules".
    return frozenset(zoneinfo.available_timezones())


def set_staff(*, sub, is_staff):
    """Set the profile's staff flag: it counts from the user's next request, since every
    signed-in request reads the profile with the web session (accounts.backends).

    Raises ProfileMissing for a user without a profile (the first login creates it with
    the flag the Cognito group gives).
    """
    _update(Profile(user_pk(sub), PROFILE_SK), [Profile.is_staff.set(is_staff)])


def bump_auth_version(*, sub):
    """End every web session of the user (each one's auth hash includes this counter).

    Returns the new version; raises ProfileMissing if the user has no profile.
    """
    profile = Profile(user_pk(sub), PROFILE_SK)
    _update(profile, [Profile.auth_version.add(1)])
    return profile.auth_version


def _update_live_profile(sub, actions):
    """One UpdateItem of a profile that exists and is not being deleted (nothing should
    be written to it then), else ProfileMissing; the profile from its ALL_NEW answer."""
    profile = Profile(user_pk(sub), PROFILE_SK)
    try:
        mirrored_writes.update(
            profile, actions=actions, condition=Profile.sk.exists() & Profile.deleting_since.does_not_exist()
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise ProfileMissing(sub) from error
        raise
    return profile


def _update(profile, actions):
    try:
        mirrored_writes.update(profile, actions=actions, condition=Profile.sk.exists())
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise ProfileMissing(profile.sub) from error
        raise


# The web session store reads the session and its user's profile in one BatchGetItem and
# hands the profile over here; the auth backend then takes it instead of reading it
# again. One-shot: taking it clears it, and every session load replaces it.
_handed_over = ContextVar("profile_loaded_with_the_web_session", default=None)


def hand_over_profile(*, sub, profile):
    """Called by the session store: `profile` (None: there is none) was just read for `sub`."""
    _handed_over.set((sub, profile) if sub else None)


def profile_for_request(*, sub):
    """The profile for this request's user: the one read with the web session, else a GetItem."""
    handed_over = _handed_over.get()
    _handed_over.set(None)
    if handed_over is not None and handed_over[0] == sub:
        return handed_over[1]
    return get_profile(sub=sub)
