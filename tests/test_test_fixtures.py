"""The tests keep their shared fixtures in one place: a fixture is defined once (shared ones in
a conftest.py, as factories where tests need several objects), and no test module imports
from another; helpers several modules use live in tests' helper modules (web_clients,
uploads, account_data, ...), never in a test module or in the app."""

import ast
from collections import defaultdict
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def python_files():
    return sorted(TESTS.rglob("*.py"))


def is_fixture(decorator):
    if isinstance(decorator, ast.Call):
        decorator = decorator.func
    return (isinstance(decorator, ast.Attribute) and decorator.attr == "fixture") or (
        isinstance(decorator, ast.Name) and decorator.id == "fixture"
    )


def fixtures_defined(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(map(is_fixture, node.decorator_list))
    ]


def imported_modules(path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_no_fixture_is_defined_in_two_files():
    defined_in = defaultdict(list)
    for path in python_files():
        for name in fixtures_defined(path):
            defined_in[name].append(str(path.relative_to(TESTS)))
    copies = {name: files for name, files in defined_in.items() if len(files) > 1}
    assert copies == {}, "define each fixture once (shared ones in conftest.py, as factories)"


def test_no_test_module_imports_another():
    imports = {
        str(path.relative_to(TESTS)): sorted(
            module for module in imported_modules(path) if module.rsplit(".", 1)[-1].startswith("test_")
        )
        for path in python_files()
    }
    assert {path: modules for path, modules in imports.items() if modules} == {}, (
        "move what test modules share to conftest.py (fixtures) or a tests helper module (functions)"
    )


def test_the_checks_see_the_fixtures_and_imports(tmp_path):
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "import pytest\nfrom tests.test_other import helper\n\n"
        "@pytest.fixture\ndef one():\n    pass\n\n"
        "@pytest.fixture(scope='module')\ndef two():\n    pass\n\n"
        "def not_a_fixture():\n    pass\n"
    )
    assert fixtures_defined(sample) == ["one", "two"]
    assert "tests.test_other" in list(imported_modules(sample))
