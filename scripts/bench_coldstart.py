"""Cold start of the Lambda package: the full app against a bare Django project.

    .venv/bin/python scripts/bench_coldstart.py [--rounds 7] [--reuse] [--profile PAGE | --importtime PAGE | --phases]

Builds both packages with scripts/build-lambda (--reuse takes the zips already in
build/), unpacks each into a temporary "/var/task", then times fresh `python3.13`
processes from their start to the first response of Zappa's handler to an API Gateway
(REST) GET, alternating the apps. Each page is measured against its floor:
- the anonymous home page `/` against the bare project's `/` (one HTML page);
- the first signed-in pages of a new container, the campaign list and a session page
  (the visitor's session cookie sent), against the bare project's `/item/`, whose view
  makes one boto3 DynamoDB GetItem: the least a signed-in page can do on a cold start
  (read who the visitor is) through the same handler.
Prints each page's medians, its ratio to its floor, and the targets (≤ 1.30× the floor,
≤ 400 ms). `--profile PAGE` (home, campaigns, session) prints instead where one cold
start of that page spends its time (cProfile of the child, the costliest 60 by
cumulative time); `--phases` prints each page's CPU per phase beside its floor's, and the
garbage collector's runs (scripts/bench_coldstart_phases.py).

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
PROFILE_FILE = Path(tempfile.gettempdir(), "bench-coldstart.prof")

# The child: what Lambda's Python runtime does on a cold start, reduced to its core.
# With a third argument it profiles itself (cProfile, from before the handler's import).
CHILD = """
import json, sys
if len(sys.argv) > 3:
    import cProfile, pstats
    profile = cProfile.Profile()
    profile.enable()
sys.path.insert(0, sys.argv[1])
from handler import lambda_handler
response = lambda_handler(json.loads(sys.argv[2]), None)
if len(sys.argv) > 3:
    profile.disable()
    profile.dump_stats(sys.argv[4])  # for pstats' callers and callees, or snakeviz
    pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(int(sys.argv[3]))
import time  # the process's CPU time (user + system) from its start to the response:
cpu = time.process_time()  # other work on the machine barely moves it, unlike the wall time
print("RESPONSE", json.dumps({"status": response["statusCode"], "length": len(response.get("body") or ""), "cpu": cpu,
                  "headers": response.get("multiValueHeaders", {})}), flush=True)
"""


def api_gateway_get(path, cookie=None):
    headers = {
        "Host": HOST,
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Port": "443",
        "X-Forwarded-For": "203.0.113.7",
        "Accept": "text/html",
        "User-Agent": "bench",
    }
    if cookie:
        headers["Cookie"] = cookie
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


def start_local_aws(workdir):
    """A moto server with the deployment's resources, as `manage.py provision` makes them,
    and this process's Django set up against it (to sign a user in and write their data)."""
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
            "ORM_CACHE_PATH": str(workdir / "parent-orm.sqlite3"),
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),  # the children's too: see main()
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
    return server, endpoint, report


def signed_in_pages():
    """A signed-in user with a campaign and a session (notes, a summary): (their session
    cookie, {page: path}, the web session item's key), for the children to request."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from bench_support import signed_in_client
    from django.conf import settings

    from campaigns.repository import create_campaign
    from campaigns_site.table_keys import WEB_SESSION_SK, web_session_pk
    from sessions.core.repository import create_session

    client, sub = signed_in_client()
    campaign = create_campaign(sub=sub, name="The Raven Crown")
    for number in range(1, 4):
        session = create_session(
            sub=sub, campaign_id=campaign.campaign_id, title=f"Session {number}", notes="We met at the inn."
        )
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    pages = {
        "campaigns": "/campaigns/",
        "session": f"/campaigns/{campaign.campaign_id}/sessions/{session.session_id}/",
    }
    return f"{settings.SESSION_COOKIE_NAME}={key}", pages, (web_session_pk(key), WEB_SESSION_SK)


def unpack(zip_path, into):
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(into)
    return {str(p) for p in Path(into).rglob("*.pyc")}


def cold_start(python, task_root, env, event, profile_lines=None, importtime=False):
    """(seconds from process start to the handler's first response, the CPU seconds the
    child used until then, that response)."""
    started = time.perf_counter()
    extra = [str(profile_lines), str(PROFILE_FILE)] if profile_lines else []
    flags = ["-X", "importtime"] if importtime else []
    # stderr to a file: a long report there (-X importtime) must not block the child.
    with tempfile.TemporaryFile("w+") as stderr:
        child = subprocess.Popen(
            [python, "-I", *flags, "-c", CHILD, task_root, json.dumps(event), *extra],
            cwd=task_root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        line = ""
        for line in child.stdout:  # Zappa's handler prints a line of its own first
            if line.startswith("RESPONSE "):
                break
        elapsed = time.perf_counter() - started
        child.communicate()
        stderr.seek(0)
        errors = stderr.read()
    if not line.startswith("RESPONSE "):
        raise SystemExit(f"no response from {task_root}:\n{errors}")
    if profile_lines:
        print(errors)
        print(f"the whole profile: {PROFILE_FILE} (python -m pstats)")
    if importtime:
        Path(tempfile.gettempdir(), "bench-coldstart-importtime.txt").write_text(errors)
        print_import_times(errors)
    response = json.loads(line.removeprefix("RESPONSE "))
    return elapsed, response["cpu"], response


def print_import_times(errors):
    """-X importtime's report summed by top-level package (self times), costliest first."""
    by_package, count = {}, 0
    for line in errors.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, _, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
        package = name.split(".")[0]
        by_package[package] = by_package.get(package, 0) + int(own)
        count += 1
    print(f"{count} modules imported, {sum(by_package.values()) / 1000:.0f} ms in all (self times, by package):")
    for package, micros in sorted(by_package.items(), key=lambda item: -item[1])[:30]:
        print(f"  {package:<28} {micros / 1000:7.1f} ms")


# page: (which app, path's key, the floor it is compared with)
PAGES = {
    "home": ("app", "/", "bare"),
    "campaigns": ("app", "campaigns", "bare GetItem"),
    "session": ("app", "session", "bare GetItem"),
    "bare": ("bare", "/", None),
    "bare GetItem": ("bare", "/item/", None),
}
TARGET_RATIO, TARGET_MS = 1.30, 400


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="use the zips already in build/")
    parser.add_argument("--profile", choices=["home", "campaigns", "session"], help="profile one cold start")
    parser.add_argument(
        "--importtime", choices=list(PAGES), help="one cold start's imports (-X importtime), by package"
    )
    parser.add_argument(
        "--phases", action="store_true", help="CPU per phase of each page's cold start and its floor's (medians)"
    )
    args = parser.parse_args()

    build(args.reuse)
    python = subprocess.run(
        [ROOT / "scripts" / "find-python"], capture_output=True, text=True, check=True
    ).stdout.strip()
    work = Path(tempfile.mkdtemp(prefix="bench-coldstart-"))
    server, endpoint, report = start_local_aws(work)
    try:
        cookie, paths, item_key = signed_in_pages()
        from django.conf import settings

        app_root, bare_root = work / "app" / "var-task", work / "bare" / "var-task"
        shipped = unpack(APP_ZIP, app_root) | unpack(BARE_ZIP, bare_root)
        base_env = {
            "PATH": os.environ["PATH"],
            "LANG": "C.UTF-8",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_ENDPOINT_URL": endpoint,
            "DYNAMODB_TABLE": "campaign-sessions-bench",
            # The parent's key: Django checks a signed-in session's hash of the user with it.
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,
            "DJANGO_ALLOWED_HOSTS": HOST,
        }
        bare_env = {**base_env, "BENCH_ITEM_PK": item_key[0], "BENCH_ITEM_SK": item_key[1]}
        app_env = {
            **base_env,
            "TRANSCRIPT_BUCKET": "campaign-sessions-bench",
            "COGNITO_USER_POOL_ID": report.user_pool_id,
            "COGNITO_APP_CLIENT_ID": report.app_client_id,
            "COGNITO_APP_CLIENT_SECRET": report.app_client_secret,
        }

        def child(page, round_number):
            """(the task root, the environment, the event) of one cold start of `page`."""
            app, path, _ = PAGES[page]
            event = api_gateway_get(paths.get(path, path), cookie if page in paths else None)
            # A new ORM-cache path each run, as in a new container's empty /tmp.
            env = {**app_env, "ORM_CACHE_PATH": str(work / f"orm-{page}-{round_number}.sqlite3")}
            return (app_root, env, event) if app == "app" else (bare_root, bare_env, event)

        def run(page, round_number, profile_lines=None, importtime=False):
            root, run_env, event = child(page, round_number)
            path = event["path"]
            elapsed, cpu, response = cold_start(python, str(root), run_env, event, profile_lines, importtime)
            if response["status"] != 200:
                raise SystemExit(f"{page}: GET {path} answered {response['status']}: {response['headers']}")
            return elapsed, cpu

        if args.phases:
            from bench_coldstart_phases import child_output, report_phases

            report_phases(
                lambda page, n, code, argument: child_output(python, *child(page, n), code, argument),
                list(PAGES),
                args.rounds,
            )
            print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
            return
        if args.profile or args.importtime:
            run(args.profile or args.importtime, 0, profile_lines=args.profile and 60, importtime=bool(args.importtime))
            return
        import requests

        requests.post(f"{endpoint}/moto-api/recorder/reset-recording", timeout=5)
        requests.post(f"{endpoint}/moto-api/recorder/start-recording", timeout=5)
        times, cpu_times = {page: [] for page in PAGES}, {page: [] for page in PAGES}
        for round_number in range(args.rounds):
            order = list(PAGES) if round_number % 2 else list(reversed(PAGES))
            for page in order:
                elapsed, cpu = run(page, round_number)
                times[page].append(elapsed)
                cpu_times[page].append(cpu)
        requests.post(f"{endpoint}/moto-api/recorder/stop-recording", timeout=5)
        aws_calls = len(RECORDING.read_text().splitlines()) if RECORDING.exists() else 0
        written = {str(p) for p in work.rglob("*.pyc")} - shipped
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    report_times(args, python, times, cpu_times, aws_calls, written)


def report_times(args, python, times, cpu_times, aws_calls, written):
    print(
        f"rounds: {args.rounds}, interpreter: {python}, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        f" on {os.cpu_count()} CPUs"
    )
    print(
        f"package sizes: app {APP_ZIP.stat().st_size / 2**20:.1f} MiB,"
        f" bare {BARE_ZIP.stat().st_size / 2**20:.1f} MiB zipped"
    )
    for page in PAGES:
        print(f"{page:>12}: " + " ".join(f"{t * 1000:.0f}" for t in times[page]) + " ms")
    print(f"targets: each page <= {TARGET_RATIO:.2f}x its floor and <= {TARGET_MS} ms (medians)")
    for page, (_, _, floor) in PAGES.items():
        if floor is None:
            continue
        median, floor_median = statistics.median(times[page]), statistics.median(times[floor])
        ratio = median / floor_median
        held = "held" if ratio <= TARGET_RATIO and median * 1000 <= TARGET_MS else "MISSED"
        print(
            f"{page:>12}: median {median * 1000:.0f} ms, {floor} {floor_median * 1000:.0f} ms, ratio {ratio:.2f};"
            f" best {min(times[page]) * 1000:.0f} / {min(times[floor]) * 1000:.0f} ms,"
            f" ratio {min(times[page]) / min(times[floor]):.2f}  {held}"
        )
    print("CPU time of each cold start to its response (user + system: barely moved by a busy machine):")
    for page, (_, _, floor) in PAGES.items():
        line = f"{page:>12}: median {statistics.median(cpu_times[page]) * 1000:.0f} ms"
        if floor is not None:
            ratio = statistics.median(cpu_times[page]) / statistics.median(cpu_times[floor])
            line += f", {floor} {statistics.median(cpu_times[floor]) * 1000:.0f} ms, ratio {ratio:.2f}"
        print(line)
    print("paired ratios (each round's page over its floor in that same round, median: load drift cancels out):")
    for page, (_, _, floor) in PAGES.items():
        if floor is not None:
            wall = statistics.median(t / f for t, f in zip(times[page], times[floor], strict=True))
            cpu = statistics.median(t / f for t, f in zip(cpu_times[page], cpu_times[floor], strict=True))
            print(f"{page:>12}: wall {wall:.2f}, CPU {cpu:.2f} (over {floor})")
    print(f"AWS calls made by all the first responses (the floors' GetItems included): {aws_calls}")
    print(f"byte-code files written at start-up (recompiled): {len(written)}")


if __name__ == "__main__":
    main()
