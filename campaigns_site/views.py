from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
def home(request):
    return render(request, "home.html")


@never_cache
@require_GET
def health(request):
    """Liveness: the process serves requests. Touches no AWS service, so it stays
    cheap enough to poll and tells a broken deploy apart from an AWS outage."""
    return JsonResponse({"status": "ok"})
