"""AI summaries and their jobs, stored as items in the owner's partition (not in S3: they
are small). The items and their rules are in sessions/summaries/items.py.

One summary per session and kind, SK `SUMMARY#<cid>#<sid>#<kind>`, and one per campaign
for its story so far, SK `SUMMARY#<cid>#STORY#story_so_far`
(campaigns_site.table_keys.story_summary_sk). The story sits under the campaign's
summaries prefix on purpose: the campaign's delete cascade, which deletes everything
under `SUMMARY#<cid>#`, takes it along, and no session's prefix reaches it ("STORY" is
never a ULID).

Summary jobs (sessions/summaries/jobs.py) write them; the GM may edit one by hand
(edit_summary), which marks it `edited`, so that regenerating never silently replaces
a hand edit. Every write of a session's summary is a child write of the session
(sessions.core.repository.record_child_write): a delete or move running at the same time
reads the session's children again instead of leaving an orphan.

The jobs' reads are here too: the latest job of a session or story (expired ones read
as gone), and the BatchGetItems that read a job with what it concerns (the session page,
a job's start, the story page).
"""

import hashlib

from django.utils import timezone

from campaigns.items import Campaign
from campaigns.repository import CampaignNotFound
from campaigns_site import prefetch
from campaigns_site.dynamodb import first_of, read_items
from campaigns_site.errors import NotFound, StaleEdit
from campaigns_site.table import (
    campaign_sk,
    session_sk,
    sessions_of_campaign_prefix,
    speaker_names_sk,
    story_job_sk,
    story_summary_sk,
    summary_job_sk,
    summary_sk,
    user_pk,
)
from campaigns_site.table_keys import play_order_prefix, summaries_prefix
from campaigns_site.transactions import Transaction, TransactionCanceled
from sessions.core.items import PlaySession
from sessions.core.kinds import KINDS, STORY_SO_FAR, in_kinds_order  # noqa: F401  (the pages sort with it)
from sessions.core.repository import SessionNotFound, live_campaign, record_child_write
from sessions.summaries.items import (
    FINISHED,
    Summary,
    SummaryJob,
    clean_summary_text,
    fit_summary_text,
    is_storable_kind,
    live_job,
)
from sessions.transcripts.items import SpeakerNames


class SummaryNotFound(NotFound):
    """The user has no such summary (never made, or deleted with its session)."""


def generated_summary(
    *,
    sub,
    campaign_id,
    session_id=None,
    result,
    version,
    source_sha256,
    source_count=None,
    fallback_reason=None,
    speaker_names_sha=None,
    now=None,
):
    """A Summary item for a provider's SummaryResult, at `version` (the stored one + 1): the
    session's summary of the result's kind, or without session_id the campaign's story so
    far; `fallback_reason` when the offline summarizer wrote it in the configured provider's place."""
    now = now or timezone.now()
    sk = story_summary_sk(campaign_id) if session_id is None else summary_sk(campaign_id, session_id, result.kind)
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
    return in_kinds_order(found)


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
    from sessions.core import search_index  # writes only: the GET pages need not load the search index

    text = clean_summary_text(text)
    sk = summary_sk(campaign_id, session_id, _checked_kind(kind))
    transaction = Transaction()
    _update_by_hand(transaction, sub, sk, text=text, expected_version=expected_version)
    record_child_write(transaction, sub=sub, campaign_id=campaign_id, session_id=session_id)
    search_index.write_part(
        transaction,
        sub=sub,
        campaign_id=campaign_id,
        session_id=session_id,
        part=summary_search_part(sub=sub, campaign_id=campaign_id, session_id=session_id, kind=kind, text=text),
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


def summary_search_part(*, sub, campaign_id, session_id, kind, text):
    """The search item's part for the session's summary of `kind` once its text is `text`.
    v1.0's own kinds share one part (search_index.other_summaries_part), made from all of
    their texts: one Query of the session's summaries, for those kinds only."""
    from sessions.core import search_index  # writes only: the GET pages need not load the search index

    if kind in KINDS:
        return search_index.summary_part(kind, text)
    stored = list_summaries_for_session(sub=sub, campaign_id=campaign_id, session_id=session_id)
    texts = {summary.kind: summary.text for summary in stored if summary.kind not in KINDS}
    texts[kind] = text  # as it is about to be
    return search_index.other_summaries_part([texts[other] for other in sorted(texts)])


def _update_by_hand(transaction, sub, sk, *, text, expected_version):
    """The hand edit's update (item `sk`), only if the summary is still at expected_version."""
    transaction.update(
        user_pk(sub),
        sk,
        actions=[
            Summary.text.set(text),
            Summary.edited.set(True),
            Summary.updated.set(timezone.now()),
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
    transaction.check(user_pk(sub), campaign_sk(campaign_id), condition=Campaign.live_condition())
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


# --- summary jobs ----------------------------------------------------------------------
def get_summary_job(*, sub, campaign_id, session_id):
    """The session's latest summary job, or None (never asked, or expired)."""
    return _get_job(sub, summary_job_sk(campaign_id, session_id))


def get_story_job(*, sub, campaign_id):
    """The campaign's latest story-so-far job, or None."""
    return _get_job(sub, story_job_sk(campaign_id))


def _get_job(sub, sk):
    try:
        job = SummaryJob.get(user_pk(sub), sk, consistent_read=True)
    except SummaryJob.DoesNotExist:
        return None
    return None if job.is_expired else job


def session_page_keys(sub, campaign_id, session_id, **_):
    """What the session page reads first (get_session_page), declared for campaigns_site.prefetch:
    campaign, session, the campaign's speaker names, the summary job, a summary of each KINDS."""
    pk = user_pk(sub)
    return [
        (pk, campaign_sk(campaign_id)),
        (pk, session_sk(campaign_id, session_id)),
        (pk, speaker_names_sk(campaign_id)),
        (pk, summary_job_sk(campaign_id, session_id)),
    ] + [(pk, summary_sk(campaign_id, session_id, kind)) for kind in KINDS]


def get_session_page(*, sub, campaign_id, session_id):
    """(campaign, session, speaker_names, summary_job, [its summaries of KINDS, in order]) in one
    consistent BatchGetItem (none if the session check read them: campaigns_site.prefetch). The
    job is None when none is live; no campaign (or one being deleted): all None ([] summaries)."""
    found = read_items(session_page_keys(sub, campaign_id, session_id))
    campaign = live_campaign(found)
    if campaign is None:
        return None, None, None, None, []
    session = first_of(found, PlaySession)
    if session is None:
        return campaign, None, None, None, []
    stored = in_kinds_order(item for item in found if isinstance(item, Summary))
    return campaign, session, first_of(found, SpeakerNames), live_job(first_of(found, SummaryJob)), stored


def other_summary_keys(*, sub, session):
    """The keys of the session's summaries of v1.0's own kinds (its other_summary_kinds)."""
    kinds = sorted(kind for kind in session.other_summary_kinds or () if kind not in KINDS)
    return [(user_pk(sub), summary_sk(session.campaign_id, session.session_id, kind)) for kind in kinds]


def read_for_start(*, sub, campaign_id, session_id, kinds):
    """(campaign, session, job, {kind: summary}) in one strongly consistent BatchGetItem."""
    keys = [
        (user_pk(sub), campaign_sk(campaign_id)),
        (user_pk(sub), session_sk(campaign_id, session_id)),
        (user_pk(sub), summary_job_sk(campaign_id, session_id)),
    ] + [(user_pk(sub), summary_sk(campaign_id, session_id, kind)) for kind in kinds]
    found = read_items(keys)
    summaries = {item.kind: item for item in found if isinstance(item, Summary)}
    return live_campaign(found), first_of(found, PlaySession), live_job(first_of(found, SummaryJob)), summaries


def read_for_story_start(*, sub, campaign_id):
    """(campaign, job, story so far) in one strongly consistent BatchGetItem."""
    keys = [
        (user_pk(sub), campaign_sk(campaign_id)),
        (user_pk(sub), story_job_sk(campaign_id)),
        (user_pk(sub), story_summary_sk(campaign_id)),
    ]
    found = read_items(keys)
    return live_campaign(found), live_job(first_of(found, SummaryJob)), first_of(found, Summary)


def story_page_keys(sub, campaign_id, **_):
    """What the story page reads first (get_story_page), declared for campaigns_site.prefetch:
    the campaign, its story so far, the story's job and the campaign's speaker names."""
    pk = user_pk(sub)
    return [
        (pk, campaign_sk(campaign_id)),
        (pk, story_summary_sk(campaign_id)),
        (pk, story_job_sk(campaign_id)),
        (pk, speaker_names_sk(campaign_id)),
    ]


def get_story_page(*, sub, campaign_id):
    """(campaign, story so far, its job, the campaign's speaker names) in one consistent
    BatchGetItem (none if the session check read them: campaigns_site.prefetch); each None
    when missing (all four when the campaign is missing or being deleted)."""
    found = read_items(story_page_keys(sub, campaign_id))
    campaign = live_campaign(found)
    if campaign is None:
        return None, None, None, None
    return campaign, first_of(found, Summary), live_job(first_of(found, SummaryJob)), first_of(found, SpeakerNames)


def has_a_recap(*, sub, campaign_id):
    recaps = Summary.query(
        user_pk(sub),
        Summary.sk.startswith(summaries_prefix(campaign_id)),
        filter_condition=(Summary.kind == "recap") & (Summary.text != ""),
        consistent_read=True,
        attributes_to_get=["PK", "SK", "entity"],
    )
    return any(True for _ in recaps)


def replaceable_job_condition(now=None):
    """A new job may take the place of none, a finished one, or one past its deadline; a
    write that removes a session's job item (sessions.core.repository.move_session) is
    conditioned on it too: only when no job is running."""
    now = now or timezone.now()
    return SummaryJob.sk.does_not_exist() | SummaryJob.status.is_in(*FINISHED) | (SummaryJob.deadline < now)


# --- helpers -----------------------------------------------------------------------------
def _get(sub, sk):
    read, item = prefetch.take_one(user_pk(sub), sk)
    if read:  # the page's session check read it (campaigns_site.prefetch)
        return item if isinstance(item, Summary) else None
    try:
        return Summary.get(user_pk(sub), sk, consistent_read=True)
    except Summary.DoesNotExist:
        return None


def _checked_kind(kind):
    """A kind a stored summary may have: one of KINDS, or one kept from v1.0 under its own
    name (reading and editing it works; a job writes only KINDS: jobs.checked_kinds)."""
    if not is_storable_kind(kind):
        raise ValueError(f"summary kind {kind!r} cannot be stored; expected one of {', '.join(KINDS)} or a v1.0 kind")
    return kind


def _checked_campaign(campaign_id):
    sessions_of_campaign_prefix(campaign_id)  # refuses an id that would reach into another key
    return campaign_id
