"""Where the sync runs besides `manage.py sync_v1`: the scheduled Lambda (zappa_settings.json)
and a thread of `manage.py runlocal` when V1_SOURCE_DSN is set."""

import ast
import contextlib
import io
import json

from cutover import background
from devtools.management.commands import runlocal
from tests.zappa_package import ROOT

LAMBDA_MODULES = ["scheduled", "sync", "apply_v1", "apply_users", "apply_content", "apply_sessions", "changed_content"]


def test_production_runs_the_sync_every_minute():
    stages = json.loads((ROOT / "zappa_settings.json").read_text())
    assert {"function": "cutover.scheduled.sync_v1_event", "expression": "rate(1 minute)"} in stages["production"][
        "events"
    ]
    assert "events" not in stages["dev"]


def test_what_the_lambda_imports_leaves_out_the_packages_zappa_excludes():
    # tqdm is excluded from the package (zappa_settings.json): only the command uses it.
    for name in LAMBDA_MODULES:
        tree = ast.parse((ROOT / "cutover" / f"{name}.py").read_text())
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        assert not {module for module in imported if module.split(".")[0] == "tqdm"}, name


def test_runlocal_follows_v1_only_when_v1_source_dsn_is_set(settings, monkeypatch):
    started = []
    monkeypatch.setattr(background, "follow_in_background", lambda dsn, **options: started.append(dsn))
    monkeypatch.setattr(runlocal, "call_command", lambda *args, **options: None)
    command = runlocal.Command(stdout=io.StringIO())

    settings.V1_SOURCE_DSN = ""
    command.serve("8000", False)
    assert started == []

    settings.V1_SOURCE_DSN = "postgresql://v1.example/v1"
    command.serve("8000", False)
    assert started == ["postgresql://v1.example/v1"]
    monkeypatch.delenv("RUN_MAIN", raising=False)
    command.serve("8000", True)  # the autoreloader's parent serves nothing: no thread there
    assert started == ["postgresql://v1.example/v1"]
    monkeypatch.setenv("RUN_MAIN", "true")
    command.serve("8000", True)
    assert len(started) == 2


def test_runlocal_drains_the_outbox_only_when_v1_mirror_dsn_is_set(settings, monkeypatch):
    started = []
    monkeypatch.setattr(background, "drain_in_background", lambda dsn, **options: started.append(dsn))
    monkeypatch.setattr(runlocal, "call_command", lambda *args, **options: None)
    command = runlocal.Command(stdout=io.StringIO())
    settings.V1_SOURCE_DSN = ""

    settings.V1_MIRROR_DSN = ""
    command.serve("8000", False)
    assert started == []
    settings.V1_MIRROR_DSN = "postgresql://v1.example/v1"
    command.serve("8000", False)
    assert started == ["postgresql://v1.example/v1"]


def test_the_background_drain_retries_every_interval_and_stops(monkeypatch):
    from cutover import mirror_drain

    rounds = []

    def drain_outbox(*, dsn):
        rounds.append(dsn)
        if len(rounds) == 1:
            raise RuntimeError("the table is unreachable")
        return mirror_drain.DrainResult(applied=1)

    monkeypatch.setattr(mirror_drain, "drain_outbox", drain_outbox)
    thread, stop = background.drain_in_background("postgresql://v1.example/v1", interval=0.01)
    assert thread.daemon and thread.name == "drain_outbox"
    for _ in range(200):
        if len(rounds) >= 2:
            break
        stop.wait(0.01)
    stop.set()
    thread.join(2)
    assert not thread.is_alive() and len(rounds) >= 2


def test_the_background_sync_is_a_daemon_thread_that_outlives_errors_and_stops(monkeypatch):
    attempts = []

    def follow(conn, *, interval, stop, on_pass):
        attempts.append(conn)
        if len(attempts) == 1:
            raise RuntimeError("v1.0's database is down")
        stop.wait(5)

    monkeypatch.setattr(background, "connect", lambda dsn: contextlib.nullcontext("a connection"))
    monkeypatch.setattr(background, "follow", follow)
    thread, stop = background.follow_in_background("postgresql://v1.example/v1", interval=0.01)
    assert thread.daemon and thread.name == "sync_v1"
    for _ in range(200):
        if len(attempts) == 2:
            break
        stop.wait(0.01)
    stop.set()
    thread.join(2)
    assert not thread.is_alive() and len(attempts) == 2
