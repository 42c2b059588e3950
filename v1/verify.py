"""verify_v1's run: every account v1.0 should have given, compared with this app row by
row (docs/migration.md, "verify_v1").

Accounts are planned by the importer's own rules (accounts.plan_accounts: NULL e-mails
and case duplicates left out unless merged, the same flag as the import), and paired with
what the import recorded (checkpoints.list_imported_accounts, a Query). For each: the
user in Cognito (AdminGetUser), its profile (GetItem), then its content (compare.py: one
Query of the partition). No Scan anywhere.
"""

from dataclasses import dataclass

from tqdm import tqdm

from accounts import cognito
from accounts.profiles import get_profile, preferences_of
from campaigns_site.table_keys import v1_account_sk
from v1 import checkpoints
from v1.accounts import accounts_with_email, plan_accounts, report_rows_of_skipped_users
from v1.compare import AccountComparison
from v1.differences import CHANGED, COGNITO, EXTRA, MISSING, Verification, field_differences
from v1.mapping import address_for, preferences_for


class NoSuchUser(Exception):
    """--user names no v1.0 user that the import brings over."""


@dataclass(frozen=True)
class VerifyOptions:
    v1_bucket: str
    merge_case_duplicates: bool = False  # as the import was run
    user_email: str | None = None  # verify this one user only
    # Verify only the accounts whose main v1.0 user id is in it (shift_traffic's sample).
    v1_user_ids: frozenset | None = None


def run_verify(*, source, options, progress_file=None):
    """Compare v1.0 (`source`, an open V1Source) with this app; returns the Verification."""
    result = Verification(source_rows=source.table_counts())
    result.notes += _import_state()
    accounts = plan_accounts(
        source.user_emails(), merge_case_duplicates=options.merge_case_duplicates, report=result.on_purpose
    )
    if options.user_email:
        accounts = accounts_with_email(options.user_email, accounts, source)
        if not accounts:
            raise NoSuchUser(f"no v1.0 user that the import brings over has the e-mail {options.user_email!r}")
        result.on_purpose.lines.clear()  # the other users': this run is about one
    elif options.v1_user_ids is not None:
        accounts = [account for account in accounts if account.main_user_id in options.v1_user_ids]
        result.on_purpose.lines.clear()  # the other users': this run is about a sample
    else:
        report_rows_of_skipped_users(source, result.on_purpose)
    imported = {item.sk: item for item in checkpoints.list_imported_accounts()}
    for account in tqdm(accounts, unit="user", file=progress_file, mininterval=1, desc="verify_v1"):
        rows = source.rows_of(source.users(account.user_ids))
        record = imported.pop(v1_account_sk(account.main_user_id), None)
        result.accounts += 1
        if record is None:
            what = f"{rows.user.email}: not imported ({len(rows.campaigns)} campaigns, {len(rows.sessions)} sessions)"
            result.differ(MISSING, "users", rows.user.id, "", what)
            continue
        _check_user(rows, record, account, result)
        AccountComparison(rows, sub=record.sub, source=source, v1_bucket=options.v1_bucket, result=result).run()
    if not options.user_email and options.v1_user_ids is None:
        for record in imported.values():
            what = f"{record.email}: imported, but the rules leave v1.0 user(s) {record.v1_user_ids} out"
            result.differ(EXTRA, "users", record.sk.removeprefix("ACCOUNT#").lstrip("0"), record.sub, what)
    return result


def _import_state():
    """Notes on the import's last pass: a verify after a killed pass finds what it left."""
    run = checkpoints.get_run()
    if run is None:
        return ["note: no whole import pass is recorded (only --user runs, or none)"]
    if run.state != checkpoints.COMPLETE:
        return [f"note: the last import pass did not complete (done through v1.0 user {run.done_through}): re-run it"]
    return [f"note: the last import pass completed {run.finished:%Y-%m-%d %H:%M} UTC"]


def _check_user(rows, record, account, result):
    """The Cognito user, the import's record of it and the profile."""
    user, sub = rows.user, record.sub
    result.compared["users"] += 1
    email = address_for(user.email)  # as the import signs users up
    found = cognito.find_user(email=email)
    if found is None:
        result.differ(COGNITO, "users", user.id, sub, f"no user {user.email!r} in the user pool")
    elif found["sub"] != sub:
        result.differ(COGNITO, "users", user.id, sub, f"the pool's {user.email!r} is another user: {found['sub']}")
    elif not found["enabled"]:
        result.differ(COGNITO, "users", user.id, sub, f"{user.email!r} is disabled in the user pool")
    recorded = {"email": record.email, "v1_user_ids": list(record.v1_user_ids)}
    if what := field_differences({"email": email, "v1_user_ids": list(account.user_ids)}, recorded):
        result.differ(CHANGED, "users", user.id, sub, f"the import's record: {what}")
    profile = get_profile(sub=sub)
    if profile is None:
        result.differ(MISSING, "users", user.id, sub, "no profile")
        return
    expected = {
        "email": email,
        "display_name": user.name or "",
        "is_staff": user.role == "admin",
        "preferences": {name: value for name, value in preferences_for(user).items() if value},
        "created": user.created_at,
    }
    stored = {
        "email": profile.email,
        "display_name": profile.display_name,
        "is_staff": bool(profile.is_staff),
        "preferences": preferences_of(profile),
        "created": profile.created,
    }
    if what := field_differences(expected, stored):
        result.differ(CHANGED, "users", user.id, sub, f"profile: {what}")
