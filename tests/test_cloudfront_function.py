"""The CloudFront Functions of deploy/cloudfront/ pass their Node tests (router.test.mjs:
sticky cohorts, the split following the KeyValueStore's percentage, rollback to v1.0),
so `make test` runs them; and the router knows this app's session cookie by its name."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
CLOUDFRONT = ROOT / "deploy" / "cloudfront"
NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="node is not installed: the CloudFront Functions' Node tests cannot run")
def test_the_node_tests_of_the_cloudfront_functions_pass():
    result = subprocess.run(
        [NODE, "--test", str(CLOUDFRONT) + "/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert re.search(r"^# pass [1-9]", result.stdout, re.MULTILINE), result.stdout[-2000:]


def test_the_router_knows_this_apps_session_cookie():
    """A visitor signed in here stays here (router.js, rule 3): it must look for the cookie
    Django actually sets."""
    source = (CLOUDFRONT / "router.js").read_text()
    names = re.search(r"var APP_SESSION_COOKIES = \[([^\]]*)\]", source).group(1)
    assert re.findall(r"'([^']+)'", names) == [settings.SESSION_COOKIE_NAME.lower()]
