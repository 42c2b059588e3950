"""Import a module on first use (the standard library's LazyLoader recipe).

Views import their repositories this way: loading a repository loads PynamoDB and
botocore (~60 ms), and the URLconf imports every view at start-up, so a cold start that
serves the home page, the login page or a health check would otherwise pay for them.
"""

import importlib.util
import sys


def lazy_import(name):
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    if parent:
        # As a normal import does: `campaigns.services` must also be reachable as an
        # attribute of `campaigns` (monkeypatch and mock resolve dotted names that way).
        setattr(importlib.import_module(parent), child, module)
    return module
