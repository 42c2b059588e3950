"""What staff can do to a user (/staff/users/<sub>/<action>/), each recorded in the audit log.

Every action reuses the service that already does it: the staff group and the profile's
flag (accounts.staff), ending every session (accounts.password_services), the account's
resumable deletion (accounts.deletion); disabling sign-in is Cognito's AdminDisableUser.
Each one writes one audit entry (campaigns_site.audit): done, or failed with the reason.
"""

import logging
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException

from accounts import cognito, deletion, password_services, profiles, staff
from accounts.cognito import CognitoError
from campaigns_site import audit
from campaigns_site.table_keys import InvalidKeyPart, user_pk

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Action:
    name: str  # the URL's, and the audit log's (campaigns_site.audit.ACTIONS)
    title: str  # the confirm page's heading and button: "Disable sign-in"
    consequence: str  # what will happen, for the confirm page
    done: str  # the message after it, with {email}
    not_on_yourself: str = ""  # the refusal when staff aim it at themselves ("": allowed)
    danger: bool = False


ACTIONS = {
    action.name: action
    for action in [
        Action(
            "make-staff",
            "Make staff",
            "They join the Cognito group `staff` and can open every staff page from their next page.",
            "{email} is staff from their next page.",
        ),
        Action(
            "remove-staff",
            "Remove from staff",
            "They leave the group `staff`; their next page no longer opens any staff page.",
            "{email} is no longer staff, from their next page.",
            not_on_yourself="You cannot remove yourself from staff: ask another staff member.",
        ),
        Action(
            "sign-out-everywhere",
            "Sign out everywhere",
            "Every web session ends at its next page, and Cognito revokes their refresh tokens. "
            "They can sign in again at once.",
            "{email} is signed out everywhere.",
        ),
        Action(
            "disable",
            "Disable sign-in",
            "Cognito refuses their sign-in (password, Google or Discord) until sign-in is enabled again, "
            "and they are signed out everywhere at once. Nothing of theirs is deleted.",
            "Sign-in is disabled for {email}; they are signed out everywhere.",
            not_on_yourself="You cannot disable your own sign-in: ask another staff member.",
            danger=True,
        ),
        Action(
            "enable",
            "Enable sign-in",
            "They can sign in again with their password, Google or Discord.",
            "Sign-in is enabled again for {email}.",
        ),
        Action(
            "delete",
            "Delete the account",
            "Their campaigns, sessions, transcripts, summaries, share links and web sessions are deleted, "
            "then the Cognito user and the profile. This cannot be undone. If it stops midway, run it again "
            "(or manage.py delete_account) to finish.",
            "The account of {email} is deleted.",
            not_on_yourself="You cannot delete your own account here: use your profile page.",
            danger=True,
        ),
    ]
}


class ActionRefused(Exception):
    """Not done, and nothing recorded: the message says why (an action on oneself)."""


class ActionFailed(Exception):
    """Tried and failed (recorded as failed): the message is for the staff member."""


@dataclass(frozen=True)
class Target:
    """The user acted on, as Cognito and the profile know them."""

    sub: str
    email: str
    in_cognito: bool  # False: an unfinished deletion removed the Cognito user already
    enabled: bool
    is_staff: bool
    deleting: bool

    def allows(self, action):
        # Once the Cognito user is gone only the deletion can go on (it resumes).
        return self.in_cognito or action.name == "delete"

    def already(self, action):
        """True when the action would change nothing (a stale page, a link followed twice):
        the confirm page says so; confirming still works and is recorded."""
        return {
            "make-staff": self.is_staff,
            "remove-staff": not self.is_staff,
            "enable": self.enabled,
            "disable": not self.enabled,
        }.get(action.name, False)


def find_target(*, sub):
    """The user `sub` (AdminGetUser, and the profile's GetItem), or None: no such user,
    or a sub no key can hold."""
    try:
        user_pk(sub)
    except InvalidKeyPart:
        return None
    try:
        user = cognito.user_by_sub(sub=sub)
    except CognitoError as error:
        if error.code != "InvalidParameterException":  # a sub Cognito's pattern refuses
            raise
        return None
    profile = profiles.get_profile(sub=sub)
    if user is None and (profile is None or profile.deleting_since is None):
        return None
    return Target(
        sub=sub,
        email=user["email"] if user else profile.email,
        in_cognito=user is not None,
        enabled=bool(user and user["enabled"]),
        is_staff=bool(profile and profile.is_staff),
        deleting=bool(profile and profile.deleting_since),
    )


def refusal(action, *, target, by_sub):
    """Why `by_sub` may not take `action` on `target` ("": they may)."""
    return action.not_on_yourself if target.sub == by_sub else ""


def perform(action, *, target, by_email, by_sub):
    """Take `action` on `target` and record it; returns the message to show.

    Raises ActionRefused (nothing done) or ActionFailed (recorded as failed)."""
    refused = refusal(action, target=target, by_sub=by_sub)
    if refused:
        raise ActionRefused(refused)
    record = {
        "by": by_email,
        "by_sub": by_sub,
        "action": action.name,
        "target_sub": target.sub,
        # A deleted account's address is kept nowhere (accounts.deletion's last step): its sub is.
        "target_email": "" if action.name == "delete" else target.email,
    }
    try:
        detail = _RUNS[action.name](target.sub)
    except (CognitoError, BotoCoreError, ClientError, PynamoDBException, deletion.DeletionIncomplete) as error:
        reason = _reason(error)
        log.warning("staff action %s on user %s failed: %s", action.name, target.sub, reason)
        audit.record_action(**record, outcome=audit.FAILED, reason=reason)
        raise ActionFailed(f"{action.title} did not finish ({reason}). Nothing is lost: try again.") from error
    audit.record_action(**record, detail=detail or "")
    return action.done.format(email=target.email)


def _reason(error):
    """Short and ours: an AWS error code or our own message, never a user's text."""
    if isinstance(error, CognitoError):
        return error.code
    if isinstance(error, ClientError):
        return error.response.get("Error", {}).get("Code", "ClientError")
    if isinstance(error, deletion.DeletionIncomplete):
        return str(error)
    return type(error).__name__


# --- the runs: each returns the audit entry's detail (or None) ----------------------------
def _make_staff(sub):
    staff.grant_staff(sub=sub)
    _update_directory("set_staff_flag", sub=sub, is_staff=True)


def _remove_staff(sub):
    staff.revoke_staff(sub=sub)
    _update_directory("set_staff_flag", sub=sub, is_staff=False)


def _sign_out_everywhere(sub):
    password_services.end_every_session(sub=sub)


def _disable(sub):
    # Cognito first, so no new sign-in starts while the sessions end.
    cognito.disable_user(sub=sub)
    password_services.end_every_session(sub=sub)
    _update_directory("set_sign_in_disabled", sub=sub, disabled=True)


def _enable(sub):
    cognito.enable_user(sub=sub)
    _update_directory("set_sign_in_disabled", sub=sub, disabled=False)


def _delete(sub):
    report = deletion.delete_account(sub=sub)
    _update_directory("remove_entry", sub=sub)
    return f"deleted {report.describe()}"


_RUNS = {
    "make-staff": _make_staff,
    "remove-staff": _remove_staff,
    "sign-out-everywhere": _sign_out_everywhere,
    "disable": _disable,
    "enable": _enable,
    "delete": _delete,
}


def _update_directory(function_name, **arguments):
    """Keep the user directory's copy (campaigns_site.directory) in step, once it exists.

    The directory is a listing for the staff pages; the change itself (Cognito, the
    profile) is made already, so a directory that is missing or fails does not undo it:
    it is logged, and the action still counts as done.
    """
    try:
        from campaigns_site import directory

        update = getattr(directory, function_name)
    except (ImportError, AttributeError):
        return  # not on this branch yet (engineer A1's module)
    try:
        update(**arguments)
    except (BotoCoreError, ClientError, PynamoDBException):
        log.exception("the user directory did not take %s for user %s", function_name, arguments.get("sub"))
