"""What the first signed-in pages of a new container load (issue 17, docs/decisions.md):
the session page signs its upload form without an S3 client or a boto3 session, neither
it nor the campaign list loads the transcript parsers, and the session page's view module
loads none of the modules only its writes use (the search index, the delete cascade, the
upload's checks, the share links' writes)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from campaigns_site import aws

PROJECT_DIR = Path(__file__).resolve().parent.parent

# A fresh interpreter: the modules the two pages' views load, and what they bring.
VIEWS_PROBE = """
import json, sys
import django
django.setup()
import campaigns.views, sessions.views, sessions.transcripts.upload_pages
print(json.dumps(sorted(name for name in sys.modules if name.startswith("sessions.transcripts.parsing"))))
"""

# A fresh interpreter: what the session page's view module (sessions:detail) loads.
SESSION_PAGE_PROBE = """
import importlib, json, sys
import django
django.setup()
from django.urls import resolve
view = resolve("/campaigns/01M94639EDGP10THQSCEM7M33D/sessions/01M94639GHJYFKVJQY3HP96YKY/").func
importlib.import_module(view.lazy_view_path.rpartition(".")[0])  # what its first request imports
print(json.dumps(sorted(name for name in sys.modules if name.startswith("sessions."))))
"""
# Loaded by writes only (a session's or a summary's save, a delete, an upload, a share
# link's changes), never by the session page's GET (docs/decisions.md, "Session page cold start").
WRITES_ONLY = {
    "sessions.core.campaign_deletion",
    "sessions.core.children",
    "sessions.core.search_index",
    "sessions.core.search_terms",
    "sessions.sharing.registry",
    "sessions.sharing.repository",
    "sessions.transcripts.repository",
    "sessions.transcripts.services",
    "sessions.transcripts.storage",
    "sessions.transcripts.text",
}


def _fresh_python(code, tmp_path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "APP_ENV": "local",
        "DJANGO_SETTINGS_MODULE": "campaigns_site.settings",
        "ORM_CACHE_PATH": str(tmp_path / "orm.sqlite3"),
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_session_page_makes_no_s3_client_nor_boto3_session(owner, session):
    aws.client.cache_clear()
    aws._boto3_session.cache_clear()
    response = owner.get(f"/campaigns/{session.campaign_id}/sessions/{session.session_id}/")
    assert response.status_code == 200
    assert "x-amz-signature" in response.content.decode()  # the upload form, signed
    assert aws._boto3_session.cache_info().currsize == 0
    assert aws.client.cache_info().currsize == 0


def test_the_signed_in_pages_views_do_not_load_the_transcript_parsers(tmp_path):
    assert _fresh_python(VIEWS_PROBE, tmp_path) == []


def test_the_session_pages_view_module_loads_nothing_only_writes_use(tmp_path):
    loaded = set(_fresh_python(SESSION_PAGE_PROBE, tmp_path))
    assert "sessions.views" in loaded and "sessions.transcripts.signed_upload" in loaded  # the probe is real
    assert loaded & WRITES_ONLY == set()
