"""The Content-Security-Policy every page sends (Django's SECURE_CSP, read by
django.middleware.csp.ContentSecurityPolicyMiddleware).

No inline script or style anywhere: templates load static/js/site.js and
static/css/site.css only (tests/test_security_headers.py scans templates/ for inline
code). Forms post to this site, except the transcript upload, which posts straight to
the bucket (sessions.transcripts.upload_form): its origin is allowed as a form action.
"""

from urllib.parse import urlsplit

from django.utils.csp import CSP


def s3_upload_origins(*, endpoint_url, region):
    """Where a presigned POST of the transcript bucket goes (path-style, campaigns_site.aws).

    Locally, the endpoint override (moto); on AWS, the regional S3 endpoint, and in
    us-east-1 also the global one, which botocore uses there.
    """
    if endpoint_url:
        parts = urlsplit(endpoint_url)
        return [f"{parts.scheme}://{parts.netloc}"]
    origins = [f"https://s3.{region}.amazonaws.com"]
    if region == "us-east-1":
        origins.append("https://s3.amazonaws.com")
    return origins


def content_security_policy(*, endpoint_url, region):
    return {
        "default-src": [CSP.SELF],
        "script-src": [CSP.SELF],
        "style-src": [CSP.SELF],
        "img-src": [CSP.SELF, "data:"],
        "font-src": [CSP.SELF],
        "connect-src": [CSP.SELF],
        "form-action": [CSP.SELF, *s3_upload_origins(endpoint_url=endpoint_url, region=region)],
        "frame-ancestors": [CSP.NONE],
        "object-src": [CSP.NONE],
        "base-uri": [CSP.NONE],
    }
