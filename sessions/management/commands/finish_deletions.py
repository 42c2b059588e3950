from django.conf import settings
from django.core.management.base import CommandError

from campaigns.repository import CampaignNotFound, list_campaigns_being_deleted
from campaigns_site import aws
from campaigns_site.operations import OperationsCommand
from sessions.core.campaign_deletion import delete_campaign


class Command(OperationsCommand):
    help = (
        "Finish the campaign deletions that stopped midway. With --sub, one Query for that user; "
        "without, a Scan of the whole table: an operations command, never run on a request path."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sub", help="only this user's campaigns (their Cognito sub)")

    def handle(self, *args, sub=None, **options):
        unfinished = _being_deleted_of(sub) if sub else _being_deleted_everywhere()
        failures = 0
        for owner, campaign_id in unfinished:
            self.stdout.write(f"campaign {campaign_id} of {owner}:")
            try:
                delete_campaign(
                    sub=owner, campaign_id=campaign_id, progress=lambda line: self.stdout.write(f"  {line}")
                )
            except CampaignNotFound:
                self.stdout.write("  already gone")
            except Exception as error:  # one stuck campaign must not stop the others
                failures += 1
                self.stderr.write(f"  stopped: {error!r}; run this again to finish it")
        if failures:
            raise CommandError(f"{failures} deletions did not finish")
        self.stdout.write(self.style.SUCCESS("No unfinished campaign deletions left."))


def _being_deleted_of(sub):
    pages, cursor = [], None
    while True:
        page = list_campaigns_being_deleted(sub=sub, cursor=cursor)
        pages += [(sub, campaign.campaign_id) for campaign in page.items]
        if not (cursor := page.next_cursor):
            return pages


def _being_deleted_everywhere():
    pages = (
        aws.client("dynamodb")
        .get_paginator("scan")
        .paginate(
            TableName=settings.DYNAMODB_TABLE,
            FilterExpression="attribute_exists(deleting_since) AND entity = :campaign",
            ExpressionAttributeValues={":campaign": {"S": "Campaign"}},
            ProjectionExpression="PK, SK",
        )
    )
    return [
        (item["PK"]["S"].removeprefix("USER#"), item["SK"]["S"].removeprefix("CAMPAIGN#"))
        for page in pages
        for item in page["Items"]
    ]
