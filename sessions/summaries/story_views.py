"""The story so far: a campaign-level recap written from its sessions' recaps.

The page shows the stored story (if any), the form that builds or rebuilds it (a job, as
a session's summaries are: sessions.summaries.jobs), the job's status (polled by
static/js/site.js from `story_status`, like a session's) and, below, every session's
recap in play order, oldest first, with a link to the session, and a note on a recap
written before its speakers were named (or with other names). Costs: the campaign, story,
job and speaker names with the session check (campaigns_site.prefetch), then one
BatchGetItem of the sessions and their recaps by key (sessions.summaries.story_reads): two
requests up to 50 sessions.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from campaigns.repository import CampaignNotFound
from campaigns_site.errors import StillChanging
from campaigns_site.forms import refused_form_notice
from campaigns_site.owners import found_or_404, sub
from campaigns_site.prefetch import reads
from campaigns_site.refusals import still_changing_message
from sessions.summaries import repository as summaries
from sessions.summaries.forms import StoryForm
from sessions.summaries.jobs import EditedSummaries, JobAlreadyRunning, NothingToTell, start_story_job
from sessions.summaries.presentation import (
    ShownSummary,
    job_status_label,
    job_status_response,
    poll_delays_attribute,
    refresh_seconds,
    refresh_url,
    status_worth_showing,
)
from sessions.summaries.story_reads import recaps_in_play_order

STORY = "the story so far"
ALREADY_RUNNING = "The story so far was already being written when you asked, so nothing new was started."
NOTHING_TO_TELL = "No session of this campaign has a recap yet. Summarize a session with a Recap first."


def _story_url(campaign_id):
    return reverse("campaigns:story", args=[campaign_id]) + "#story"


@reads(summaries.story_page_keys)
@login_required
@require_http_methods(["GET", "POST"])
@never_cache  # the status line changes while a job runs
def story(request, campaign_id):
    """GET: the story so far and the sessions' recaps. POST: start a job (re)building it,
    then back here to follow it. No read before the start: it refuses another user's ids.
    A story edited by hand is not replaced unless the user says so (the page asks)."""
    form = StoryForm(request.POST or None)
    confirm_replace = False
    if request.method == "POST" and form.is_valid():
        confirm_replace = _start_story(request, campaign_id, form)
        if not confirm_replace:
            return redirect(_story_url(campaign_id))
    campaign, story_item, job, names_item = summaries.get_story_page(sub=sub(request), campaign_id=campaign_id)
    found_or_404(campaign)
    names = names_item.as_dict() if names_item else {}
    in_play_order = recaps_in_play_order(sub=sub(request), campaign=campaign)
    recaps = [
        (session, ShownSummary.of(recap, session=session, names=names) if recap else None)
        for session, recap in in_play_order
    ]
    return render(
        request,
        "campaigns/story.html",
        {
            "campaign": campaign,
            "story": ShownSummary.of(story_item) if story_item else None,
            "story_is_stale": summaries.story_is_stale(story_item, in_play_order),
            "confirm_replace": confirm_replace,
            **_job_context(campaign_id, job),
            "recaps": recaps,
            "recap_count": sum(1 for _, recap in recaps if recap),
            "form": form,
            # The form is below the story: a refusal is said at the top too, with a link to it.
            **({"refused_form": refused_form_notice(form, anchor="build")} if form.errors else {}),
        },
    )


def _start_story(request, campaign_id, form):
    """Start the job the valid form asks for; True when the story was edited by hand and
    the page must ask first (it posts again with replace_edits). Other refusals are said
    in a message."""
    try:
        start_story_job(
            sub=sub(request),
            campaign_id=campaign_id,
            length=form.cleaned_data["length"],
            replace_edits=form.cleaned_data["replace_edits"],
        )
    except CampaignNotFound:
        raise Http404 from None  # not the user's (or being deleted): nothing was written
    except NothingToTell:
        messages.error(request, NOTHING_TO_TELL)
    except JobAlreadyRunning:
        messages.info(request, ALREADY_RUNNING)
    except StillChanging:
        messages.error(request, still_changing_message("campaign"))
    except EditedSummaries:
        return True
    return False


def _job_context(campaign_id, job):
    """The story job's status line and how the page follows it."""
    active = job is not None and bool(job.is_active)
    return {
        "story_job": job,
        "story_status": job.effective_status if job else None,
        "story_status_label": job_status_label(job, what=STORY) if job else "",
        "story_active": active,
        "story_show_status": status_worth_showing(job),
        "story_status_url": reverse("campaigns:story_status", args=[campaign_id]),
        "story_poll_ms": poll_delays_attribute(),
        "story_refresh_seconds": refresh_seconds(job) if active else None,
        "story_refresh_url": refresh_url(reverse("campaigns:story", args=[campaign_id]), "story"),
    }


@login_required
@require_GET
@never_cache
def story_status(request, campaign_id):
    """The story job's status for the page's script: {"status", "label", "active"}. One GetItem."""
    return job_status_response(summaries.get_story_job(sub=sub(request), campaign_id=campaign_id), what=STORY)
