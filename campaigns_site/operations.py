"""What every management command of the project shares: finding the local run's AWS, and
saying in one line what is wrong with AWS access instead of a traceback.

While `manage.py runlocal` serves its embedded moto it writes LOCAL_AWS_FILE (the
endpoint, the user pool and app client ids) and removes it on exit. An operations command
run in another terminal with APP_ENV=local and no AWS_ENDPOINT_URL reads it and points
its settings there, with moto's dummy credentials, so `manage.py sweep_orphans` works
against the local run with nothing set. Anything AWS refuses or cannot be reached becomes
a CommandError: Django prints it as one line and exits with status 1.
"""

import json
import os
import socket
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from campaigns_site import aws

LOCAL_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}
# Variables that would make botocore sign for another account than the local moto's.
_FOREIGN_CREDENTIALS = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")
NOT_RUNNING = "The local AWS is not running: start it with `make run`, or set AWS_ENDPOINT_URL / AWS credentials."
NO_CREDENTIALS = (
    "No AWS credentials found: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), "
    "or AWS_ENDPOINT_URL for an emulator."
)


def local_aws_file():
    """Where the running local run describes its AWS (gitignored, like all of .local/)."""
    return Path(settings.BASE_DIR) / ".local" / "local-aws.json"


# --- the run command's side -----------------------------------------------------------------
def announce_local_aws(*, endpoint_url, user_pool_id, app_client_id, path=None):
    """Tell other commands where the running local AWS is (runlocal, once it is provisioned)."""
    path = Path(path or local_aws_file())
    path.parent.mkdir(parents=True, exist_ok=True)
    description = {
        "endpoint_url": endpoint_url,
        "user_pool_id": user_pool_id,
        "app_client_id": app_client_id,
        "pid": os.getpid(),
    }
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(description))
    os.replace(partial, path)


def withdraw_local_aws(*, path=None):
    """Remove the description, if it is still this process's (runlocal, on exit)."""
    path = Path(path or local_aws_file())
    if (_read(path) or {}).get("pid") == os.getpid():
        path.unlink(missing_ok=True)


# --- the commands' side ---------------------------------------------------------------------
def use_running_local_aws(*, path=None):
    """With APP_ENV=local and no AWS_ENDPOINT_URL, point the settings and clients at the
    running local run's AWS, if one answers. Returns its endpoint, or None (nothing changed)."""
    if settings.PRODUCTION or settings.AWS_ENDPOINT_URL:
        return None
    described = _read(Path(path or local_aws_file()))
    if not described or not _answers(described.get("endpoint_url", "")):
        return None  # never started, or stopped without cleaning up (killed): not running
    for name in _FOREIGN_CREDENTIALS:
        os.environ.pop(name, None)
    os.environ.update(LOCAL_CREDENTIALS)
    settings.AWS_ENDPOINT_URL = described["endpoint_url"]
    settings.COGNITO_USER_POOL_ID = settings.COGNITO_USER_POOL_ID or described.get("user_pool_id", "")
    settings.COGNITO_APP_CLIENT_ID = settings.COGNITO_APP_CLIENT_ID or described.get("app_client_id", "")
    aws.reset()
    return described["endpoint_url"]


@contextmanager
def aws_errors_as_command_errors():
    """AWS access failures, as one line each (CommandError) instead of a traceback."""
    try:
        yield
    except CommandError:
        raise
    except Exception as error:
        message = describe_aws_error(error)
        if message is None:
            raise
        raise CommandError(message) from None


def describe_aws_error(error):
    """One line saying what is wrong with AWS access, or None when `error` is not about it.
    PynamoDB wraps botocore's errors: the cause is looked for down the chain."""
    from botocore.exceptions import (
        ClientError,
        ConnectTimeoutError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        ParamValidationError,
        PartialCredentialsError,
        ReadTimeoutError,
    )

    for cause in _chain(error):
        if isinstance(cause, (NoCredentialsError, PartialCredentialsError)):
            local = not settings.PRODUCTION and not settings.AWS_ENDPOINT_URL
            return NOT_RUNNING if local else NO_CREDENTIALS
        if isinstance(cause, (EndpointConnectionError, ConnectTimeoutError)):
            endpoint = settings.AWS_ENDPOINT_URL or f"AWS in {settings.AWS_REGION}"
            return f"Cannot reach {endpoint}: {cause}. Is it running, and is AWS_ENDPOINT_URL right?"
        if isinstance(cause, ReadTimeoutError):
            return f"AWS did not answer in time: {cause}. Try again."
        if isinstance(cause, ParamValidationError):  # a setting the request needs is empty
            return "AWS request not sent: " + " ".join(str(cause).split())
        if isinstance(cause, NoRegionError):
            return "No AWS region: set AWS_REGION."
        if isinstance(cause, ClientError):
            details = cause.response.get("Error", {})
            operation = getattr(cause, "operation_name", "a request")
            return f"AWS refused {operation}: {details.get('Code', 'error')}: {details.get('Message', '')}".rstrip(
                ": "
            ) + _hint(details.get("Code", ""))
    return None


class OperationsCommand(BaseCommand):
    """The base of every command that talks to AWS: finds the local run's AWS by itself and
    reports AWS failures in one line."""

    def execute(self, *args, **options):
        use_running_local_aws()
        with aws_errors_as_command_errors():
            return super().execute(*args, **options)


def checked_sub(sub):
    """A --sub option as given (None stays None), or a CommandError if it cannot be a
    Cognito sub (it would not make a key)."""
    from campaigns_site.table_keys import InvalidKeyPart, user_pk

    if sub is not None:
        try:
            user_pk(sub)
        except InvalidKeyPart:
            raise CommandError(f"Not a Cognito sub: {sub!r}.") from None
    return sub


def _hint(code):
    if code in (
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
    ):
        return " (the credentials are not valid here: check AWS_PROFILE, or start the local run with `make run`)"
    if code in ("AccessDenied", "AccessDeniedException"):
        return " (run operations commands with operator credentials)"
    if code in ("ResourceNotFoundException", "NoSuchBucket"):
        return " (is it provisioned? `manage.py provision`; are DYNAMODB_TABLE and TRANSCRIPT_BUCKET right?)"
    return ""


def _chain(error):
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = getattr(error, "cause", None) or error.__cause__ or error.__context__


def _read(path):
    try:
        described = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return described if isinstance(described, dict) else None


def _answers(endpoint_url, timeout=0.5):
    parts = urlsplit(endpoint_url)
    if not parts.hostname or not parts.port:
        return False
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=timeout):
            return True
    except OSError:
        return False
