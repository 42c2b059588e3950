"""The repository functions import_data writes through: a share link made from its token's
hash (sessions/sharing/imported.py) and a campaign's story so far (save_imported_story)."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from campaigns_site.usage import recount, stored_counters
from sessions.core.repository import SessionNotFound
from sessions.sharing.imported import ShareLinkTaken, import_share_link
from sessions.sharing.registry import get_entry
from sessions.sharing.repository import list_share_links_for_session, open_share_link
from sessions.summaries.imported import save_imported_story
from sessions.summaries.repository import get_story_so_far
from tests.export_zips import summary_of

OWNER = "11111111-aaaa-4bbb-8ccc-0000000000a1"
OTHER = "22222222-aaaa-4bbb-8ccc-0000000000a2"
TOKEN = "imported-token-of-forty-three-characters-x"
MADE = datetime(2024, 5, 31, 18, 4, 5, 123, tzinfo=UTC)

pytestmark = [pytest.mark.campaign(sub=OWNER, name="Curse of Strahd")]


def link_of(session, sub=OWNER, **fields):
    return import_share_link(
        sub=sub,
        campaign_id=session.campaign_id,
        session_id=session.session_id,
        **{
            "token_hash": hashlib.sha256(TOKEN.encode()).hexdigest(),
            "scope": "summaries",
            "created": MADE,
            "views": 3,
            "last_viewed": MADE + timedelta(days=1),
            **fields,
        },
    )


def test_a_link_made_from_its_hash_opens_with_its_token_and_keeps_its_history(session):
    assert link_of(session, label="players", view_limit=10, characters_only=True) is True
    [row] = list_share_links_for_session(sub=OWNER, session_id=session.session_id)
    assert (row.views, row.last_viewed, row.created, row.pointer.label) == (
        3,
        MADE + timedelta(days=1),
        MADE,
        "players",
    )
    opened = open_share_link(token=TOKEN)
    assert opened.views == 4 and opened.characters_only is True and opened.view_limit == 10
    assert get_entry(token_hash=opened.token_hash).owner_sub == OWNER  # the staff's registry
    assert recount(sub=OWNER)["share_links"] == stored_counters(sub=OWNER)["share_links"] == 1


def test_the_same_hash_again_is_there_already_and_another_owners_is_refused(session, make_campaign, make_session):
    link_of(session)
    assert link_of(session) is False
    theirs = make_session(sub=OTHER, campaign=make_campaign(sub=OTHER, name="Theirs"))
    with pytest.raises(ShareLinkTaken):
        link_of(theirs, sub=OTHER)
    with pytest.raises(SessionNotFound):
        import_share_link(
            sub=OTHER,
            campaign_id=theirs.campaign_id,
            session_id=session.session_id,
            token_hash="ab" * 32,
            scope="recap",
            created=MADE,
        )


def test_a_bad_hash_or_setting_writes_nothing(session):
    with pytest.raises(ValueError):
        link_of(session, token_hash="not-a-hash")
    with pytest.raises(ValueError):
        link_of(session, scope="everything")
    assert list_share_links_for_session(sub=OWNER, session_id=session.session_id) == []


def test_a_story_so_far_is_written_once_with_its_cost_counted(campaign):
    story = summary_of(OWNER, campaign.campaign_id, None, "story_so_far", "So far.", estimated_cost_text="0.0002")
    assert save_imported_story(summary=story) is True
    assert save_imported_story(summary=story) is False
    assert get_story_so_far(sub=OWNER, campaign_id=campaign.campaign_id).text == "So far."
    assert recount(sub=OWNER) == stored_counters(sub=OWNER)
