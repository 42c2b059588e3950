"""v1.0's users → accounts here: which rows become one account, and the Cognito user,
profile and old-password item of each.

An account is one v1.0 user, or (with --merge-case-duplicates) every user whose e-mail
differs from another's only by letter case: Cognito and people read them as one address.
"""

from dataclasses import dataclass

from accounts import cognito
from accounts.legacy_passwords import save_legacy_password
from accounts.profiles import ProfileAlreadyExists, create_profile
from campaigns_site import directory
from campaigns_site.provision import STAFF_GROUP
from v1 import checkpoints
from v1 import report as lines
from v1.mapping import address_for, email_key, is_valid_address, preferences_for


@dataclass(frozen=True)
class PlannedAccount:
    user_ids: tuple  # v1.0 user ids, oldest created first: the last one's name, password and settings win

    @property
    def position(self):
        """Accounts are imported in this order; the checkpoint counts through it."""
        return min(self.user_ids)

    @property
    def main_user_id(self):
        return self.user_ids[-1]


def plan_accounts(user_emails, *, merge_case_duplicates, report):
    """[PlannedAccount] in import order, from [(id, email, created_at)]; the users left out
    (NULL e-mail, case duplicates not merged) are reported."""
    by_address = {}
    for user_id, email, created_at in user_emails:
        if email is None:
            report.skip("users", user_id, lines.NULL_EMAIL, "no e-mail to sign in with")
            continue
        if not is_valid_address(email):
            report.skip("users", user_id, lines.INVALID_EMAIL, f"{email!r} is not an e-mail address")
            continue
        by_address.setdefault(email_key(email), []).append((created_at, user_id, email))
    accounts = []
    for users in by_address.values():
        users.sort()
        if len(users) > 1 and not merge_case_duplicates:
            emails = ", ".join(email for _, _, email in users)
            for _, user_id, _ in users:
                report.skip("users", user_id, lines.CASE_DUPLICATE, f"one address in different case: {emails}")
            continue
        if len(users) > 1:
            for _, user_id, _ in users[:-1]:
                report.note("users", user_id, lines.MERGED, f"merged into v1.0 user {users[-1][1]}")
        accounts.append(PlannedAccount(user_ids=tuple(user_id for _, user_id, _ in users)))
    return sorted(accounts, key=lambda account: account.position)


def skipped_user_ids(report):
    return sorted(
        {int(line.id) for line in report.lines if line.table == "users" and line.reason in lines.SKIPPED_REASONS}
    )


def accounts_with_email(email, accounts, source):
    """The planned accounts with a v1.0 user of this address (any letter case): --user."""
    wanted = {
        user_id for user_id, address, _ in source.user_emails() if address and email_key(address) == email_key(email)
    }
    return [account for account in accounts if wanted & set(account.user_ids)]


def report_rows_of_skipped_users(source, report):
    """Every campaign, session and summary of a user left out, as a line of `report`: the
    import's report and verify's list name every row that was not brought over."""
    for user_id in skipped_user_ids(report):
        rows = source.rows_of(source.users([user_id]))
        for table, found in (
            ("campaigns", rows.campaigns),
            ("game_sessions", rows.sessions),
            ("summaries", rows.summaries),
        ):
            for row in found:
                report.skip(table, row.id, lines.OF_SKIPPED_USER, f"of v1.0 user {user_id}")


def find_imported_sub(account, rows):
    """The account's `sub` if an earlier run made its user (the checkpoint item, else the
    pool, for a run killed between the two), else None."""
    imported = checkpoints.get_imported_account(v1_user_id=account.main_user_id)
    if imported is not None:
        return imported.sub
    found = cognito.find_user(email=address_for(rows.user.email))
    return found["sub"] if found else None


def ensure_user(account, rows, *, report):
    """The account's `sub`: its Cognito user, profile and old-password item made unless an
    earlier run recorded them (then nothing is written, not even the old-password item)."""
    imported = checkpoints.get_imported_account(v1_user_id=account.main_user_id)
    if imported is not None:
        report.found("users")
        return imported.sub
    user = rows.user
    email = address_for(user.email)
    found = cognito.find_user(email=email)
    sub = found["sub"] if found else cognito.create_confirmed_user(email=email)
    is_staff = user.role == "admin"
    if is_staff:
        cognito.add_to_group(sub=sub, group=STAFF_GROUP)
    try:
        create_profile(
            sub=sub,
            email=email,
            display_name=user.name or "",
            is_staff=is_staff,
            created=user.created_at,
            preferences=preferences_for(user),
            origin="v1",
        )
    except ProfileAlreadyExists:
        # A run killed after making it, perhaps before its directory entry: written again
        # (one UpdateItem, which keeps an entry's earlier origin and counters).
        directory.record_sign_up(sub=sub, email=email, created=user.created_at, origin="v1", is_staff=is_staff)
    save_legacy_password(sub=sub, password_hash=user.password_hash)
    checkpoints.record_imported_account(
        v1_user_id=account.main_user_id, sub=sub, email=email, v1_user_ids=account.user_ids
    )
    report.wrote("users")
    return sub
