"""Campaign pages: list (active, archived, being deleted), create, edit, archive.

Every page that names a campaign reads it through campaigns.lookups.campaign_or_404: a
campaign that is not the signed-in user's answers 404, never 403, so an id is useless to
anyone but its owner. The campaign's page (its sessions) and its delete (a cascade through
its sessions) are sessions' views (sessions/views.py), at the campaign's addresses.
Request costs are pinned in tests/test_campaign_views.py.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns import repository
from campaigns.forms import CampaignEditForm, CampaignForm
from campaigns.lookups import campaign_or_404
from campaigns_site.errors import StaleEdit, StillChanging
from campaigns_site.owners import sub
from campaigns_site.pagination import InvalidCursor
from campaigns_site.refusals import still_changing_message
from campaigns_site.views import start_over

# --- lists ----------------------------------------------------------------------------
LISTS = {
    "active": {
        "title": "Your campaigns",
        "url_name": "campaigns:list",
        "read": lambda owner, cursor: repository.list_campaigns_for_user(sub=owner, cursor=cursor),
    },
    "archived": {
        "title": "Archived campaigns",
        "url_name": "campaigns:archived",
        "read": lambda owner, cursor: repository.list_campaigns_for_user(sub=owner, archived=True, cursor=cursor),
    },
    "deleting": {
        "title": "Campaigns being deleted",
        "url_name": "campaigns:deleting",
        "read": lambda owner, cursor: repository.list_campaigns_being_deleted(sub=owner, cursor=cursor),
    },
}


def _list_page(request, which):
    """One page of one list: a single Query, newest activity first, "Older →" by cursor."""
    listing = LISTS[which]
    first_page_url = reverse(listing["url_name"])
    cursor = request.GET.get("cursor") or None
    try:
        page = listing["read"](sub(request), cursor)
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
        campaign = repository.create_campaign(sub=sub(request), **form.cleaned_data)
        messages.success(request, f"Campaign “{campaign.name}” created. Add its first session.")
        return redirect("campaigns:detail", campaign_id=campaign.campaign_id)
    return render(request, "campaigns/form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request, campaign_id):
    """The form carries the version it started from; a save over a newer version is refused
    and shows, field by field, what differs (StaleEdit)."""
    differences = None
    if request.method == "POST":
        form = CampaignEditForm(request.POST)
        if form.is_valid():
            try:
                campaign = repository.update_campaign(
                    sub=sub(request),
                    campaign_id=campaign_id,
                    expected_version=form.cleaned_data["version"],
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    game_system=form.cleaned_data["game_system"],
                )
            except repository.CampaignNotFound:
                raise Http404 from None
            except StaleEdit as stale:
                differences = form.differences(stale.current)
                form = form.restarted_from(stale.current)
                campaign = stale.current
            except StillChanging:
                form.add_error(None, still_changing_message("campaign"))
            else:
                messages.success(request, "Campaign saved.")
                return redirect("campaigns:detail", campaign_id=campaign_id)
        if differences is None:
            campaign = campaign_or_404(request, campaign_id)
    else:
        campaign = campaign_or_404(request, campaign_id)
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
        repository.set_campaign_archived(sub=sub(request), campaign_id=campaign_id, archived=archived)
    except repository.CampaignNotFound:
        raise Http404 from None
    except StillChanging:
        messages.error(request, still_changing_message("campaign"))
    else:
        if archived:
            messages.success(request, "Campaign archived. It is listed under “Archived” until you unarchive it.")
        else:
            messages.success(request, "Campaign unarchived. It is back in your campaigns.")
    return redirect("campaigns:detail", campaign_id=campaign_id)
