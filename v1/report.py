"""What a run of import_v1 did: counts per v1.0 table, bytes, and every row it did not
bring over (or brought over changed) with the reason, for the operator (docs/migration.md,
"Report lines" says what to do with each kind).
"""

import json
from collections import Counter
from dataclasses import asdict, dataclass, field

# Reasons, one per kind of line. A skipped row is not imported; a noted row is, changed.
SOFT_DELETED = "soft_deleted"
IN_DELETED_CAMPAIGN = "in_soft_deleted_campaign"
OF_SKIPPED_SESSION = "of_skipped_session"
CASE_DUPLICATE = "email_case_duplicate"
MERGED = "merged_case_duplicate"
NULL_EMAIL = "email_null"
INVALID_EMAIL = "email_invalid"
OF_SKIPPED_USER = "of_skipped_user"
MISSING_OBJECT = "transcript_object_missing"
UNPARSEABLE = "transcript_unparseable"
NUMBER_DROPPED = "session_number_dropped"
UNKNOWN_TIME_ZONE = "unknown_time_zone"
SHARE_EXPIRED = "share_token_expired"
SHARE_MALFORMED = "share_token_malformed"
TEXT_CUT = "text_cut"
KIND_RENAMED = "summary_kind_renamed"
NOT_MIGRATED = "not_migrated"

SKIPPED_REASONS = {
    SOFT_DELETED,
    IN_DELETED_CAMPAIGN,
    OF_SKIPPED_SESSION,
    CASE_DUPLICATE,
    NULL_EMAIL,
    INVALID_EMAIL,
    OF_SKIPPED_USER,
    SHARE_EXPIRED,
    SHARE_MALFORMED,
}


@dataclass
class Line:
    table: str  # v1.0's table
    id: str  # the row's v1.0 id (user id, UUID; for share tokens, the session's UUID)
    reason: str
    detail: str = ""


@dataclass
class Report:
    dry_run: bool = False
    source_rows: dict = field(default_factory=dict)  # {v1.0 table: rows}
    imported: Counter = field(default_factory=Counter)  # {what: written by this run}
    present: Counter = field(default_factory=Counter)  # {what: there already, left as it is}
    transcript_bytes: int = 0  # of the transcripts this run wrote
    lines: list = field(default_factory=list)
    accounts_done: int = 0
    resumed_after: int | None = None  # a killed pass went on after this v1.0 user id

    def skip(self, table, row_id, reason, detail=""):
        self.lines.append(Line(table, str(row_id), reason, detail))

    note = skip  # the same line; its reason says whether the row was imported

    def wrote(self, what, count=1):
        self.imported[what] += count

    def found(self, what, count=1):
        self.present[what] += count

    @property
    def changed_nothing(self):
        return not any(self.imported.values())

    def reasons(self):
        return Counter(line.reason for line in self.lines)

    def as_json(self):
        data = asdict(self)
        data["imported"], data["present"] = dict(self.imported), dict(self.present)
        data["reasons"] = dict(self.reasons())
        return json.dumps(data, indent=2, sort_keys=True, default=str)

    def as_text(self):
        verb = "would write" if self.dry_run else "wrote"
        out = [f"v1.0 rows: {_counts(self.source_rows)}"]
        if self.resumed_after:
            out.append(f"resumed a killed run after v1.0 user {self.resumed_after}")
        out.append(f"{verb}: {_counts(self.imported) or 'nothing'}")
        if self.present:
            out.append(f"already here, unchanged: {_counts(self.present)}")
        out.append(f"transcript bytes {verb.split()[-1]}: {self.transcript_bytes:,}")
        if self.changed_nothing and not self.dry_run:
            out.append("Nothing changed: everything v1.0 has was imported already.")
        for reason, count in sorted(self.reasons().items()):
            kept = "not imported" if reason in SKIPPED_REASONS else "imported"
            out.append(f"  {count:>6}  {reason} ({kept})")
        for line in self.lines:
            out.append(f"{line.reason}: {line.table} {line.id} {line.detail}".rstrip())
        return "\n".join(out)


def _counts(counter):
    return ", ".join(f"{name} {count:,}" for name, count in sorted(counter.items()) if count)
