"""`manage.py rebuild_directory`: the user directory (campaigns_site.directory) made again
from what it copies, for accounts made before it existed and any entry a failed write left
wrong.

The sources: the profiles (email, created, staff, deletion under way: a Scan of the
table's profiles, or one GetItem with --sub), Cognito (the email, and whether sign-in is
enabled: one AdminGetUser per account) and the v1.0 import's own list of the accounts it
made (origin "v1": one Query; an entry's origin "import", from manage.py import_data, is
kept). Only entries whose facts differ are written (one UpdateItem each, keeping the
counters and the last sign-in), so a second run writes nothing. An entry
whose account has no profile any more is removed: a deletion that stopped before its
last step.
"""

from dataclasses import dataclass

from django.conf import settings
from tqdm import tqdm

from accounts import profiles
from accounts.items import Profile
from campaigns_site import aws, directory
from campaigns_site.table_keys import PROFILE_SK
from v1.checkpoints import list_imported_accounts

FACTS = ("email", "created", "origin", "is_staff", "sign_in_disabled", "deleting_since")


@dataclass
class RebuildReport:
    checked: int = 0
    added: int = 0
    corrected: int = 0
    unchanged: int = 0
    removed: int = 0

    def describe(self):
        return (
            f"{self.checked} accounts checked: {self.added} entries added, {self.corrected} corrected, "
            f"{self.unchanged} unchanged; {self.removed} entries without a profile removed"
        )


@dataclass(frozen=True)
class Account:
    """An account as its profile has it (the profile's datetimes, as the directory stores them)."""

    sub: str
    email: str
    created: object
    is_staff: bool
    deleting_since: object


def rebuild_directory(*, sub=None, progress_file=None):
    """Bring the directory in line with the profiles and Cognito (all of them, or `sub`'s);
    returns a RebuildReport."""
    accounts = _account_of(sub) if sub else _every_account()
    entries = _entry_of(sub) if sub else {directory.sub_of(e): e for e in directory.all_entries()}
    imported = {account.sub for account in list_imported_accounts()}
    report = RebuildReport()
    for account in tqdm(accounts, unit="user", file=progress_file, mininterval=1, desc="rebuild_directory"):
        report.checked += 1
        entry = entries.pop(account.sub, None)
        facts = _facts_of(account, origin=_origin(account.sub, imported, entry))
        if entry is not None and entry.email and all(getattr(entry, name) == facts[name] for name in FACTS):
            report.unchanged += 1
            continue
        directory.write_entry(sub=account.sub, **facts)
        if entry is not None and entry.email:
            report.corrected += 1
        else:
            report.added += 1
    for leftover in entries:  # entries of no account found above
        if profiles.get_profile(sub=leftover) is None:  # consistent: not one signed up meanwhile
            report.removed += int(directory.remove_entry(sub=leftover))
    return report


def _origin(sub, imported, entry):
    """The entry's origin: "v1" for an account the v1.0 import made; "import" kept for one
    manage.py import_data made (nothing else records it); "new" otherwise."""
    if sub in imported:
        return "v1"
    return "import" if entry is not None and entry.origin == "import" else "new"


def _facts_of(account, *, origin):
    """The entry's facts: Cognito's email and enabled flag, the profile's for the rest."""
    user = _cognito_user(account.sub)
    return {
        "email": (user["email"] if user and user["email"] else account.email).lower(),
        "created": account.created,
        "origin": origin,
        "is_staff": account.is_staff,
        # A profile without a Cognito user (a deletion under way) cannot sign in either.
        "sign_in_disabled": not (user and user["enabled"]),
        "deleting_since": account.deleting_since,
    }


def _cognito_user(sub):
    """{"email", "enabled"} of the account's Cognito user, None if there is none."""
    client = aws.client("cognito-idp")
    try:
        user = client.admin_get_user(UserPoolId=settings.COGNITO_USER_POOL_ID, Username=sub)
    except client.exceptions.UserNotFoundException:
        return None
    attributes = {attribute["Name"]: attribute["Value"] for attribute in user.get("UserAttributes", [])}
    return {"email": attributes.get("email", ""), "enabled": user["Enabled"]}


def _account(profile):
    return Account(profile.sub, profile.email, profile.created, profile.is_staff, profile.deleting_since)


def _account_of(sub):
    profile = profiles.get_profile(sub=sub)
    return [] if profile is None else [_account(profile)]


def _entry_of(sub):
    entry = directory.get_entry(sub=sub)
    return {sub: entry} if entry is not None else {}


def _every_account():
    # A Scan of the whole table: an operations command, never a request path (like
    # finish_deletions). Read whole before any write, so the writes do not race the Scan.
    return [_account(profile) for profile in Profile.scan(filter_condition=Profile.sk == PROFILE_SK)]
