"""Cold start of the Lambda package: the full app against a bare Django project.

    .venv/bin/python scripts/bench_coldstart.py [--rounds 7] [--reuse]

Builds both packages with scripts/build-lambda (--reuse takes the zips already in
build/), unpacks each into a temporary "/var/task", then times fresh `python3.13`
processes from their start to the first response of Zappa's handler to an API Gateway
(REST) GET of `/`, alternating the two apps. Prints medians and their ratio.

The full app runs in production mode, configured as on Lambda, with AWS pointed at a
local moto server that holds a provisioned table, bucket and user pool: it is fully
able to call AWS, and the moto recorder counts any call it makes. It also reports any
byte-code the processes wrote, which would mean the package's .pyc files were stale.
"""

import argparse
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RECORDING = Path(tempfile.mkdtemp(prefix="bench-moto-")) / "recording.jsonl"
os.environ["MOTO_RECORDER_FILEPATH"] = str(RECORDING)  # read when moto is imported

APP_ZIP = ROOT / "build" / "campaign-sessions-production.zip"
BARE_ZIP = ROOT / "build" / "bare-django-bench.zip"
HOST = "campaign-sessions.example"

# The child: what Lambda's Python runtime does on a cold start, reduced to its core.
CHILD = """
import json, sys
sys.path.insert(0, sys.argv[1])
from handler import lambda_handler
response = lambda_handler(json.loads(sys.argv[2]), None)
print("RESPONSE", json.dumps({"status": response["statusCode"], "length": len(response.get("body") or ""),
                  "headers": response.get("multiValueHeaders", {})}), flush=True)
"""


def api_gateway_get(path):
    headers = {
        "Host": HOST,
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Port": "443",
        "X-Forwarded-For": "203.0.113.7",
        "Accept": "text/html",
        "User-Agent": "bench",
    }
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": "GET",
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "body": None,
        "isBase64Encoded": False,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": "GET",
            "path": f"/production{path}",
            "stage": "production",
            "requestId": "bench",
            "identity": {"sourceIp": "203.0.113.7"},
        },
    }


def build(reuse):
    if reuse and APP_ZIP.exists() and BARE_ZIP.exists():
        return
    subprocess.run([ROOT / "scripts" / "build-lambda", "production"], check=True)
    # The bare project is packaged with the app's own stage settings (same venv, same
    # exclusions, same handler), only its app_function differs.
    bare = ROOT / "build" / "bench" / "bare-django"
    shutil.rmtree(bare, ignore_errors=True)
    shutil.copytree(ROOT / "scripts" / "bench" / "bare", bare)
    stages = json.loads((ROOT / "zappa_settings.json").read_text())
    stage = {
        **stages["dev"],
        **stages["production"],
        "project_name": "bare-django",
        "app_function": "bare_site.wsgi.application",
        "environment_variables": {},
    }
    stage.pop("extends")
    (bare / "zappa_settings.json").write_text(json.dumps({"bench": stage}, indent=4))
    subprocess.run([ROOT / "scripts" / "build-lambda", "--project", bare, "--output", BARE_ZIP, "bench"], check=True)


def start_local_aws():
    """A moto server with the deployment's resources, as `manage.py provision` makes them."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    os.environ.update(
        {
            "APP_ENV": "local",
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "DYNAMODB_TABLE": "campaign-sessions-bench",
            "TRANSCRIPT_BUCKET": "campaign-sessions-bench",
            "COGNITO_USER_POOL_NAME": "campaign-sessions-bench",
            "DJANGO_SETTINGS_MODULE": "campaigns_site.settings",
        }
    )
    import django

    django.setup()
    from campaigns_site.provision import provision

    report = provision()
    return server, endpoint, report


def unpack(zip_path, into):
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(into)
    return {str(p) for p in Path(into).rglob("*.pyc")}


def cold_start(python, task_root, env):
    """Seconds from process start to the handler's first response, and that response."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [python, "-I", "-c", CHILD, task_root, json.dumps(api_gateway_get("/"))],
        cwd=task_root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in child.stdout:  # Zappa's handler prints a line of its own first
        if line.startswith("RESPONSE "):
            break
    elapsed = time.perf_counter() - started
    _, errors = child.communicate()
    if not line.startswith("RESPONSE "):
        raise SystemExit(f"no response from {task_root}:\n{errors}")
    return elapsed, json.loads(line.removeprefix("RESPONSE "))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="use the zips already in build/")
    args = parser.parse_args()

    build(args.reuse)
    python = subprocess.run(
        [ROOT / "scripts" / "find-python"], capture_output=True, text=True, check=True
    ).stdout.strip()
    server, endpoint, report = start_local_aws()
    work = Path(tempfile.mkdtemp(prefix="bench-coldstart-"))
    try:
        app_root, bare_root = work / "app" / "var-task", work / "bare" / "var-task"
        shipped = unpack(APP_ZIP, app_root) | unpack(BARE_ZIP, bare_root)
        base_env = {
            "PATH": os.environ["PATH"],
            "LANG": "C.UTF-8",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_ALLOWED_HOSTS": HOST,
        }
        app_env = {
            **base_env,
            "AWS_ENDPOINT_URL": endpoint,
            "DYNAMODB_TABLE": "campaign-sessions-bench",
            "TRANSCRIPT_BUCKET": "campaign-sessions-bench",
            "COGNITO_USER_POOL_ID": report.user_pool_id,
            "COGNITO_APP_CLIENT_ID": report.app_client_id,
            "COGNITO_APP_CLIENT_SECRET": report.app_client_secret,
        }

        import requests

        requests.post(f"{endpoint}/moto-api/recorder/reset-recording", timeout=5)
        requests.post(f"{endpoint}/moto-api/recorder/start-recording", timeout=5)
        times = {"app": [], "bare": []}
        for round_number in range(args.rounds):
            # A new ORM-cache path each round, as in a new container's empty /tmp.
            env = {**app_env, "ORM_CACHE_PATH": str(work / f"orm-{round_number}.sqlite3")}
            runs = [("app", app_root, env), ("bare", bare_root, base_env)]
            for name, task_root, run_env in runs if round_number % 2 else reversed(runs):
                elapsed, response = cold_start(python, str(task_root), run_env)
                if response["status"] != 200:
                    raise SystemExit(f"{name}: GET / answered {response['status']}")
                times[name].append(elapsed)
        requests.post(f"{endpoint}/moto-api/recorder/stop-recording", timeout=5)
        aws_calls = len(RECORDING.read_text().splitlines()) if RECORDING.exists() else 0
        written = {str(p) for p in work.rglob("*.pyc")} - shipped
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)

    app, bare = statistics.median(times["app"]), statistics.median(times["bare"])
    print(
        f"rounds: {args.rounds}, interpreter: {python}, load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print(
        f"package sizes: app {APP_ZIP.stat().st_size / 2**20:.1f} MiB,"
        f" bare {BARE_ZIP.stat().st_size / 2**20:.1f} MiB zipped"
    )
    for name in ("app", "bare"):
        print(f"{name:>5}: " + " ".join(f"{t * 1000:.0f}" for t in times[name]) + " ms")
    print(
        f"median full app {app * 1000:.0f} ms, bare Django {bare * 1000:.0f} ms, ratio {app / bare:.2f}"
        f" (targets: <= 500 ms, <= 1.30)"
    )
    print(
        f"best of each: full app {min(times['app']) * 1000:.0f} ms, bare Django {min(times['bare']) * 1000:.0f} ms,"
        f" ratio {min(times['app']) / min(times['bare']):.2f}"
    )
    print(f"AWS calls made by the full app's first responses: {aws_calls}")
    print(f"byte-code files written at start-up (recompiled): {len(written)}")


if __name__ == "__main__":
    main()
