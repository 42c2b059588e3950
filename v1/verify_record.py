"""verify_v1's last result, for the staff's migration page (/staff/migration/): one item
beside the import's checkpoint, PK `V1IMPORT`, SK `VERIFY`, overwritten by each run.

Only counts and names the app chose: when, the exit status, the scope, accounts and rows
compared per table, differences per kind, rows left out or changed on purpose per
reason. Never a difference's line (it names e-mails and quotes fields): those stay in the
run's JSON report on the operator's machine.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from campaigns_site import prefetch
from campaigns_site.table import TableModel
from campaigns_site.table_keys import V1_IMPORT_PK, V1_VERIFY_SK

EVERYONE, ONE_USER, SAMPLE = "every account", "one user (--user)", "a sample"


class VerifyRecord(TableModel, discriminator="V1VerifyRecord"):
    """PK `V1IMPORT`, SK `VERIFY`."""

    finished = UTCDateTimeAttribute()
    exit_status = NumberAttribute()  # 0: v1.0 and this app agree
    scope = UnicodeAttribute()  # EVERYONE, ONE_USER or SAMPLE
    counts = UnicodeAttribute()  # JSON, see VerifySummary


@dataclass
class VerifySummary:
    finished: datetime
    exit_status: int
    scope: str
    accounts: int = 0
    differences: dict = field(default_factory=dict)  # {kind: count}
    compared: dict = field(default_factory=dict)  # {table: rows}
    on_purpose: dict = field(default_factory=dict)  # {reason: rows}
    source_rows: dict = field(default_factory=dict)  # {v1.0 table: rows}

    @property
    def ok(self):
        return self.exit_status == 0

    @property
    def difference_count(self):
        return sum(self.differences.values())


def record_verification(verification, *, scope, now=None):
    """Keep a finished run's counts (a v1.differences.Verification): one PutItem."""
    counts = {
        "accounts": verification.accounts,
        "differences": dict(Counter(difference.kind for difference in verification.differences)),
        "compared": dict(verification.compared),
        "on_purpose": dict(verification.on_purpose.reasons()),
        "source_rows": dict(verification.source_rows),
    }
    VerifyRecord(
        V1_IMPORT_PK,
        V1_VERIFY_SK,
        finished=now or timezone.now(),
        exit_status=0 if verification.ok else 1,
        scope=scope,
        counts=json.dumps(counts, sort_keys=True),
    ).save()


def last_verification():
    """The last run's VerifySummary, or None: one GetItem (none on the staff's migration
    page, which reads it with its session check: campaigns_site.prefetch)."""
    item = prefetch.get_item(VerifyRecord, V1_IMPORT_PK, V1_VERIFY_SK)
    if item is None:
        return None
    counts = json.loads(item.counts or "{}")
    return VerifySummary(
        finished=item.finished,
        exit_status=int(item.exit_status),
        scope=item.scope,
        accounts=int(counts.get("accounts", 0)),
        differences=counts.get("differences", {}),
        compared=counts.get("compared", {}),
        on_purpose=counts.get("on_purpose", {}),
        source_rows=counts.get("source_rows", {}),
    )
