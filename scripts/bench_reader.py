"""Transcript benchmark: parse + store, then the first reader page, for 1-, 4- and 8-hour files.

    .venv/bin/python scripts/bench_reader.py [--rounds 7] [--hours 1 4 8] [--format vtt]
                                             [--file my.vtt | --folder my-transcripts/]

S3, DynamoDB and Cognito are a moto server in another process (as `make run` has them),
so every request crosses HTTP as it would to AWS, and this process's memory holds only
the app's own work. For each length, each round makes a new session and measures:
- store: `tests.transcript_uploads.store_transcript`, the upload's server side (put the
  original, read it back, check and parse it, put the normalized segments, record the item), wall time;
- first page (cold): GET of the reader's first page through Django's test client, signed
  in, with the process's transcript cache empty (so S3 is read), wall time of the whole
  request (authentication included);
- first page (warm): the same page again, the normalized transcript in the cache.
Medians are printed. One more round runs `store` under tracemalloc: its peak (the
upload's bytes are held before the step starts, so the budget "≤ 5× the file's size"
compares size + peak with size). The issue's target: the first page of a four-hour
transcript in ≤ 150 ms server time. `--file`/`--folder` time your own transcripts
instead of the generated ones (a row each, named by file).
"""

import argparse
import gc
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_support import (  # noqa: E402
    add_transcript_inputs,
    django_on_moto_server,
    load_average,
    peak_rss,
    signed_in_client,
    transcript_inputs,
)


def timed(step):
    gc.collect()
    started = time.perf_counter()
    result = step()
    return time.perf_counter() - started, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--hours", type=float, nargs="+", default=[1, 4, 8])
    parser.add_argument("--format", default="vtt", choices=["vtt", "srt", "text", "whisper_json"])
    add_transcript_inputs(parser)
    args = parser.parse_args()
    args.inputs = transcript_inputs(args)

    with django_on_moto_server():
        run(args)


def run(args):
    from campaigns.repository import create_campaign
    from sessions.core.repository import create_session
    from sessions.transcripts.storage import clear_cache
    from tests.transcript_samples import sample_bytes
    from tests.transcript_uploads import store_transcript

    client, sub = signed_in_client()
    campaign = create_campaign(sub=sub, name="Benchmark")

    def new_session():
        return create_session(sub=sub, campaign_id=campaign.campaign_id, title="Session")

    def store(session, data, filename):
        return store_transcript(
            sub=sub, campaign_id=campaign.campaign_id, session_id=session.session_id, data=data, filename=filename
        )

    def first_page(session):
        response = client.get(f"/campaigns/{campaign.campaign_id}/sessions/{session.session_id}/transcript/")
        assert response.status_code == 200, response.status_code
        return response

    print(
        f"Python {sys.version.split()[0]}, format {args.format}, {args.rounds} rounds, medians; "
        "AWS is a moto server in another process"
    )
    # (label, bytes, file name): yours, named by their file, or the generated ones by length
    cases = [(name, data, name) for name, data in args.inputs] or [
        (f"{hours:g} h", sample_bytes(args.format, hours=hours), f"session.{args.format}") for hours in args.hours
    ]
    width = max(5, *(len(label) for label, _, _ in cases))
    header = (
        f"{'input':>{width}} {'size KB':>8} {'segments':>8} {'store ms':>9} {'page cold ms':>12} "
        f"{'page warm ms':>12} {'store peak KB':>13} {'(size+peak)/size':>16}"
    )
    print(header)
    print("-" * len(header))
    for label, data, filename in cases:
        store_times, cold_times, warm_times = [], [], []
        segments = 0
        for _ in range(args.rounds):
            session = new_session()
            seconds, attached = timed(lambda: store(session, data, filename))
            store_times.append(seconds)
            segments = attached.session.transcript_segment_count
            clear_cache()
            cold_times.append(timed(lambda: first_page(session))[0])
            warm_times.append(timed(lambda: first_page(session))[0])

        session = new_session()
        gc.collect()
        tracemalloc.start()
        try:
            store(session, data, filename)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        size = len(data)
        print(
            f"{label:>{width}} {size / 1024:>8.0f} {segments:>8} {statistics.median(store_times) * 1000:>9.1f} "
            f"{statistics.median(cold_times) * 1000:>12.1f} {statistics.median(warm_times) * 1000:>12.1f} "
            f"{peak / 1024:>13.0f} {(size + peak) / size:>16.2f}",
            flush=True,
        )
    print(f"{load_average()}; this process's {peak_rss()}")


if __name__ == "__main__":
    main()
