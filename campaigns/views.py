"""Campaign pages: list (active, archived, being deleted), create, detail, edit, archive,
delete.

Every page that names a campaign reads it through _get_campaign_for_user: a campaign
that is not the signed-in user's answers 404, never 403, so an id is useless to anyone
but its owner. Request costs are pinned in tests/test_campaign_views.py.
"""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns.forms import CampaignEditForm, CampaignForm
from campaigns_site.lazy import lazy_import
from campaigns_site.pagination import InvalidCursor
from campaigns_site.text_blocks import text_blocks

# Loaded on first use: they bring PynamoDB and botocore (see campaigns_site.lazy).
repository = lazy_import("campaigns.repository")
services = lazy_import("campaigns.services")
session_repository = lazy_import("sessions.core.repository")

log = logging.getLogger(__name__)


def _sub(request):
    return request.user.pk  # the Cognito sub (accounts.models.User)


def _get_campaign_for_user(request, campaign_id):
    campaign = repository.get_campaign(sub=_sub(request), campaign_id=campaign_id)
    if campaign is None:
        raise Http404  # no detail: the 404 page must not tell whose or what it was
    return campaign


def start_over(request, first_page_url):
    """A page link (cursor) that is forged, from another list, or signed with an old key:
    nothing was read for it. Say so and link to the first page."""
    return render(request, "campaigns/start_over.html", {"first_page_url": first_page_url}, status=400)


# --- lists ----------------------------------------------------------------------------
LISTS = {
    "active": {
        "title": "Your campaigns",
        "url_name": "campaigns:list",
        "read": lambda sub, cursor: repository.list_campaigns_for_user(sub=sub, cursor=cursor),
    },
    "archived": {
        "title": "Archived campaigns",
        "url_name": "campaigns:archived",
        "read": lambda sub, cursor: repository.list_campaigns_for_user(sub=sub, archived=True, cursor=cursor),
    },
    "deleting": {
        "title": "Campaigns being deleted",
        "url_name": "campaigns:deleting",
        "read": lambda sub, cursor: repository.list_campaigns_being_deleted(sub=sub, cursor=cursor),
    },
}


def _list_page(request, which):
    """One page of one list: a single Query, newest activity first, "Older →" by cursor."""
    listing = LISTS[which]
    first_page_url = reverse(listing["url_name"])
    cursor = request.GET.get("cursor") or None
    try:
        page = listing["read"](_sub(request), cursor)
    except InvalidCursor:
        return start_over(request, first_page_url)
    return render(
        request,
        "campaigns/list.html",
        {
            "which": which,
            "title": listing["title"],
            "page": page,
            "first_page_url": first_page_url,
            "is_first_page": cursor is None,
        },
    )


@login_required
@require_GET
def campaign_list(request):
    return _list_page(request, "active")


@login_required
@require_GET
def archived_list(request):
    return _list_page(request, "archived")


@login_required
@require_GET
def deleting_list(request):
    return _list_page(request, "deleting")


# --- one campaign ----------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        campaign = repository.create_campaign(sub=_sub(request), **form.cleaned_data)
        messages.success(request, f"Campaign “{campaign.name}” created. Add its first session.")
        return redirect("campaigns:detail", campaign_id=campaign.campaign_id)
    return render(request, "campaigns/form.html", {"form": form})


@login_required
@require_GET
def campaign_detail(request, campaign_id):
    """The campaign and one page of its sessions in play order: GetItem + one Query."""
    campaign = _get_campaign_for_user(request, campaign_id)
    cursor = request.GET.get("cursor") or None
    first_page_url = reverse("campaigns:detail", args=[campaign_id])
    try:
        sessions = session_repository.list_sessions_for_campaign(
            sub=_sub(request), campaign_id=campaign_id, cursor=cursor
        )
    except InvalidCursor:
        return start_over(request, first_page_url)
    return render(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            "sessions": sessions,
            "first_page_url": first_page_url,
            "is_first_page": cursor is None,
            # The description shows as summaries and notes do: paragraphs, and "- " lines as a list.
            "description_blocks": text_blocks(campaign.description),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request, campaign_id):
    """The form carries the version it started from; a save over a newer version is refused
    and shows, field by field, what differs (repository.StaleEdit)."""
    differences = None
    if request.method == "POST":
        form = CampaignEditForm(request.POST)
        if form.is_valid():
            try:
                campaign = repository.update_campaign(
                    sub=_sub(request),
                    campaign_id=campaign_id,
                    expected_version=form.cleaned_data["version"],
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    game_system=form.cleaned_data["game_system"],
                )
            except repository.CampaignNotFound:
                raise Http404 from None
            except repository.StaleEdit as stale:
                differences = form.differences(stale.current)
                form = form.restarted_from(stale.current)
                campaign = stale.current
            except repository.StillChanging:
                form.add_error(None, "This campaign is changing right now. Save again in a moment.")
            else:
                messages.success(request, "Campaign saved.")
                return redirect("campaigns:detail", campaign_id=campaign_id)
        if differences is None:
            campaign = _get_campaign_for_user(request, campaign_id)
    else:
        campaign = _get_campaign_for_user(request, campaign_id)
        form = CampaignEditForm.for_item(campaign)
    return render(request, "campaigns/form.html", {"form": form, "campaign": campaign, "differences": differences})


@login_required
@require_POST
def campaign_archive(request, campaign_id):
    return _set_archived(request, campaign_id, archived=True)


@login_required
@require_POST
def campaign_unarchive(request, campaign_id):
    return _set_archived(request, campaign_id, archived=False)


def _set_archived(request, campaign_id, *, archived):
    try:
        repository.set_campaign_archived(sub=_sub(request), campaign_id=campaign_id, archived=archived)
    except repository.CampaignNotFound:
        raise Http404 from None
    except repository.StillChanging:
        messages.error(request, "This campaign is changing right now. Try again in a moment.")
    else:
        if archived:
            messages.success(request, "Campaign archived. It is listed under “Archived” until you unarchive it.")
        else:
            messages.success(request, "Campaign unarchived. It is back in your campaigns.")
    return redirect("campaigns:detail", campaign_id=campaign_id)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_delete(request, campaign_id):
    """GET asks for confirmation; POST runs the delete cascade (campaigns.services)."""
    if request.method == "GET":
        campaign = _get_campaign_for_user(request, campaign_id)
        return render(request, "campaigns/delete.html", {"campaign": campaign})
    return _run_delete(request, campaign_id)


@login_required
@require_POST
def campaign_finish_delete(request, campaign_id):
    """Finish a delete that stopped midway (an error, a timeout). Only for a campaign whose
    delete was confirmed and started: this never deletes a campaign without confirmation."""
    if repository.get_campaign_being_deleted(sub=_sub(request), campaign_id=campaign_id) is None:
        raise Http404
    return _run_delete(request, campaign_id)


def _run_delete(request, campaign_id):
    try:
        deleted = services.delete_campaign(sub=_sub(request), campaign_id=campaign_id)
    except repository.CampaignNotFound:
        raise Http404 from None
    except Exception:
        # Whatever stopped the cascade, the campaign stays marked and is listed under
        # "Being deleted", where the user can finish the job: say so instead of a 500.
        log.exception("delete of campaign %s stopped midway", campaign_id)
        messages.error(request, "The campaign could not be deleted completely. It is listed here: finish deleting it.")
        return redirect("campaigns:deleting")
    sessions = "1 session" if deleted.sessions == 1 else f"{deleted.sessions} sessions"
    messages.success(request, f"Campaign deleted, with {sessions}.")
    return redirect("campaigns:list")
