"""The import's content code (v1/content.py AccountContent) for a few rows of one account.

The import reads the whole partition once per account to learn what exists; a change
concerns a campaign or a session, so this reads only the items those rows would make (one
BatchGetItem) and then makes what is missing exactly as the import does.
"""

from campaigns.items import Campaign
from campaigns_site.dynamodb import read_items
from campaigns_site.table_keys import campaign_sk, session_sk, share_pointer_sk, summary_sk, user_pk
from cutover import ids
from cutover.outcomes import APPLIED
from sessions.sharing.items import hash_token, is_well_formed
from v1 import mapping
from v1.content import AccountContent
from v1.source import V1Rows


class ChangedContent(AccountContent):
    """`rows`: one user (for the time zone), and the campaign, sessions and summaries to bring over."""

    def __init__(self, rows, *, sub, source, v1_bucket, report, campaign_ids=None):
        # {v1.0 campaign id: its ULID here}: a session may be new in a campaign made here
        self.campaign_ids = campaign_ids or {}
        super().__init__(rows, sub=sub, source=source, v1_bucket=v1_bucket, report=report, dry_run=False)

    def _existing_items(self):
        keys = [(user_pk(self.sub), sk) for sk in self._item_keys()]
        return {item.sk: _as_listed(item) for item in read_items(keys)} if keys else {}

    def _item_keys(self):
        keys = [campaign_sk(self._campaign_id(campaign)) for campaign in self.rows.campaigns]
        for session in self.rows.sessions:
            campaign_id = self.campaign_ids.get(session.campaign_id) or mapping.derived_id(
                "campaign", session.campaign_id, _created_of(self.rows, session.campaign_id)
            )
            session_id = mapping.session_id_for(session)
            keys.append(session_sk(campaign_id, session_id))
            if session.share_token and is_well_formed(session.share_token):
                keys.append(share_pointer_sk(hash_token(session.share_token)))
            keys += [
                summary_sk(campaign_id, session_id, mapping.summary_kind_for(summary.kind))
                for summary in self.rows.summaries
                if summary.session_id == session.id
            ]
        return keys

    def _campaign_id(self, campaign):
        return self.campaign_ids.get(campaign.id) or mapping.campaign_id_for(campaign)

    def bring_over_campaign(self, campaign, sessions, summaries):
        """A campaign new here (v1.0 made it, or took back its soft delete), with its sessions."""
        summaries_of = {}
        for summary in summaries:
            summaries_of.setdefault(summary.session_id, []).append(summary)
        self._campaign(campaign, sessions, summaries_of)

    def bring_over_session(self, campaign_id, session, summaries):
        """A session new here, in the campaign `campaign_id`, with its transcript, summaries and link."""
        self._session(campaign_id, session, summaries)


def bring_over_campaign(applier, sub, row):
    """A v1.0 campaign missing here (new, or its soft delete taken back), with its live
    sessions and their summaries, the import's way; its id pairs written."""
    sessions = [session for session in applier.source.sessions_of_campaign(row.id) if session.deleted_at is None]
    summaries = [summary for session in sessions for summary in applier.source.summaries_of(session.id)]
    user = applier.source.user(row.owner_id)
    rows = rows_for(user, campaigns=[row], sessions=sessions, summaries=summaries)
    content = ChangedContent(rows, sub=sub, source=applier.source, v1_bucket=applier.v1_bucket, report=applier.report)
    content.bring_over_campaign(row, sessions, summaries)
    applier.remember(ids.CAMPAIGN, row.id, mapping.campaign_id_for(row))
    for session in sessions:
        applier.remember(ids.SESSION, session.id, mapping.session_id_for(session))
    return APPLIED


def rows_for(user, *, campaigns=(), sessions=(), summaries=()):
    return V1Rows(users=[user], campaigns=list(campaigns), sessions=list(sessions), summaries=list(summaries))


def _created_of(rows, campaign_id):
    return next(campaign.created_at for campaign in rows.campaigns if campaign.id == campaign_id)


def _as_listed(item):
    """An item as the import's partition Query lists it: its SK and what it looks at."""
    listed = {"SK": item.sk, "transcript_upload_id": getattr(item, "transcript_upload_id", None)}
    if isinstance(item, Campaign):
        listed["last_activity"] = Campaign.last_activity.serialize(item.last_activity)
    return listed
