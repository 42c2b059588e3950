"""Two app processes, like two Lambda containers: they share only the AWS endpoint (a moto
server), the Cognito ids and the secret key. Each has its own, empty, ORM cache.

A sign-in made on one must work on the other, and a sign-out (or "log out everywhere")
made on one must end the session on both.
"""

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from django.test import override_settings
from moto.server import ThreadedMotoServer

from accounts import profiles
from campaigns_site import aws
from campaigns_site.provision import provision

PROJECT_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "two-containers-share-this-secret-key-" + "k" * 30
PASSWORD = "correct horse 42"

# A WSGI server on a free port, which it prints once it listens.
APP_SERVER = """
from wsgiref.simple_server import WSGIRequestHandler, make_server
from campaigns_site.wsgi import application

class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass

server = make_server("127.0.0.1", 0, application, handler_class=QuietHandler)
print(server.server_port, flush=True)
server.serve_forever()
"""


@pytest.fixture(scope="module")
def moto_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="module")
def cognito_ids(moto_endpoint):
    with override_settings(
        AWS_ENDPOINT_URL=moto_endpoint, COGNITO_USER_POOL_ID="", COGNITO_APP_CLIENT_ID="", COGNITO_APP_CLIENT_SECRET=""
    ):
        aws.reset()
        report = provision()
    aws.reset()
    return report


@pytest.fixture
def this_process_on_moto(moto_endpoint, cognito_ids):
    """Points this test process at the same moto server, to act as an operator would."""
    with override_settings(
        AWS_ENDPOINT_URL=moto_endpoint,
        COGNITO_USER_POOL_ID=cognito_ids.user_pool_id,
        COGNITO_APP_CLIENT_ID=cognito_ids.app_client_id,
        COGNITO_APP_CLIENT_SECRET=cognito_ids.app_client_secret,
    ):
        aws.reset()
        yield
    aws.reset()


class App:
    def __init__(self, name, url, orm_cache):
        self.name, self.url, self.orm_cache = name, url, orm_cache

    def cached_users(self):
        with sqlite3.connect(self.orm_cache) as connection:
            return connection.execute("SELECT sub, display_name FROM accounts_user").fetchall()


@pytest.fixture(scope="module")
def apps(moto_endpoint, cognito_ids, tmp_path_factory):
    directory = tmp_path_factory.mktemp("containers")
    processes, started = [], []
    for name in ("A", "B"):
        orm_cache = directory / f"orm-cache-{name}.sqlite3"
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(directory),
            "APP_ENV": "local",
            "DJANGO_DEBUG": "true",  # its X-AWS-Calls header counts each page's requests
            "DJANGO_SECRET_KEY": SECRET_KEY,
            "ORM_CACHE_PATH": str(orm_cache),
            "AWS_ENDPOINT_URL": moto_endpoint,
            "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "COGNITO_USER_POOL_ID": cognito_ids.user_pool_id,
            "COGNITO_APP_CLIENT_ID": cognito_ids.app_client_id,
            "COGNITO_APP_CLIENT_SECRET": cognito_ids.app_client_secret,
            "LOG_LEVEL": "WARNING",
        }
        stderr = (directory / f"stderr-{name}.txt").open("w")
        process = subprocess.Popen(
            [sys.executable, "-c", APP_SERVER],
            cwd=PROJECT_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        processes.append((name, process, orm_cache, stderr))
    try:
        for name, process, orm_cache, _stderr in processes:
            port = process.stdout.readline().strip()
            assert port, f"app {name} did not start: {(directory / f'stderr-{name}.txt').read_text()}"
            started.append(App(name, f"http://127.0.0.1:{port}", orm_cache))
        yield started
    finally:
        for _, process, _, stderr in processes:
            process.terminate()
            process.wait(timeout=10)
            stderr.close()


def post(browser, url, data):
    """A form POST as a browser sends it: with the CSRF token from the cookie."""
    return browser.post(url, {**data, "csrfmiddlewaretoken": browser.cookies["csrftoken"]}, allow_redirects=False)


def signed_in_as(browser, app):
    html = browser.get(app.url + "/").text
    match = re.search(r"Welcome back, ([^<]+)</h1>", html)
    return match.group(1) if match else None


def log_in(browser, app, email):
    browser.get(app.url + "/accounts/login/")
    response = post(browser, app.url + "/accounts/login/", {"login": email, "password": PASSWORD})
    assert response.status_code == 302, response.text


@pytest.fixture(scope="module")
def account(apps):
    """Signed up on A, confirmed on B: neither container's cache decides anything."""
    a, b = apps
    browser = requests.Session()
    browser.get(a.url + "/accounts/signup/")
    response = post(
        browser,
        a.url + "/accounts/signup/",
        {"email": "ada@example.com", "display_name": "Ada the Bard", "password1": PASSWORD},
    )
    assert response.status_code == 302, response.text
    response = post(browser, b.url + "/accounts/confirm/", {"email": "ada@example.com", "code": "123456"})
    assert response.status_code == 302, response.text
    return "ada@example.com"


def test_a_login_on_one_container_works_on_another(apps, account):
    a, b = apps
    browser = requests.Session()
    log_in(browser, a, account)
    assert b.cached_users() == []  # B has never seen this user

    response = browser.get(b.url + "/")

    assert "Welcome back, Ada the Bard" in response.text
    assert response.headers["X-AWS-Calls"] == "1"  # the session and the profile, in one BatchGetItem
    [(sub, name)] = b.cached_users()  # learnt from DynamoDB
    assert name == "Ada the Bard"
    assert browser.cookies["sessionid"].endswith("-" + sub)


def test_a_logout_on_one_container_ends_the_session_on_the_other(apps, account):
    a, b = apps
    browser = requests.Session()
    log_in(browser, a, account)
    assert signed_in_as(browser, b) == "Ada the Bard"
    stolen_cookie = browser.cookies["sessionid"]

    response = post(browser, a.url + "/accounts/logout/", {})

    assert response.status_code == 302
    assert signed_in_as(browser, b) is None
    replay = requests.Session()
    replay.cookies.set("sessionid", stolen_cookie)
    assert signed_in_as(replay, b) is None


def test_log_out_everywhere_ends_sessions_on_every_container(apps, account, this_process_on_moto):
    a, b = apps
    laptop, phone = requests.Session(), requests.Session()
    log_in(laptop, a, account)
    log_in(phone, b, account)
    assert (signed_in_as(laptop, b), signed_in_as(phone, a)) == ("Ada the Bard", "Ada the Bard")
    sub = laptop.cookies["sessionid"].split("-", 1)[1]

    profiles.bump_auth_version(sub=sub)

    for browser in (laptop, phone):
        for app in (a, b):
            assert signed_in_as(browser, app) is None


def test_log_out_everywhere_on_one_container_ends_sessions_on_both(apps, account):
    a, b = apps
    laptop, phone = requests.Session(), requests.Session()
    log_in(laptop, a, account)
    log_in(phone, b, account)
    laptop.get(a.url + "/accounts/logout/everywhere/")  # the confirmation page

    response = post(laptop, a.url + "/accounts/logout/everywhere/", {})

    assert response.status_code == 302
    for browser in (laptop, phone):
        for app in (a, b):
            assert signed_in_as(browser, app) is None


def test_a_password_reset_on_one_container_ends_sessions_on_both(apps, account):
    a, b = apps
    phone = requests.Session()
    log_in(phone, b, account)
    visitor = requests.Session()
    visitor.get(a.url + "/accounts/password/reset/")
    response = post(visitor, a.url + "/accounts/password/reset/", {"email": account})
    assert response.status_code == 302, response.text
    # Local mode: the page shows the code the embedded Cognito made (no email is sent).
    page = visitor.get(a.url + response.headers["Location"]).text
    code = re.search(r'id="local-reset-code">([^<]+)<', page).group(1)

    new_password = "a brand new password 9"
    response = post(
        visitor,
        a.url + "/accounts/password/reset/code/",
        {"email": account, "code": code, "new_password1": new_password, "new_password2": new_password},
    )

    assert response.status_code == 302, response.text
    assert (signed_in_as(phone, a), signed_in_as(phone, b)) == (None, None)
    laptop = requests.Session()
    laptop.get(b.url + "/accounts/login/")
    response = post(laptop, b.url + "/accounts/login/", {"login": account, "password": new_password})
    assert response.status_code == 302
    assert signed_in_as(laptop, a) == "Ada the Bard"
