from django.http import HttpResponsePermanentRedirect, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def start_over(request, first_page_url):
    """A page link (cursor) that is forged, from another list, or signed with an old key:
    nothing was read for it. Say so and link to the first page (any paged list)."""
    return render(request, "campaigns/start_over.html", {"first_page_url": first_page_url}, status=400)


@require_GET
def home(request):
    return render(request, "home.html")


@never_cache
@require_GET
def health(request):
    """Liveness: the process serves requests. Touches no AWS service, so it stays
    cheap enough to poll and tells a broken deploy apart from an AWS outage."""
    return JsonResponse({"status": "ok"})


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico on pages without an icon link (JSON, the 500 page).
    Resolved per request: the static manifest is not read at import time."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


def server_error(request):
    """The 500 page: Django's own handler, plus the stylesheet's URL when it can be had.

    The policy forbids inline styles, and the static manifest may be what failed, so the
    page must render (unstyled) without it: no base template, no tags, no request.
    """
    try:
        stylesheet = static("css/site.css")
    except Exception:  # a missing or broken manifest: an unstyled page beats none
        stylesheet = ""
    return HttpResponseServerError(loader.get_template("500.html").render({"stylesheet": stylesheet}))
