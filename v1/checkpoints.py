"""The import's memory between runs, in the table (partition V1IMPORT, which no user's sub
can name):

- the run's checkpoint (SK `RUN`): how far the current pass got, so a killed run goes on
  from the next account; once a pass completes, the next run is a new pass over everyone
  (which finds what exists and changes nothing, or only what v1.0 changed since);
- one item per imported account (SK `ACCOUNT#<v1.0 user id>`): its Cognito `sub`. It is
  written once the user, profile and old-password item exist, so a later pass never
  writes the old-password item again: the user may have used it (and so deleted it) since.
"""

from django.utils import timezone
from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from campaigns_site import prefetch
from campaigns_site.table import TableModel
from campaigns_site.table_keys import V1_ACCOUNT_PREFIX, V1_IMPORT_PK, V1_IMPORT_RUN_SK, v1_account_sk

RUNNING, COMPLETE = "running", "complete"


class ImportRun(TableModel, discriminator="V1ImportRun"):
    """PK `V1IMPORT`, SK `RUN`."""

    state = UnicodeAttribute()  # RUNNING or COMPLETE
    started = UTCDateTimeAttribute()
    finished = UTCDateTimeAttribute(null=True)
    # Accounts are imported in order of their first v1.0 user id: every one up to this is done.
    done_through = NumberAttribute(default=0)
    report = UnicodeAttribute(null=True)  # the last completed pass's report, JSON


class ImportedAccount(TableModel, discriminator="V1ImportedAccount"):
    """PK `V1IMPORT`, SK `ACCOUNT#<v1.0 user id>` (the id whose name and password it has)."""

    sub = UnicodeAttribute()
    email = UnicodeAttribute()
    v1_user_ids = ListAttribute(of=NumberAttribute)
    imported = UTCDateTimeAttribute()


def get_run():
    # The staff's migration page reads it with its session check (campaigns_site.prefetch).
    return prefetch.get_item(ImportRun, V1_IMPORT_PK, V1_IMPORT_RUN_SK)


def start_pass():
    """Where this run starts: after the last account a killed pass finished, or (no pass, or
    the last one completed) from the beginning. Returns the checkpoint."""
    run = get_run()
    if run is not None and run.state == RUNNING:
        return run
    run = ImportRun(V1_IMPORT_PK, V1_IMPORT_RUN_SK, state=RUNNING, started=timezone.now(), done_through=0)
    run.save()
    return run


def record_progress(run, *, done_through):
    run.update(actions=[ImportRun.done_through.set(done_through)], add_version_condition=False)


def complete_pass(run, *, report_json):
    run.update(
        actions=[
            ImportRun.state.set(COMPLETE),
            ImportRun.finished.set(timezone.now()),
            ImportRun.report.set(report_json),
        ],
        add_version_condition=False,
    )


def get_imported_account(*, v1_user_id):
    try:
        return ImportedAccount.get(V1_IMPORT_PK, v1_account_sk(v1_user_id), consistent_read=True)
    except ImportedAccount.DoesNotExist:
        return None


def record_imported_account(*, v1_user_id, sub, email, v1_user_ids):
    ImportedAccount(
        V1_IMPORT_PK,
        v1_account_sk(v1_user_id),
        sub=sub,
        email=email,
        v1_user_ids=list(v1_user_ids),
        imported=timezone.now(),
    ).save()


def list_imported_accounts():
    """Every imported account (verify_v1 and the staff pages read them): a Query."""
    return list(ImportedAccount.query(V1_IMPORT_PK, ImportedAccount.sk.startswith(V1_ACCOUNT_PREFIX)))
