"""The Content-Security-Policy every page sends (Django's SECURE_CSP, read by
django.middleware.csp.ContentSecurityPolicyMiddleware).

No inline script or style anywhere: templates load static/js/site.js and
static/css/site.css only (tests/test_security_headers.py scans templates/ for inline
code). Forms post to this site only, except on the pages that carry the transcript
upload form, which posts straight to the bucket: those pages add the origin of the URL
they signed (`allow_form_posts_to`). Taken from the form itself, the origin is right
wherever the clients point (S3's regional endpoint, moto, LocalStack), however the
endpoint was set (environment, runlocal, a test), and every other page stays 'self'.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.utils.csp import CSP, build_policy


def content_security_policy():
    return {
        "default-src": [CSP.SELF],
        "script-src": [CSP.SELF],
        "style-src": [CSP.SELF],
        "img-src": [CSP.SELF, "data:"],
        "font-src": [CSP.SELF],
        "connect-src": [CSP.SELF],
        "form-action": [CSP.SELF],
        "frame-ancestors": [CSP.NONE],
        "object-src": [CSP.NONE],
        "base-uri": [CSP.NONE],
    }


def origin_of(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def allow_form_posts_to(response, url):
    """The site's policy, with `url`'s origin as a form action too, on this response only.

    The middleware leaves a Content-Security-Policy header that a view has set alone
    (Django's documented way for a view to send its own policy)."""
    policy = dict(settings.SECURE_CSP)
    policy["form-action"] = [*policy["form-action"], origin_of(url)]
    response[str(CSP.HEADER_ENFORCE)] = build_policy(policy)
    return response
