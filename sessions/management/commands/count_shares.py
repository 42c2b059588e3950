"""manage.py count_shares: count the staff's share links now (what the hourly scheduled event
does: sessions/sharing/scheduled.py): the counts and most viewed /staff/shares/ shows, and
its list of the newest links, so its first page reads them by key (issue 17). Links made
before this release are listed by it too. Safe to re-run, and while the app serves: a link
made while it counts leaves the list as it was (the next run writes it)."""

from campaigns_site.operations import OperationsCommand
from sessions.sharing.registry import count_links


class Command(OperationsCommand):
    help = (
        "Count the staff's share links (live, expired, used up, revoked, views, most viewed) and list the newest "
        "for /staff/shares/: what the hourly event does. Safe to re-run."
    )

    def handle(self, *args, **options):
        stats, relisted = count_links()
        listed = "written" if relisted else "left as it was (a link was made meanwhile: run it again)"
        self.stdout.write(
            f"share links: {stats.links} counted ({stats.live} live, {stats.expired} expired, {stats.used_up} used up, "
            f"{stats.revoked} revoked), {stats.total_views} views; the newest list {listed}"
        )
