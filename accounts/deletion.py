"""Delete an account and everything it owns, in an order that a re-run can finish.

The profile is marked first (`deleting_since`), so sign-in and every view can refuse the
account while it goes, and it is deleted last, so an interrupted run still shows the
account as being deleted and `manage.py delete_account <sub>` (or the next attempt) can
finish it. Each step deletes what it still finds and treats "already gone" as done, so a
run after an interruption at any point completes the job, and a run after success
reports zeros.

The order, and why:
1. mark the profile.
2. Cognito global sign-out: refresh tokens stop working while the data goes.
3. web sessions, 4. share links: the item in its own partition first, then its pointer
   in the owner's partition. An interruption may leave a pointer to nothing (the next
   run removes it), never an item that nothing lists any more.
5. transcripts in S3, found by the prefix `transcripts/<sub>/`, so also objects that no
   item names (an upload abandoned before its session was saved); then the export zips
   under `exports/<sub>/` (exports/jobs.py; their items go in step 6, and an export still
   running finds its item gone and aborts its upload).
6. every other item of the partition: one Query at a time (never a Scan), deleted by
   BatchWriteItem in 25s.
7. the Cognito user. Only now: until the data is gone the account must stay the same
   account. Before the profile: a Cognito user without a profile could sign in and be
   given a fresh, empty profile, and nothing would show the deletion was unfinished.
8. the profile, once the partition holds nothing else.
9. the user's entry in the staff's directory (campaigns_site.directory), marked with the
   profile in step 1 so staff see the deletion under way, removed last: a run
   interrupted before it leaves an entry marked as being deleted, and the next run
   (which finds no profile) still removes it.
10. the account's e-mail in the audit log's entries about it (campaigns_site.audit): the
   entries stay, with the sub only, so staff can still read who did what, and the
   deleted person's address is kept nowhere.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from pynamodb.exceptions import DeleteError, UpdateError

from accounts.items import Profile
from accounts.services import forget_user
from campaigns_site import audit, aws, directory, dynamodb, mirrored_writes
from campaigns_site.table_keys import (
    JOBS_PK,
    PROFILE_SK,
    SHARE_POINTER_PREFIX,
    SHARE_SK,
    SHARES_PK,
    SUMMARY_JOB_PREFIX,
    WEB_SESSION_POINTER_PREFIX,
    WEB_SESSION_SK,
    job_registry_sk_of_job,
    share_pk,
    share_registry_sk,
    user_exports_prefix,
    user_pk,
    web_session_pk,
)
from sessions.core.object_store import S3_BATCH_SIZE, ObjectsNotDeleted, delete_objects_under
from sessions.core.storage_keys import user_transcripts_prefix

# Kinds of item that step 6 leaves alone: the profile goes last, and pointers go with
# their items in steps 3 and 4.
_KINDS_WITH_THEIR_OWN_STEP = {PROFILE_SK, WEB_SESSION_POINTER_PREFIX.rstrip("#"), SHARE_POINTER_PREFIX.rstrip("#")}


class DeletionIncomplete(Exception):
    """A step could not finish. Nothing is lost: run the deletion again to complete it."""


@dataclass
class DeletionReport:
    """What this run deleted. A run after a completed deletion reports zeros."""

    web_sessions: int = 0
    share_links: int = 0
    transcript_objects: int = 0
    export_objects: int = 0
    items: Counter = field(default_factory=Counter)  # the rest of the partition by kind: {"CAMPAIGN": 2}
    cognito_user: int = 0
    profile: int = 0
    directory_entry: int = 0

    def describe(self):
        parts = [
            f"{count} {name}"
            for count, name in [
                (self.web_sessions, "web sessions"),
                (self.share_links, "share links"),
                (self.transcript_objects, "transcript objects"),
                (self.export_objects, "export objects"),
                (self.cognito_user, "Cognito user"),
                (self.profile, "profile"),
                (self.directory_entry, "directory entry"),
            ]
            if count
        ]
        if self.items:
            kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(self.items.items()))
            parts.insert(3, f"{self.items.total()} items ({kinds})")
        return ", ".join(parts) or "nothing (already deleted)"


def is_being_deleted(profile):
    """True while the account's deletion is under way: refuse sign-in and every view."""
    return profile.deleting_since is not None


def delete_account(*, sub, progress=None):
    """Delete everything of the account `sub`; returns a DeletionReport.

    Calls progress(line) after each step. Raises DeletionIncomplete (or the AWS error)
    when a step cannot finish; running it again then completes the deletion.
    """
    say = progress or (lambda line: None)
    user_pk(sub)  # both refuse a bad sub (InvalidKeyPart) before anything is deleted
    user_transcripts_prefix(sub=sub)
    user_exports_prefix(sub)
    report = DeletionReport()

    since = mark_account_deleting(sub=sub)
    directory.mark_deleting(sub=sub)
    if since:
        say(f"profile: marked as being deleted (since {since:%Y-%m-%d %H:%M:%S} UTC)")
    else:
        say("profile: none (already deleted, or never created); removing whatever is left")
    # This container's user row (sub, email, display name) goes at once: once marked,
    # nothing brings it back (sign-in and get_user refuse a marked profile).
    forget_user(sub=sub)
    sign_out_everywhere(sub=sub, say=say)
    report.web_sessions = delete_web_sessions(sub=sub, say=say)
    report.share_links = delete_share_links(sub=sub, say=say)
    report.transcript_objects = delete_transcripts(sub=sub, say=say)
    report.export_objects = delete_export_objects(sub=sub, say=say)
    report.items = delete_other_items(sub=sub, say=say)
    report.cognito_user = delete_cognito_user(sub=sub, say=say)
    report.profile = delete_profile(sub=sub, say=say)
    report.directory_entry = delete_directory_entry(sub=sub, say=say)
    forgotten = audit.forget_target_email(sub=sub)
    say(f"audit log: the e-mail removed from {forgotten} entr{'y' if forgotten == 1 else 'ies'} about the account")
    say(f"done: deleted {report.describe()}")
    return report


def mark_account_deleting(*, sub):
    """Mark the profile; returns when the deletion started, or None if there is no profile."""
    profile = Profile(user_pk(sub), PROFILE_SK)
    try:
        profile.update(
            # if_not_exists: a resumed deletion keeps the time the first run started.
            actions=[Profile.deleting_since.set(Profile.deleting_since | timezone.now())],
            # An update would otherwise create a bare profile for an account that has none.
            condition=Profile.pk.exists(),
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return None
        raise
    return profile.deleting_since


# --- the steps, in order ------------------------------------------------------------
def sign_out_everywhere(*, sub, say):
    cognito = aws.client("cognito-idp")
    try:
        cognito.admin_user_global_sign_out(UserPoolId=settings.COGNITO_USER_POOL_ID, Username=sub)
    except cognito.exceptions.UserNotFoundException:
        say("cognito: no user to sign out (already deleted)")
        return
    say("cognito: signed out everywhere (refresh tokens revoked)")


def delete_web_sessions(*, sub, say):
    count = 0
    for pointers in _partition_pages(sub, prefix=WEB_SESSION_POINTER_PREFIX):
        # The pointer's SK is "WEBSESSION#<key>", the same string as the session's PK.
        sessions = [web_session_pk(p["SK"].removeprefix(WEB_SESSION_POINTER_PREFIX)) for p in pointers]
        _batch_delete([(session_pk, WEB_SESSION_SK) for session_pk in sessions])
        _batch_delete([(p["PK"], p["SK"]) for p in pointers])
        count += len(pointers)
    say(f"web sessions: {count} deleted")
    return count


def delete_share_links(*, sub, say):
    count = 0
    for pointers in _partition_pages(sub, prefix=SHARE_POINTER_PREFIX):
        # Each link's entry in the staff's share registry (sessions/sharing/registry.py) too.
        _batch_delete([(SHARES_PK, share_registry_sk(_share_token_hash(p))) for p in pointers])
        _batch_delete([(share_pk(_share_token_hash(p)), SHARE_SK) for p in pointers])
        _batch_delete([(p["PK"], p["SK"]) for p in pointers])
        count += len(pointers)
    say(f"share links: {count} deleted")
    return count


def delete_transcripts(*, sub, say):
    prefix = user_transcripts_prefix(sub=sub)
    try:
        count = delete_objects_under(prefix=prefix, page_size=S3_BATCH_SIZE)
    except ObjectsNotDeleted as error:
        raise DeletionIncomplete(str(error)) from error
    say(f"transcripts: {count} objects deleted under s3://{settings.TRANSCRIPT_BUCKET}/{prefix}")
    return count


def delete_export_objects(*, sub, say):
    prefix = user_exports_prefix(sub)
    try:
        count = delete_objects_under(prefix=prefix, page_size=S3_BATCH_SIZE)
    except ObjectsNotDeleted as error:
        raise DeletionIncomplete(str(error)) from error
    say(f"exports: {count} objects deleted under s3://{settings.TRANSCRIPT_BUCKET}/{prefix}")
    return count


def delete_other_items(*, sub, say):
    kinds = Counter()
    for page in _partition_pages(sub):
        plain = [item for item in page if _kind(item) not in _KINDS_WITH_THEIR_OWN_STEP]
        # A summary job's entry in the staff's job registry (sessions/summaries/registry.py) first.
        jobs = [item["SK"] for item in plain if item["SK"].startswith(SUMMARY_JOB_PREFIX)]
        _batch_delete([(JOBS_PK, job_registry_sk_of_job(sub=sub, job_sk=job_sk)) for job_sk in jobs])
        _batch_delete([(item["PK"], item["SK"]) for item in plain])
        kinds.update(_kind(item) for item in plain)
    listed = ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
    say(f"items: {kinds.total()} deleted" + (f" ({listed})" if listed else ""))
    return kinds


def delete_cognito_user(*, sub, say):
    # Not accounts.cognito.delete_user: it hides whether the user was still there.
    cognito = aws.client("cognito-idp")
    try:
        cognito.admin_delete_user(UserPoolId=settings.COGNITO_USER_POOL_ID, Username=sub)
    except cognito.exceptions.UserNotFoundException:
        say("cognito: user already gone")
        return 0
    say("cognito: user deleted")
    return 1


def delete_profile(*, sub, say):
    # Something written after its step ran (a write that raced the deletion mark) would be
    # left without a profile to show the deletion is unfinished: keep the profile then.
    left = [item["SK"] for page in _partition_pages(sub) for item in page if item["SK"] != PROFILE_SK]
    if left:
        raise DeletionIncomplete(f"{len(left)} items appeared during the deletion (first: {left[0]}); run it again")
    try:
        # Conditional, to tell a deletion from nothing to delete: the same one DeleteItem.
        mirrored_writes.delete(Profile(user_pk(sub), PROFILE_SK), condition=Profile.pk.exists())
    except DeleteError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        say("profile: already gone")
        return 0
    say("profile: deleted")
    return 1


def delete_directory_entry(*, sub, say):
    if not directory.remove_entry(sub=sub):
        say("directory: no entry (already removed)")
        return 0
    say("directory: entry removed")
    return 1


# --- table access -------------------------------------------------------------------
def _kind(item):
    return item["SK"].split("#", 1)[0]


def _share_token_hash(pointer):
    # docs/data-model.md plans the pointer as SHARELINK#<cid>#<sid>#<lid> with a
    # `token_hash` attribute; without that attribute the SK is SHARELINK#<token_hash>.
    # share_pk refuses anything else, so a pointer we cannot read stops the run loudly.
    return pointer.get("token_hash") or pointer["SK"].removeprefix(SHARE_POINTER_PREFIX)


def _partition_pages(sub, *, prefix=None):
    """The keys of the user's items (SK starting with prefix, if given), a page at a time.
    Consistent: a run right after another must see what that one left."""
    return dynamodb.query_pages(user_pk(sub), sk_prefix=prefix, attributes=["PK", "SK", "token_hash"])


def _batch_delete(keys):
    try:
        dynamodb.delete_keys(keys)
    except dynamodb.DeletesUnprocessed as error:
        raise DeletionIncomplete(f"{error}; run the deletion again") from error
