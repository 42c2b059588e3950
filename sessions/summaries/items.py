"""The items of summaries and their jobs, with the rules that belong to them.

- Summary: one per session and kind, PK `USER#<sub>`, SK `SUMMARY#<cid>#<sid>#<kind>`, and
  one per campaign for its story so far, SK `SUMMARY#<cid>#STORY#story_so_far`
  (sessions/summaries/repository.py reads and edits them). Its text is capped at
  MAX_SUMMARY_CHARS characters and MAX_SUMMARY_BYTES bytes of UTF-8, so an item stays
  under the 64 KB item budget (docs/data-model.md, rule 8): generated text past the cap
  is cut at a line (fit_summary_text); an edit past it is refused (SummaryTextInvalid).
  Summaries imported from v1.0 are Markdown (text_format), and may be of a kind this app
  does not write (KINDS): kept under v1.0's name, shown with it (kind_label), never
  written by a job.
- SummaryJob: the latest job of a session, SK `SUMMARYJOB#<cid>#<sid>`, or of a
  campaign's story, `SUMMARYJOB#<cid>#STORY` (sessions/summaries/jobs.py starts them,
  sessions/summaries/runners.py runs them). A job queued or running past its deadline
  reads as failed (effective_status); an expired one as gone (live_job, rule 5).
"""

import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from campaigns_site.job_states import ACTIVE, DONE, FAILED, QUEUED, RUNNING, STATUSES, JobStates  # noqa: F401 (re-exported for the jobs)
from campaigns_site.table import TableModel
from campaigns_site.table_keys import STORY, sub_of_user_pk
from sessions.core.kinds import KINDS, LENGTHS, STORY_SO_FAR

MAX_SUMMARY_CHARS = 20_000
MARKDOWN = "markdown"  # Summary.text_format of v1.0's summaries
IMPORTED_PROVIDER = "v1.0"  # Summary.provider of a summary brought over from v1.0
# A summary kind in a key (SUMMARY#<cid>#<sid>#<kind>) and a URL (<slug:kind>).
_STORABLE_KIND = re.compile(r"[A-Za-z0-9_-]{1,64}")
# 20,000 characters of emoji would be 80 KB: the bytes are capped too, as for a session's notes.
MAX_SUMMARY_BYTES = 48_000
STORY_LABEL = "The story so far"
_TRUNCATED = "\n…"

FINISHED = (DONE, FAILED)
KEEP_DAYS = 7  # a finished job's status stays this long, then expires
NO_TRANSCRIPT = "This session has no transcript yet: upload one, then ask for summaries."
GENERIC_FAILURE = "Something went wrong while making the summaries. Try again in a moment."


class SummaryTextInvalid(ValueError):
    """An edited text the item cannot hold; the message is for the person editing."""


class SessionOrStory:
    """Where an item keyed `<PREFIX>#<cid>#<sid>...` or `<PREFIX>#<cid>#STORY...` belongs:
    a session, or its campaign's story so far (a summary and a summary job alike)."""

    @property
    def owner_sub(self):
        return sub_of_user_pk(self.pk)

    @property
    def campaign_id(self):
        return self.sk.split("#")[1]

    @property
    def is_story(self):
        return self.sk.split("#")[2] == STORY

    @property
    def session_id(self):
        """The session's id; None for the campaign's story so far."""
        return None if self.is_story else self.sk.split("#")[2]


class Summary(SessionOrStory, TableModel, discriminator="Summary"):
    """PK `USER#<sub>`, SK `SUMMARY#<cid>#<sid>#<kind>` (or `SUMMARY#<cid>#STORY#story_so_far`)."""

    kind = UnicodeAttribute()  # a key of summarizers.KINDS, or STORY_SO_FAR
    length = UnicodeAttribute(default="standard")  # a key of summarizers.LENGTHS
    text = UnicodeAttribute(default="")  # plain text; lists are "- " lines (or Markdown: text_format)
    # How `text` is written: None, this app's plain text; MARKDOWN, v1.0's Markdown (an
    # imported summary, and its hand edits), shown rendered safely
    # (campaigns_site.markdown_text).
    text_format = UnicodeAttribute(null=True)
    provider = UnicodeAttribute(default="")  # "offline", "bedrock"; IMPORTED_PROVIDER from v1.0
    model = UnicodeAttribute(default="")
    input_tokens = NumberAttribute(default=0)
    output_tokens = NumberAttribute(default=0)
    tokens_estimated = BooleanAttribute(default=False)  # counts are estimates, not the provider's
    # US dollars as a decimal string ("0.000123"): exact, where a Number would pass through float.
    estimated_cost_text = UnicodeAttribute(attr_name="estimated_cost_usd", default="0")
    created = UTCDateTimeAttribute(null=True)  # when it was generated
    updated = UTCDateTimeAttribute(null=True)  # generated or edited
    edited = BooleanAttribute(default=False)  # changed by hand since it was generated
    # What it was made from: the transcript's sha256 (sessions), or a digest of the
    # sessions' recaps (the story, story_sources_sha256). A different one now: stale.
    source_sha256 = UnicodeAttribute(null=True)
    source_count = NumberAttribute(null=True)  # the story: how many sessions' recaps it used
    # Why the offline summarizer wrote it when another provider was configured (Bedrock
    # refused the job), in words that complete "Written by the offline summarizer
    # because …"; None when the configured provider wrote it.
    fallback_reason = UnicodeAttribute(null=True)
    # The speaker names it was written with (speaker_display.names_fingerprint of the
    # session's listed labels: 16 hex characters, or "none" when no label had a name).
    # None: unknown (written before summaries recorded it, or the story so far).
    speaker_names_sha = UnicodeAttribute(null=True)
    version = VersionAttribute()

    @property
    def kind_label(self):
        return kind_label(self.kind)

    @property
    def is_markdown(self):
        return self.text_format == MARKDOWN

    @property
    def is_imported(self):
        """Brought over from v1.0 (sessions.summaries.repository.imported_summary)."""
        return self.provider == IMPORTED_PROVIDER

    @property
    def can_be_regenerated(self):
        """A job writes only KINDS: a kind kept from v1.0 under its own name can be edited, not written again."""
        return self.kind in KINDS

    @property
    def length_label(self):
        return LENGTHS.get(self.length, self.length)

    @property
    def estimated_cost_usd(self):
        try:
            return Decimal(self.estimated_cost_text or "0")
        except InvalidOperation:
            return Decimal(0)

    @property
    def total_tokens(self):
        return int(self.input_tokens or 0) + int(self.output_tokens or 0)

    def is_stale_for(self, session):
        """True when the session's transcript is no longer the one this summary was made
        from (replaced or removed since): the page says so and offers to regenerate."""
        return bool(self.source_sha256) and self.source_sha256 != (session.transcript_sha256 or "")


def kind_label(kind):
    """A summary kind's name on the page (a summary's, or a summary job's kinds). A kind
    kept from v1.0 under its own name reads as words: "session_mood" -> "Session mood"."""
    if kind == STORY_SO_FAR:
        return STORY_LABEL
    if kind in KINDS:
        return KINDS[kind]
    words = " ".join(kind.replace("_", " ").replace("-", " ").split())
    return words[:1].upper() + words[1:] if words else kind


def is_storable_kind(kind):
    """Whether `kind` can name a summary: one of KINDS, or a kind kept from v1.0 under its
    own name that fits in a key and a URL (letters, digits, "_" and "-"; never the story's)."""
    return isinstance(kind, str) and kind != STORY_SO_FAR and bool(_STORABLE_KIND.fullmatch(kind))


class SummaryJob(JobStates, SessionOrStory, TableModel, discriminator="SummaryJob"):
    """PK `USER#<sub>`, SK `SUMMARYJOB#<cid>#<sid>` (or `SUMMARYJOB#<cid>#STORY`)."""

    job_id = UnicodeAttribute()  # a ULID, new for every start: a worker acts only on its own job
    status = UnicodeAttribute()  # queued, running, done, failed (see effective_status)
    kinds = ListAttribute(of=UnicodeAttribute, default=list)  # in KINDS order
    length = UnicodeAttribute(default="standard")
    replace_edits = BooleanAttribute(default=False)  # the GM agreed to replace hand edits
    # {kind: the summary's version when the job started, 0 when there was none}: a save
    # is conditioned on it, so a hand edit made while the job runs is kept.
    expected_versions = MapAttribute(default=dict)
    # {kind: that summary's estimated cost (text) when the job started}: a save replacing
    # it takes its cost off the user's usage counters (campaigns_site.usage).
    expected_costs = MapAttribute(default=dict)
    requested = UTCDateTimeAttribute()
    started = UTCDateTimeAttribute(null=True)
    finished = UTCDateTimeAttribute(null=True)
    deadline = UTCDateTimeAttribute()  # queued or running past this: failed
    attempts = NumberAttribute(default=0)  # claims (Lambda may deliver an invocation twice)
    error = UnicodeAttribute(null=True)  # why it failed, for the person who asked
    done_kinds = ListAttribute(of=UnicodeAttribute, default=list)  # saved, in order
    kept_edits = ListAttribute(of=UnicodeAttribute, default=list)  # edited meanwhile: kept, not replaced
    kind_errors = MapAttribute(default=dict)  # {kind: why that kind has no summary} (e.g. not English)
    ttl = TTLAttribute(null=True)

    # --- where it belongs (owner_sub, campaign_id, is_story and session_id: SessionOrStory)
    # --- status
    @property
    def failure_reason(self):
        """Why it failed, in words for the person who asked; "" unless it failed."""
        if self.timed_out:
            if self.status == QUEUED:
                return f"It did not start within {timeout_text()}. Try again."
            return took_too_long()
        if self.status == FAILED:
            return self.error or GENERIC_FAILURE
        return ""

    # --- what it did, for the page
    @property
    def kind_labels(self):
        return [kind_label(kind) for kind in self.kinds]

    @property
    def done_labels(self):
        return [kind_label(kind) for kind in self.done_kinds or []]

    @property
    def kept_edit_labels(self):
        return [kind_label(kind) for kind in self.kept_edits or []]

    @property
    def problems(self):
        """[(kind label, why it has no summary)] for kinds that could not be made."""
        errors = _as_dict(self.kind_errors)
        return [(kind_label(kind), errors[kind]) for kind in self.kinds if kind in errors]

    def expected_version(self, kind):
        return int(_as_dict(self.expected_versions).get(kind) or 0)

    def expected_cost(self, kind):
        """The replaced summary's estimated cost (0: none, or a job started before costs were kept)."""
        return Decimal(str(_as_dict(self.expected_costs).get(kind) or "0"))


def live_job(item):
    """A SummaryJob item as read in a batch, or None when it is expired (rule 5)."""
    return None if item is None or item.is_expired else item


def job_timeout():
    """How long a job may stay queued, or run once claimed: settings.SUMMARY_JOB_TIMEOUT_SECONDS."""
    return timedelta(seconds=settings.SUMMARY_JOB_TIMEOUT_SECONDS)


def timeout_text():
    """settings.SUMMARY_JOB_TIMEOUT_SECONDS in words: "5 minutes", "90 seconds"."""
    seconds = settings.SUMMARY_JOB_TIMEOUT_SECONDS
    if seconds % 60:
        return f"{seconds} seconds"
    minutes = seconds // 60
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def took_too_long():
    return f"It took longer than {timeout_text()} and was stopped. Try again."


def _as_dict(value):
    if value is None:
        return {}
    return value.as_dict() if isinstance(value, MapAttribute) else dict(value)


# --- text -------------------------------------------------------------------------------
def clean_summary_text(text):
    """The text as a hand edit stores it: line ends normalised, outer blank space gone.
    Raises SummaryTextInvalid when it is empty or past the caps."""
    cleaned = _normalised(text)
    if not cleaned:
        raise SummaryTextInvalid("A summary cannot be empty.")
    if len(cleaned) > MAX_SUMMARY_CHARS:
        raise SummaryTextInvalid(
            f"A summary can be up to {MAX_SUMMARY_CHARS:,} characters; this one has {len(cleaned):,}."
        )
    if len(cleaned.encode()) > MAX_SUMMARY_BYTES:
        raise SummaryTextInvalid(
            f"This summary is too large to store ({len(cleaned.encode()):,} bytes; at most "
            f"{MAX_SUMMARY_BYTES:,}): shorten it, emoji and other symbols take up to four bytes each."
        )
    return cleaned


def fit_summary_text(text):
    """Generated text within the caps: whole lines kept while they fit, then "…"."""
    text = _normalised(text)
    if len(text) <= MAX_SUMMARY_CHARS and len(text.encode()) <= MAX_SUMMARY_BYTES:
        return text
    kept, chars, size = [], len(_TRUNCATED), len(_TRUNCATED.encode())
    for line in text.split("\n"):
        line_chars, line_bytes = len(line) + 1, len(line.encode()) + 1
        if chars + line_chars > MAX_SUMMARY_CHARS or size + line_bytes > MAX_SUMMARY_BYTES:
            break
        kept.append(line)
        chars, size = chars + line_chars, size + line_bytes
    if not kept:  # one enormous line: cut it by characters until it fits
        line = text.split("\n", 1)[0][: MAX_SUMMARY_CHARS - len(_TRUNCATED)]
        while len(line.encode()) > MAX_SUMMARY_BYTES - len(_TRUNCATED.encode()):
            line = line[: len(line) * 9 // 10]
        kept = [line]
    return "\n".join(kept) + _TRUNCATED


def _normalised(text):
    return "\n".join(
        line.rstrip() for line in str(text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    ).strip()
