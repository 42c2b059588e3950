"""manage.py list_sessions_on_campaigns: list every campaign's sessions' ids on its item
(Campaign.session_ids, issue 17), so the story page of a campaign whose sessions were made
before that list reads them by key in two requests. A Scan for the campaigns (operator
credentials; never a request path), then per campaign a GetItem, a Query of its sessions'
keys and, when the list differs, one update. Safe to re-run, and while the app serves."""

import sys
from collections import Counter

from tqdm import tqdm

from campaigns_site.operations import OperationsCommand
from sessions.core.session_lists import campaigns_in_table, list_sessions_on_campaign


class Command(OperationsCommand):
    help = (
        "List every campaign's session ids on the campaign (session_ids) for sessions made before campaigns "
        "listed them: a Scan, for operators, once after deploying issue 17. Safe to re-run."
    )

    def handle(self, *args, **options):
        campaigns = campaigns_in_table()
        outcomes = Counter()
        for sub, campaign_id in tqdm(campaigns, unit="campaign", file=sys.stderr, mininterval=1, desc="campaigns"):
            outcomes[list_sessions_on_campaign(sub=sub, campaign_id=campaign_id)] += 1
        said = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items()))
        self.stdout.write(f"campaigns: {len(campaigns)} found" + (f", {said}" if said else ""))
