"""Downloading an export (exports.views.download_account_export, download_campaign_export):
a redirect to a presigned GET of the requester's own zip, as an attachment, for a few
minutes; 404 for anything else."""

from urllib.parse import parse_qs, urlsplit

from exports import jobs
from tests.export_pages import AUTH, DOWNLOAD_ACCOUNT, download_campaign_url, finished_export
from tests.web_clients import login_url


def presigned(response):
    assert response.status_code == 302
    parts = urlsplit(response["Location"])
    return parts, {name: values[0] for name, values in parse_qs(parts.query).items()}


def test_the_owner_is_sent_to_a_short_presigned_link_of_their_zip(owner, campaign, aws_calls):
    export = finished_export(owner.sub)
    with aws_calls() as calls:
        response = owner.get(DOWNLOAD_ACCOUNT)
    assert calls.operations() == [AUTH, "dynamodb.GetItem"]  # pinned: signing is local
    parts, query = presigned(response)
    assert parts.path.endswith(f"/{export.object_key}")
    assert query["X-Amz-Expires"] == str(jobs.DOWNLOAD_LINK_SECONDS) == "300"
    assert query["response-content-disposition"] == f'attachment; filename="{export.file_name}"'
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_campaign_export_downloads_through_its_owners_campaign(owner, campaign):
    export = finished_export(owner.sub, campaign)
    parts, _ = presigned(owner.get(download_campaign_url(campaign.campaign_id)))
    assert parts.path.endswith(f"/{export.object_key}")


def test_another_user_gets_404_never_a_link(owner, other, campaign):
    finished_export(owner.sub)
    finished_export(owner.sub, campaign)
    assert other.get(DOWNLOAD_ACCOUNT).status_code == 404  # they have no export of their own
    assert other.get(download_campaign_url(campaign.campaign_id)).status_code == 404


def test_nothing_ready_is_404(owner, campaign, manual):
    assert owner.get(DOWNLOAD_ACCOUNT).status_code == 404
    jobs.start_export(sub=owner.sub)  # queued, not done
    assert owner.get(DOWNLOAD_ACCOUNT).status_code == 404
    assert owner.get(download_campaign_url("01J00000000000000000000000")).status_code == 404


def test_anonymous_is_sent_to_log_in(anonymous):
    for url in (DOWNLOAD_ACCOUNT, download_campaign_url("01J00000000000000000000000")):
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"] == login_url(url)
