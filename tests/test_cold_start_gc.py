"""The garbage collector during a cold start (campaigns_site.coldstart, docs/decisions.md):
rarely run until the first response, then the usual thresholds, what is loaded frozen."""

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

from campaigns_site import coldstart

PROJECT_DIR = Path(__file__).resolve().parent.parent

# A fresh interpreter, as Zappa's handler loads the app and serves its first request.
FIRST_REQUEST_PROBE = """
import gc, json, sys
usual = gc.get_threshold()
from campaigns_site.wsgi import application
during = gc.get_threshold()
frozen_at_start = gc.get_freeze_count()
from django.test import Client
status = Client(SERVER_NAME="localhost").get("/health/").status_code
print(json.dumps({"usual": usual, "during": during, "after": gc.get_threshold(), "status": status,
                  "frozen_at_start": frozen_at_start, "frozen_after": gc.get_freeze_count()}))
"""


def test_a_new_process_collects_rarely_until_its_first_response_then_as_usual(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "APP_ENV": "local",
        "DJANGO_SETTINGS_MODULE": "campaigns_site.settings",
        "ORM_CACHE_PATH": str(tmp_path / "orm.sqlite3"),
    }
    result = subprocess.run(
        [sys.executable, "-c", FIRST_REQUEST_PROBE],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["status"] == 200
    assert seen["during"][0] == coldstart.COLD_START_THRESHOLD
    assert seen["after"] == seen["usual"]
    assert seen["frozen_at_start"] > 0  # what was loaded before the app: never scanned again
    assert seen["frozen_after"] > seen["frozen_at_start"]  # and the app as loaded


def test_the_usual_thresholds_come_back_after_the_first_request_only(client, monkeypatch):
    usual = gc.get_threshold()
    monkeypatch.setattr(coldstart, "_usual_thresholds", None)
    try:
        coldstart.collect_less_until_first_response()
        coldstart.collect_less_until_first_response()  # a second call changes nothing
        assert gc.get_threshold()[0] == coldstart.COLD_START_THRESHOLD
        assert client.get("/health/").status_code == 200
        assert gc.get_threshold() == usual
        gc.set_threshold(usual[0] + 1, *usual[1:])
        client.get("/health/")  # the receiver is gone: later requests leave the collector alone
        assert gc.get_threshold()[0] == usual[0] + 1
    finally:
        gc.set_threshold(*usual)
        gc.unfreeze()  # this test process's objects go back to the oldest generation
