"""Fixtures for the legacy (v1.0, PostgreSQL) side of the data migration.

A missing PostgreSQL makes these tests fail with a message saying what to install,
never skip: a silently skipped migration test would look like a passing one.
"""

import io
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from import_runs import run_import_v1
from mirror_world import V1_BUCKET, drain, forget_request_entries, start_mirroring
from pg_harness import INSTALL_HINT, PostgresServer, PostgresUnavailable, find_postgres_bin
from psycopg import sql
from v1_data import build_v1_dataset, create_v1_schema, put_v1_objects, write_v1_dataset
from v1_standin import V1Standin

from campaigns_site import aws as aws_module


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server for the whole test session; `.url(dbname)` connects to it."""
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    try:
        server = PostgresServer(bin_dir)
        server.start()
    except PostgresUnavailable as error:
        pytest.fail(str(error), pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def postgres_database(postgres_server):
    """The URL of a new, empty database, dropped after the test."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server.url(), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {} ENCODING 'UTF8'").format(sql.Identifier(name)))
    yield postgres_server.url(name)
    with psycopg.connect(postgres_server.url(), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def v1_database(postgres_database):
    """The URL of a new database holding v1.0's schema (tests/legacy/v1_schema.sql), no rows."""
    with psycopg.connect(postgres_database) as conn:
        create_v1_schema(conn)
    return postgres_database


@pytest.fixture(scope="session")
def v1_dataset():
    """Every awkward v1.0 case (tests/legacy/v1_cases.py), built once: the bcrypt hashes and
    the multi-megabyte transcript take a few seconds. Read it, never change it."""
    return build_v1_dataset(seed=13)


@pytest.fixture(scope="session")
def v1_small_dataset():
    """Every awkward case with a 200 KB long transcript instead of 3 MB: for the tests that
    import several times (kill and resume)."""
    return build_v1_dataset(seed=13, big_transcript_bytes=200_000)


@pytest.fixture
def v1_small_database(v1_database, v1_small_dataset):
    with psycopg.connect(v1_database) as conn:
        write_v1_dataset(conn, v1_small_dataset)
    return v1_database


@pytest.fixture
def v1_filled_database(v1_database, v1_dataset):
    """The URL of a v1.0 database holding `v1_dataset`."""
    with psycopg.connect(v1_database) as conn:
        write_v1_dataset(conn, v1_dataset)
    return v1_database


@pytest.fixture
def v1_bucket(aws, v1_dataset):
    """The name of v1.0's bucket in moto (next to this app's, from the `aws` fixture),
    holding `v1_dataset.objects`: every transcript object but the missing ones."""
    put_v1_objects(aws_module.client("s3"), bucket=V1_BUCKET, dataset=v1_dataset)
    return V1_BUCKET


@pytest.fixture
def v1_small_bucket(aws, v1_small_dataset):
    """v1.0's bucket in moto holding `v1_small_dataset.objects`."""
    put_v1_objects(aws_module.client("s3"), bucket=V1_BUCKET, dataset=v1_small_dataset)
    return V1_BUCKET


@pytest.fixture
def imported_v1(v1_small_database, v1_small_bucket, tmp_path):
    """import_v1 run once on `v1_small_dataset`: (the JSON report, the command's output)."""
    return run_import_v1(v1_small_database, v1_small_bucket, tmp_path)


@pytest.fixture
def mirror(v1_database, aws, settings):
    """This app mirroring into an empty v1.0 database (with v1.0's bucket in moto): its URL."""
    start_mirroring(settings, v1_database)
    return v1_database


@pytest.fixture
def ada(request, owner):
    """The signed-in owner (`owner`), already in v1.0: her sign-up, made outside a request,
    drained into the database of the test's mirroring fixture (`both_stacks` where the test
    has it, else `mirror`)."""
    dsn = request.getfixturevalue("both_stacks" if "both_stacks" in request.fixturenames else "mirror")
    forget_request_entries()
    drain(dsn)
    return owner


def _standin_with_capture(dsn, settings):
    """Capture installed as the run book does it (`v1_capture install`), then the stand-in
    (tests/legacy/v1_standin.py) writing to v1.0 as v1.0 does: its `.url`, `.conn`."""
    settings.V1_BUCKET = V1_BUCKET
    call_command("v1_capture", "install", "--source", dsn, stdout=io.StringIO())
    return V1Standin(dsn)


@pytest.fixture
def v1(v1_database, aws, settings):
    """An empty v1.0 (its bucket empty in moto) with capture installed, written by the stand-in:
    for the sync of what v1.0 writes from now on."""
    aws_module.client("s3").create_bucket(Bucket=V1_BUCKET)
    with _standin_with_capture(v1_database, settings) as standin:
        yield standin


@pytest.fixture
def v1_after_import(imported_v1, v1_small_database, settings):
    """`v1`, but v1.0 after import_v1 ran on `v1_small_dataset` (the imported users paired):
    for the sync's work on imported rows and next to them."""
    with _standin_with_capture(v1_small_database, settings) as standin:
        yield standin


def pytest_collection_modifyitems(items):
    # Whatever needs the server carries the marker, so `-m "not postgres"` leaves it out.
    for item in items:
        if "postgres_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="module")
def moto_without_its_own_costs():
    """For the benchmarks (bench_cutover_*.py) only: moto without the whole-table costs
    DynamoDB does not have (scripts/moto_speedups.py), for the rest of the process."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
    from moto_speedups import back_up_only_the_items_a_transaction_names, query_only_the_partition

    back_up_only_the_items_a_transaction_names()
    query_only_the_partition()
