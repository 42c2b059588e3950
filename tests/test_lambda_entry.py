"""The Lambda entry: Zappa's own handler, fed API Gateway (REST, v1 proxy) events.

The handler loads the settings module that `zappa package` writes into the zip; these
tests generate it from zappa_settings.json with Zappa's own code, as the package has it.
"""

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from tests.zappa_package import HOST, ROOT, api_gateway_event, packaged_zappa_settings, zappa_cli


def shipped_project(into):
    """A copy of the project files the package would hold, with its static files collected."""
    excluded = zappa_cli().stage_config["exclude_glob"]

    def ignore(folder, names):
        top = Path(folder) == ROOT
        return {n for n in names if n == "__pycache__" or (top and any(fnmatch.fnmatch(n, g) for g in excluded))}

    shutil.copytree(ROOT, into, ignore=ignore)
    return into


def cookies_of(response):
    jar = SimpleCookie()
    for header in response["multiValueHeaders"].get("Set-Cookie", []):
        jar.load(header)
    return jar


def csrf_form_token(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_page_get_answers_html(call_lambda):
    response = call_lambda(api_gateway_event("GET", "/"))
    assert response["statusCode"] == 200
    assert response["multiValueHeaders"]["Content-Type"] == ["text/html; charset=utf-8"]
    assert "<html" in response["body"] and "Campaign Sessions" in response["body"]


def test_form_post_with_csrf_token_sets_the_theme(call_lambda):
    page = call_lambda(api_gateway_event("GET", "/"))
    csrf_cookie = cookies_of(page)["csrftoken"].value
    body = urlencode({"csrfmiddlewaretoken": csrf_form_token(page["body"]), "theme": "dark", "next": "/"})
    response = call_lambda(
        api_gateway_event(
            "POST",
            "/preferences/theme/",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={csrf_cookie}",
                "Origin": f"https://{HOST}",
            },
        )
    )
    assert response["statusCode"] == 302
    assert response["multiValueHeaders"]["Location"] == ["/"]
    theme = cookies_of(response)["theme"]
    assert theme.value == "dark"
    assert theme["secure"] and theme["httponly"]


def test_form_post_without_csrf_token_is_refused(call_lambda):
    page = call_lambda(api_gateway_event("GET", "/"))
    csrf_cookie = cookies_of(page)["csrftoken"].value
    response = call_lambda(
        api_gateway_event(
            "POST",
            "/preferences/theme/",
            body="theme=dark",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={csrf_cookie}",
                "Origin": f"https://{HOST}",
            },
        )
    )
    assert response["statusCode"] == 403
    assert "theme" not in cookies_of(response)


def test_unknown_path_is_404(call_lambda):
    assert call_lambda(api_gateway_event("GET", "/no-such-page/"))["statusCode"] == 404


def test_visitor_page_through_lambda_makes_no_aws_calls(call_lambda, aws_calls):
    with aws_calls() as calls:
        assert call_lambda(api_gateway_event("GET", "/"))["statusCode"] == 200
    assert calls.operations() == []


# Production settings are read once per process, so this one runs in a child process:
# APP_ENV=production with every variable set as on Lambda, AWS pointed at a port where
# nothing listens (these requests must not need AWS).
PRODUCTION_CHILD = """
import json, sys
import django
from django.core.management import call_command
from zappa.handler import LambdaHandler
sys.path.insert(0, sys.argv[1])
django.setup()
call_command("collectstatic", interactive=False, verbosity=0)  # the build step; manifest storage needs it
events = json.loads(sys.stdin.read())
LambdaHandler("zappa_settings")
responses = [LambdaHandler.lambda_handler(event, None) for event in events]
print(json.dumps([{"status": r["statusCode"], "headers": r["multiValueHeaders"], "body": r.get("body") or ""}
                  for r in responses]))
"""


def test_production_settings_behind_api_gateway(tmp_path):
    task = shipped_project(tmp_path / "task")
    (task / "zappa_settings.py").write_text(packaged_zappa_settings())
    env = {
        "PATH": os.environ["PATH"],
        "APP_ENV": "production",
        "DJANGO_SECRET_KEY": "p" * 20 + "r0duct10n-0nly-f0r-th1s-test-" * 2,
        "DJANGO_ALLOWED_HOSTS": HOST,
        "COGNITO_USER_POOL_ID": "us-east-1_test",
        "COGNITO_APP_CLIENT_ID": "test",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "ORM_CACHE_PATH": str(tmp_path / "orm.sqlite3"),
        "DJANGO_SETTINGS_MODULE": "campaigns_site.settings",
    }
    events = [
        api_gateway_event("GET", "/"),
        api_gateway_event("GET", "/", proto="http"),
        api_gateway_event("GET", "/no-such-page/"),
    ]
    child = subprocess.run(
        [sys.executable, "-c", PRODUCTION_CHILD, str(task)],
        input=json.dumps(events),
        env=env,
        cwd=task,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 0, child.stderr
    page, plain_http, missing = json.loads(child.stdout.splitlines()[-1])

    assert page["status"] == 200
    assert page["headers"]["Strict-Transport-Security"][0].startswith("max-age=31536000")
    csrf = SimpleCookie()
    csrf.load(page["headers"]["Set-Cookie"][0])
    assert csrf["csrftoken"]["secure"]
    assert "X-AWS-Calls" not in page["headers"]  # the DEBUG-only middleware is off

    assert plain_http["status"] == 301
    assert plain_http["headers"]["Location"] == [f"https://{HOST}/"]

    assert missing["status"] == 404
    assert "Traceback" not in missing["body"] and "URLconf" not in missing["body"]  # no debug page
