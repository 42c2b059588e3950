"""Scaffolding until the vault lands (engineer V replaces this module)."""

from exports.file_names import UniqueNames, safe_file_name
from exports.format import MARKDOWN_DIR


class VaultPaths:
    def __init__(self):
        self.names, self.paths = UniqueNames(), {}

    def _path(self, key, name):
        if key not in self.paths:
            self.paths[key] = f"{MARKDOWN_DIR}{self.names.claim(safe_file_name(name) + '.md')}"
        return self.paths[key]

    def campaign_note(self, campaign):
        return self._path(campaign["id"], campaign["name"])

    def session_note(self, campaign, session):
        return self._path(session["id"], session["title"])

    def index_note(self):
        return f"{MARKDOWN_DIR}Campaigns.md"


def campaign_note(campaign, *, sessions, story, speaker_names, paths):
    return f"# {campaign['name']}\n\n{campaign['description']}\n"


def session_note(session, *, campaign, summaries, speaker_names, paths, previous=None, following=None):
    return f"# {session['title']}\n\n{session['notes']}\n" + "".join(
        f"\n## {s['kind']}\n\n{s['text']}\n" for s in summaries
    )


def index_note(account, *, campaigns, paths):
    return "# Campaigns\n"
