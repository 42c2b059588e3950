"""Browser tests: Debian's Chromium, driven by Playwright, against pytest-django's
live_server, with the app's AWS resources on a live moto server.

Chromium is never downloaded (no `playwright install`). When it is missing the tests
fail, saying what to install: a skipped browser suite would hide a broken page.
"""

import os
import shutil

import pytest
from django.test import override_settings
from moto.server import ThreadedMotoServer
from playwright.sync_api import expect, sync_playwright

from campaigns_site import aws
from campaigns_site.provision import provision

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking flags Chromium's own connections get refused here
# and it logs errors that are not the page's.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
# Assertions wait as long as actions do (Playwright's expect waits 5 s by default): on a
# busy 2-core CI machine a page behind a summary job's thread took longer than that.
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def moto_server():
    """moto's server on a free local port, for the whole run. Yields its URL."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(autouse=True)
def live_aws(moto_server):
    """Points the app at the moto server, with the table, bucket and user pool provisioned.

    Provisioning runs for every test (it is idempotent and quick) because moto's
    in-process `mock_aws`, used by the other tests, resets the state this server shares.
    """
    blank_cognito = {"COGNITO_USER_POOL_ID": "", "COGNITO_APP_CLIENT_ID": "", "COGNITO_APP_CLIENT_SECRET": ""}
    with override_settings(AWS_ENDPOINT_URL=moto_server, **blank_cognito):
        aws.reset()
        report = provision()
        with override_settings(
            COGNITO_USER_POOL_ID=report.user_pool_id,
            COGNITO_APP_CLIENT_ID=report.app_client_id,
            COGNITO_APP_CLIENT_SECRET=report.app_client_secret,
        ):
            yield report
    aws.reset()


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium was not found at {CHROMIUM}. The browser tests need Debian's chromium package: "
            "run `apt-get install chromium` (as root), or `make test`, which installs it. "
            "Set CHROMIUM_PATH to use a Chromium elsewhere.",
            pytrace=False,
        )
    # Playwright's sync API keeps an asyncio loop running in this thread, and Django
    # then refuses ORM calls here (the test database setup and flush) as unsafe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def console_errors():
    """Console errors and uncaught exceptions from every page the test opened."""
    return []


@pytest.fixture
def new_page(browser, console_errors):
    """Opens a page in a fresh browser context: new_page(viewport=..., java_script_enabled=...)."""
    contexts = []

    def make(**context_options):
        context = browser.new_context(**context_options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
        page.on("pageerror", lambda error: console_errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()
