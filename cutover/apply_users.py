"""v1.0's users and their settings, applied here (cutover/apply_v1.py says how).

A new v1.0 user becomes an account the import's way (v1.accounts.ensure_user: Cognito
user, profile, old-password item, the import's record of the account), with its id pair
written as soon as the Cognito user exists, so a sync killed half-way finishes it on the
next pass. A changed password replaces the old-password item: the next sign-in here with
v1.0's password goes through accounts.legacy_sign_in, even when the user already has a
Cognito password (Cognito refuses v1.0's, the item's hash accepts it).
"""

import logging

from accounts import cognito
from accounts.deletion import delete_account
from accounts.legacy_passwords import save_legacy_password
from accounts.profiles import get_profile, preferences_of, set_preferences, update_display_name
from cutover import ids
from cutover.changes import DELETE, INSERT, PASSWORD, SOFT_DELETE
from cutover.conflicts import record_once
from cutover.outcomes import APPLIED, KEPT_HERE, SKIPPED, UNCHANGED
from v1 import checkpoints
from v1.accounts import PlannedAccount, ensure_user
from v1.mapping import address_for, is_valid_address, preferences_for
from v1.source import V1Rows

log = logging.getLogger(__name__)


def apply_user_change(applier, change):
    user_id = int(change.row_id)
    user = None if change.operation in (DELETE, SOFT_DELETE) else applier.source.user(user_id)
    if user is None:
        return _delete_user(applier, user_id)
    sub = applier.sub_for(user_id)
    if sub is None:
        return _new_user(applier, user)
    if change.operation == INSERT and checkpoints.get_imported_account(v1_user_id=user_id) is None:
        return _ensure_account(applier, user)  # a pass killed between the Cognito user and the rest
    if change.operation == PASSWORD:
        return _password(sub, user)
    return _profile(applier, sub, user)


def _new_user(applier, user):
    if not user.email or not is_valid_address(user.email):
        return SKIPPED  # as the import: no address to sign in with
    email = address_for(user.email)
    if cognito.find_user(email=email) is not None:
        # Somebody signed up here with this address (or one that differs only by case):
        # never merge two people's accounts; the operator decides.
        record_once(
            kept="app",
            what=f"users {user.id}",
            v1_updated=user.created_at,
            app_updated=None,
            detail="a new v1.0 user's address is already an account here: not brought over",
        )
        return KEPT_HERE
    sub = cognito.create_confirmed_user(email=email)
    applier.remember(ids.USER, user.id, sub)
    return _ensure_account(applier, user)


def _ensure_account(applier, user):
    """The import's steps for one account (finds the Cognito user, makes what is missing)."""
    rows = V1Rows(users=[user], campaigns=[], sessions=[], summaries=[])
    sub = ensure_user(PlannedAccount(user_ids=(user.id,)), rows, report=applier.report)
    applier.remember(ids.USER, user.id, sub)
    applier.forget_user(user.id)
    return APPLIED


def _password(sub, user):
    if not user.password_hash:
        return UNCHANGED  # v1.0 never takes a password away
    save_legacy_password(sub=sub, password_hash=user.password_hash)
    return APPLIED


def _profile(applier, sub, user):
    profile = get_profile(sub=sub)
    if profile is None:
        return _ensure_account(applier, user)
    if address_for(user.email or "") != profile.email:
        # Cognito would have to verify the new address: left to the user (logged).
        log.warning("v1.0 user %s changed their e-mail address; not applied here", user.id)
    if (user.name or "") == profile.display_name:
        return UNCHANGED
    update_display_name(sub=sub, display_name=user.name or "")
    return APPLIED


def _delete_user(applier, user_id):
    sub = applier.sub_for(user_id)
    if sub is None:
        return SKIPPED
    report = delete_account(sub=sub)
    applier.forget_user(user_id)
    return UNCHANGED if report.describe().startswith("nothing") else APPLIED


def apply_settings_change(applier, change):
    """user_settings (row_id: its user_id): the theme and time zone of the profile."""
    user_id = int(change.row_id)
    sub = applier.sub_for(user_id)
    user = applier.source.user(user_id)
    if sub is None or user is None or change.operation in (DELETE, SOFT_DELETE):
        return SKIPPED if sub is None else UNCHANGED  # no settings row: keep what is set here
    profile = get_profile(sub=sub)
    if profile is None:
        return SKIPPED
    stored = preferences_of(profile)
    wanted = {name: value for name, value in preferences_for(user).items() if value and stored.get(name) != value}
    if not wanted:
        return UNCHANGED
    set_preferences(sub=sub, **wanted)
    return APPLIED
