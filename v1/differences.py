"""What verify_v1 found: every difference between v1.0 and this app, each with its v1.0
id and this app's ids, and every v1.0 row the import left out (or brought over changed)
on purpose, by the importer's own rules (docs/migration.md, "verify_v1").

A row left out on purpose is a line of v1.report's kind (the same reasons as import_v1's
report), never a difference: verify_v1 fails only on what the rules do not explain.
"""

import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime

from v1.report import SKIPPED_REASONS, Report

# The kinds of difference, one word each (docs/migration.md says what to do with each).
MISSING = "missing"  # v1.0 has the row, this app has not
EXTRA = "extra"  # this app has it, v1.0 has not (or not to be imported)
CHANGED = "changed"  # both have it; the named fields differ
COUNT = "count"  # one user's rows of one table: v1.0's to import vs this app's
TRANSCRIPT = "transcript"  # the transcript's bytes differ
OBJECT_MISSING = "object_missing"  # an object the session item names is not in the bucket
COGNITO = "cognito"  # the user pool has no such user, another one, or it is disabled

COUNTED = ("campaigns", "sessions", "summaries", "share_links")


@dataclass
class Difference:
    kind: str
    table: str  # v1.0's table
    v1_id: str  # the v1.0 row's id (a user id, a UUID)
    here: str  # this app's ids: "<sub>", "<sub> <campaign id>/<session id>", ...
    what: str

    def line(self):
        return f"{self.kind} — {self.table} — v1.0 {self.v1_id} — here {self.here or '-'} — {self.what}"


@dataclass
class Verification:
    source_rows: dict = field(default_factory=dict)  # {v1.0 table: rows}
    on_purpose: Report = field(default_factory=Report)  # the rows the import's rules leave out or change
    differences: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)  # {account e-mail: {table: [v1.0, here]}}
    compared: Counter = field(default_factory=Counter)  # rows compared, per table
    accounts: int = 0
    notes: list = field(default_factory=list)  # about the run as a whole (the import's state)

    def differ(self, kind, table, v1_id, here, what):
        self.differences.append(Difference(kind, table, str(v1_id), here or "", what))

    def count(self, email, *, v1_id, here, expected, found):
        """Record one account's counts per table; a table whose counts differ is a difference."""
        self.counts[email] = {table: [expected[table], found[table]] for table in COUNTED}
        for table in COUNTED:
            if expected[table] != found[table]:
                self.differ(COUNT, table, v1_id, here, f"v1.0 {expected[table]}, here {found[table]}")

    @property
    def ok(self):
        return not self.differences

    def summary(self):
        kinds = Counter(difference.kind for difference in self.differences)
        compared = sum(self.compared.values())
        found = f"{len(self.differences)} difference{'s' * (len(self.differences) != 1)}"
        if kinds:
            found += f" ({_counts(kinds)})"
        return (
            f"verify_v1: {found}; {self.accounts:,} accounts and {compared:,} rows compared; "
            f"{len(self.on_purpose.lines):,} rows left out or changed on purpose."
        )

    def as_json(self):
        return json.dumps(
            {
                "ok": self.ok,
                "summary": self.summary(),
                "source_rows": self.source_rows,
                "accounts": self.accounts,
                "compared": dict(self.compared),
                "counts": self.counts,
                "notes": self.notes,
                "differences": [asdict(difference) for difference in self.differences],
                "on_purpose": {
                    "reasons": dict(self.on_purpose.reasons()),
                    "lines": [asdict(line) for line in self.on_purpose.lines],
                },
            },
            indent=2,
            sort_keys=True,
            default=str,
        )

    def as_text(self):
        out = [f"v1.0 rows: {_counts(self.source_rows)}", *self.notes]
        out.append(f"compared: {_counts(self.compared) or 'nothing'}")
        reasons = self.on_purpose.reasons()
        skipped = sum(count for reason, count in reasons.items() if reason in SKIPPED_REASONS)
        out.append(f"skipped on purpose: {skipped:,}, by reason:")
        out += [f"  {count:>6}  {reason}" for reason, count in sorted(reasons.items()) if reason in SKIPPED_REASONS]
        changed = {reason: count for reason, count in reasons.items() if reason not in SKIPPED_REASONS}
        out.append(f"imported changed on purpose: {sum(changed.values()):,}, by reason:")
        out += [f"  {count:>6}  {reason}" for reason, count in sorted(changed.items())]
        for line in self.on_purpose.lines:
            out.append(f"on purpose: {line.reason}: {line.table} {line.id} {line.detail}".rstrip())
        out += [difference.line() for difference in self.differences]
        return "\n".join(out)


def described(value):
    """A field's value for a difference line: short values as they are, text by its digest
    (a line must stay one line, and never print a transcript or someone's notes)."""
    if isinstance(value, str) and (len(value) > 40 or not value.isprintable()):
        digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:12]
        return f"sha256 {digest}… ({len(value):,} characters)"
    if isinstance(value, datetime):
        return value.isoformat()
    return repr(value)


def field_differences(expected, found):
    """'name: v1.0 …, here …; notes: …' for the fields whose values differ, or ''."""
    return "; ".join(
        f"{name}: v1.0 {described(value)}, here {described(found.get(name))}"
        for name, value in expected.items()
        if found.get(name) != value
    )


def _counts(counter):
    return ", ".join(f"{name} {count:,}" for name, count in sorted(counter.items()) if count)
