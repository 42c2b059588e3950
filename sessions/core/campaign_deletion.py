"""Deleting a campaign with everything in it: a cascade that a re-run can finish.

It lives with the sessions, which it deletes (campaigns never import sessions); the
campaign's own steps, the mark and the last delete, are campaigns.repository's.

The campaign is marked first (`deleting_since`; its LSI1SK moves to `CAMPAIGN#DELETING#`),
which takes it out of the lists and refuses new or moved-in sessions, and it is deleted
last. Each step deletes what it still finds and treats "already gone" as done, so a run
after an interruption at any point completes the job. The order, and why:
1. mark the campaign.
2. share links: the public item and its pointer together, so nothing can read the
   sessions from outside while they go.
3. summaries, found by the campaign's prefix (the story so far is one of them), and
   summary jobs (`SUMMARYJOB#<cid>#`): a job still running finds its item gone, and its
   writes, conditioned on its session (or the campaign, for the story), fail.
4. sessions, a page at a time: each one's transcript objects first, then its item, so
   there is never an object in S3 that no item names (an item whose object is already
   gone is fine: the next run finds the item and finishes). Each session's search item
   goes in the same transaction as the session item (sessions/core/search_index.py): every
   write of a search item needs its session, so none is left behind and none needs
   looking for.
5. summaries, summary jobs and share links once more (one written for a session during
   steps 2-4), then the campaign's speaker names with its export's item (its zip is
   left to the bucket's one-day lifecycle rule: nothing names it any more), and the
   campaign item last.
"""

from dataclasses import dataclass

from campaigns.repository import delete_campaign_item, mark_campaign_deleting
from campaigns_site.table_keys import sessions_of_campaign_prefix, user_pk
from sessions.core.children import (
    delete_sessions_with_search_items,
    delete_share_links,
    delete_speaker_names_and_export,
    delete_summaries,
    delete_summary_jobs,
    delete_transcript_objects,
)
from sessions.core.items import PlaySession

# One transaction deletes a page of session items with their search index's heads and
# snippets (96 actions) and the usage counters (2); their word groups go just before.
SESSIONS_PER_STEP = 32


@dataclass
class CampaignDeletion:
    """What this run deleted. A resumed run counts only what was left."""

    share_links: int = 0
    summaries: int = 0
    summary_jobs: int = 0
    sessions: int = 0
    transcript_objects: int = 0


def delete_campaign(*, sub, campaign_id, progress=None):
    """Delete the campaign and everything in it; returns a CampaignDeletion.

    Calls progress(line) after each step. Raises CampaignNotFound if there is no such
    campaign (or an earlier run finished the job). Any error midway leaves the campaign
    marked as being deleted: list_campaigns_being_deleted() shows it, and calling this
    again finishes it.
    """
    say = progress or (lambda line: None)
    mark_campaign_deleting(sub=sub, campaign_id=campaign_id)
    say("campaign: marked as being deleted")
    deleted = CampaignDeletion()

    deleted.share_links = delete_share_links(sub=sub, campaign_id=campaign_id)
    say(f"share links: {deleted.share_links} deleted")
    deleted.summaries = delete_summaries(sub=sub, campaign_id=campaign_id)
    say(f"summaries: {deleted.summaries} deleted")
    deleted.summary_jobs = delete_summary_jobs(sub=sub, campaign_id=campaign_id)
    say(f"summary jobs: {deleted.summary_jobs} deleted")
    while sessions := _some_sessions(sub, campaign_id):
        for session in sessions:
            deleted.transcript_objects += delete_transcript_objects(sub=sub, session_id=session.session_id)
        # A session and its search item go together (sessions/core/search_index.py).
        delete_sessions_with_search_items(sub=sub, campaign_id=campaign_id, sessions=sessions)
        deleted.sessions += len(sessions)
        say(f"sessions: {deleted.sessions} deleted, with {deleted.transcript_objects} transcript objects")

    # The mark refuses new sessions, but a summary or a share link written for a session
    # while the steps above ran would be left behind: sweep both once more.
    deleted.share_links += delete_share_links(sub=sub, campaign_id=campaign_id)
    deleted.summaries += delete_summaries(sub=sub, campaign_id=campaign_id)
    deleted.summary_jobs += delete_summary_jobs(sub=sub, campaign_id=campaign_id)
    delete_speaker_names_and_export(sub=sub, campaign_id=campaign_id)
    delete_campaign_item(sub=sub, campaign_id=campaign_id)
    say("campaign: deleted")
    return deleted


def _some_sessions(sub, campaign_id):
    return list(
        PlaySession.query(
            user_pk(sub),
            PlaySession.sk.startswith(sessions_of_campaign_prefix(campaign_id)),
            consistent_read=True,
            limit=SESSIONS_PER_STEP,
        )
    )
