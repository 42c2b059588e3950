"""The shape issue 12 gave the code, kept by tests: small modules and functions, no
helper copied between modules, no import cycle between modules (docs/architecture.md).
import-linter (make lint) keeps the layers; these are the rules it has no contract for.
"""

import ast
import hashlib
from collections import defaultdict
from pathlib import Path

import grimp

PROJECT_DIR = Path(__file__).resolve().parent.parent
APP_PACKAGES = ("accounts", "campaigns", "campaigns_site", "sessions", "devtools", "exports")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def app_modules():
    for package in APP_PACKAGES:
        for path in sorted((PROJECT_DIR / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def functions(tree):
    return [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]


def test_no_app_module_is_over_400_lines():
    long = {
        str(path.relative_to(PROJECT_DIR)): lines
        for path in app_modules()
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_app_function_is_over_60_lines():
    long = {}
    for path in app_modules():
        for node in functions(ast.parse(path.read_text())):
            if (lines := node.end_lineno - node.lineno + 1) > MAX_FUNCTION_LINES:
                long[f"{path.relative_to(PROJECT_DIR)}:{node.lineno} {node.name}"] = lines
    assert long == {}


def _body(node):
    return ast.Module(body=node.body[1:] if ast.get_docstring(node) else node.body, type_ignores=[])


def _body_fingerprint(node):
    """A function's body, without its name, docstring or positions: the same fingerprint
    in two modules means one helper was copied."""
    dumped = ast.dump(_body(node), annotate_fields=False)
    return hashlib.sha256((ast.dump(node.args) + dumped).encode()).hexdigest()


def test_no_helper_is_copied_between_modules():
    seen = defaultdict(set)
    for path in app_modules():
        for node in functions(ast.parse(path.read_text())):
            if len(ast.unparse(_body(node)).splitlines()) >= 3:  # short ones (properties, returns) may rhyme
                seen[_body_fingerprint(node)].add(f"{path.relative_to(PROJECT_DIR)}:{node.name}")
    copies = sorted(sorted(places) for places in seen.values() if len({p.split(":")[0] for p in places}) > 1)
    assert copies == []


def _strongly_connected(graph, modules):
    """Tarjan's algorithm over the module import graph: the groups that import each other."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in modules:
                continue
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == module:
                    break
            groups.append(group)

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return groups


def test_no_import_cycle_between_modules():
    packages = [package for package in APP_PACKAGES if (PROJECT_DIR / package).is_dir()]
    graph = grimp.build_graph(*packages, cache_dir=None)
    cycles = [sorted(group) for group in _strongly_connected(graph, graph.modules) if len(group) > 1]
    assert cycles == []
