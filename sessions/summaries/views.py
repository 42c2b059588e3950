"""A session's AI summaries: ask for them, follow the job, edit one by hand.

The summaries show on the session page (sessions.views.session_detail, through
summaries_context). Asking starts a job (sessions.summaries.jobs) and comes back to the page,
which shows the job's status and, while it is queued or running, polls
`summary_status` (a small JSON answer) from static/js/site.js; without JavaScript the page
refreshes itself. Asking again while a job runs starts no second one. A summary the user
edited by hand is never replaced without asking: the repository refuses
(EditedSummaries) and the confirmation page posts the same request again with
replace_edits.

Costs (tests/test_summary_views.py), after the sign-in BatchGetItem: the session page adds
one Query (the summaries) to its BatchGetItem, which also reads the job (no Query for a
session nothing was ever written under, see summaries_context); the status is one GetItem
of the job; an edit form is the session's BatchGetItem and one GetItem of the summary.
"""

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns_site.forms import refused_form_notice
from campaigns_site.lazy import lazy_import
from sessions.core.kinds import KINDS
from sessions.summaries.forms import SummarizeForm, SummaryEditForm
from sessions.transcripts.speaker_display import NO_NAMES, names_fingerprint, names_in_use, raw_labels_in

# Loaded on first use: they bring PynamoDB and botocore (see campaigns_site.lazy).
repository = lazy_import("sessions.core.repository")
summaries = lazy_import("sessions.summaries.repository")
summary_jobs = lazy_import("sessions.summaries.jobs")

# Flash messages are read a moment after they are made (the job may have ended by then):
# they say what happened when asked, never "writing now"; the status line under
# Summaries, computed as the page renders, says where the job is.
ALREADY_RUNNING = "Summaries were already being written for this session when you asked, so nothing new was started."
WRITTEN_BEFORE_NAMES = "Written before you named the speakers"
WRITTEN_BEFORE_NAME_CHANGE = "Written before the speaker names changed"
NAMES_NOTE_DETAIL = {
    WRITTEN_BEFORE_NAMES: "it calls the speakers by the recording’s labels",
    WRITTEN_BEFORE_NAME_CHANGE: "it may use the old names",
}
NO_TRANSCRIPT = "Upload a transcript first: summaries are written from it."


def _sub(request):
    return request.user.pk  # the Cognito sub (accounts.models.User)


def _get_session_for_user(request, campaign_id, session_id):
    """(campaign, session), or 404 when either is not the user's: one BatchGetItem."""
    campaign, session = repository.get_session_with_campaign(
        sub=_sub(request), campaign_id=campaign_id, session_id=session_id
    )
    if session is None:
        raise Http404  # no detail: the 404 page must not tell whose or what it was
    return campaign, session


def _session_url(campaign_id, session_id, anchor="summaries"):
    return reverse("sessions:detail", args=[campaign_id, session_id]) + f"#{anchor}"


# How soon the page asks again while a job is queued or running: quickly at first (an
# offline summary takes well under a second), then backing off to every 2 s. The script
# (static/js/site.js) reads this from the status line's data-summary-poll-ms; past the
# last delay it keeps the last one (and slows to 5 s after a minute). One GetItem a poll.
POLL_DELAYS_MS = (500, 750, 1100, 1700, 2000)
# Without JavaScript the page reloads itself (a <noscript> meta refresh, whole seconds):
# (how long the job has been waiting or running, the delay before the next reload).
# Each reload is the whole page, so it backs off further.
REFRESH_AFTER_SECONDS = ((5, 1), (20, 2), (60, 3))
REFRESH_SLOWEST_SECONDS = 5


def poll_delays_attribute():
    """POLL_DELAYS_MS as the status line's data-summary-poll-ms ("500,750,…")."""
    return ",".join(str(delay) for delay in POLL_DELAYS_MS)


def refresh_seconds(job, *, now=None):
    """The no-JavaScript reload delay for an active job: 1 s while it is young, then 2, 3, 5."""
    now = now or datetime.now(UTC)
    since = job.requested or job.started or now
    age = (now - since).total_seconds()
    for younger_than, delay in REFRESH_AFTER_SECONDS:
        if age < younger_than:
            return delay
    return REFRESH_SLOWEST_SECONDS


def refresh_url(path, anchor):
    """Where the Refresh link and the page's own refresh (without JavaScript) go: the page
    again, at its summaries. The query changes with every rendering: a URL that differs
    from the current one only by its fragment (or not at all) would merely scroll, not
    reload."""
    return f"{path}?refreshed={int(time.time())}#{anchor}"


# --- how summaries and jobs read ----------------------------------------------------------------
_PARENTHETICAL = re.compile(r"\s*\([^)]*\)\s*$")
_BULLET = re.compile(r"^\s*[-*•]\s+")


def and_list(words):
    """["A", "B", "C"] -> "A, B and C"."""
    words = list(words)
    if len(words) < 2:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def _short(label):
    """ "Recap (previously on…)" -> "Recap": a kind's name inside a sentence."""
    return _PARENTHETICAL.sub("", label)


def _sentence(text):
    text = (text or "").strip()
    return text if not text or text[-1] in ".!?…" else f"{text}."


def asked_message(kinds):
    """What the page says once summaries of `kinds` were asked for: "Recap asked for: …"
    for one, "6 summaries asked for: …" for more. Never "writing now" (see ALREADY_RUNNING)."""
    if len(kinds) == 1:
        return f"{_short(KINDS[kinds[0]])} asked for: it shows under Summaries, below, once written."
    return f"{len(kinds)} summaries asked for: they show under Summaries, below, as each is written."


def job_status_label(job, *, what=None):
    """The status line of a job, as the page shows it and the status answer returns it:
    "Queued…", "Running…", "Done." or "Failed: <reason>", and what it concerns.

    `what` names what the job writes ("the story so far"); by default, the job's kinds.
    """
    status = job.effective_status
    what = what or and_list(_short(label) for label in job.kind_labels) or "the summaries"
    if status == "queued":
        return f"Queued… {what[:1].upper()}{what[1:]} will be written in a moment."
    if status == "running":
        done, total = len(job.done_kinds or ()), len(job.kinds or ())
        progress = f" ({done} of {total} done)" if done and total > 1 else ""
        return f"Running… writing {what}{progress}."
    if status == "done":
        parts = ["Done."]
        kept = [_short(label) for label in job.kept_edit_labels]
        if kept and job.is_story:
            parts.append("Your hand edit was kept: it was changed while the story was being written.")
        elif kept:
            parts.append(f"Your hand edits of {and_list(kept)} were kept.")
        for label, why in job.problems:
            parts.append(f"{_short(label)} could not be written. {_sentence(why)}")
        return " ".join(parts)
    return f"Failed: {_sentence(job.failure_reason) or 'the job stopped before it finished.'}"


def status_worth_showing(job):
    """Whether a page shows the job's status line as it renders: while the job is queued or
    running, when it failed (the reason, and the form to try again), or when it finished with
    something to say (a kept hand edit, a kind that could not be written). A plain "Done."
    is no news once its summaries are on the page, and would stay there on every reload;
    the page's own polling still says "Done." as it brings them in."""
    if job is None:
        return False
    if job.is_active or job.effective_status != "done":
        return True
    return bool(job.kept_edit_labels or job.problems)


def job_status_response(job, *, what=None):
    """The status views' answer: {"status", "label", "active"}, or 404 when there is no job
    (none, or not the user's: the same answer)."""
    if job is None:
        raise Http404
    return JsonResponse(
        {"status": job.effective_status, "label": job_status_label(job, what=what), "active": bool(job.is_active)}
    )


def text_blocks(text):
    """A summary's plain text as paragraphs and lists: [("p", "line\\nline"), ("ul", [item, ...])].

    Lines starting with "- " (or "* ", "• ") are list items; a blank line ends a paragraph or
    a list. Everything stays text: the template escapes it.
    """
    blocks, lines = [], []

    def end_paragraph():
        if lines:
            blocks.append(("p", "\n".join(lines)))
            lines.clear()

    in_list = False
    for line in (text or "").splitlines():
        if _BULLET.match(line):
            end_paragraph()
            item = _BULLET.sub("", line).strip()
            if in_list:
                blocks[-1][1].append(item)
            else:
                blocks.append(("ul", [item]))
                in_list = True
        elif not line.strip():
            end_paragraph()
            in_list = False
        else:
            if in_list and line[:1].isspace():
                blocks[-1][1][-1] += " " + line.strip()  # a list item wrapped onto the next line
                continue
            in_list = False
            lines.append(line.rstrip())
    end_paragraph()
    return blocks


def format_cost(value):
    """Estimated US dollars: "$0.000123" for fractions of a cent, "$1.25" above."""
    if value is None or value == "":
        return ""
    try:
        cost = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return ""
    if cost <= 0:
        return "$0.00"
    if cost < Decimal("0.000001"):
        return "under $0.000001"
    if cost < Decimal("0.01"):
        return f"${cost.quantize(Decimal('0.000001')).normalize():f}"
    return f"${cost.quantize(Decimal('0.01')):f}"


def format_tokens(count, estimated):
    if count is None:
        return "?"
    return f"{'≈' if estimated else ''}{int(count):,}"


@dataclass(frozen=True)
class ShownSummary:
    """One stored summary as the page shows it."""

    item: object  # sessions.summaries.repository.Summary
    blocks: list
    from_earlier_transcript: bool
    length_label: str
    input_tokens: str
    output_tokens: str
    cost: str
    names_note: str = ""  # WRITTEN_BEFORE_NAMES, WRITTEN_BEFORE_NAME_CHANGE or ""

    @property
    def names_note_detail(self):
        """What the names note means for the text ("it may use the old names")."""
        return NAMES_NOTE_DETAIL.get(self.names_note, "")

    @classmethod
    def of(cls, item, *, session=None, names=None):
        """`session`: the session the summary is of, to tell whether its transcript changed
        since; `names`: the campaign's speaker names ({label: {"player", "character"}}), to
        tell whether they changed since (None: not known here, nothing said)."""
        estimated = bool(item.tokens_estimated)
        from_earlier_transcript = session is not None and item.is_stale_for(session)
        return cls(
            item=item,
            blocks=text_blocks(item.text),
            from_earlier_transcript=from_earlier_transcript,
            names_note=(
                speaker_names_note(item, session, names)
                if session is not None and names is not None and not from_earlier_transcript
                else ""
            ),
            length_label=item.length_label or "",
            input_tokens=format_tokens(item.input_tokens, estimated),
            output_tokens=format_tokens(item.output_tokens, estimated),
            cost=format_cost(item.estimated_cost_usd),
        )


def speaker_names_note(item, session, names):
    """Whether the summary's speaker names are out of date: WRITTEN_BEFORE_NAMES,
    WRITTEN_BEFORE_NAME_CHANGE or "".

    A summary records the names it was written with (Summary.speaker_names_sha, a
    fingerprint of the names of the session's listed labels); today's are compared with
    it. Two cases are judged by the text instead, since the fingerprint cannot tell:
    - unknown (written before summaries recorded it): out of date only when the text still
      shows a raw label ("SPEAKER_00") that has a name now;
    - edited by hand: the edit may have put the names in already, so the same rule.
    No transcript (nothing to write it from again): nothing to say."""
    if item.is_story or not session.has_transcript:
        return ""
    labels = list(session.transcript_speakers or [])
    written = item.speaker_names_sha
    if written is None or item.edited:
        return WRITTEN_BEFORE_NAMES if raw_labels_in(item.text, names_in_use(names, labels)) else ""
    if written == names_fingerprint(names, labels):
        return ""
    return WRITTEN_BEFORE_NAMES if written == NO_NAMES else WRITTEN_BEFORE_NAME_CHANGE


def summaries_context(request, campaign, session, job, *, form=None, names=None):
    """What templates/sessions/_summaries.html needs: the session's summaries, the job's
    status, and the form to ask for more (`form` when a POST was refused). `names`: the
    campaign's speaker names as the page read them (its BatchGetItem), to say which
    summaries were written with other names.

    The summaries are one Query, made only when the session's children_version says that
    something was ever written under it: every summary write counts there (a child write,
    sessions.core.repository.record_child_write), and so does a transcript, so a session never
    summarized and without a transcript costs no Query."""
    stored = []
    if session.children_version:  # else nothing was ever written under the session: no Query
        stored = summaries.list_summaries_for_session(
            sub=_sub(request), campaign_id=campaign.campaign_id, session_id=session.session_id
        )
    active = job is not None and bool(job.is_active)
    return {
        "summaries": [ShownSummary.of(item, session=session, names=names) for item in stored],
        "summary_job": job,
        "summary_status": job.effective_status if job else None,
        "summary_status_label": job_status_label(job) if job else "",
        "summary_active": active,
        "summary_show_status": status_worth_showing(job),
        "summary_status_url": reverse("sessions:summary_status", args=[campaign.campaign_id, session.session_id]),
        "summary_poll_ms": poll_delays_attribute(),
        "summary_refresh_seconds": refresh_seconds(job) if active else None,
        "summary_refresh_url": refresh_url(
            reverse("sessions:detail", args=[campaign.campaign_id, session.session_id]), "summaries"
        ),
        "summarize_form": form or SummarizeForm(),
        # The form is below every summary: a refusal is said at the top too, with a link to it.
        **({"refused_form": refused_form_notice(form, anchor="summarize")} if form is not None and form.errors else {}),
    }


# --- views ----------------------------------------------------------------------------------------
@login_required
@require_POST
def summarize(request, campaign_id, session_id):
    """Start a job writing the chosen summaries, then back to the session page, which follows
    it. No read first: the job's start refuses another user's ids (SessionNotFound)."""
    form = SummarizeForm(request.POST)
    if not form.is_valid():
        from sessions.views import render_session_page  # sessions.views imports this module

        return render_session_page(request, campaign_id, session_id, summarize_form=form)
    kinds, length = form.cleaned_data["kinds"], form.cleaned_data["length"]
    try:
        summary_jobs.start_summary_job(
            sub=_sub(request),
            campaign_id=campaign_id,
            session_id=session_id,
            kinds=kinds,
            length=length,
            replace_edits=form.cleaned_data["replace_edits"],
        )
    except summary_jobs.SessionNotFound:
        raise Http404 from None  # not the user's (or deleted meanwhile): nothing was written
    except summary_jobs.NoTranscript:
        messages.error(request, NO_TRANSCRIPT)
    except summary_jobs.JobAlreadyRunning:
        messages.info(request, ALREADY_RUNNING)
    except summary_jobs.StillChanging:
        messages.error(request, "The session is changing right now. Ask again in a moment.")
    except summary_jobs.EditedSummaries as edited:
        campaign, session = _get_session_for_user(request, campaign_id, session_id)
        edited_kinds = edited.kinds  # in KINDS order, as start_summary_job checked them
        others = [kind for kind in kinds if kind not in edited_kinds]
        return render(
            request,
            "sessions/summaries_confirm.html",
            {
                "campaign": campaign,
                "session": session,
                "kinds": kinds,
                "length": length,
                "edited": [(kind, KINDS[kind]) for kind in edited_kinds],
                "others": others,
                "other_labels": and_list(_short(KINDS[kind]) for kind in others),
            },
        )
    return redirect(_session_url(campaign_id, session_id))


@login_required
@require_GET
@never_cache
def summary_status(request, campaign_id, session_id):
    """The job's status for the page's script: {"status", "label", "active"}. One GetItem."""
    return job_status_response(
        summary_jobs.get_summary_job(sub=_sub(request), campaign_id=campaign_id, session_id=session_id)
    )


@login_required
@require_http_methods(["GET", "POST"])
def summary_edit(request, campaign_id, session_id, kind):
    """Edit one summary's text by hand. The form carries the version it started from; a save
    over a newer version (a regenerated summary, another tab) is refused and shows what
    differs. A saved edit is marked, and regenerating asks before replacing it."""
    if kind not in KINDS:
        raise Http404  # before any request
    differences = None
    summary = None
    if request.method == "POST":
        form = SummaryEditForm(request.POST)
        if form.is_valid():
            try:
                summaries.edit_summary(
                    sub=_sub(request),
                    campaign_id=campaign_id,
                    session_id=session_id,
                    kind=kind,
                    expected_version=form.cleaned_data["version"],
                    text=form.cleaned_data["text"],
                )
            except (summaries.SummaryNotFound, repository.SessionNotFound):
                raise Http404 from None  # not the user's, or deleted meanwhile: nothing was written
            except summaries.SummaryTextInvalid as invalid:
                form.add_error("text", str(invalid))  # the form checks the same rules: not expected
            except repository.StaleEdit as stale:
                differences = form.differences(stale.current)
                form = form.restarted_from(stale.current)
                summary = stale.current
            else:
                messages.success(request, "Summary saved.")
                return redirect(_session_url(campaign_id, session_id, anchor=f"summary-{kind}"))
        campaign, session = _get_session_for_user(request, campaign_id, session_id)
        if summary is None and not summaries.get_summary(
            sub=_sub(request), campaign_id=campaign_id, session_id=session_id, kind=kind
        ):
            raise Http404  # a refused form for a summary that is not there: no page to show it on
    else:
        campaign, session = _get_session_for_user(request, campaign_id, session_id)
        summary = summaries.get_summary(sub=_sub(request), campaign_id=campaign_id, session_id=session_id, kind=kind)
        if summary is None:
            raise Http404
        form = SummaryEditForm.for_item(summary)
    return render(
        request,
        "sessions/summary_edit.html",
        {
            "campaign": campaign,
            "session": session,
            "kind": kind,
            "kind_label": KINDS[kind],
            "summary": ShownSummary.of(summary, session=session) if summary else None,
            "form": form,
            "differences": differences,
        },
    )
