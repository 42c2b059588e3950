"""v1.0's final backup: a `pg_dump` streamed into the transcript bucket, and the proof that
it restores (retire_v1, docs/cutover.md).

The dump goes from pg_dump's stdout straight into an S3 multipart upload, and the check
streams the object back into pg_restore's stdin: a database of any size passes through
a few parts' worth of memory, never a whole file, and touches no local disk.

The source's rows are counted in the very snapshot pg_dump dumps (pg_export_snapshot,
`pg_dump --snapshot`), so the counts are the dump's, whatever v1.0 still writes.

A DSN's password goes to pg_dump and pg_restore in the environment (PGPASSWORD), never on
their command line (which `ps` shows) and never in what is printed (`describe_dsn`).
"""

import glob
import hashlib
import os
import re
import secrets
import shutil
import subprocess
import tempfile
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

import psycopg
from boto3.s3.transfer import TransferConfig
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from campaigns_site import aws
from v1.source import COUNTED_TABLES

DEBIAN_BIN_DIRS = "/usr/lib/postgresql/*/bin"  # Debian's versioned binaries, off PATH
SCRATCH_PREFIX = "cutover_restore_check_"
# Parts of an upload of unknown size: 10,000 parts of 32 MB hold a 320 GB dump, and four in
# flight keep about 128 MB in memory.
TRANSFER = TransferConfig(multipart_threshold=32 * 2**20, multipart_chunksize=32 * 2**20, max_concurrency=4)
DOWNLOAD_CHUNK = 2**20


class BackupFailed(Exception):
    """The dump, its upload or the restore check failed: the message is one line for the operator."""


@dataclass
class Backup:
    bucket: str
    key: str
    encryption: str  # "AES256" or "aws:kms"
    size: int = 0
    sha256: str = ""
    counts: dict = field(default_factory=dict)  # v1.0's tables' rows, in the dumped snapshot


# --- DSNs and binaries --------------------------------------------------------------------
def describe_dsn(dsn):
    """`dbname on host:port as user`: what a DSN names, without its password."""
    params = conninfo_to_dict(dsn)
    where = f"{params.get('host') or 'the local socket'}:{params.get('port') or 5432}"
    return f"{params.get('dbname') or '(default database)'} on {where} as {params.get('user') or '(default user)'}"


def _tool_arguments(dsn):
    """(`--dbname=<conninfo without the password>`, the environment holding the password)."""
    params = conninfo_to_dict(dsn)
    password = params.pop("password", None)
    env = dict(os.environ)
    if password:
        env["PGPASSWORD"] = password
    return f"--dbname={make_conninfo(**params)}", env


def find_pg_tool(name, *, server_major, pattern=DEBIAN_BIN_DIRS):
    """The path of `name` (pg_dump, pg_restore) of the server's major version, else of the
    oldest newer one: pg_dump reads older servers, never newer ones."""
    paths = [*glob.glob(f"{pattern}/{name}"), shutil.which(name)]
    versions = {path: _major_version(path) for path in paths if path}
    fitting = sorted((major, path) for path, major in versions.items() if major and major >= server_major)
    if not fitting:
        found = ", ".join(f"{path} ({major})" for path, major in versions.items()) or "none"
        raise BackupFailed(
            f"No {name} of PostgreSQL {server_major} or newer (found: {found}): "
            f"install postgresql-client-{server_major}"
        )
    return fitting[0][1]


def _major_version(path):
    try:
        printed = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return None
    found = re.search(r"(\d+)(?:\.\d+)?", printed)
    return int(found.group(1)) if found else None


def check_tools(source_dsn):
    """Before anything changes: the source answers and the pg_dump and pg_restore for its
    version are here. Returns a line saying which, or raises BackupFailed."""
    try:
        with psycopg.connect(source_dsn, connect_timeout=10) as conn:
            version = conn.info.server_version
    except psycopg.Error as error:
        raise BackupFailed(
            f"Cannot reach v1.0's database ({describe_dsn(source_dsn)}): {' '.join(str(error).split())}"
        ) from None
    major = version // 10000
    tools = [find_pg_tool(name, server_major=major) for name in ("pg_dump", "pg_restore")]
    return f"PostgreSQL {major}.{version % 10000}; {', '.join(tools)}"


def count_rows(conn):
    """Rows of each of v1.0's tables, as {table: count}."""
    return {
        table: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]
        for table in COUNTED_TABLES
    }


def _tail(errors, lines=5):
    errors.seek(0)
    text = errors.read().decode(errors="replace").strip().splitlines()
    return " / ".join(text[-lines:]) or "no message"


# --- the dump ------------------------------------------------------------------------------
class _CountingReader:
    """pg_dump's stdout as boto3 reads it: counts and hashes every byte on the way."""

    def __init__(self, stream, on_bytes):
        self.stream, self.on_bytes = stream, on_bytes
        self.size, self.digest = 0, hashlib.sha256()

    def read(self, size=-1):
        data = self.stream.read(size)
        self.size += len(data)
        self.digest.update(data)
        self.on_bytes(len(data))
        return data


def dump_to_bucket(*, source_dsn, bucket, key, kms_key="", on_bytes=lambda n: None):
    """Stream `pg_dump -Fc` of the source into s3://bucket/key, encrypted; returns the Backup.
    A failed dump leaves no object behind."""
    backup = Backup(bucket=bucket, key=key, encryption="aws:kms" if kms_key else "AES256")
    extra = {"ServerSideEncryption": backup.encryption, **({"SSEKMSKeyId": kms_key} if kms_key else {})}
    dbname, env = _tool_arguments(source_dsn)
    try:
        snapshot_holder = psycopg.connect(source_dsn)
    except psycopg.Error as error:
        raise BackupFailed(f"Cannot read v1.0's database ({describe_dsn(source_dsn)}): {error}") from None
    with snapshot_holder as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        backup.counts = count_rows(conn)
        pg_dump = find_pg_tool("pg_dump", server_major=conn.info.server_version // 10000)
        command = [pg_dump, "--format=custom", f"--snapshot={snapshot}", "--no-password", dbname]
        _stream_into_bucket(command, env=env, backup=backup, extra=extra, on_bytes=on_bytes)
        conn.rollback()  # the snapshot is held until pg_dump is done
    return backup


def _stream_into_bucket(command, *, env, backup, extra, on_bytes):
    s3 = aws.client("s3")
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, env=env)
        reader = _CountingReader(process.stdout, on_bytes)
        try:
            s3.upload_fileobj(reader, backup.bucket, backup.key, ExtraArgs=extra, Config=TRANSFER)
        except BaseException:
            process.kill()
            process.wait()
            raise
        finally:
            process.stdout.close()
        if process.wait() != 0:
            # pg_dump stopped midway and the upload finished with what it had: not a backup.
            s3.delete_object(Bucket=backup.bucket, Key=backup.key)
            raise BackupFailed(f"pg_dump failed (exit {process.returncode}): {_tail(errors)}")
    backup.size, backup.sha256 = reader.size, reader.digest.hexdigest()


# --- the restore check ---------------------------------------------------------------------
@contextmanager
def scratch_database(source_dsn, *, say):
    """A new, empty database on the source's server, dropped afterwards whatever happens;
    yields its DSN."""
    name = f"{SCRATCH_PREFIX}{secrets.token_hex(6)}"
    try:
        with psycopg.connect(source_dsn, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as error:
        raise BackupFailed(f"Cannot create the scratch database {name}: {error}".strip()) from None
    say(f"created the scratch database {name}")
    try:
        yield make_conninfo(source_dsn, dbname=name)
    finally:
        with psycopg.connect(source_dsn, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        say(f"dropped the scratch database {name}")


def restore_and_count(*, bucket, key, scratch_dsn, on_bytes=lambda n: None):
    """Stream s3://bucket/key into pg_restore into the (empty) scratch database; returns the
    restored copy's counts of v1.0's tables."""
    try:
        with psycopg.connect(scratch_dsn, autocommit=True) as conn:
            server_major = conn.info.server_version // 10000
            tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
    except psycopg.Error as error:
        raise BackupFailed(
            f"Cannot reach the scratch database ({describe_dsn(scratch_dsn)}): {' '.join(str(error).split())}"
        ) from None
    if tables:
        raise BackupFailed(f"The scratch database ({describe_dsn(scratch_dsn)}) is not empty: {tables} tables")
    pg_restore = find_pg_tool("pg_restore", server_major=server_major)
    dbname, env = _tool_arguments(scratch_dsn)
    command = [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "-w", dbname]
    body = aws.client("s3").get_object(Bucket=bucket, Key=key)["Body"]
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors, env=env)
        try:
            for chunk in body.iter_chunks(DOWNLOAD_CHUNK):
                process.stdin.write(chunk)
                on_bytes(len(chunk))
            process.stdin.close()
        except BrokenPipeError:
            pass  # pg_restore stopped reading: its exit status and message say why
        finally:
            body.close()
            with suppress(BrokenPipeError):
                process.stdin.close()
        if process.wait() != 0:
            raise BackupFailed(f"pg_restore of {key} failed (exit {process.returncode}): {_tail(errors)}")
    with psycopg.connect(scratch_dsn) as conn:
        return count_rows(conn)


def count_differences(source_counts, restored_counts):
    """`table: N in v1.0, M restored` for each table whose counts differ."""
    return [
        f"{table}: {source_counts.get(table)} in v1.0, {restored_counts.get(table)} restored"
        for table in COUNTED_TABLES
        if source_counts.get(table) != restored_counts.get(table)
    ]
