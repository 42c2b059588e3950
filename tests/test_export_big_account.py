"""A big account exports within the Lambda's memory (1,769 MB) and timeout (330 s) whatever
its size: the peak of Python memory stays far below the zip's contents, and the AWS
requests grow by a fixed few per session. Time itself is the benchmark's to measure
(scripts/bench_export.py: 500 sessions of four-hour transcripts)."""

import tracemalloc
import zipfile

from exports.writer import write_export
from tests.big_account import build_big_account

PEAK_LIMIT = 24 * 1024 * 1024  # bytes, against over 100 MB of contents


def test_the_export_never_holds_the_account_in_memory(make_user, tmp_path):
    sub = make_user("many@example.com")
    _, stored_bytes = build_big_account(sub, sessions=100, hours=4, kinds=("recap",))
    out = tmp_path / "export.zip"

    tracemalloc.start()
    try:
        with out.open("wb") as stream:
            counts = write_export(stream, sub=sub)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert counts["sessions"] == counts["transcripts"] == 100
    with zipfile.ZipFile(out) as archive:
        contents = sum(entry.file_size for entry in archive.infolist())
    assert stored_bytes > 100 * 1024 * 1024 and contents > stored_bytes
    assert peak < PEAK_LIMIT, f"peak {peak / 2**20:.1f} MiB for {contents / 2**20:.0f} MiB of contents"


def test_500_sessions_cost_a_fixed_few_requests_each(make_user, tmp_path, aws_calls):
    sub = make_user("many@example.com")
    build_big_account(sub, sessions=500, hours=0.01, kinds=("recap",))

    with (tmp_path / "export.zip").open("wb") as stream, aws_calls() as calls:
        counts = write_export(stream, sub=sub)

    assert (counts["sessions"], counts["transcripts"], counts["summaries"]) == (500, 500, 500)
    # Two S3 GETs a session (the original, its normalized form); DynamoDB only pages of
    # Queries (sessions twice, summaries twice: the data, then the notes), no Query per
    # session, no Scan.
    assert calls.count("s3", "GetObject") == 2 * 500
    assert calls.count("dynamodb", "Scan") == 0
    assert calls.count("dynamodb") <= 40, calls.operations()
