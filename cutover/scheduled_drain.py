"""The drain as a scheduled Lambda (zappa_settings.json production `events`, every
minute): applies the outbox's due entries to v1.0; nothing when V1_MIRROR_DSN is empty.
Bounded by a time budget below the function's timeout (330 s), so a long outbox is
applied over several runs."""

import logging

from django.conf import settings

log = logging.getLogger(__name__)

TIME_BUDGET_SECONDS = 240


def drain_outbox_event(event=None, context=None):
    if not settings.V1_MIRROR_DSN:
        return None
    from cutover.mirror_drain import drain_outbox  # only when mirroring: psycopg loads then

    result = drain_outbox(dsn=settings.V1_MIRROR_DSN, time_budget=TIME_BUDGET_SECONDS)
    log.info("drain_outbox: %s", result.describe())
    return result.describe()
