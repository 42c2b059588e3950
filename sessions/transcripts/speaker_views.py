"""The speakers page of a session's transcript: a player and a character name for each
speaker label, kept per campaign (sessions/transcripts/items.py) and applied when a
transcript is read. The stored transcript is never rewritten.

Costs (tests/test_speaker_names_view.py): the form is one BatchGetItem of the campaign,
the session and the campaign's names, plus the transcript's labels (none when the
session item lists them all, else one S3 GetObject, or none when this process read the
transcript lately); a save is the same plus one TransactWriteItems. A stale form is
refused by that read alone, with no write; a save racing another one within the same
moment costs one more GetItem (the refused write's).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from campaigns_site.errors import NotFound, StaleEdit
from campaigns_site.forms import refused_form_notice
from campaigns_site.owners import sub
from sessions.transcripts.items import MAX_SPEAKER_NAMES, SpeakerNamesFull, stored_names, stored_version
from sessions.transcripts.lookups import session_and_names_or_404
from sessions.transcripts.repository import save_speaker_names
from sessions.transcripts.speaker_display import NAME_MAX_LENGTH
from sessions.transcripts.speaker_forms import SpeakerNamesForm
from sessions.transcripts.storage import speaker_labels


@login_required
@require_http_methods(["GET", "POST"])
def speaker_names_edit(request, campaign_id, session_id):
    """GET: the form, prefilled with the campaign's names. POST: merge this transcript's
    names into the campaign's, if nobody saved them in between (else the form restarts
    from what is stored, with what differed)."""
    campaign, session, stored = session_and_names_or_404(request, campaign_id, session_id)
    context = {"campaign": campaign, "session": session, "differences": None}
    if not session.has_transcript:
        return render(request, "sessions/speakers.html", context)  # points to the upload page
    labels = speaker_labels(session)
    current = {
        "labels": labels,
        "stored": stored_names(stored),
        "current_version": stored_version(stored),
    }
    if request.method == "POST" and labels:
        form = SpeakerNamesForm(request.POST, **current)
        if form.is_valid():
            try:
                save_speaker_names(
                    sub=sub(request),
                    campaign_id=campaign_id,
                    expected_version=form.cleaned_data["version"],
                    names=form.cleaned_data["names"],
                    current=stored,
                )
            except NotFound:
                raise Http404 from None  # the campaign went (deleted meanwhile): nothing was written
            except StaleEdit as stale:
                context["differences"] = form.differences(stale.current)
                form = SpeakerNamesForm.restarted_from(labels=labels, current=stale.current)
                current["stored"] = form.stored
            except SpeakerNamesFull:
                # The form checked the caps against what it read, and the save is
                # conditioned on that very version: only a changed cap could land here.
                form.add_error(None, "These names do not fit the campaign's speaker list. Clear some and save again.")
            else:
                messages.success(request, "Speaker names saved.")
                return redirect("sessions:transcript", campaign_id=campaign_id, session_id=session_id)
    else:
        form = SpeakerNamesForm(**current)
    if form.errors:  # a name far down a long list of speakers: said at the top, with a link to it
        first = next(iter(form.errors))
        anchor = form[first].id_for_label if first in form.fields and not form[first].is_hidden else "speaker-names"
        context["refused_form"] = refused_form_notice(form, anchor=anchor)
    context.update(
        form=form,
        other_names=len(set(current["stored"]) - set(labels)),
        limit=MAX_SPEAKER_NAMES,
        name_max_length=NAME_MAX_LENGTH,
    )
    return render(request, "sessions/speakers.html", context)
