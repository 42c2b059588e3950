"""How summaries and their jobs read on a page: each summary's text, figures and notes
(ShownSummary), a job's status line and its polling, and the words the pages share.
Used by the session page's Summaries section (sessions/summaries/views.py, through
summaries_context), the summarize view (sessions/summarize_views.py), the story page
(sessions/summaries/story_views.py) and the upload page (a message).
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.http import Http404, JsonResponse
from django.utils import timezone

from campaigns_site.text_blocks import text_blocks
from sessions.core.kinds import KINDS
from sessions.transcripts.speaker_display import NO_NAMES, names_fingerprint, names_in_use, raw_labels_in

WRITTEN_BEFORE_NAMES = "Written before you named the speakers"
WRITTEN_BEFORE_NAME_CHANGE = "Written before the speaker names changed"
NAMES_NOTE_DETAIL = {
    WRITTEN_BEFORE_NAMES: "it calls the speakers by the recording’s labels",
    WRITTEN_BEFORE_NAME_CHANGE: "it may use the old names",
}

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
    now = now or timezone.now()
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
    return f"{path}?refreshed={int(timezone.now().timestamp())}#{anchor}"


# --- how summaries and jobs read ----------------------------------------------------------------
_PARENTHETICAL = re.compile(r"\s*\([^)]*\)\s*$")


def and_list(words):
    """["A", "B", "C"] -> "A, B and C"."""
    words = list(words)
    if len(words) < 2:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def short_label(label):
    """ "Recap (previously on…)" -> "Recap": a kind's name inside a sentence."""
    return _PARENTHETICAL.sub("", label)


def _sentence(text):
    text = (text or "").strip()
    return text if not text or text[-1] in ".!?…" else f"{text}."


def asked_message(kinds):
    """What the page says once summaries of `kinds` were asked for: "Recap asked for: …"
    for one, "6 summaries asked for: …" for more. Never "writing now" (see ALREADY_RUNNING)."""
    if len(kinds) == 1:
        return f"{short_label(KINDS[kinds[0]])} asked for: it shows under Summaries, below, once written."
    return f"{len(kinds)} summaries asked for: they show under Summaries, below, as each is written."


def job_status_label(job, *, what=None):
    """The status line of a job, as the page shows it and the status answer returns it:
    "Queued…", "Running…", "Done." or "Failed: <reason>", and what it concerns.

    `what` names what the job writes ("the story so far"); by default, the job's kinds.
    """
    status = job.effective_status
    what = what or and_list(short_label(label) for label in job.kind_labels) or "the summaries"
    if status == "queued":
        return f"Queued… {what[:1].upper()}{what[1:]} will be written in a moment."
    if status == "running":
        done, total = len(job.done_kinds or ()), len(job.kinds or ())
        progress = f" ({done} of {total} done)" if done and total > 1 else ""
        return f"Running… writing {what}{progress}."
    if status == "done":
        parts = ["Done."]
        kept = [short_label(label) for label in job.kept_edit_labels]
        if kept and job.is_story:
            parts.append("Your hand edit was kept: it was changed while the story was being written.")
        elif kept:
            parts.append(f"Your hand edits of {and_list(kept)} were kept.")
        for label, why in job.problems:
            parts.append(f"{short_label(label)} could not be written. {_sentence(why)}")
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

    item: object  # sessions.summaries.items.Summary
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
            blocks=[] if item.is_markdown else text_blocks(item.text),  # Markdown: the template's `markdown` filter
            from_earlier_transcript=from_earlier_transcript,
            names_note=(
                speaker_names_note(item, session, names)
                if session is not None and names is not None and not from_earlier_transcript
                else ""
            ),
            length_label=item.length_label or "",
            input_tokens=format_tokens(item.input_tokens, estimated),
            output_tokens=format_tokens(item.output_tokens, estimated),
            cost="" if item.is_imported else format_cost(item.estimated_cost_usd),  # v1.0 kept no cost
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
