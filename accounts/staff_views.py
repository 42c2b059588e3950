"""Pages for staff (members of the Cognito group `staff`)."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.decorators import staff_required
from accounts.staff_overview import deployment_overview


@never_cache
@staff_required
@require_GET
def staff_home(request):
    """The deployment at a glance: settings, versions, and what DynamoDB and Cognito
    report about the table and the pool (two Describe calls, no Scan), and the last times
    Bedrock refused a summary job (one GetItem)."""
    return render(request, "staff/home.html", {"overview": deployment_overview()})
