"""Where a cold start's CPU goes, phase by phase (`bench_coldstart.py --phases`).

Each child is a cold start as in bench_coldstart.py, with timers (time.process_time)
wrapped around Django's own functions (setup, middleware loading, URL resolving and
reversing, the session check, templates) and the cyclic garbage collector's runs counted
and timed through gc.callbacks. Wrapped functions nest (a view's import may include a
reverse), so the phases do not add up to the request. The floors get the same
timers; theirs that never run read 0. CPU time rather than wall time: a busy machine
moves it less, and cProfile (`--profile`) inflates small Python calls several times.
"""

import json
import statistics
import subprocess

CHILD = r"""
import gc, importlib, json, sys, time
clock = time.process_time
started = clock()
spent = {}
collector = {"runs": 0, "gen1 runs": 0, "gc": 0.0}


def count_collections(phase, info, began=[0.0]):
    if phase == "start":
        began[0] = clock()
    else:
        collector["gc"] += clock() - began[0]
        collector["runs"] += 1
        collector["gen1 runs"] += info["generation"] == 1


gc.callbacks.append(count_collections)


def timed(module, owner, attribute, label):
    target = importlib.import_module(module)
    target = getattr(target, owner) if owner else target
    real = getattr(target, attribute)

    def timer(*args, **kwargs):
        began = clock()
        try:
            return real(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + clock() - began

    setattr(target, attribute, timer)


sys.path.insert(0, sys.argv[1])
import handler

loaded = clock()
for phase in json.loads(sys.argv[3]):
    timed(*phase)
response = handler.lambda_handler(json.loads(sys.argv[2]), None)
done = clock()
print("PHASES", json.dumps({"status": response["statusCode"], "interpreter start": started,
    "handler import (Zappa, boto3, werkzeug)": loaded - started, "first request (app start included)": done - loaded,
    **spent, "garbage collector": collector["gc"], "collector runs": collector["runs"],
    "of them generation 1": collector["gen1 runs"]}), flush=True)
"""

# (module, class or None, function, label): Django's own functions, present in both apps.
PHASES = [
    ("handler", "LambdaHandler", "__init__", "app start (Django setup, WSGI app)"),
    ("django.apps.registry", "Apps", "populate", "  apps and models"),
    ("django.core.handlers.base", "BaseHandler", "load_middleware", "  middleware"),
    ("django.core.handlers.base", "BaseHandler", "get_response", "request through the middleware"),
    ("django.urls.resolvers", "URLResolver", "resolve", "  URL resolving (the URLconf's import included)"),
    ("django.contrib.auth", None, "get_user", "  session check and user (request.user)"),
    ("importlib", None, "import_module", "  modules imported by name (views, middleware, apps)"),
    ("django.urls.resolvers", "URLResolver", "_populate", "  every route compiled (first reverse)"),
    ("django.template.loaders.cached", "Loader", "get_template", "  templates found and compiled"),
    ("django.template.loader", None, "render_to_string", "  templates rendered (compile included)"),
]
COUNTS = ("collector runs", "of them generation 1")


def report_phases(run_child, pages, rounds):
    """run_child(page, round_number, child_code, argument) -> the child's stdout; prints
    each page's median per phase (CPU ms) beside its floor's."""
    found = {page: [] for page in pages}
    for round_number in range(rounds):
        for page in pages:
            output = run_child(page, round_number, CHILD, json.dumps(PHASES))
            line = next((line for line in output.splitlines() if line.startswith("PHASES ")), None)
            if line is None:
                raise SystemExit(f"{page}: no phases in the child's output:\n{output}")
            found[page].append(json.loads(line.removeprefix("PHASES ")))
    first = [label for label in found[pages[0]][0] if label != "status"][:3]  # start, handler, request
    labels = [*first, *(phase[3] for phase in PHASES), "garbage collector", *COUNTS]
    print(f"CPU ms per phase, medians of {rounds} (counts for the collector's runs):")
    print(f"{'':<52}" + "".join(f"{page:>14}" for page in pages))
    for label in labels:
        medians = [statistics.median(run.get(label, 0) for run in found[page]) for page in pages]
        cells = [f"{m:>14.0f}" if label in COUNTS else f"{m * 1000:>14.1f}" for m in medians]
        print(f"{label:<52}" + "".join(cells))


def child_output(python, root, env, event, child_code, argument):
    result = subprocess.run(
        [python, "-I", "-c", child_code, str(root), json.dumps(event), argument],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.stdout + result.stderr
