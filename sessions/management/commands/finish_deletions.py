from django.core.management.base import CommandError

from campaigns.repository import CampaignNotFound, list_campaigns_being_deleted
from campaigns_site import dynamodb
from campaigns_site.operations import OperationsCommand
from campaigns_site.table_keys import CAMPAIGN_PREFIX, sub_of_user_pk
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
    being_deleted = dynamodb.attribute("deleting_since").exists() & (dynamodb.attribute("entity") == "Campaign")
    pages = dynamodb.scan_pages(where=being_deleted, attributes=["PK", "SK"])
    return [(sub_of_user_pk(item["PK"]), item["SK"].removeprefix(CAMPAIGN_PREFIX)) for page in pages for item in page]
