"""manage.py fill_share_registry: give every share link made before the staff's share
registry existed its entry (docs/data-model.md, "Share link registry"), so /staff/shares/
lists and counts it. A Scan of the table (operator credentials; never a request path), then
one conditional PutItem per link without an entry. Safe to re-run, and while the app serves."""

from tqdm import tqdm

from campaigns_site.operations import OperationsCommand
from sessions.sharing.registry import register_existing_links


class Command(OperationsCommand):
    help = (
        "Put an entry in the staff's share link registry for every link that has none (links made before the "
        "registry existed): a Scan, for operators, once after deploying it. Safe to re-run."
    )

    def handle(self, *args, **options):
        with tqdm(desc="share links", unit="link", mininterval=1) as bar:
            found, added = register_existing_links(progress=lambda: bar.update(1))
        self.stdout.write(f"share links: {found} found, {added} entries added to the registry")
