"""Transcript benchmark: parse + store, then the first reader page, for 1-, 4- and 8-hour files.

    .venv/bin/python scripts/bench_reader.py [--rounds 7] [--hours 1 4 8] [--format vtt]

S3, DynamoDB and Cognito are a moto server in another process (as `make run` has them),
so every request crosses HTTP as it would to AWS, and this process's memory holds only
the app's own work. For each length, each round makes a new session and measures:
- store: `sessions.transcripts.store_transcript`, the upload's server side (put the
  original, check and parse it, put the normalized segments, record the item), wall time;
- first page (cold): GET of the reader's first page through Django's test client, signed
  in, with the process's transcript cache empty (so S3 is read), wall time of the whole
  request (authentication included);
- first page (warm): the same page again, the normalized transcript in the cache.
Medians are printed. One more round runs `store` under tracemalloc: its peak (the
upload's bytes are held before the step starts, so the budget "≤ 5× the file's size"
compares size + peak with size). The issue's target: the first page of a four-hour
transcript in ≤ 150 ms server time.
"""

import argparse
import gc
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


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


def signed_in_client():
    from django.test import Client

    from accounts import cognito, services

    email, password = "bench@example.com", "correct horse 42"
    sub = services.sign_up(email=email, password=password, display_name="Bench")
    cognito.confirm_sign_up(email=email, code="123456")
    client = Client()
    response = client.post("/accounts/login/", {"login": email, "password": password})
    assert response.status_code == 302, "log in failed"
    return client, sub


def timed(step):
    gc.collect()
    started = time.perf_counter()
    result = step()
    return time.perf_counter() - started, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--hours", type=float, nargs="+", default=[1, 4, 8])
    parser.add_argument("--format", default="vtt", choices=["vtt", "srt", "text", "whisper_json"])
    args = parser.parse_args()

    server, endpoint = start_moto_server()
    try:
        with tempfile.TemporaryDirectory() as workdir:
            set_up_django(endpoint, workdir)
            run(args)
    finally:
        server.terminate()
        server.wait()


def run(args):
    from campaigns.repository import create_campaign
    from sessions import transcripts
    from sessions.repository import create_session
    from tests.transcript_samples import sample_bytes

    client, sub = signed_in_client()
    campaign = create_campaign(sub=sub, name="Benchmark")

    def new_session():
        return create_session(sub=sub, campaign_id=campaign.campaign_id, title="Session")

    def store(session, data):
        return transcripts.store_transcript(
            sub=sub, campaign_id=campaign.campaign_id, session_id=session.session_id, data=data,
            filename=f"session.{args.format}",
        )

    def first_page(session):
        response = client.get(f"/campaigns/{campaign.campaign_id}/sessions/{session.session_id}/transcript/")
        assert response.status_code == 200, response.status_code
        return response

    print(f"Python {sys.version.split()[0]}, format {args.format}, {args.rounds} rounds, medians; "
          "AWS is a moto server in another process")
    header = (f"{'hours':>5} {'size KB':>8} {'segments':>8} {'store ms':>9} {'page cold ms':>12} "
              f"{'page warm ms':>12} {'store peak KB':>13} {'(size+peak)/size':>16}")
    print(header)
    print("-" * len(header))
    for hours in args.hours:
        data = sample_bytes(args.format, hours=hours)
        store_times, cold_times, warm_times = [], [], []
        segments = 0
        for _ in range(args.rounds):
            session = new_session()
            seconds, attached = timed(lambda: store(session, data))
            store_times.append(seconds)
            segments = attached.session.transcript_segment_count
            transcripts.clear_cache()
            cold_times.append(timed(lambda: first_page(session))[0])
            warm_times.append(timed(lambda: first_page(session))[0])

        session = new_session()
        gc.collect()
        tracemalloc.start()
        try:
            store(session, data)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        size = len(data)
        print(
            f"{hours:>5g} {size / 1024:>8.0f} {segments:>8} {statistics.median(store_times) * 1000:>9.1f} "
            f"{statistics.median(cold_times) * 1000:>12.1f} {statistics.median(warm_times) * 1000:>12.1f} "
            f"{peak / 1024:>13.0f} {(size + peak) / size:>16.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
