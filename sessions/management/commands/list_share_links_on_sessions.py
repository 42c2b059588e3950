"""manage.py list_share_links_on_sessions: list every live share link's hash on its session
item (share_link_hashes, issue 17), so the session and share pages of sessions whose links
were made before that list read them by key in two requests. A Scan for the links'
pointers (operator credentials; never a request path), then one update per session that
has any. Safe to re-run, and while the app serves: the update adds to the set."""

import sys

from tqdm import tqdm

from campaigns_site.operations import OperationsCommand
from sessions.sharing.owner_reads import pointers_by_session
from sessions.sharing.repository import list_link_hashes_on_session


class Command(OperationsCommand):
    help = (
        "List every share link's hash on its session (share_link_hashes) for links made before the sessions "
        "listed them: a Scan, for operators, once after deploying issue 17. Safe to re-run."
    )

    def handle(self, *args, **options):
        sessions = pointers_by_session()
        listed = gone = 0
        for (sub, campaign_id, session_id), hashes in tqdm(
            sorted(sessions.items()), unit="session", file=sys.stderr, mininterval=1, desc="share links"
        ):
            if list_link_hashes_on_session(sub=sub, campaign_id=campaign_id, session_id=session_id, hashes=hashes):
                listed += 1
            else:
                gone += 1
        self.stdout.write(f"sessions with share links: {len(sessions)} found, {listed} listed, {gone} no longer there")
