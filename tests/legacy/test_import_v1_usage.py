"""The v1.0 import counts what it writes: after import_v1, every imported user's usage
counters (campaigns_site.usage) equal what their partition holds."""

import pytest

from campaigns_site import usage

pytestmark = pytest.mark.django_db


def test_imported_users_are_counted(imported_v1):
    subs = usage.directory_subs()
    assert subs  # the import counted somebody
    totals = dict.fromkeys(usage.COUNTERS, 0)
    for sub in subs:
        true = usage.recount(sub=sub)
        assert usage.stored_counters(sub=sub) == true, sub
        totals = {name: totals[name] + true[name] for name in usage.COUNTERS}
    # The dataset has campaigns, sessions with transcripts, summaries and share links.
    assert all(totals[name] > 0 for name in ("campaigns", "sessions", "transcript_bytes", "summaries", "share_links"))
