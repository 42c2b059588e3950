"""Pages for staff (members of the Cognito group `staff`), loaded on first use (accounts.staff_urls)."""

import logging

from botocore.exceptions import BotoCoreError
from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts import staff
from accounts.cognito import CognitoError
from accounts.decorators import staff_required
from accounts.staff_overview import deployment_overview
from campaigns_site import audit
from campaigns_site.forms import EmailAddressField
from campaigns_site.prefetch import reads
from campaigns_site.table_keys import OPS_PK, SUMMARY_FALLBACKS_SK

log = logging.getLogger(__name__)


class StaffMemberForm(forms.Form):
    email = EmailAddressField(label="Email of the account")

    def clean_email(self):
        return self.cleaned_data["email"].lower()


def _staff_home_keys(sub, **_):
    return [(OPS_PK, SUMMARY_FALLBACKS_SK)]  # the fallbacks' item, read with the session check


@reads(_staff_home_keys)
@never_cache
@staff_required
@require_GET
def staff_home(request):
    """The deployment at a glance: settings, versions, and what DynamoDB and Cognito
    report about the table and the pool (two Describe calls, no Scan), the last times
    Bedrock refused a summary job (one GetItem) and the staff (one ListUsersInGroup)."""
    context = {"overview": deployment_overview(), "add_form": StaffMemberForm(), **_staff_members()}
    return render(request, "staff/home.html", context)


def _staff_members():
    try:
        return {"staff_members": staff.list_staff()}
    except (CognitoError, BotoCoreError) as error:
        log.warning("staff page: cannot list the staff: %s", error)
        return {"staff_members": [], "staff_members_error": "ListUsersInGroup failed."}


@staff_required
@require_POST
def add_staff(request):
    return _change_staff(request, change="add")


@staff_required
@require_POST
def remove_staff(request):
    return _change_staff(request, change="remove")


def _change_staff(request, *, change):
    """Change the Cognito group and the profile together: it counts from the user's next request."""
    form = StaffMemberForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter the email address of an account.")
        return redirect("staff_home")
    email = form.cleaned_data["email"]
    if change == "remove" and email == request.user.email:
        messages.error(request, "You cannot remove yourself here: ask another staff member, or use manage.py staff.")
        return redirect("staff_home")
    try:
        if change == "add":
            sub = staff.add_staff(email=email)
            messages.success(request, f"{email} is staff from their next page.")
        else:
            sub = staff.remove_staff(email=email)
            messages.success(request, f"{email} is no longer staff, from their next page.")
        audit.record_action(
            by=request.user.email,
            by_sub=request.user.sub,
            action="make-staff" if change == "add" else "remove-staff",
            target_sub=sub,
            target_email=email,
        )
    except staff.StaffChangeRefused as error:
        messages.error(request, str(error))
    except (CognitoError, BotoCoreError) as error:
        log.warning("staff page: %s %s failed: %s", change, email, error)
        messages.error(request, "Cognito could not make that change just now. Please try again.")
    return redirect("staff_home")
