"""Views loaded on their first request (campaigns_site.lazy.lazy_view) behave as the views
themselves: same function once loaded, and the same CSRF exemption, which the CSRF
middleware reads before the module is imported."""

import importlib

from django.urls import get_resolver
from django.urls.resolvers import URLPattern, URLResolver


def all_patterns(resolver=None):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from all_patterns(entry)
        elif isinstance(entry, URLPattern):
            yield entry


def lazy_patterns():
    return [pattern for pattern in all_patterns() if hasattr(pattern.callback, "lazy_view_path")]


def real_view(callback):
    module_name, _, name = callback.lazy_view_path.rpartition(".")
    return getattr(importlib.import_module(module_name), name)


def test_the_signed_in_pages_are_loaded_lazily():
    names = {pattern.name for pattern in lazy_patterns()}
    assert {"detail", "transcript", "summarize", "search", "story", "list", "manage", "session"} <= names


def test_each_lazy_view_names_a_real_view_with_the_same_csrf_exemption():
    for pattern in lazy_patterns():
        view = real_view(pattern.callback)
        assert callable(view), pattern
        assert getattr(pattern.callback, "csrf_exempt", False) == getattr(view, "csrf_exempt", False), pattern.name
