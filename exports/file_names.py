"""Scaffolding until the vault lands (engineer V replaces this module)."""

import re

_BAD = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def safe_file_name(name, *, fallback="untitled", max_bytes=120):
    name = _BAD.sub(" ", name or "").strip(" .")
    while len(name.encode()) > max_bytes:
        name = name[:-1]
    return name.strip(" .") or fallback


class UniqueNames:
    def __init__(self):
        self.taken = set()

    def claim(self, name):
        stem, dot, extension = name.rpartition(".") if "." in name else (name, "", "")
        candidate, number = name, 1
        while candidate.casefold() in self.taken:
            number += 1
            candidate = f"{stem} ({number}){dot}{extension}"
        self.taken.add(candidate.casefold())
        return candidate
