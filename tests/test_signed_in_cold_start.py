"""What the first signed-in pages of a new container load (issue 17, docs/decisions.md):
the session page signs its upload form without an S3 client or a boto3 session, and
neither it nor the campaign list loads the transcript parsers."""

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


def test_the_session_page_makes_no_s3_client_nor_boto3_session(owner, session):
    aws.client.cache_clear()
    aws._boto3_session.cache_clear()
    response = owner.get(f"/campaigns/{session.campaign_id}/sessions/{session.session_id}/")
    assert response.status_code == 200
    assert "x-amz-signature" in response.content.decode()  # the upload form, signed
    assert aws._boto3_session.cache_info().currsize == 0
    assert aws.client.cache_info().currsize == 0


def test_the_signed_in_pages_views_do_not_load_the_transcript_parsers(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "APP_ENV": "local",
        "DJANGO_SETTINGS_MODULE": "campaigns_site.settings",
        "ORM_CACHE_PATH": str(tmp_path / "orm.sqlite3"),
    }
    result = subprocess.run(
        [sys.executable, "-c", VIEWS_PROBE], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
