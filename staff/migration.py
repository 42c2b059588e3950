"""What /staff/migration/ shows of the move from v1.0: the import's checkpoint and its last
completed pass's report (v1/checkpoints.py, v1/report.py), and verify_v1's last result
(v1/verify_record.py). Two GetItem, no Scan. Counts and names the app chose only: the
report's lines (each a v1.0 row's id and detail) stay in the operator's report file."""

import json
import logging
from dataclasses import dataclass, field

from pynamodb.exceptions import PynamoDBException

from v1 import checkpoints
from v1.report import SKIPPED_REASONS
from v1.verify_record import last_verification

log = logging.getLogger(__name__)


@dataclass
class ImportReport:
    """The counts of one import pass's JSON report (v1.report.Report.as_json)."""

    source_rows: list = field(default_factory=list)  # (v1.0 table, rows)
    written: list = field(default_factory=list)  # (what, count)
    present: list = field(default_factory=list)  # (what, count): there already
    reasons: list = field(default_factory=list)  # (reason, count, "not imported" or "imported, changed")
    transcript_bytes: int = 0
    accounts_done: int = 0
    resumed_after: int | None = None


@dataclass
class MigrationStatus:
    run: object = None  # checkpoints.ImportRun, or None: no whole pass ever started
    report: ImportReport | None = None
    report_unreadable: bool = False
    verification: object = None  # verify_record.VerifySummary, or None
    error: str = ""


def migration_status():
    status = MigrationStatus()
    try:
        status.run = checkpoints.get_run()
        status.verification = last_verification()
    except PynamoDBException as error:
        log.warning("staff migration: reading the import's items failed: %s", error)
        status.error = f"GetItem failed: {type(error).__name__}."
        return status
    if status.run is not None and status.run.report:
        status.report = report_counts(status.run.report)
        status.report_unreadable = status.report is None
    return status


def report_counts(report_json):
    """The report's counts, or None when it cannot be read."""
    try:
        data = json.loads(report_json)
        reasons = data.get("reasons") or {}
        return ImportReport(
            source_rows=_pairs(data.get("source_rows")),
            written=_pairs(data.get("imported")),
            present=_pairs(data.get("present")),
            reasons=[
                (reason, int(count), "not imported" if reason in SKIPPED_REASONS else "imported, changed")
                for reason, count in sorted(reasons.items())
            ],
            transcript_bytes=int(data.get("transcript_bytes") or 0),
            accounts_done=int(data.get("accounts_done") or 0),
            resumed_after=data.get("resumed_after"),
        )
    except (ValueError, TypeError, AttributeError):
        return None


def _pairs(counts):
    return [(str(name), int(count)) for name, count in sorted((counts or {}).items()) if count]
