"""What a run of import_data did: counts written and already there, and every campaign,
session or line it left out with the reason (or brought over with a note)."""

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Line:
    zip_name: str
    what: str  # "campaign <id>", "session <id>", "share link <id>", "account"
    reason: str


@dataclass
class ImportReport:
    zips: int = 0
    written: Counter = field(default_factory=Counter)
    present: Counter = field(default_factory=Counter)
    skipped: list = field(default_factory=list)  # Line: not imported
    notes: list = field(default_factory=list)  # Line: imported, or said

    def wrote(self, what, count=1):
        self.written[what] += count

    def found(self, what, count=1):
        self.present[what] += count

    def skip(self, zip_name, what, reason):
        self.skipped.append(Line(zip_name, what, reason))

    def note(self, zip_name, what, reason):
        self.notes.append(Line(zip_name, what, reason))

    @property
    def changed_nothing(self):
        return not any(self.written.values())

    def as_text(self):
        out = [f"zips read: {self.zips}", f"written: {_counts(self.written) or 'nothing'}"]
        if self.present:
            out.append(f"already there, left as they are: {_counts(self.present)}")
        if self.changed_nothing:
            out.append("Nothing changed: everything in the export was here already.")
        if self.skipped:
            out.append(f"skipped ({len(self.skipped)}):")
            out += [f"  {line.zip_name}: {line.what}: {line.reason}" for line in self.skipped]
        if self.notes:
            out.append(f"notes ({len(self.notes)}):")
            out += [f"  {line.zip_name}: {line.what}: {line.reason}" for line in self.notes]
        return "\n".join(out)


def _counts(counter):
    return ", ".join(f"{name} {count:,}" for name, count in sorted(counter.items()) if count)
