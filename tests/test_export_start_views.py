"""Starting an export (exports.views.start_account_export, start_campaign_export): a POST
with CSRF, for the signed-in user's own account or campaign only, refused while one of the
same scope runs; and the buttons on the profile and campaign pages."""

from exports import jobs
from exports.items import DONE, QUEUED
from tests.export_pages import AUTH, LIST, START_ACCOUNT, start_campaign_url
from tests.web_clients import login_url, post


# --- the account ------------------------------------------------------------------------------
def test_the_owner_starts_an_export_of_everything(owner, campaign, manual, aws_calls):
    with aws_calls() as calls:
        response = post(owner, START_ACCOUNT)
    assert response.status_code == 302 and response["Location"] == LIST
    assert calls.operations() == [AUTH, "dynamodb.PutItem"]  # pinned: the conditional Put, then the manual runner
    export = jobs.get_export(sub=owner.sub)
    assert export.status == QUEUED and export.scope == "account"
    assert "Your export has started." in owner.get(LIST).content.decode()


def test_a_second_click_while_it_runs_starts_nothing_new(owner, manual):
    post(owner, START_ACCOUNT)
    first = jobs.get_export(sub=owner.sub)
    response = post(owner, START_ACCOUNT)
    assert response.status_code == 302
    assert jobs.get_export(sub=owner.sub).job_id == first.job_id
    assert "already being made when you asked" in owner.get(LIST).content.decode()


def test_with_the_inline_runner_it_is_done_by_the_time_the_page_shows(owner, campaign):
    post(owner, START_ACCOUNT)
    assert jobs.get_export(sub=owner.sub).status == DONE


def test_anonymous_cannot_start_one(anonymous):
    response = post(anonymous, START_ACCOUNT)
    assert response.status_code == 302 and response["Location"] == login_url(START_ACCOUNT)


def test_a_get_starts_nothing(owner):
    assert owner.get(START_ACCOUNT).status_code == 405
    assert jobs.get_export(sub=owner.sub) is None


def test_a_post_without_the_csrf_token_is_refused(owner):
    assert owner.post(START_ACCOUNT).status_code == 403
    assert jobs.get_export(sub=owner.sub) is None


# --- a campaign -------------------------------------------------------------------------------
def test_the_owner_starts_an_export_of_a_campaign(owner, campaign, manual, aws_calls):
    url = start_campaign_url(campaign.campaign_id)
    with aws_calls() as calls:
        response = post(owner, url)
    assert response.status_code == 302 and response["Location"] == LIST
    assert calls.operations() == [AUTH, "dynamodb.GetItem", "dynamodb.PutItem"]  # the campaign, the export
    export = jobs.get_export(sub=owner.sub, campaign_id=campaign.campaign_id)
    assert (export.scope, export.campaign_name) == ("campaign", "Secret Strahd")


def test_another_users_campaign_is_404(owner, other, campaign):
    assert post(other, start_campaign_url(campaign.campaign_id)).status_code == 404
    assert jobs.list_exports(sub=other.sub) == [] and jobs.list_exports(sub=owner.sub) == []


def test_a_missing_campaign_is_404(owner):
    assert post(owner, start_campaign_url("01J00000000000000000000000")).status_code == 404


def test_anonymous_cannot_export_a_campaign(anonymous, owner, campaign):
    url = start_campaign_url(campaign.campaign_id)
    response = post(anonymous, url)
    assert response.status_code == 302 and response["Location"] == login_url(url)
    assert jobs.list_exports(sub=owner.sub) == []


# --- the buttons ------------------------------------------------------------------------------
def test_the_profile_page_has_download_everything(owner, aws_calls):
    with aws_calls() as calls:
        html = owner.get("/accounts/profile/").content.decode()
    assert f'action="{START_ACCOUNT}"' in html and "Download everything</button>" in html
    assert "dynamodb.Query" not in calls.operations()  # the button costs no read


def test_the_campaign_page_has_download_this_campaign(owner, campaign):
    html = owner.get(f"/campaigns/{campaign.campaign_id}/").content.decode()
    assert f'action="{start_campaign_url(campaign.campaign_id)}"' in html
    assert "Download this campaign</button>" in html
