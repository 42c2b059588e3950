"""Shared by the export page tests (tests/test_export_*_view*.py): the addresses, and an
export made the way the pages make one."""

from exports import jobs

LIST = "/accounts/exports/"
START_ACCOUNT = "/accounts/exports/account/"
DOWNLOAD_ACCOUNT = "/accounts/exports/account/download/"
AUTH = "dynamodb.BatchGetItem"  # what a signed-in page costs for authentication


def start_campaign_url(campaign_id):
    return f"/accounts/exports/campaigns/{campaign_id}/"


def download_campaign_url(campaign_id):
    return f"/accounts/exports/campaigns/{campaign_id}/download/"


def finished_export(sub, campaign=None):
    """An export of the account (or of `campaign`), run at once (the tests' inline runner)."""
    jobs.start_export(sub=sub, campaign=campaign)
    export = jobs.get_export(sub=sub, campaign_id=campaign.campaign_id if campaign else None)
    assert export.is_done, export.failure_reason
    return export
