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


def lazy_view(dotted_path, *, csrf_exempt=False):
    """A URLconf entry for `package.module.view` that imports the module on its first
    request. The URLconf imports every view module at start-up; pages only signed-in
    users reach (the reader, summaries, search) need not be paid for by a cold start that
    serves the home page. The view's own decorators (login_required, methods, caching) run
    as usual. The CSRF middleware looks for a view's csrf_exempt mark before the module is
    imported, so a view that has it must be declared so here too.
    """
    module_name, _, view_name = dotted_path.rpartition(".")

    def view(request, *args, **kwargs):
        return getattr(importlib.import_module(module_name), view_name)(request, *args, **kwargs)

    view.__name__ = view.__qualname__ = view_name
    view.__module__ = module_name
    view.lazy_view_path = dotted_path
    if csrf_exempt:
        view.csrf_exempt = True
    return view
