"""manage.py and Python in fresh processes, with environments built from nothing, so the
test runner's own variables cannot leak in; and a production environment to start from."""

import os
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent

# Long, random-looking and fixed: tests must not depend on a generator.
REAL_KEY = "Zt7-Qk2vLx9mWp4RbN8cYs1HdJf6GaUe3ToVi0XyKl5Bn_Mr8Sq2Wz" * 2

PRODUCTION = {
    "APP_ENV": "production",
    "DJANGO_SECRET_KEY": REAL_KEY,
    "DJANGO_ALLOWED_HOSTS": "sessions.example.com",
    "COGNITO_USER_POOL_ID": "eu-west-1_AbC123xyz",
    "COGNITO_APP_CLIENT_ID": "4k2j3h4g5f6d7s8a9p0o1i2u3y",
    "AWS_REGION": "eu-west-1",
}


def run(args, env, tmp_path):
    """Run python with `args` in the project directory and only `env` (plus PATH and HOME)."""
    full_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "ORM_CACHE_PATH": str(tmp_path / "orm.sqlite3"),
        **env,
    }
    return subprocess.run(
        [sys.executable, *args], cwd=PROJECT_DIR, env=full_env, capture_output=True, text=True, timeout=120
    )


def manage(env, tmp_path, *args):
    return run(["manage.py", *(args or ["check"])], env, tmp_path)
