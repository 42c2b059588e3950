"""manage.py list_share_links_on_sessions: list every live share link's hash on its session
item (share_link_hashes, issue 17), so the session and share pages of sessions whose links
were made before that list read them by key in two requests. A Scan for the links'
pointers (operator credentials; never a request path), then one update per session that
has any. Safe to re-run, and while the app serves: the update adds to the set. It also
copies each session's v1.0 kinds of summary onto its links that do not name them
(ShareLink.other_summary_kinds), so their public page reads them by key."""

import sys

from tqdm import tqdm

from campaigns_site.operations import OperationsCommand
from sessions.sharing.link_writes import name_session_kinds_on_links
from sessions.sharing.owner_reads import pointers_by_session
from sessions.sharing.repository import list_link_hashes_on_session


class Command(OperationsCommand):
    help = (
        "List every share link's hash on its session (share_link_hashes) for links made before the sessions "
        "listed them: a Scan, for operators, once after deploying issue 17. Safe to re-run."
    )

    def handle(self, *args, **options):
        sessions = pointers_by_session()
        listed = gone = named = 0
        for (sub, campaign_id, session_id), hashes in tqdm(
            sorted(sessions.items()), unit="session", file=sys.stderr, mininterval=1, desc="share links"
        ):
            ids = {"sub": sub, "campaign_id": campaign_id, "session_id": session_id, "hashes": hashes}
            if list_link_hashes_on_session(**ids):
                listed += 1
                named += name_session_kinds_on_links(**ids)
            else:
                gone += 1
        self.stdout.write(
            f"sessions with share links: {len(sessions)} found, {listed} listed, {gone} no longer there; "
            f"links that now name their session's v1.0 kinds of summary: {named}"
        )
