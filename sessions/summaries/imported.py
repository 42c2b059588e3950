"""Summaries brought over from v1.0 (manage.py import_v1 calls these) or from an export
(manage.py import_data, with every attribute the export kept): an imported summary is a
Summary item like any other, with provider IMPORTED_PROVIDER and its text in
v1.0's Markdown (text_format), of this app's kind or of a kind kept under v1.0's name
(sessions/summaries/items.py). Written as a job's summary is: with the session's child
write (sessions.core.repository.record_child_write) and its words in the search item, but
never over a summary already there, so a re-run of the import changes nothing.

Apart from sessions/summaries/repository.py, which reads and edits summaries in the app.
"""

from decimal import Decimal

from campaigns.items import Campaign
from campaigns.repository import CampaignNotFound
from campaigns_site.table import campaign_sk, summary_sk, user_pk
from campaigns_site.transactions import Transaction, TransactionCanceled
from campaigns_site.usage import add_usage, summary_cost
from sessions.core import search_index
from sessions.core.items import PlaySession
from sessions.core.kinds import KINDS
from sessions.core.repository import SessionNotFound, record_child_write
from sessions.summaries.items import (
    IMPORTED_PROVIDER,
    MARKDOWN,
    MAX_SUMMARY_BYTES,
    MAX_SUMMARY_CHARS,
    Summary,
    fit_summary_text,
    is_storable_kind,
)
from sessions.summaries.repository import list_summaries_for_session, summary_search_part


def imported_summary(
    *,
    sub,
    campaign_id,
    session_id,
    kind,
    text,
    text_format=MARKDOWN,
    model=None,
    input_tokens=None,
    output_tokens=None,
    created,
):
    """An unsaved Summary item for a v1.0 summary: provider IMPORTED_PROVIDER, not edited,
    version 1, `created` as v1.0 recorded it (`updated` too). `kind` is this app's (the
    importer maps v1.0's: highlights -> key_events...) or, with no equivalent, v1.0's own
    name, shown with it (items.kind_label); ValueError for one that cannot be a key
    (items.is_storable_kind). `text_format`: MARKDOWN (v1.0's) or None (plain). A NULL
    model is empty, NULL counts are 0. The text is kept byte for byte (past the caps: cut at
    a line). No length, cost or source: v1.0 recorded none, and a summary without a source
    is never "made from an earlier transcript"."""
    if not is_storable_kind(kind):
        raise ValueError(f"summary kind {kind!r} cannot be stored: letters, digits, '_' and '-' only")
    if text_format not in (None, MARKDOWN):
        raise ValueError(f"unknown text format {text_format!r}")
    return Summary(
        user_pk(sub),
        summary_sk(campaign_id, session_id, kind),
        kind=kind,
        length="",
        text=kept_whole(text),
        text_format=text_format,
        provider=IMPORTED_PROVIDER,
        model=model or "",
        input_tokens=int(input_tokens or 0),
        output_tokens=int(output_tokens or 0),
        tokens_estimated=False,
        estimated_cost_text="0",
        created=created,
        updated=created,
        edited=False,
        version=1,
    )


def kept_whole(text):
    """v1.0's text exactly as it was (Markdown's trailing spaces are line breaks; verify_v1
    compares bytes), unless it is past the item's caps: then cut at a line, as a job's is."""
    text = text or ""
    if len(text) <= MAX_SUMMARY_CHARS and len(text.encode()) <= MAX_SUMMARY_BYTES:
        return text
    return fit_summary_text(text)


def save_imported_summary(*, summary):
    """Write an imported_summary item, only if the session has no summary of its kind yet;
    returns False when it had one (a re-run of the import, or a summary written since:
    never overwritten). One TransactWriteItems: the Put (attribute_not_exists), the
    session's child write (which also lists a kind outside KINDS in the session's
    other_summary_kinds, for the share page), and the summary's words in the search item
    (for v1.0's own kinds, with those of the session's others: one Query first).
    Raises SessionNotFound when the session is not there."""
    sub, campaign_id, session_id, kind = summary.owner_sub, summary.campaign_id, summary.session_id, summary.kind
    transaction = Transaction()
    transaction.put(summary, condition=Summary.sk.does_not_exist())
    other_kind = [] if kind in KINDS else [PlaySession.other_summary_kinds.add({kind})]
    record_child_write(transaction, sub=sub, campaign_id=campaign_id, session_id=session_id, also=other_kind)
    part = summary_search_part(sub=sub, campaign_id=campaign_id, session_id=session_id, kind=kind, text=summary.text)
    search_index.write_part(transaction, sub=sub, campaign_id=campaign_id, session_id=session_id, part=part)
    add_usage(transaction, sub=sub, summaries=1, summary_cost_usd=summary_cost(summary))
    try:
        transaction.commit()
    except TransactionCanceled as canceled:
        if canceled.failed(1):
            raise SessionNotFound(session_id) from None
        if canceled.failed(0):
            return False
        raise
    return True


def save_imported_story(*, summary):
    """Write a campaign's story so far brought over by an import (a Summary item of kind
    story_so_far, any provider), only if the campaign has none yet; returns False when it
    had one (never overwritten). One TransactWriteItems, as a story job writes it: the Put
    (attribute_not_exists), a check that the campaign is there and not being deleted, and
    the user's usage counters. Raises CampaignNotFound otherwise."""
    sub, campaign_id = summary.owner_sub, summary.campaign_id
    if not summary.is_story:
        raise ValueError("save_imported_story writes a campaign's story so far")
    transaction = Transaction()
    transaction.put(summary, condition=Summary.sk.does_not_exist())
    transaction.check(user_pk(sub), campaign_sk(campaign_id), condition=Campaign.live_condition())
    add_usage(transaction, sub=sub, summaries=1, summary_cost_usd=summary_cost(summary))
    try:
        transaction.commit()
    except TransactionCanceled as canceled:
        if canceled.failed(1):
            raise CampaignNotFound(campaign_id) from None
        if canceled.failed(0):
            return False
        raise
    return True


# A transaction holds 100 actions: the summaries, the session's child write, the search
# index (its head, snippets and 64 word groups: sessions/core/search_index.py), the usage
# counters' two and room for the outbox's entry.
MAX_SUMMARIES_AT_ONCE = 28


def save_imported_summaries(*, summaries):
    """Write several imported_summary items of ONE session in one TransactWriteItems: each
    Put (attribute_not_exists), one child write of the session, one update of its search
    item with all their words (plus one Query first when some are of v1.0's own kinds).
    The import's way: one request for a session's summaries instead of one each.

    Returns False, writing nothing, when one of them exists already (or there are more than
    MAX_SUMMARIES_AT_ONCE, or two of one kind): the caller then saves them one at a time
    (save_imported_summary).
    Raises SessionNotFound when the session is not there."""
    if not summaries or len(summaries) > MAX_SUMMARIES_AT_ONCE or len({s.kind for s in summaries}) < len(summaries):
        return False  # (two of one kind: one item, which one transaction cannot put twice)
    first = summaries[0]
    sub, campaign_id, session_id = first.owner_sub, first.campaign_id, first.session_id
    if any(
        (summary.owner_sub, summary.campaign_id, summary.session_id) != (sub, campaign_id, session_id)
        for summary in summaries
    ):
        raise ValueError("save_imported_summaries writes the summaries of one session")
    transaction = Transaction()
    for summary in summaries:
        transaction.put(summary, condition=Summary.sk.does_not_exist())
    other_kinds = {summary.kind for summary in summaries if summary.kind not in KINDS}
    also = [PlaySession.other_summary_kinds.add(other_kinds)] if other_kinds else []
    session_check = len(transaction)
    record_child_write(transaction, sub=sub, campaign_id=campaign_id, session_id=session_id, also=also)
    values = {}
    for summary in summaries:
        if summary.kind in KINDS:
            values.update(search_index.summary_part(summary.kind, summary.text).values)
    if other_kinds:
        stored = list_summaries_for_session(sub=sub, campaign_id=campaign_id, session_id=session_id)
        texts = {summary.kind: summary.text for summary in stored if summary.kind not in KINDS}
        texts.update((summary.kind, summary.text) for summary in summaries if summary.kind not in KINDS)
        values.update(search_index.other_summaries_part([texts[kind] for kind in sorted(texts)]).values)
    search_index.write_part(
        transaction, sub=sub, campaign_id=campaign_id, session_id=session_id, part=search_index.Part(values)
    )
    add_usage(
        transaction,
        sub=sub,
        summaries=len(summaries),
        summary_cost_usd=sum((summary_cost(summary) for summary in summaries), Decimal(0)),
    )
    try:
        transaction.commit()
    except TransactionCanceled as canceled:
        if canceled.failed(session_check):
            raise SessionNotFound(session_id) from None
        if any(canceled.failed(index) for index in range(len(summaries))):
            return False
        raise
    return True


def delete_summary(summary):
    """Delete a summary as read (the cutover's sync: v1.0 deleted or replaced it), with the
    user's usage counters (its number and estimated cost) and its words in the search
    index, in one TransactWriteItems (the session's child write: the session must be
    there; when it is gone, so is its index, and the summary is deleted alone).
    Returns False when it was gone already (nothing counted then)."""
    sub, campaign_id, session_id = summary.owner_sub, summary.campaign_id, summary.session_id
    part = summary_search_part(sub=sub, campaign_id=campaign_id, session_id=session_id, kind=summary.kind, text="")
    try:
        return _delete_summary(summary, index_part=part)
    except SessionNotFound:
        return _delete_summary(summary, index_part=None)


def _delete_summary(summary, *, index_part):
    sub, campaign_id, session_id = summary.owner_sub, summary.campaign_id, summary.session_id
    transaction = Transaction()
    transaction.delete(summary.pk, summary.sk, condition=Summary.sk.exists())
    add_usage(transaction, sub=sub, summaries=-1, summary_cost_usd=-summary_cost(summary))
    session_check = len(transaction)
    if index_part is not None:
        record_child_write(transaction, sub=sub, campaign_id=campaign_id, session_id=session_id)
        search_index.write_part(transaction, sub=sub, campaign_id=campaign_id, session_id=session_id, part=index_part)
    try:
        transaction.commit()
    except TransactionCanceled as canceled:
        if canceled.failed(0):
            return False
        if index_part is not None and canceled.failed(session_check):
            raise SessionNotFound(session_id) from None
        raise
    return True
