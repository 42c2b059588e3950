import pytest

from accounts.profiles import ProfileAlreadyExists, create_profile, get_profile
from campaigns.repository import create_campaign, get_campaign, list_campaigns_for_user
from sessions.repository import CampaignNotFound, create_session, list_sessions_for_campaign

OWNER = "11111111-aaaa-4bbb-8ccc-000000000001"
OTHER = "22222222-aaaa-4bbb-8ccc-000000000002"


def test_profile_create_and_get(aws):
    assert get_profile(sub=OWNER) is None
    create_profile(sub=OWNER, email="gm@example.com", display_name="The GM")

    profile = get_profile(sub=OWNER)
    assert (profile.sub, profile.email, profile.display_name) == (OWNER, "gm@example.com", "The GM")
    assert profile.auth_version == 1
    assert profile.is_staff is False
    assert profile.preferences.as_dict() == {}
    assert get_profile(sub=OTHER) is None


def test_profile_is_never_overwritten(aws):
    create_profile(sub=OWNER, email="gm@example.com", display_name="The GM")
    with pytest.raises(ProfileAlreadyExists):
        create_profile(sub=OWNER, email="someone-else@example.com", display_name="Impostor")
    assert get_profile(sub=OWNER).email == "gm@example.com"


def test_campaign_create_and_get(aws):
    campaign = create_campaign(sub=OWNER, name="Curse of Strahd", description="Gothic horror", game_system="D&D 5e")

    again = get_campaign(sub=OWNER, campaign_id=campaign.campaign_id)
    assert (again.name, again.description, again.game_system) == ("Curse of Strahd", "Gothic horror", "D&D 5e")
    assert (again.session_count, again.transcript_bytes, again.archived, again.version) == (0, 0, False, 1)
    assert again.created == again.updated == again.last_activity
    assert get_campaign(sub=OTHER, campaign_id=campaign.campaign_id) is None
    assert get_campaign(sub=OWNER, campaign_id="01J0000000000000000000000") is None


def test_list_campaigns_is_one_query_newest_first_in_pages(aws, aws_calls):
    names = [f"Campaign {n}" for n in range(5)]
    for name in names:
        create_campaign(sub=OWNER, name=name)
    create_campaign(sub=OTHER, name="Not yours")
    create_profile(sub=OWNER, email="gm@example.com")  # same partition, not a campaign

    with aws_calls() as calls:
        first = list_campaigns_for_user(sub=OWNER, limit=3)
    assert calls.operations() == ["dynamodb.Query"]
    second = list_campaigns_for_user(sub=OWNER, limit=3, cursor=first.next_cursor)

    assert [c.name for c in first.items + second.items] == names[::-1]
    assert second.next_cursor is None


def test_create_session_counts_it_on_the_campaign_in_one_transaction(aws, aws_calls):
    campaign = create_campaign(sub=OWNER, name="Curse of Strahd")

    with aws_calls() as calls:
        session = create_session(
            sub=OWNER, campaign_id=campaign.campaign_id, title="Into the mists", number=1,
            played_on="2024-05-31", notes="The party arrives in Barovia.",
        )
    assert calls.operations() == ["dynamodb.TransactWriteItems"]

    assert session.campaign_id == campaign.campaign_id
    counted = get_campaign(sub=OWNER, campaign_id=campaign.campaign_id)
    assert counted.session_count == 1
    assert counted.version == 2
    assert counted.last_activity == session.created


def test_create_session_in_a_missing_campaign_writes_nothing(aws):
    campaign = create_campaign(sub=OTHER, name="Someone else's")

    with pytest.raises(CampaignNotFound):
        create_session(sub=OWNER, campaign_id=campaign.campaign_id, title="Sneaky")

    assert list_sessions_for_campaign(sub=OWNER, campaign_id=campaign.campaign_id, limit=10).items == []
    assert get_campaign(sub=OTHER, campaign_id=campaign.campaign_id).session_count == 0


def test_list_sessions_for_campaign(aws, aws_calls):
    strahd = create_campaign(sub=OWNER, name="Curse of Strahd")
    other = create_campaign(sub=OWNER, name="Tomb of Annihilation")
    for number in (1, 2, 3):
        create_session(sub=OWNER, campaign_id=strahd.campaign_id, title=f"Session {number}", number=number)
    create_session(sub=OWNER, campaign_id=other.campaign_id, title="Elsewhere")

    with aws_calls() as calls:
        first = list_sessions_for_campaign(sub=OWNER, campaign_id=strahd.campaign_id, limit=2)
    assert calls.operations() == ["dynamodb.Query"]
    second = list_sessions_for_campaign(sub=OWNER, campaign_id=strahd.campaign_id, limit=2, cursor=first.next_cursor)

    assert [s.number for s in first.items + second.items] == [3, 2, 1]
    assert second.next_cursor is None
    assert first.items[0].played_on is None
    assert list_sessions_for_campaign(sub=OTHER, campaign_id=strahd.campaign_id, limit=10).items == []
