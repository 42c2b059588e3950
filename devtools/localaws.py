"""The embedded local AWS: moto's server inside `manage.py runlocal`, its state kept on disk.

The server runs in the run command's first process, which Django's autoreloader never
restarts, so a code edit loses nothing. Between runs the state of the services we use is
kept in one snapshot file: saved shortly after every change and on exit, restored on start.

Why a snapshot and not moto's recorder (which replays the recorded requests): with moto
5.2.5 a replay gave every Cognito user a new random `sub`, orphaning all of the user's
items, and a replayed ChangePassword was refused because the access token it carried was
minted at a different time than the replayed login's, so the new password was lost. A
snapshot of moto's own objects brings everything back as it was: ids, passwords, groups,
tokens, items and object bodies. It is a pickle: readable by the moto version that wrote
it; after a moto upgrade that changed its classes, start over with `--reset`.
"""

import io
import os
import pickle
import re
import socket
import threading
from pathlib import Path

import moto
from joserfc import jwk  # comes with moto, like everything here: a local-run-only module
from moto.backends import get_backend
from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from devtools.moto_fixes import fix_moto

SERVICES = ("dynamodb", "s3", "cognito-idp")
DEFAULT_PORT = 5100
# Changes that arrive together (a page that writes several items) are saved together.
SAVE_DELAY_SECONDS = 0.3

# Same pool and client ids after a reset too, so a printed COGNITO_USER_POOL_ID stays right.
MOTO_SETTINGS = {
    "MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY": "HASH",
    "MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY": "HASH",
}

# DynamoDB and Cognito requests are all POSTs; the operation in X-Amz-Target tells reads apart.
_READ_ONLY_OPERATION = re.compile(r"\.(Get|Describe|List|Query|Scan|BatchGet)")


class LocalAwsError(Exception):
    """The local AWS cannot start; the message says what to do."""


def aws_mode(*, environ, use_real_aws=False):
    """What the run command must set up in this process.

    "child": Django's autoreloader child; the first process set everything up already.
    "real": the configured AWS account, as asked for explicitly; nothing is created.
    "external": an emulator someone runs (AWS_ENDPOINT_URL); provisioned, not started.
    "embedded": start moto here.
    """
    if environ.get("RUN_MAIN") == "true":
        return "child"
    if use_real_aws:
        return "real"
    if environ.get("AWS_ENDPOINT_URL"):
        return "external"
    return "embedded"


def changes_state(environ):
    """Whether a request to moto may have changed what the snapshot holds."""
    if environ.get("REQUEST_METHOD") in ("GET", "HEAD", "OPTIONS"):
        return False
    if environ.get("PATH_INFO", "").startswith("/moto-api/"):
        return False
    return not _READ_ONLY_OPERATION.search(environ.get("HTTP_X_AMZ_TARGET", ""))


class LocalAws:
    """moto's server on host:port (0: any free port), restored from and saved to state_path."""

    def __init__(self, *, state_path, host="127.0.0.1", port=DEFAULT_PORT):
        self.state_path = Path(state_path)
        self.host = host
        self.port = port
        # One request at a time, and none while a snapshot is taken: moto's objects are
        # then never pickled half-changed. Locally, moto answers in milliseconds.
        self._lock = threading.Lock()
        self._changed = threading.Event()
        self._stopping = threading.Event()
        self._server = None
        self._threads = []

    @property
    def endpoint_url(self):
        return f"http://{self.host}:{self.port}"

    def start(self):
        """Restore the saved state, if any, and serve. Returns "restored" or "empty"."""
        try:
            # Bound here, not by werkzeug, which prints and exits on a busy port.
            listening = socket.create_server((self.host, self.port))
        except OSError as error:
            raise LocalAwsError(
                f"Cannot start the local AWS on {self.host}:{self.port}: {error.strerror}. "
                "Is another `manage.py runlocal` running? Stop it, or pick another port with --aws-port."
            ) from None
        with listening:
            os.environ.update(MOTO_SETTINGS)
            fix_moto()
            restored = self._restore()  # before the first request is served
            self._server = make_server(
                self.host,
                self.port,
                self._one_at_a_time(DomainDispatcherApplication(create_backend_app)),
                threaded=True,
                request_handler=MotoRequestHandler,
                fd=listening.fileno(),
            )
        self.port = self._server.port  # the real one when 0 asked for any free port
        self._stopping.clear()
        self._threads = [
            # A short poll keeps stop() quick; the default waits half a second.
            threading.Thread(target=self._server.serve_forever, args=(0.05,), name="local-aws", daemon=True),
            threading.Thread(target=self._save_after_changes, name="local-aws-saver", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        return "restored" if restored else "empty"

    def stop(self):
        """Stop serving and save: nothing that happened is lost."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._stopping.set()
        self._changed.set()
        for thread in self._threads:
            thread.join()
        self._server = None
        self.save()

    def save(self):
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.state_path.with_name(self.state_path.name + ".partial")
        with self._lock:
            buffer = io.BytesIO()
            pickler = _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
            pickler.dump(_moto_version())  # first and alone, so it can be read when the rest cannot
            pickler.dump(_backends())
            # Only for this user: moto keeps the local users' passwords as they were typed.
            with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as file:
                file.write(buffer.getvalue())
            # A crash mid-write leaves the previous snapshot whole.
            os.replace(partial, self.state_path)

    def _restore(self):
        if not self.state_path.exists():
            return False
        with self.state_path.open("rb") as file:
            unpickler = _Unpickler(file)
            written_by = "an unknown version"
            try:
                header = unpickler.load()
                if not isinstance(header, str):
                    raise pickle.UnpicklingError("not a local AWS snapshot")
                written_by = header
                backends = unpickler.load()
            except Exception as error:
                raise LocalAwsError(
                    f"Cannot read the saved local data in {self.state_path} ({type(error).__name__}: {error}). "
                    f"It was written by moto {written_by}; this is moto {_moto_version()}. "
                    "Move the file away to keep it, or start over with `make reset-local`."
                ) from None
        for service, saved in backends.items():
            backend_dict = get_backend(service)
            for account_id, region, backend in saved:
                backend_dict[account_id][region] = backend
        return True

    def _one_at_a_time(self, app):
        def wsgi(environ, start_response):
            with self._lock:
                response = app(environ, start_response)
            if changes_state(environ):
                self._changed.set()
            return response

        return wsgi

    def _save_after_changes(self):
        while True:
            self._changed.wait()
            if self._stopping.wait(SAVE_DELAY_SECONDS):
                return  # stop() saves one last time
            self._changed.clear()
            self.save()


def _moto_version():
    return moto.__version__


def _backends():
    return {service: list(get_backend(service).iter_backends()) for service in SERVICES}


class _Pickler(pickle.Pickler):
    # Cognito pools hold their signing key as a joserfc key, which cannot be pickled:
    # it is saved as its JWK and imported again.
    def persistent_id(self, obj):
        if isinstance(obj, jwk.RSAKey):
            return ("rsa-jwk", obj.as_dict(private=True))
        return None


class _Unpickler(pickle.Unpickler):
    def persistent_load(self, pid):
        kind, data = pid
        if kind != "rsa-jwk":
            raise pickle.UnpicklingError(f"unknown persistent object {kind!r}")
        return jwk.RSAKey.import_key(data)
