"""Views that load on their first request (lazy_view).

The URLconf imports every view it names at start-up. Signed-in pages bring PynamoDB and
botocore (~130 ms to import) with their repositories, so they are named by dotted path
and imported on first use: a cold start that serves a health check, the home page or the
login page pays for none of it (tests/test_aws_access.py). Inside a view module imports
are plain: once the module loads, its page needs them anyway (issue 12 removed the
per-module lazy_import handles this made redundant; docs/decisions.md).
"""

import importlib

from campaigns_site import prefetch


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
        real_view = getattr(importlib.import_module(module_name), view_name)
        # Its declared reads join the session check's BatchGetItem (campaigns_site.prefetch).
        with prefetch.planned(request, real_view, kwargs):
            return real_view(request, *args, **kwargs)

    view.__name__ = view.__qualname__ = view_name
    view.__module__ = module_name
    view.lazy_view_path = dotted_path
    if csrf_exempt:
        view.csrf_exempt = True
    return view
