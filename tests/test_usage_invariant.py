"""The usage counters follow every change: after a whole life of campaigns, sessions,
transcripts, summaries and share links made through the app's own services, the counters
written with each change equal what recount() finds in the user's partition, and the
months add up to them."""

import uuid
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from campaigns.repository import create_campaign
from campaigns_site import usage
from sessions.core.campaign_deletion import delete_campaign
from sessions.core.repository import create_session, delete_session, move_session
from sessions.sharing.items import hash_token
from sessions.sharing.repository import create_share_link, revoke_share_link
from sessions.summaries.jobs import start_story_job, start_summary_job
from sessions.transcripts.services import delete_transcript
from tests.transcript_samples import sample_bytes
from tests.transcript_uploads import store_transcript

SUB = "11111111-aaaa-4bbb-8ccc-000000000001"
OTHER = "22222222-aaaa-4bbb-8ccc-000000000002"


@pytest.fixture
def priced(monkeypatch):
    """The offline summarizer at a price (it is free), so costs are counted; set `.cost`."""

    class Price:
        cost = Decimal("0.0125")

    price = Price()
    monkeypatch.setattr("sessions.summaries.summarizers.offline.round_cost", lambda _: price.cost)
    return price


def assert_counted(sub=SUB):
    true = usage.recount(sub=sub)
    assert usage.stored_counters(sub=sub) == true
    months = [counters for _, counters in usage.usage_by_month(sub=sub)]
    assert {name: sum(month[name] for month in months) for name in usage.COUNTERS} == true
    return true


def session_with_transcript(campaign, title, *, hours=0.1, seed=0):
    session = create_session(sub=SUB, campaign_id=campaign.campaign_id, title=title)
    attach(session, hours=hours, seed=seed)
    return session


def attach(session, *, hours, seed=0):
    store_transcript(
        sub=SUB,
        campaign_id=session.campaign_id,
        session_id=session.session_id,
        data=sample_bytes("vtt", hours=hours, seed=seed),
        filename="x.vtt",
    )


def share(session):
    made = create_share_link(sub=SUB, campaign_id=session.campaign_id, session_id=session.session_id, scope="recap")
    return hash_token(made.token)


def test_the_counters_follow_a_whole_life(aws, priced):
    keep = create_campaign(sub=SUB, name="Kept")
    doomed = create_campaign(sub=SUB, name="Doomed")
    theirs = create_campaign(sub=OTHER, name="Someone else's")
    assert assert_counted()["campaigns"] == 2

    first = session_with_transcript(keep, "First")
    second = session_with_transcript(keep, "Second", hours=0.2, seed=1)
    attach(second, hours=0.05, seed=2)  # replaced: its bytes change
    third = create_session(sub=SUB, campaign_id=keep.campaign_id, title="No transcript")
    counted = assert_counted()
    assert (counted["sessions"], counted["transcript_bytes"] > 0) == (3, True)

    start_summary_job(sub=SUB, campaign_id=keep.campaign_id, session_id=first.session_id, kinds=["recap", "loot"])
    start_summary_job(sub=SUB, campaign_id=keep.campaign_id, session_id=second.session_id, kinds=["recap"])
    assert assert_counted()["summaries"] == 3
    priced.cost = Decimal("0.02")
    start_summary_job(sub=SUB, campaign_id=keep.campaign_id, session_id=first.session_id, kinds=["recap"])  # replaced
    start_story_job(sub=SUB, campaign_id=keep.campaign_id)
    counted = assert_counted()
    assert counted["summaries"] == 4  # the story so far counts as one
    assert counted["summary_cost_usd"] == Decimal("0.0125") * 2 + Decimal("0.02") * 2

    links = [share(first), share(first), share(second)]
    assert revoke_share_link(sub=SUB, campaign_id=keep.campaign_id, session_id=first.session_id, token_hash=links[0])
    assert not revoke_share_link(  # already revoked: nothing counted twice
        sub=SUB, campaign_id=keep.campaign_id, session_id=first.session_id, token_hash=links[0]
    )
    assert assert_counted()["share_links"] == 2

    assert delete_transcript(sub=SUB, campaign_id=keep.campaign_id, session_id=second.session_id)
    moved = move_session(
        sub=SUB, campaign_id=keep.campaign_id, session_id=first.session_id, to_campaign_id=doomed.campaign_id
    )
    assert_counted()

    delete_session(sub=SUB, campaign_id=keep.campaign_id, session_id=second.session_id)  # with its summary and link
    delete_session(sub=SUB, campaign_id=keep.campaign_id, session_id=third.session_id)
    assert assert_counted()["sessions"] == 1

    session_with_transcript(doomed, "Another", seed=3)
    share(moved)
    delete_campaign(sub=SUB, campaign_id=doomed.campaign_id)  # the cascade, with moved's summaries and links
    counted = assert_counted()
    assert counted == {
        "campaigns": 1,
        "sessions": 0,
        "transcript_bytes": 0,
        "summaries": 1,  # keep's story so far
        "share_links": 0,
        "summary_cost_usd": Decimal("0.02"),
    }

    assert assert_counted(OTHER)["campaigns"] == 1  # nothing of theirs moved
    assert theirs.campaign_id


class UsageMachine(RuleBasedStateMachine):
    """Random changes by one user (a new one each run); the counters equal recount() after each."""

    def __init__(self):
        super().__init__()
        self.sub = str(uuid.uuid4())
        self.campaigns, self.sessions, self.links = [], [], []

    @rule()
    def create_a_campaign(self):
        self.campaigns.append(create_campaign(sub=self.sub, name="Random"))

    @precondition(lambda self: self.campaigns)
    @rule(data=st.data())
    def create_a_session(self, data):
        campaign = data.draw(st.sampled_from(self.campaigns))
        self.sessions.append(create_session(sub=self.sub, campaign_id=campaign.campaign_id, title="Random"))

    @precondition(lambda self: self.sessions)
    @rule(data=st.data(), hours=st.sampled_from([0.02, 0.05]))
    def upload_a_transcript(self, data, hours):
        session = data.draw(st.sampled_from(self.sessions))
        store_transcript(
            sub=self.sub,
            campaign_id=session.campaign_id,
            session_id=session.session_id,
            data=sample_bytes("vtt", hours=hours),
            filename="x.vtt",
        )

    @precondition(lambda self: self.sessions)
    @rule(data=st.data())
    def delete_a_transcript(self, data):
        session = data.draw(st.sampled_from(self.sessions))
        delete_transcript(sub=self.sub, campaign_id=session.campaign_id, session_id=session.session_id)

    @precondition(lambda self: self.sessions)
    @rule(data=st.data())
    def share_a_session(self, data):
        session = data.draw(st.sampled_from(self.sessions))
        made = create_share_link(
            sub=self.sub, campaign_id=session.campaign_id, session_id=session.session_id, scope="recap"
        )
        self.links.append((session, hash_token(made.token)))

    @precondition(lambda self: self.links)
    @rule(data=st.data())
    def revoke_a_link(self, data):
        session, token_hash = data.draw(st.sampled_from(self.links))
        revoke_share_link(
            sub=self.sub, campaign_id=session.campaign_id, session_id=session.session_id, token_hash=token_hash
        )

    @precondition(lambda self: self.sessions)
    @rule(data=st.data())
    def delete_a_session(self, data):
        session = data.draw(st.sampled_from(self.sessions))
        delete_session(sub=self.sub, campaign_id=session.campaign_id, session_id=session.session_id)
        self.sessions.remove(session)
        self.links = [(kept, token_hash) for kept, token_hash in self.links if kept is not session]

    @precondition(lambda self: self.campaigns)
    @rule(data=st.data())
    def delete_a_campaign(self, data):
        campaign = data.draw(st.sampled_from(self.campaigns))
        delete_campaign(sub=self.sub, campaign_id=campaign.campaign_id)
        self.campaigns.remove(campaign)
        self.sessions = [kept for kept in self.sessions if kept.campaign_id != campaign.campaign_id]
        self.links = [(kept, token_hash) for kept, token_hash in self.links if kept in self.sessions]

    @invariant()
    def counters_equal_the_recount(self):
        assert_counted(self.sub)


def test_the_counters_follow_random_changes(aws):
    run_state_machine_as_test(
        UsageMachine,
        settings=settings(
            max_examples=8, stateful_step_count=10, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
