"""Search benchmark: one user with 500 sessions of four-hour transcripts, searched.

    .venv/bin/python scripts/bench_search.py [--sessions 500] [--rounds 7] [--words 4000]
                                             [--file my.vtt | --folder my-transcripts/]

DynamoDB, S3 and Cognito are the local AWS in another process (moto, as `make run` has
it, without its whole-table costs: scripts/moto_speedups.py), so every request crosses
HTTP as it would to AWS; its Query reads the key range only, as DynamoDB's does (the
index has ~66 items a session: moto's Query otherwise sorts and tests every one), and
its Query and BatchGetItem answer in plain JSON (moto's serializer takes ~4 ms an item).
The user gets 5 campaigns (with speaker names) and `--sessions` sessions' search indexes
written through sessions/core/search_whole.py (build_items: a head, the snippets, 64 word
groups), as big as a four-hour session's: each
transcript has `--words` distinct words (seeded pseudo-words from a 60,000-word
vocabulary, so the terms fill their 32 KB budget as a real four-hour session's ~4,000
distinct words do), notes, six summaries and five speakers. Writing 500 real transcripts
would take minutes and measure the upload, not the search; the items are what a search
reads, byte for byte.

Each search runs `--rounds` times through sessions.search.services.search_sessions (the
page's own call, my campaigns given, as the page reads them first); printed per search:
results, requests (speaker names, heads' and word groups' Query pages, the snippets'
BatchGetItem), round trips (requests one after another: those made at once count once),
items read, the read request units DynamoDB would bill, the median wall time, and of it
the time spent in the app (outside the requests). Read units: moto reports a constant, so
they are computed as DynamoDB computes them: per Query page, the sizes of the items read
summed, rounded up to 4 KB, 0.5 unit per 4 KB (eventually consistent); per BatchGetItem,
each item rounded up to 4 KB. Then the write units of the index's edits, from its items'
sizes (1 KB a unit, twice for the head, which LSI1 copies), one whole search page through
Django's test client (signed in), and the time indexing a four-hour transcript adds to its
upload (the words, and the transaction that writes them). `--file`/`--folder`: the
sessions' transcripts are yours (in turn) instead of the generated words, with the common
and rare words added as a line where they are said.
"""

import argparse
import os
import random
import statistics
import string
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_import import serve_local_aws as serve_imports_local_aws  # noqa: E402
from bench_import import start_local_aws, stop_local_aws  # noqa: E402
from bench_support import (  # noqa: E402
    add_transcript_inputs,
    load_average,
    peak_rss,
    set_up_django,
    signed_in_client,
    transcript_inputs,
)

from devtools.dynamodb_sizes import batch_read_units, item_size, query_read_units, write_units  # noqa: E402

COMMON, RARE, NOWHERE, NAME = "dragon", "ferryman", "xylophonist", "mira"
RARE_IN = (7, 250, 480)  # the sessions (0 = the newest) that say the rare word
COMMON_SHARE = 0.9  # of sessions that say the common word
CAMPAIGNS = 5
FIRST_DAY_AGO = 3  # the newest session was played three days ago, one a week before it
ENGLISH = (
    "the and you that was for are with his they this have from one had word but not what all were when "
    "your can said there use each which she how their will other about out many then them these some "
    "her would make like him into time has look two more write see number way could people than first "
    "water been call who now find long down day did get come made may part roll initiative check attack "
    "damage spell cast tavern inn door trap gold silver sword shield potion healing goblin orc ogre "
    "castle tower forest river bridge village mayor guard merchant priest temple ruin cave tunnel map"
).split()


def pseudo_words(count, rng):
    """Distinct lower-case pseudo-words, 3 to 12 letters (English-like lengths)."""
    lengths = [3, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 10, 11, 12]
    found = set()
    while len(found) < count:
        found.add("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.choice(lengths))))
    return sorted(found)


def text_of(words, rng, per_line=18):
    words = list(words)
    rng.shuffle(words)
    return [" ".join(words[start : start + per_line]).capitalize() + "." for start in range(0, len(words), per_line)]


def make_user_data(sub, args):
    from datetime import date, timedelta

    from campaigns.repository import create_campaign
    from campaigns_site.table import TableModel, new_id
    from sessions.core.kinds import KINDS
    from sessions.core.search_whole import build_items
    from sessions.core.segments import Segment
    from sessions.transcripts.parsing import parse_transcript_bytes
    from sessions.transcripts.repository import save_speaker_names

    yours = [parse_transcript_bytes(data, filename=name).segments for name, data in args.inputs]
    rng = random.Random(2024)
    vocabulary = pseudo_words(60_000, rng)
    campaigns = [create_campaign(sub=sub, name=f"Campaign {number + 1}") for number in range(CAMPAIGNS)]
    for number, campaign in enumerate(campaigns):
        save_speaker_names(
            sub=sub,
            campaign_id=campaign.campaign_id,
            expected_version=0,
            names={
                f"SPEAKER_0{label}": {
                    "player": f"Player {label}",
                    "character": "Mira" if label == 0 and number == 2 else rng.choice(vocabulary).capitalize(),
                }
                for label in range(5)
            },
        )

    class Stored:  # what build_items reads of a PlaySession
        pass

    class Summary:
        def __init__(self, kind, text):
            self.kind, self.text = kind, text

    sizes, keys, kinds = [], [], {"head": [], "text": [], "words": []}
    newest = date.today() - timedelta(days=FIRST_DAY_AGO)
    started = time.perf_counter()
    with TableModel.batch_write() as batch:
        for age in range(args.sessions):  # age 0: the newest
            campaign = campaigns[age % CAMPAIGNS]
            said = set(rng.sample(vocabulary, args.words - len(ENGLISH))) | set(ENGLISH)
            if rng.random() < COMMON_SHARE:
                said.add(COMMON)
            if age in RARE_IN:
                said.add(RARE)
            speakers = [f"SPEAKER_0{label}" for label in range(5)]
            segments = [
                Segment(start=None, end=None, speaker=speakers[line % 5], text=text)
                for line, text in enumerate(text_of(said, rng))
            ]
            if yours:
                marked = " ".join(sorted(said & {COMMON, RARE}))
                segments = yours[age % len(yours)] + [Segment(start=None, end=None, speaker=speakers[0], text=marked)]
            session = Stored()
            session.owner_sub, session.session_id, session.campaign_id = sub, new_id(), campaign.campaign_id
            session.title = f"Session {args.sessions - age}: " + " ".join(rng.sample(vocabulary, 4)).title()
            session.number = (args.sessions - age) // CAMPAIGNS + 1
            session.played_on = (newest - timedelta(weeks=age)).isoformat()
            session.notes = "\n".join(text_of(rng.sample(vocabulary, 250), rng))
            summaries = [Summary(kind, "\n".join(text_of(rng.sample(vocabulary, 180), rng))) for kind in KINDS]
            index = build_items(session=session, summaries=summaries, segments=segments)
            total = 0
            for item in index.items():
                batch.save(item)
                size = item_size(item.serialize())
                total += size
                kind = "head" if item is index.head else "text" if item is index.text else "words"
                kinds[kind].append(size)
            sizes.append(total)
            keys.append((index.head.lsi1sk, kinds["head"][-1], campaign.campaign_id, session.played_on))
    keys.sort(reverse=True)  # the order a search reads: LSI1SK, newest first
    return campaigns, keys, sizes, kinds, time.perf_counter() - started


class RequestLog:
    """Records every Query and BatchGetItem (request, answer, seconds), around PynamoDB's
    connection of the table, which the search's reads go through (campaigns_site.dynamodb)."""

    def __init__(self):
        from campaigns_site import dynamodb

        self.connection = dynamodb.connection().connection
        self.original = self.connection.dispatch
        self.calls = []
        self.connection.dispatch = self._dispatch

    def _dispatch(self, operation, request):
        started = time.perf_counter()
        answer = self.original(operation, request)
        if operation in ("Query", "BatchGetItem"):
            self.calls.append((operation, answer, time.perf_counter() - started))
        return answer

    def take(self):
        calls, self.calls = self.calls, []
        return calls


def billed_units(calls):
    """Read request units DynamoDB would bill for these requests: a Query page, the sizes
    of the items it read (no filter: every item read is returned) summed, rounded up to
    4 KB, half a unit per 4 KB; a BatchGetItem, each item rounded up to 4 KB."""
    units, bytes_read = 0.0, 0
    for operation, answer, _ in calls:
        if operation == "Query":
            page_bytes = sum(item_size(item) for item in answer.get("Items", []))
            units += query_read_units(answer.get("Items", []))
        else:
            items = [item for found in answer.get("Responses", {}).values() for item in found]
            page_bytes = sum(item_size(item) for item in items)
            units += batch_read_units(items)
        bytes_read += page_bytes
    return units, bytes_read


def serve_local_aws():
    """The child's side: bench_import's local AWS whose Query also reads only its key range
    (a search index has ~66 items a session), answers in plain JSON without copying its
    items, and keeps items' sizes."""
    import moto_speedups as speedups

    serve_imports_local_aws(
        (
            speedups.query_only_the_key_range,
            speedups.answer_queries_as_plain_json,
            speedups.answer_queries_without_copying_the_items,
            speedups.size_items_once,
        )
    )


def main():
    if "--serve-local-aws" in sys.argv:
        serve_local_aws()
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--words", type=int, default=4000, help="distinct words of each transcript")
    add_transcript_inputs(parser)
    args = parser.parse_args()
    args.inputs = transcript_inputs(args)

    aws_child, endpoint = start_local_aws(__file__)
    try:
        with tempfile.TemporaryDirectory() as workdir:
            set_up_django(endpoint, workdir)
            run(args)
    finally:
        stop_local_aws(aws_child)


def run(args):
    from sessions.search import services as search

    client, sub = signed_in_client()
    campaigns, keys, sizes, kinds, write_seconds = make_user_data(sub, args)
    print(
        f"Python {sys.version.split()[0]}; AWS is the local AWS (moto) in another process; "
        f"{args.rounds} rounds, medians; "
        f"load average {' '.join(f'{load:.2f}' for load in os.getloadavg())}"
    )
    print(
        f"{args.sessions} sessions in {CAMPAIGNS} campaigns, one played each week back from "
        f"{keys[0][3]} to {keys[-1][3]}; {args.words:,} distinct transcript words each"
    )
    print(
        f"search index: {statistics.mean(sizes) / 1024:.1f} KB a session ({sum(sizes) / 1024 / 1024:.1f} MB in all, "
        f"written in {write_seconds:.1f} s): a head of {statistics.mean(kinds['head']):.0f} B, snippets of "
        f"{statistics.mean(kinds['text']):.0f} B, {len(kinds['words']) / args.sessions:.0f} word groups of "
        f"{statistics.mean(kinds['words']):.0f} B on average ({max(kinds['words'])} B the largest)"
    )
    print()
    run_searches(args, search, sub, campaigns, keys)
    print_write_units(kinds)
    time_page_and_upload(args, client, sub, campaigns)


def run_searches(args, search, sub, campaigns, keys):
    third = campaigns[2].campaign_id
    year = keys[len(keys) // 2][3][:4]
    in_year = {"played_from": f"{year}-01-01", "played_to": f"{year}-12-31"}
    searches = [
        (f"common word “{COMMON}”", {"text": COMMON}),
        (f"prefix “{COMMON[:4]}”", {"text": COMMON[:4]}),
        (f"rare word “{RARE}” ({len(RARE_IN)} sessions)", {"text": RARE}),
        (f"no session has “{NOWHERE}”", {"text": NOWHERE}),
        (f"two words “{COMMON} {RARE}”", {"text": f"{COMMON} {RARE}"}),
        (f"two common words “{COMMON} {NAME}”", {"text": f"{COMMON} {NAME}"}),
        (f"a character's name “{NAME}”", {"text": NAME}),
        (f"“{COMMON}”, one campaign of {CAMPAIGNS}", {"text": COMMON, "campaign_id": third}),
        (f"“{COMMON}”, played in {year}", {"text": COMMON, **in_year}),
        (f"“{RARE}”, played in {year}", {"text": RARE, **in_year}),
    ]
    log = RequestLog()
    known = search.campaigns_for_search(sub=sub)
    header = (
        f"{'search':<44} {'results':>7} {'requests':>8} {'trips':>5} {'items read':>10} {'MB read':>7} {'RRU':>7} "
        f"{'median ms':>9} {'app ms':>6}"
    )
    print(header)
    print("-" * len(header))
    for label, query in searches:
        times, app_times, page = [], [], None
        for _ in range(args.rounds):
            log.take()
            started = time.perf_counter()
            page = search.search_sessions(sub=sub, campaigns=known, **query)
            elapsed = time.perf_counter() - started
            calls = log.take()
            times.append(elapsed)
            # Requests made at once overlap: the app's time is what the longest of each round trip leaves.
            app_times.append(elapsed - _waited(calls, page.round_trips))
        units, bytes_read = billed_units(calls)
        items = sum(len(answer.get("Items", [])) for operation, answer, _ in calls if operation == "Query")
        items += sum(len(found) for _, answer, _ in calls for found in answer.get("Responses", {}).values())
        print(
            f"{label:<44} {len(page.results):>7} {len(calls):>8} {page.round_trips + 0:>5} {items:>10} "
            f"{bytes_read / 1024 / 1024:>7.2f} {units:>7.1f} {statistics.median(times) * 1000:>9.0f} "
            f"{statistics.median(app_times) * 1000:>6.0f}",
            flush=True,
        )
    print()
    print(
        "requests: my speaker names, the heads' Query pages, the likely rarest word's group; the other words' "
        "items of its sessions (a BatchGetItem) or groups (Queries); the snippets' BatchGetItem (my campaigns, "
        "which the page reads in the first round trip too, apart: about 0.5 RRU). trips: requests one after "
        "another (the names, heads and first group are read at once). RRU: read request units as DynamoDB "
        "bills them, computed from the bytes each request read (moto reports a constant)."
    )


def _waited(calls, round_trips):
    """Seconds spent waiting on requests: the reads made at once overlap, so the first
    round trip waits as long as its longest; the BatchGetItems come one after another (the
    later words' Queries of two common words overlap the first's: their wait is not counted)."""
    queries = [seconds for operation, _, seconds in calls if operation == "Query"]
    batches = [seconds for operation, _, seconds in calls if operation == "BatchGetItem"]
    return max(queries, default=0) + sum(batches)


def print_write_units(kinds):
    head, text, words = (statistics.mean(kinds[kind]) for kind in ("head", "text", "words"))
    groups = len(kinds["words"]) / len(kinds["head"])
    print()
    print("write units of the index's edits, from these items' sizes (a unit per KB, the head twice: LSI1):")
    print(
        "  a title edit (the head only; the form says the notes' words are unchanged): "
        f"{write_units(head, in_index=True)}"
    )
    print(
        f"  a notes edit changing one word (the head, the snippets, up to 2 groups): "
        f"{write_units(head, in_index=True) + write_units(text) + 2 * write_units(words)}"
    )
    print(
        f"  a transcript upload, a summary kind's save, an edit without the form's digest "
        f"(the head and every group): {write_units(head, in_index=True) + round(groups) * write_units(words)}"
    )
    print()


def time_page_and_upload(args, client, sub, campaigns):
    from campaigns_site.transactions import Transaction
    from sessions.core import search_index
    from sessions.core.repository import create_session
    from tests.transcript_samples import sample_segments

    # The whole page, signed in, for the common word (authentication, campaigns, names, search, render).
    page_times = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        response = client.get("/search/", {"q": COMMON})
        assert response.status_code == 200, response.status_code
        page_times.append(time.perf_counter() - started)
    print(
        f"search page for “{COMMON}” through Django (sign-in included): "
        f"{statistics.median(page_times) * 1000:.0f} ms median"
    )

    segments = sample_segments(hours=4)
    session = create_session(sub=sub, campaign_id=campaigns[0].campaign_id, title="Upload")
    index_times, write_times = [], []
    for _ in range(args.rounds):
        started = time.perf_counter()
        part = search_index.transcript_part(segments)
        index_times.append(time.perf_counter() - started)
        transaction = Transaction()
        search_index.write_part(
            transaction, sub=sub, campaign_id=campaigns[0].campaign_id, session_id=session.session_id, part=part
        )
        started = time.perf_counter()
        transaction.commit()
        write_times.append(time.perf_counter() - started)
    print(
        f"indexing a four-hour transcript ({len(segments):,} lines) on upload: its words "
        f"{statistics.median(index_times) * 1000:.0f} ms, their {len(transaction)} writes in the upload's one "
        f"transaction {statistics.median(write_times) * 1000:.0f} ms (medians)"
    )
    print(f"{load_average()}; this process's {peak_rss()}")


if __name__ == "__main__":
    main()
