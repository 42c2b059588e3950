import logging

from django.conf import settings
from django.shortcuts import render
from django.utils.cache import has_vary_header, patch_cache_control

from campaigns_site.aws import record_aws_calls

log = logging.getLogger("campaigns_site.aws_calls")


class AwsCallLogMiddleware:
    """In DEBUG, log how many AWS requests each page made, and name them.

    A cheap, always-visible check that a page does not drift into many round trips.
    Off in production, where it would only add noise.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.enabled = settings.DEBUG

    def __call__(self, request):
        if not self.enabled:
            return self.get_response(request)
        with record_aws_calls() as calls:
            response = self.get_response(request)
        if len(calls):
            log.info(
                "%s %s: %d AWS calls (%s)", request.method, request.path, len(calls), ", ".join(calls.operations())
            )
        response["X-AWS-Calls"] = str(len(calls))
        return response


class PrivatePagesMiddleware:
    """`Cache-Control: private, no-store` on every response that read the web session
    (every signed-in page, the reader) or that varies on cookies (a page with a CSRF
    token, a session cookie set): a CDN or shared cache must never keep one.

    It only looks at what the response already did: it never reads the session itself,
    so pages that do not (the share pages, static files) cost nothing more. Static files
    are served by WhiteNoise before this runs, and stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if (
            (session is not None and session.accessed)
            or has_vary_header(response, "Cookie")
            or settings.SESSION_COOKIE_NAME in response.cookies
        ):
            patch_cache_control(response, private=True, no_store=True)
        return response


class MethodNotAllowedPageMiddleware:
    """An action's address opened as a page (a bookmark, a typed URL, a back button after a
    form) gets a page that says so. Django's require_POST answers a GET with a 405 and no
    body, which browsers show as "This page isn't working"; the status and its Allow header
    stay, only the body is ours. Below the authentication middleware: the page shows the
    same header as any other."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or request.method != "GET" or response.content:
            return response
        page = render(request, "405.html", status=405)
        page["Allow"] = response.get("Allow", "")
        return page
