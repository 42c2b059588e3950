"""import_v1's run: every account of v1.0, in order, from the checkpoint on
(docs/migration.md, "Run book").

The run reads v1.0 in one repeatable-read snapshot (source.V1Source) and writes through
the app's repositories (accounts.py for users, content.py for the rest). After each
account the checkpoint moves on, so a killed run continues from the next account; the
account it was killed in is written again, which writes only what is missing.
"""

from dataclasses import dataclass

from tqdm import tqdm

from campaigns_site.outbox import not_mirrored
from v1 import checkpoints
from v1.accounts import (
    accounts_with_email,
    ensure_user,
    find_imported_sub,
    plan_accounts,
    report_rows_of_skipped_users,
)
from v1.content import AccountContent
from v1.report import Report


class NoSuchUser(Exception):
    """--user names no v1.0 user that would be imported."""


@dataclass(frozen=True)
class ImportOptions:
    v1_bucket: str
    dry_run: bool = False
    merge_case_duplicates: bool = False
    user_email: str | None = None  # import this one user only


@not_mirrored()  # v1.0's own rows: with the mirror on, nothing of the import goes back
def run_import(*, source, options, progress_file=None):
    """Import v1.0 (`source`, an open V1Source); returns the Report."""
    report = Report(dry_run=options.dry_run)
    report.source_rows = source.table_counts()
    accounts = plan_accounts(source.user_emails(), merge_case_duplicates=options.merge_case_duplicates, report=report)
    if options.user_email:
        accounts = accounts_with_email(options.user_email, accounts, source)
        if not accounts:
            raise NoSuchUser(
                f"no v1.0 user to import has the e-mail {options.user_email!r} (see the report's skipped users)"
            )
        report.lines.clear()  # the others' lines: this run is about one user
    else:
        report_rows_of_skipped_users(source, report)
    whole_pass = not (options.dry_run or options.user_email)
    run = checkpoints.start_pass() if whole_pass else None
    done_through = run.done_through if run else 0
    todo = [account for account in accounts if account.position > done_through]
    report.resumed_after = done_through or None
    for account in tqdm(todo, unit="user", file=progress_file, mininterval=1, desc="import_v1"):
        rows = source.rows_of(source.users(account.user_ids))
        if options.dry_run:
            sub = find_imported_sub(account, rows)
            report.found("users") if sub else report.wrote("users")
        else:
            sub = ensure_user(account, rows, report=report)
        AccountContent(
            rows, sub=sub, source=source, v1_bucket=options.v1_bucket, report=report, dry_run=options.dry_run
        ).run()
        report.accounts_done += 1
        if run:
            checkpoints.record_progress(run, done_through=account.position)
    if run:
        checkpoints.complete_pass(run, report_json=report.as_json())
    return report
