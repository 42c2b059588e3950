"""A throwaway PostgreSQL server for the legacy-data migration tests.

It runs Debian's packaged binaries in a temporary directory, on a free port on
127.0.0.1, tuned for speed over durability (no fsync): the data only has to outlive
the test session. PostgreSQL refuses to run as root, so under root the server runs as
the `postgres` system user that Debian's package creates.
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

INSTALL_HINT = (
    "PostgreSQL is not installed (initdb and pg_ctl were not found on PATH or under "
    "/usr/lib/postgresql/*/bin). Install it with `apt-get install postgresql`, "
    "or run `make test`, which installs it."
)
DEBIAN_BIN_DIRS = "/usr/lib/postgresql/*/bin"
SUPERUSER = "postgres"
SERVER_OPTIONS = [
    "-c listen_addresses=127.0.0.1",
    "-c fsync=off",
    "-c synchronous_commit=off",
    "-c full_page_writes=off",
    "-c max_connections=20",
    "-c shared_buffers=16MB",
]


class PostgresUnavailable(Exception):
    """PostgreSQL is missing or would not start; the message says what to do."""


def find_postgres_bin(path=None, pattern=DEBIAN_BIN_DIRS):
    """The directory holding initdb, pg_ctl and postgres: from PATH first, then
    Debian's versioned directories (which are off PATH), newest version first."""
    initdb = shutil.which("initdb", path=path)
    candidates = [Path(initdb).resolve().parent] if initdb else []
    candidates += sorted((Path(found) for found in glob.glob(pattern)), key=_major_version, reverse=True)
    for directory in candidates:
        if all(os.access(directory / name, os.X_OK) for name in ("initdb", "pg_ctl", "postgres")):
            return directory
    return None


def _major_version(bin_dir):
    version = bin_dir.parent.name
    return int(version) if version.isdigit() else 0


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    def __init__(self, bin_dir):
        self.bin_dir = Path(bin_dir)
        self.port = None
        self.run_as = self._system_user() if os.geteuid() == 0 else None
        # Not under pytest's tmp_path: its parents are private to root, and the
        # postgres user must reach the data directory.
        self.base_dir = Path(tempfile.mkdtemp(prefix="campaign-sessions-pg-"))
        self.data_dir = self.base_dir / "data"
        self.socket_dir = self.base_dir / "socket"
        self.log_file = self.base_dir / "server.log"
        self.socket_dir.mkdir()
        if self.run_as:
            for path in (self.base_dir, self.socket_dir):
                os.chown(path, self.run_as.pw_uid, self.run_as.pw_gid)

    @staticmethod
    def _system_user():
        try:
            return pwd.getpwnam(SUPERUSER)
        except KeyError:
            raise PostgresUnavailable(
                f"Running as root, but there is no `{SUPERUSER}` system user to run PostgreSQL as. "
                "Install Debian's package (`apt-get install postgresql`) or run the tests as another user."
            ) from None

    def _run(self, *args):
        as_user = {}
        if self.run_as:
            as_user = {"user": self.run_as.pw_uid, "group": self.run_as.pw_gid, "extra_groups": []}
        return subprocess.run(
            [str(self.bin_dir / args[0]), *args[1:]],
            cwd=self.base_dir,
            capture_output=True,
            text=True,
            timeout=120,
            **as_user,
        )

    def start(self, attempts=3):
        """Start the server, or clean up and raise PostgresUnavailable saying why."""
        try:
            self._start(attempts)
        except BaseException:
            self.stop()
            raise

    def _start(self, attempts):
        result = self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            SUPERUSER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
            "--no-instructions",
        )
        if result.returncode != 0:
            raise PostgresUnavailable(f"initdb failed: {result.stderr.strip() or result.stdout.strip()}")
        # Another process may take the free port before the server binds it: try again.
        for _ in range(attempts):
            self.port = free_port()
            options = " ".join([f"-p {self.port}", f"-k {self.socket_dir}", *SERVER_OPTIONS])
            result = self._run(
                "pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_file), "-o", options, "-w", "-t", "60", "start"
            )
            if result.returncode == 0:
                return
        raise PostgresUnavailable(f"PostgreSQL did not start:\n{self.log_tail()}")

    def stop(self):
        if self.data_dir.joinpath("postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.base_dir, ignore_errors=True)

    def log_tail(self, lines=20):
        if not self.log_file.exists():
            return ""
        return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])

    def url(self, dbname="postgres"):
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"
