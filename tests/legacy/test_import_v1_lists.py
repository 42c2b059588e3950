"""import_v1 and what issue 17 keeps by key: every imported campaign lists its sessions'
ids (Campaign.session_ids, read by the story page), and every imported share link names
its session's summaries of v1.0's own kinds (ShareLink.other_summary_kinds, read by the
public page), as the app's own writes keep them."""

import pytest
from import_runs import whole_table

pytestmark = pytest.mark.django_db


def test_imported_campaigns_list_their_sessions_and_links_name_the_session_s_kinds(imported_v1):
    items = whole_table()
    sessions = [item for item in items if item.get("entity") == "PlaySession"]
    campaigns = [item for item in items if item.get("entity") == "Campaign"]
    assert sessions and campaigns
    for campaign in campaigns:
        prefix = "SESSION#" + campaign["SK"].removeprefix("CAMPAIGN#") + "#"
        ids = {
            s["SK"].removeprefix(prefix) for s in sessions if s["PK"] == campaign["PK"] and s["SK"].startswith(prefix)
        }
        assert set(campaign.get("session_ids") or ()) == ids and int(campaign["session_count"]) == len(ids)
    by_id = {session["SK"].rsplit("#", 1)[-1]: session for session in sessions}
    links = [item for item in items if item.get("entity") == "ShareLink"]
    assert links  # (none of the small dataset's links is to a session with v1.0's own kinds: the
    # export's re-import shows a copy made, tests/test_share_link_kinds.py; both go through put_new_link)
    for link in links:
        assert set(link.get("other_summary_kinds") or ()) == set(
            by_id[link["session_id"]].get("other_summary_kinds") or ()
        )
