"""The story page reads its sessions and recaps by key (issue 17, sessions/summaries/story_reads.py):
the campaign lists its sessions' ids (Campaign.session_ids), kept by every write that adds or
takes away a session (create, delete, move, the export's re-import), trusted only when whole;
otherwise the two Queries of before, with the same answer. manage.py list_sessions_on_campaigns
lists the sessions of campaigns made before the list. Owner, another user and nobody."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from campaigns.repository import get_campaign
from campaigns_site.transactions import Transaction
from sessions.core.repository import create_session, delete_session, move_session
from sessions.summaries.repository import list_recaps_in_play_order
from sessions.summaries.story_reads import recaps_in_play_order

AUTH = "dynamodb.BatchGetItem"
BY_QUERY = [AUTH, "dynamodb.Query", "dynamodb.Query"]
BY_KEY = [AUTH, "dynamodb.BatchGetItem"]


def story_url(campaign):
    return f"/campaigns/{campaign.campaign_id}/story/"


def stored(sub, campaign):
    return get_campaign(sub=sub, campaign_id=campaign.campaign_id)


def listed(sub, campaign):
    return set(stored(sub, campaign).session_ids or ())


def without_tokens(html):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def _set_list(sub, campaign, ids):
    """The campaign's session_ids as a bug or an older version left them."""
    from campaigns.items import Campaign
    from campaigns_site.table import campaign_sk, user_pk

    transaction = Transaction()
    action = Campaign.session_ids.set(set(ids)) if ids else Campaign.session_ids.remove()
    transaction.update(user_pk(sub), campaign_sk(campaign.campaign_id), actions=[action])
    transaction.commit()


@pytest.fixture
def story_sessions(owner, campaign, make_summary):
    """Four sessions out of play order (dates, numbers, one undated), three with recaps."""
    made = [
        create_session(sub=owner.sub, campaign_id=campaign.campaign_id, title=title, number=number, played_on=day)
        for title, number, day in (
            ("The Amber Temple", 3, "2024-06-14"),
            ("The Death House", 1, "2024-05-31"),
            ("Undated prologue", None, None),
            ("Into the Mists", 2, "2024-06-07"),
        )
    ]
    for session in made[:2] + made[3:]:
        make_summary(sub=owner.sub, session=session, kind="recap", text=f"Recap of {session.title}.")
    make_summary(sub=owner.sub, session=made[1], kind="npcs", text="- Ireena")
    return made


def _shown(pairs):
    return [(session.session_id, session.title, recap.text if recap else None) for session, recap in pairs]


# --- what the page reads, and that it shows what the Queries would ---------------------------------
def test_the_story_page_reads_the_listed_sessions_by_key(owner, campaign, story_sessions, aws_calls):
    with aws_calls() as calls:
        html = owner.get(story_url(campaign)).content.decode()
    assert calls.operations() == BY_KEY
    titles = ["Undated prologue", "The Death House", "Into the Mists", "The Amber Temple"]
    assert [html.index(title) for title in titles] == sorted(html.index(title) for title in titles)
    assert "Recap of The Death House." in html and "Ireena" not in html
    by_key = recaps_in_play_order(sub=owner.sub, campaign=stored(owner.sub, campaign))
    assert _shown(by_key) == _shown(list_recaps_in_play_order(sub=owner.sub, campaign_id=campaign.campaign_id))
    assert [recap is None for _, recap in by_key] == [True, False, False, False]


def test_a_campaign_without_sessions_reads_nothing_more(owner, campaign, aws_calls):
    with aws_calls() as calls:
        html = owner.get(story_url(campaign)).content.decode()
    assert calls.operations() == [AUTH]
    assert "This campaign has no sessions yet." in html


def test_another_user_and_nobody_see_nothing(owner, other, anonymous, campaign, story_sessions, aws_calls):
    with aws_calls() as calls:
        assert other.get(story_url(campaign)).status_code == 404
    assert calls.operations() == [AUTH]  # the keys are the visitor's own: nothing of the owner's
    response = anonymous.get(story_url(campaign))
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- every write that adds or takes away a session keeps the list --------------------------------
def test_create_delete_and_move_keep_the_list(owner, campaign, make_campaign, story_sessions):
    sub, ids = owner.sub, {session.session_id for session in story_sessions}
    assert listed(sub, campaign) == ids and stored(sub, campaign).sessions_listed
    gone, moving = story_sessions[0], story_sessions[1]
    delete_session(sub=sub, campaign_id=campaign.campaign_id, session_id=gone.session_id)
    target = make_campaign(sub=sub, name="Curse of the Crown")
    move_session(
        sub=sub, campaign_id=campaign.campaign_id, session_id=moving.session_id, to_campaign_id=target.campaign_id
    )
    assert listed(sub, campaign) == ids - {gone.session_id, moving.session_id}
    assert listed(sub, target) == {moving.session_id}
    assert stored(sub, campaign).sessions_listed and stored(sub, target).sessions_listed
    html = owner.get(story_url(target)).content.decode()
    assert "Recap of The Death House." in html


def test_the_last_session_deleted_empties_the_list(owner, campaign):
    session = create_session(sub=owner.sub, campaign_id=campaign.campaign_id, title="Only one")
    delete_session(sub=owner.sub, campaign_id=campaign.campaign_id, session_id=session.session_id)
    assert stored(owner.sub, campaign).session_ids is None and stored(owner.sub, campaign).sessions_listed


def test_the_export_s_re_import_lists_the_sessions(make_user, make_campaign, settings, tmp_path):
    from accounts import cognito
    from campaigns.repository import list_campaigns_for_user
    from exports.writer import write_export
    from sessions.core.repository import list_sessions_for_campaign
    from tests.export_zips import EMAIL, fresh_deployment, make_account

    sub = make_account(make_user, make_campaign)
    with open(tmp_path / "account.zip", "wb") as stream:
        write_export(stream, sub=sub)
    fresh_deployment(settings)
    call_command("import_data", str(tmp_path / "account.zip"), stdout=StringIO(), stderr=StringIO())
    imported = cognito.find_user(email=EMAIL)["sub"]
    campaigns = [
        *list_campaigns_for_user(sub=imported).items,
        *list_campaigns_for_user(sub=imported, archived=True).items,
    ]
    assert campaigns and sum(int(campaign.session_count) for campaign in campaigns) >= 2
    for campaign in campaigns:
        sessions = list_sessions_for_campaign(sub=imported, campaign_id=campaign.campaign_id).items
        assert campaign.sessions_listed and set(campaign.session_ids or ()) == {s.session_id for s in sessions}


# --- a list that is not whole is not trusted -------------------------------------------------------
def test_a_campaign_made_before_the_list_reads_by_query_until_the_command_lists_it(
    owner, campaign, story_sessions, aws_calls
):
    _set_list(owner.sub, campaign, ())
    with aws_calls() as calls:
        before = owner.get(story_url(campaign)).content.decode()
    assert calls.operations() == BY_QUERY
    said = StringIO()
    call_command("list_sessions_on_campaigns", stdout=said, stderr=StringIO())
    assert said.getvalue().strip() == "campaigns: 1 found, 1 listed"
    call_command("list_sessions_on_campaigns", stdout=(again := StringIO()), stderr=StringIO())
    assert again.getvalue().strip() == "campaigns: 1 found, 1 already listed"  # safe to re-run
    with aws_calls() as calls:
        after = owner.get(story_url(campaign)).content.decode()
    assert calls.operations() == BY_KEY
    assert without_tokens(after) == without_tokens(before)  # the same page, but for its CSRF tokens


def test_a_listed_session_that_is_gone_makes_the_page_ask_the_table(owner, campaign, story_sessions, aws_calls):
    real = [session.session_id for session in story_sessions]
    _set_list(owner.sub, campaign, real[1:] + ["01HZZZZZZZZZZZZZZZZZZZZZZZ"])  # as many ids, one wrong
    with aws_calls() as calls:
        html = owner.get(story_url(campaign)).content.decode()
    assert calls.operations() == BY_KEY + ["dynamodb.Query", "dynamodb.Query"]
    assert "The Amber Temple" in html and "Recap of The Amber Temple." in html


def test_a_full_list_leaves_new_sessions_unlisted(owner, campaign, monkeypatch, aws_calls):
    from sessions.core import session_lists

    monkeypatch.setattr("campaigns.repository.MAX_LISTED_SESSIONS", 2)
    monkeypatch.setattr(session_lists, "MAX_LISTED_SESSIONS", 2)
    made = [
        create_session(sub=owner.sub, campaign_id=campaign.campaign_id, title=f"Night {number}", number=number)
        for number in (1, 2, 3)
    ]
    campaign_now = stored(owner.sub, campaign)
    assert campaign_now.session_count == 3 and len(campaign_now.session_ids) == 2
    assert not campaign_now.sessions_listed
    with aws_calls() as calls:
        html = owner.get(story_url(campaign)).content.decode()
    assert calls.operations() == BY_QUERY
    assert all(session.title in html for session in made)
    said = StringIO()
    call_command("list_sessions_on_campaigns", stdout=said, stderr=StringIO())
    assert said.getvalue().strip() == "campaigns: 1 found, 1 too many to list"
