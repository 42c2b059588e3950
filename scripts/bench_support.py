"""What the benchmarks share. Those that go through the app (scripts/bench_reader.py,
scripts/bench_search.py): Django set up against a moto server in another process, as
`make run` has it, so every AWS request crosses HTTP as it would to AWS and this
process's memory holds only the app's own work; and a signed-in test client. Every
benchmark that times transcripts: `--file`/`--folder` (an operator's own transcripts
instead of the generated ones); every benchmark: the load average beside its medians.

A benchmark puts the project and this folder on sys.path, then:

    with django_on_moto_server():
        client, sub = signed_in_client()
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

TRANSCRIPT_SUFFIXES = {".vtt", ".srt", ".txt", ".json"}


def add_transcript_inputs(parser):
    """`--file my.vtt` or `--folder my-transcripts/`: time these instead of the generated samples."""
    inputs = parser.add_mutually_exclusive_group()
    inputs.add_argument("--file", type=Path, help="a transcript of yours to time instead of the generated ones")
    inputs.add_argument(
        "--folder", type=Path, help="a folder of your transcripts (.vtt, .srt, .txt, .json) to time, each in turn"
    )


def transcript_inputs(args):
    """[(file name, bytes)] of `--file` or of every transcript in `--folder` (sorted by name);
    [] when neither is given (the benchmark then generates its samples)."""
    if getattr(args, "file", None):
        paths = [args.file]
    elif getattr(args, "folder", None):
        paths = sorted(p for p in args.folder.iterdir() if p.is_file() and p.suffix.lower() in TRANSCRIPT_SUFFIXES)
        if not paths:
            raise SystemExit(f"no transcript (.vtt, .srt, .txt, .json) in {args.folder}")
    else:
        return []
    for path in paths:
        if not path.is_file():
            raise SystemExit(f"no such file: {path}")
    return [(path.name, path.read_bytes()) for path in paths]


def peak_rss():
    """ "peak RSS 182 MiB": this process's most resident memory so far (what Lambda's
    "Max Memory Used" reports for a function's process), for the memory size (issue 17)."""
    import resource

    return f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"


def load_average():
    """ "load average 1.02 0.97 0.88 on 2 CPUs": printed beside the medians, since a busy
    machine slows every figure."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_moto_server():
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
            return server, url
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the moto server did not start")


def set_up_django(endpoint, workdir):
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "campaigns_site.settings",
            "APP_ENV": "local",
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "ORM_CACHE_PATH": str(Path(workdir) / "orm-cache.sqlite3"),
            "DJANGO_DEBUG": "false",
        }
    )
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import setup_test_environment

    from campaigns_site.ormcache import ensure_orm_cache
    from campaigns_site.provision import provision

    setup_test_environment()  # lets the test client's "testserver" host in
    ensure_orm_cache()
    report = provision()
    settings.COGNITO_USER_POOL_ID = report.user_pool_id
    settings.COGNITO_APP_CLIENT_ID = report.app_client_id
    settings.COGNITO_APP_CLIENT_SECRET = report.app_client_secret


@contextmanager
def django_on_moto_server():
    """Django set up against a fresh moto server (the table, bucket and user pool
    provisioned), for the duration of the block; the server is stopped after it."""
    server, endpoint = start_moto_server()
    try:
        with tempfile.TemporaryDirectory() as workdir:
            set_up_django(endpoint, workdir)
            yield
    finally:
        server.terminate()
        server.wait()


def signed_in_client():
    """(a Django test client signed in through the login form, the new user's sub)."""
    from django.test import Client

    from accounts import cognito, services

    email, password = "bench@example.com", "correct horse 42"
    sub = services.sign_up(email=email, password=password, display_name="Bench")
    cognito.confirm_sign_up(email=email, code="123456")
    client = Client()
    response = client.post("/accounts/login/", {"login": email, "password": password})
    assert response.status_code == 302, "log in failed"
    return client, sub
