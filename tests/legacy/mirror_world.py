"""The mirror's tests' helpers: v1.0's database (the test PostgreSQL) as the mirror's
target, and reading its rows back."""

import psycopg
from psycopg.rows import dict_row

from campaigns_site import aws as aws_module
from campaigns_site import outbox
from campaigns_site.dynamodb import query
from campaigns_site.table_keys import OUTBOX_PK
from cutover import mirror_drain
from cutover.ids import IDS_DDL
from cutover.mirror_drain import drain_outbox

V1_BUCKET = "campaign-sessions-v1"  # v1.0's bucket in moto, beside this app's


def start_mirroring(settings, dsn, *, create_bucket=True):
    """Mirror into `dsn` (the pairs table made, as `v1_capture install` makes it), with
    v1.0's bucket in moto."""
    with psycopg.connect(dsn) as conn:
        conn.execute(IDS_DDL)
    if create_bucket:
        aws_module.client("s3").create_bucket(Bucket=V1_BUCKET)
    settings.V1_MIRROR_DSN = dsn
    settings.V1_BUCKET = V1_BUCKET
    mirror_drain.forget_outage()  # an earlier test's PostgreSQL outage is not this one's


def rows(dsn, sql, *params):
    with psycopg.connect(dsn, row_factory=dict_row) as conn:
        return conn.execute(sql, params).fetchall()


def row(dsn, sql, *params):
    (found,) = rows(dsn, sql, *params)
    return found


def entries():
    """The outbox's entries as plain items."""
    return query(OUTBOX_PK)


def drain(dsn, **options):
    result = drain_outbox(dsn=dsn, **options)
    assert not result.errors, result.errors
    return result


def forget_request_entries():
    """What a request would apply after its response, dropped: left for the drain."""
    outbox.take_written_entries()
