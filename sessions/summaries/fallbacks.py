"""The last times the configured summarizer (Bedrock) refused a job and the offline
summarizer wrote in its place: for staff, on /staff/ (accounts/staff_overview.py).

One small item, PK `OPS`, SK `SUMMARYFALLBACKS`, holding the last KEEP entries (time,
reason in our words, the provider's own message, model) and a running count. Written only
when a fallback happens (a GetItem and a PutItem conditioned on the version read; a lost
race drops one entry, never the job); read by the staff page with one GetItem. A
fallback is also logged at WARNING with its reason, for the logs' alarms.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from pynamodb.attributes import ListAttribute, MapAttribute, NumberAttribute, VersionAttribute

from campaigns_site import prefetch
from campaigns_site.table import TableModel
from campaigns_site.table_keys import OPS_PK, SUMMARY_FALLBACKS_SK

logger = logging.getLogger(__name__)

KEEP = 10  # entries kept: enough to see a pattern, small enough to stay a few KB
DETAIL_MAX = 500  # characters of the provider's message kept per entry


class SummaryFallbacks(TableModel, discriminator="SummaryFallbacks"):
    """PK `OPS`, SK `SUMMARYFALLBACKS`."""

    # Newest first: {"at": ISO time, "reason": our words, "detail": the provider's message,
    # "provider", "model", "what": "session summaries" or "story so far"}.
    entries = ListAttribute(of=MapAttribute, default=list)
    count = NumberAttribute(default=0)  # every fallback since the item was made
    version = VersionAttribute()


@dataclass(frozen=True)
class Fallback:
    at: datetime
    reason: str
    detail: str
    provider: str
    model: str
    what: str


def record_fallback(*, reason, detail, provider, model, what, now=None):
    """Log the fallback at WARNING and keep it for the staff page. Never raises: the job
    it concerns goes on with the offline summarizer whatever happens here."""
    logger.warning(
        "summaries: %s refused (%s), the offline summarizer writes the %s instead: %s", provider, reason, what, detail
    )
    now = now or timezone.now()
    entry = {
        "at": now.isoformat(),
        "reason": reason,
        "detail": str(detail)[:DETAIL_MAX],
        "provider": provider,
        "model": model,
        "what": what,
    }
    try:
        item = _get() or SummaryFallbacks(OPS_PK, SUMMARY_FALLBACKS_SK, entries=[], count=0)
        item.entries = [entry] + [_as_dict(old) for old in item.entries or []][: KEEP - 1]
        item.count = int(item.count or 0) + 1
        item.save()  # conditioned on the version read (VersionAttribute)
    except Exception:
        logger.warning("summaries: could not record the fallback for the staff page", exc_info=True)


def recent_fallbacks():
    """(the last fallbacks, newest first, as Fallback; how many in all): one GetItem."""
    item = _get()
    if item is None:
        return [], 0
    shown = []
    for entry in item.entries or []:
        entry = _as_dict(entry)
        try:
            at = datetime.fromisoformat(entry.get("at", ""))
        except ValueError:
            continue
        shown.append(
            Fallback(
                at=at,
                reason=entry.get("reason", ""),
                detail=entry.get("detail", ""),
                provider=entry.get("provider", ""),
                model=entry.get("model", ""),
                what=entry.get("what", ""),
            )
        )
    return shown, int(item.count or 0)


def _get():
    # The staff page reads it with its session check (campaigns_site.prefetch).
    return prefetch.get_item(SummaryFallbacks, OPS_PK, SUMMARY_FALLBACKS_SK)


def _as_dict(value):
    return value.as_dict() if isinstance(value, MapAttribute) else dict(value)
