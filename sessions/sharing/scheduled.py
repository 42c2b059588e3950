"""The hourly count of share links as a scheduled Lambda (zappa_settings.json production
`events`): the staff page's counts and most viewed, and its list of the newest links
(sessions/sharing/registry.py, count_links). The page never counts, so it keeps to two
requests (issue 17); `manage.py count_shares` does the same by hand."""

import logging

log = logging.getLogger(__name__)


def count_shares_event(event=None, context=None):
    from sessions.sharing.registry import count_links

    stats, relisted = count_links()
    said = f"{stats.links} links counted, {stats.total_views} views; newest list {'written' if relisted else 'kept'}"
    log.info("count_shares: %s", said)
    return said
