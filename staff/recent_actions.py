"""`manage.py list_recent_actions`: every directory entry's list of the newest staff actions
on its user (campaigns_site.audit, `recent_actions`), made again from the audit log.

For entries older than the list (issue 17: their page asks the log with a Query of its
own until then), imported accounts, and any list a failed write left wrong. The log is
read once (one Query of its partition, page after page; with --sub one Query of the
user's actions), the directory once; only lists that differ are written, each with one
UpdateItem conditioned on the entry as read, so a second run writes nothing and a staff
action recorded meanwhile is never undone.
"""

from dataclasses import dataclass

from tqdm import tqdm

from campaigns_site import audit, directory


@dataclass
class RelistReport:
    checked: int = 0
    listed: int = 0
    unchanged: int = 0
    changed_meanwhile: int = 0

    def describe(self):
        return (
            f"{self.checked} entries checked: {self.listed} lists written, {self.unchanged} right already, "
            f"{self.changed_meanwhile} changed meanwhile (re-run to check them)"
        )


def relist_recent_actions(*, sub=None, progress_file=None):
    """Bring every listed entry's recent actions (or `sub`'s) in line with the audit log;
    returns a RelistReport."""
    newest = audit.newest_by_target(sub=sub)
    if sub is not None:
        entry = directory.get_entry(sub=sub)
        entries = [entry] if entry is not None else []
    else:
        entries = [entry for entry in directory.all_entries() if entry.email]
    report = RelistReport()
    for entry in tqdm(entries, unit="user", file=progress_file, mininterval=1, desc="list_recent_actions"):
        report.checked += 1
        actions = newest.get(directory.sub_of(entry), [])
        if entry.actions_listed is not None and entry.recent_actions == audit.listed_json(actions):
            report.unchanged += 1
        elif audit.write_recent_actions(directory_entry=entry, actions=actions):
            report.listed += 1
        else:
            report.changed_meanwhile += 1
    return report
