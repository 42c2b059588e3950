"""AI summaries, stored as items in the owner's partition (not in S3: they are small).

One item per session and kind, PK `USER#<sub>`, SK `SUMMARY#<cid>#<sid>#<kind>`, and
one per campaign for its story so far, SK `SUMMARY#<cid>#STORY#story_so_far`
(campaigns_site.table_keys.story_summary_sk). The story sits under the campaign's
summaries prefix on purpose: the campaign's delete cascade, which deletes everything
under `SUMMARY#<cid>#`, takes it along, and no session's prefix reaches it ("STORY" is
never a ULID).

Summary jobs (sessions/summaries/jobs.py) write them; the GM may edit one by hand
(edit_summary), which marks it `edited`, so that regenerating never silently replaces
a hand edit. Every write of a session's summary is a child write of the session
(sessions.core.repository.record_child_write): a delete or move running at the same time
reads the session's children again instead of leaving an orphan.

Size: the text is capped at MAX_SUMMARY_CHARS characters and MAX_SUMMARY_BYTES bytes of
UTF-8, so an item stays under the 64 KB item budget (docs/data-model.md, rule 8).
Generated text past the cap is cut at a line (fit_summary_text); an edit past it is
refused (SummaryTextInvalid).
"""

import hashlib
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from campaigns.items import Campaign
from campaigns.repository import CampaignNotFound
from campaigns_site.errors import NotFound, StaleEdit
from campaigns_site.table import (
    TableModel,
    campaign_sk,
    sessions_of_campaign_prefix,
    story_summary_sk,
    summary_sk,
    user_pk,
)
from campaigns_site.table_keys import STORY, play_order_prefix, summaries_prefix
from campaigns_site.transactions import Transaction, TransactionCanceled
from sessions.core import search_index
from sessions.core.items import PlaySession
from sessions.core.repository import SessionNotFound, record_child_write
from sessions.summaries.summarizers import KINDS, LENGTHS, STORY_SO_FAR

MAX_SUMMARY_CHARS = 20_000
# 20,000 characters of emoji would be 80 KB: the bytes are capped too, as for a session's notes.
MAX_SUMMARY_BYTES = 48_000
STORY_LABEL = "The story so far"
_TRUNCATED = "\n…"


class SummaryNotFound(NotFound):
    """The user has no such summary (never made, or deleted with its session)."""


class SummaryTextInvalid(ValueError):
    """An edited text the item cannot hold; the message is for the person editing."""


class SessionOrStory:
    """Where an item keyed `<PREFIX>#<cid>#<sid>...` or `<PREFIX>#<cid>#STORY...` belongs:
    a session, or its campaign's story so far (a summary and a summary job alike)."""

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
    text = UnicodeAttribute(default="")  # plain text; lists are "- " lines
    provider = UnicodeAttribute(default="")  # "offline", "bedrock"
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
    """A summary kind's name on the page (a summary's, or a summary job's kinds)."""
    return STORY_LABEL if kind == STORY_SO_FAR else KINDS.get(kind, kind)


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


def generated_summary(
    *,
    sub,
    sk,
    result,
    version,
    source_sha256,
    source_count=None,
    fallback_reason=None,
    speaker_names_sha=None,
    now=None,
):
    """A Summary item for a provider's SummaryResult, at `version` (the stored one + 1);
    `fallback_reason` when the offline summarizer wrote it in the configured provider's place."""
    now = now or datetime.now(UTC)
    return Summary(
        user_pk(sub),
        sk,
        kind=result.kind,
        length=result.length,
        text=fit_summary_text(result.text),
        provider=result.provider,
        model=result.model,
        input_tokens=int(result.input_tokens),
        output_tokens=int(result.output_tokens),
        tokens_estimated=bool(result.tokens_estimated),
        estimated_cost_text=str(result.estimated_cost_usd),
        created=now,
        updated=now,
        edited=False,
        source_sha256=source_sha256,
        source_count=source_count,
        fallback_reason=fallback_reason,
        speaker_names_sha=speaker_names_sha,
        version=version,
    )


# --- a session's summaries ------------------------------------------------------------------
def list_summaries_for_session(*, sub, campaign_id, session_id):
    """The session's summaries in KINDS order: one strongly consistent Query,
    begins_with(SK, "SUMMARY#<cid>#<sid>#")."""
    found = Summary.query(
        user_pk(sub), Summary.sk.startswith(summaries_prefix(campaign_id, session_id)), consistent_read=True
    )
    order = {kind: index for index, kind in enumerate(KINDS)}
    return sorted(found, key=lambda summary: (order.get(summary.kind, len(order)), summary.kind))


def get_summary(*, sub, campaign_id, session_id, kind):
    """One summary of the session, or None."""
    return _get(sub, summary_sk(campaign_id, session_id, _checked_kind(kind)))


def edit_summary(*, sub, campaign_id, session_id, kind, expected_version, text):
    """Replace the summary's text by hand, if it is still at expected_version; returns it as stored.

    Marks it `edited`, so a later regeneration asks before replacing it, and a job running
    now keeps it. One TransactWriteItems: the update, conditioned on the version, and the
    session's child write. Raises SummaryTextInvalid, StaleEdit(current) when it changed
    since the edit began (a job finished, or another tab saved), SummaryNotFound when it is
    gone, SessionNotFound when the session is.
    """
    text = clean_summary_text(text)
    sk = summary_sk(campaign_id, session_id, _checked_kind(kind))
    transaction = Transaction()
    _update_by_hand(transaction, sub, sk, text=text, expected_version=expected_version)
    record_child_write(transaction, sub=sub, campaign_id=campaign_id, session_id=session_id)
    search_index.write_part(
        transaction, sub=sub, campaign_id=campaign_id, session_id=session_id, part=search_index.summary_part(kind, text)
    )  # its words, as edited
    try:
        transaction.commit()
    except TransactionCanceled as canceled:
        if canceled.failed(0):
            raise _edit_refused(sub, sk, kind) from None
        if canceled.failed(1):
            raise SessionNotFound(session_id) from None
        raise
    return _get(sub, sk)


def _update_by_hand(transaction, sub, sk, *, text, expected_version):
    """The hand edit's update (item `sk`), only if the summary is still at expected_version."""
    transaction.update(
        user_pk(sub),
        sk,
        actions=[
            Summary.text.set(text),
            Summary.edited.set(True),
            Summary.updated.set(datetime.now(UTC)),
            Summary.version.add(1),
        ],
        condition=Summary.sk.exists() & (Summary.version == int(expected_version)),
    )


def _edit_refused(sub, sk, kind):
    """Why _update_by_hand's update failed: the summary is gone, or changed since the edit began."""
    current = _get(sub, sk)
    if current is None:
        return SummaryNotFound(kind)
    return StaleEdit(current)


# --- the campaign's story so far ------------------------------------------------------------
def get_story_so_far(*, sub, campaign_id):
    """The campaign's story so far, or None when it was never made."""
    return _get(sub, story_summary_sk(campaign_id))


def edit_story_so_far(*, sub, campaign_id, expected_version, text):
    """edit_summary for the story so far: the same rules, with the campaign (exists, not
    being deleted) in place of the session."""
    text = clean_summary_text(text)
    sk = story_summary_sk(campaign_id)
    transaction = Transaction()
    _update_by_hand(transaction, sub, sk, text=text, expected_version=expected_version)
    transaction.check(user_pk(sub), campaign_sk(campaign_id), condition=campaign_is_live())
    try:
        transaction.commit()
    except TransactionCanceled as canceled:
        if canceled.failed(1):
            raise CampaignNotFound(campaign_id) from None
        if canceled.failed(0):
            raise _edit_refused(sub, sk, STORY_SO_FAR) from None
        raise
    return _get(sub, sk)


def list_recaps_in_play_order(*, sub, campaign_id):
    """[(session, its recap or None)] for every session of the campaign, oldest first:
    what the story so far is made from, and what its page lists.

    Two Queries, each read to its last page: the sessions in play order (LSI1), and the
    campaign's summaries (begins_with(SK, "SUMMARY#<cid>#")) filtered to recaps.
    """
    sessions = PlaySession.second_sort_order.query(
        user_pk(sub),
        PlaySession.lsi1sk.startswith(play_order_prefix(_checked_campaign(campaign_id))),
        scan_index_forward=True,  # oldest first
        consistent_read=True,
    )
    recaps = {
        summary.session_id: summary
        for summary in Summary.query(
            user_pk(sub),
            Summary.sk.startswith(summaries_prefix(campaign_id)),
            filter_condition=Summary.kind == "recap",
            consistent_read=True,
        )
        if not summary.is_story
    }
    return [(session, recaps.get(session.session_id)) for session in sessions]


def story_sources(recaps_in_play_order):
    """[(title, text)] of the sessions that have a recap, oldest first (for the summarizer)."""
    return [(session.title, recap.text) for session, recap in recaps_in_play_order if recap and recap.text.strip()]


def story_sources_sha256(recaps_in_play_order):
    """A digest of what a story so far is made from: which sessions, in which order, with
    which recap texts. The story stores it; a different one now means it is out of date."""
    digest = hashlib.sha256()
    for session, recap in recaps_in_play_order:
        if recap and recap.text.strip():
            digest.update(f"{session.session_id}\x00{recap.text.strip()}\x00".encode())
    return digest.hexdigest()


def story_is_stale(story, recaps_in_play_order):
    """True when a session's recap was added, changed or removed since the story was made."""
    return story is not None and story.source_sha256 != story_sources_sha256(recaps_in_play_order)


def campaign_is_live():
    """The condition for writing anything of a campaign: it exists and is not being deleted."""
    return Campaign.sk.exists() & Campaign.deleting_since.does_not_exist()


# --- helpers -----------------------------------------------------------------------------
def _get(sub, sk):
    try:
        return Summary.get(user_pk(sub), sk, consistent_read=True)
    except Summary.DoesNotExist:
        return None


def _checked_kind(kind):
    if kind not in KINDS:
        raise ValueError(f"unknown summary kind {kind!r}; expected one of {', '.join(KINDS)}")
    return kind


def _checked_campaign(campaign_id):
    sessions_of_campaign_prefix(campaign_id)  # refuses an id that would reach into another key
    return campaign_id
