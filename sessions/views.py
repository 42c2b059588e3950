"""Play session pages: add, read, edit, delete and move a session of one of my campaigns;
and the campaign pages made of its sessions: the campaign's page (one page of its sessions)
and its delete (a cascade through its sessions), at the campaign's addresses
(campaigns/urls.py), because campaigns never import sessions.

Every page reads the session through sessions.core.lookups.session_or_404: one
BatchGetItem of the session and its campaign (the breadcrumb needs the campaign's name).
A session that is not the signed-in user's, or not in that campaign, answers 404, never
403. Writes go straight to the repository, whose conditions refuse another user's ids, so
a valid POST costs no read first. Request costs are pinned in tests/test_session_views.py
and tests/test_campaign_views.py.
"""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns import repository as campaign_repository
from campaigns.lookups import campaign_keys, campaign_or_404
from campaigns.repository import CampaignNotFound
from campaigns_site.dynamodb import read_items
from campaigns_site.errors import NotFound, StaleEdit, StillChanging
from campaigns_site.owners import sub
from campaigns_site.pagination import InvalidCursor
from campaigns_site.prefetch import reads
from campaigns_site.refusals import still_changing_message
from campaigns_site.text_blocks import text_blocks
from campaigns_site.views import start_over
from sessions.core import repository
from sessions.core.forms import MoveSessionForm, PlaySessionEditForm, PlaySessionForm
from sessions.core.lookups import session_keys, session_or_404
from sessions.sharing import owner_reads as share_links
from sessions.summaries import repository as summaries
from sessions.summaries import views as summary_views
from sessions.summaries.items import Summary
from sessions.transcripts.speaker_display import speaker_display
from sessions.transcripts.upload_pages import render_with_upload_form, upload_context

log = logging.getLogger(__name__)

# The move page lists my most recently active campaigns to choose from: one Query. Far
# more than anyone keeps active; archived campaigns are left out (unarchive one to move
# sessions into it).
MOVE_TARGETS_LIMIT = 100


def _fields(cleaned_data):
    return {name: cleaned_data[name] for name in ("title", "number", "played_on", "notes")}


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request, campaign_id):
    form = PlaySessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = repository.create_session(sub=sub(request), campaign_id=campaign_id, **_fields(form.cleaned_data))
        except CampaignNotFound:
            raise Http404 from None  # not the user's campaign (or being deleted): nothing was written
        except StillChanging:
            form.add_error(None, still_changing_message("campaign"))
        else:
            messages.success(request, "Session added.")
            return redirect("sessions:detail", campaign_id=campaign_id, session_id=session.session_id)
    campaign = campaign_or_404(request, campaign_id)
    return render(request, "sessions/form.html", {"form": form, "campaign": campaign})


@reads(summaries.session_page_keys)
@login_required
@require_GET
@never_cache  # without a transcript, the page holds an upload form signed for a short time
def session_detail(request, campaign_id, session_id):
    """The session, its notes, its transcript (or the form to upload one) and its summaries."""
    return render_session_page(request, campaign_id, session_id)


def render_session_page(request, campaign_id, session_id, *, summarize_form=None):
    """The session page; `summarize_form` when a request for summaries was refused (its
    errors show in the Summaries section). The session check's BatchGetItem reads the
    session, its campaign, the campaign's speaker names, the session's summary job and its
    summaries (campaigns_site.prefetch; a BatchGetItem of their own on a refused POST); one
    more BatchGetItem reads its share links and their pointers by the hashes the session
    lists, with its summaries of v1.0's own kinds (none when it has neither)."""
    campaign, session, names_item, summary_job, stored = summaries.get_session_page(
        sub=sub(request), campaign_id=campaign_id, session_id=session_id
    )
    if session is None:
        raise Http404
    other_keys = summaries.other_summary_keys(sub=sub(request), session=session)
    link_keys = share_links.share_link_keys(sub=sub(request), session=session)
    found = read_items(other_keys + (link_keys or [])) if other_keys or link_keys else []
    stored = summaries.in_kinds_order([*stored, *(item for item in found if isinstance(item, Summary))])
    # Notes show as summaries do: paragraphs, and "- " lines as a list (escaped by the template).
    context = {"campaign": campaign, "session": session, "notes_blocks": text_blocks(session.notes)}
    names = names_item.as_dict() if names_item else {}
    if session.has_transcript:
        context["speakers"] = [(label, speaker_display(names, label)) for label in session.transcript_speakers or []]
    else:
        context.update(upload_context(request, session))
    context.update(
        summary_views.summaries_context(campaign, session, summary_job, stored=stored, form=summarize_form, names=names)
    )
    if link_keys is None:  # links made before the session listed them: found by a Query
        context["share_links"] = share_links.list_share_links_for_session(sub=sub(request), session_id=session_id)
    elif link_keys:
        context["share_links"] = share_links.links_found(found, session=session)
    return render_with_upload_form(request, "sessions/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request, campaign_id, session_id):
    """The form carries the version it started from; a save over a newer version is refused
    and shows, field by field, what differs (StaleEdit)."""
    differences = None
    if request.method == "POST":
        form = PlaySessionEditForm(request.POST)
        if form.is_valid():
            try:
                repository.update_session(
                    sub=sub(request),
                    campaign_id=campaign_id,
                    session_id=session_id,
                    expected_version=form.cleaned_data["version"],
                    notes_before=form.cleaned_data["notes_digest"] or None,
                    **_fields(form.cleaned_data),
                )
            except NotFound:
                # Not the user's; or deleted, or moved to another campaign, while the form was open.
                raise Http404 from None
            except StaleEdit as stale:
                differences = form.differences(stale.current)
                form = form.restarted_from(stale.current)
            except StillChanging:
                form.add_error(None, still_changing_message("campaign"))
            else:
                messages.success(request, "Session saved.")
                return redirect("sessions:detail", campaign_id=campaign_id, session_id=session_id)
        campaign, session = session_or_404(request, campaign_id, session_id)
    else:
        campaign, session = session_or_404(request, campaign_id, session_id)
        form = PlaySessionEditForm.for_item(session)
    return render(
        request,
        "sessions/form.html",
        {"form": form, "campaign": campaign, "session": session, "differences": differences},
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_delete(request, campaign_id, session_id):
    """GET asks for confirmation; POST deletes the session with its transcript, summaries
    and share links (repository.delete_session)."""
    if request.method == "GET":
        campaign, session = session_or_404(request, campaign_id, session_id)
        return render(request, "sessions/delete.html", {"campaign": campaign, "session": session})
    try:
        repository.delete_session(sub=sub(request), campaign_id=campaign_id, session_id=session_id)
    except NotFound:
        raise Http404 from None
    except StillChanging:
        messages.error(request, still_changing_message("session"))
        return redirect("sessions:delete", campaign_id=campaign_id, session_id=session_id)
    messages.success(request, "Session deleted.")
    return redirect("campaigns:detail", campaign_id=campaign_id)


@reads(session_keys)
@login_required
@require_http_methods(["GET", "POST"])
def session_move(request, campaign_id, session_id):
    """Move the session to another of my campaigns, chosen from a select: the choices are
    one Query (my active campaigns, latest activity first)."""
    campaign, session = session_or_404(request, campaign_id, session_id)
    targets = campaign_repository.list_campaigns_for_user(sub=sub(request), limit=MOVE_TARGETS_LIMIT)
    others = [other for other in targets.items if other.campaign_id != campaign_id]
    form = MoveSessionForm(request.POST or None, campaigns=others)
    if request.method == "POST" and form.is_valid():
        to_campaign_id = form.cleaned_data["to_campaign"]
        try:
            repository.move_session(
                sub=sub(request),
                campaign_id=campaign_id,
                session_id=session_id,
                to_campaign_id=to_campaign_id,
                job_condition=summaries.replaceable_job_condition(),
            )
        except CampaignNotFound as error:
            if error.args and error.args[0] != to_campaign_id:
                raise Http404 from None  # its own campaign went (deleted meanwhile)
            form.add_error("to_campaign", "That campaign is no longer available. Pick another one.")
        except repository.SessionNotFound:
            raise Http404 from None
        except repository.TooMuchToMove:
            form.add_error(None, "This session has too many summaries and share links to move in one go.")
        except StillChanging:
            form.add_error(None, still_changing_message("session"))
        else:
            target = next(other for other in others if other.campaign_id == to_campaign_id)
            messages.success(request, f"Session moved to “{target.name}”.")
            return redirect("sessions:detail", campaign_id=to_campaign_id, session_id=session_id)
    return render(
        request,
        "sessions/move.html",
        {
            "campaign": campaign,
            "session": session,
            "form": form,
            "has_targets": bool(others),
            "more_campaigns": targets.next_cursor is not None,
            "limit": MOVE_TARGETS_LIMIT,
        },
    )


# --- a campaign's pages made of its sessions ------------------------------------------------
@reads(campaign_keys)
@login_required
@require_GET
def campaign_detail(request, campaign_id):
    """The campaign and one page of its sessions in play order: the campaign read with the
    session check (campaigns_site.prefetch) + one Query."""
    campaign = campaign_or_404(request, campaign_id)
    cursor = request.GET.get("cursor") or None
    first_page_url = reverse("campaigns:detail", args=[campaign_id])
    try:
        sessions = repository.list_sessions_for_campaign(sub=sub(request), campaign_id=campaign_id, cursor=cursor)
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
def campaign_delete(request, campaign_id):
    """GET asks for confirmation; POST runs the delete cascade (sessions.core.campaign_deletion)."""
    if request.method == "GET":
        campaign = campaign_or_404(request, campaign_id)
        return render(request, "campaigns/delete.html", {"campaign": campaign})
    return _run_delete(request, campaign_id)


@login_required
@require_POST
def campaign_finish_delete(request, campaign_id):
    """Finish a delete that stopped midway (an error, a timeout). Only for a campaign whose
    delete was confirmed and started: this never deletes a campaign without confirmation."""
    if campaign_repository.get_campaign_being_deleted(sub=sub(request), campaign_id=campaign_id) is None:
        raise Http404
    return _run_delete(request, campaign_id)


def _run_delete(request, campaign_id):
    from sessions.core import campaign_deletion  # the cascade's writes: loaded by a delete, not by the GET pages

    try:
        deleted = campaign_deletion.delete_campaign(sub=sub(request), campaign_id=campaign_id)
    except CampaignNotFound:
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
