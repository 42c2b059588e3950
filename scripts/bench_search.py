"""Search benchmark: one user with 500 sessions of four-hour transcripts, searched.

    .venv/bin/python scripts/bench_search.py [--sessions 500] [--rounds 7] [--words 4000]
                                             [--file my.vtt | --folder my-transcripts/]

DynamoDB, S3 and Cognito are a moto server in another process (as `make run` has them),
so every Query crosses HTTP as it would to AWS. The user gets 5 campaigns (with speaker
names) and `--sessions` search items written through sessions/core/search_index.py, as big as
a four-hour session's: each transcript has `--words` distinct words (seeded pseudo-words
from a 60,000-word vocabulary, so the terms fill their 32 KB budget as a real four-hour
session's ~4,000 distinct words do), notes, six summaries and five speakers. Writing 500
real transcripts would take minutes and measure the upload, not the search; the items are
what a search reads, byte for byte.

Each search runs `--rounds` times through sessions.search.services.search_sessions (the page's own
call); printed per search: results, Query pages, items read, the read request units
DynamoDB would bill, the median wall time, and of it the time spent in the app (outside
the Query requests: building the filter, reading the answers, highlighting). Read units: moto reports a constant for
every Query, so they are computed as DynamoDB computes them: per Query page, the sizes of
all items read (before the filter drops any), rounded up to 4 KB, 0.5 unit per 4 KB for
an eventually consistent read. The two small Queries every search makes besides (my
campaigns, my speaker names) are listed apart. Last, one whole search page through
Django's test client (signed in), and the time indexing a four-hour transcript adds to its
upload. `--file`/`--folder`: the sessions' transcripts are yours (in turn) instead of
the generated words, with the common and rare words added as a line where they are said.
"""

import argparse
import math
import random
import statistics
import string
import sys
import time
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


def item_size(raw):
    """An item's size as DynamoDB counts it: attribute names and values (UTF-8), numbers
    about one byte per two digits, sets the sum of their elements."""

    def size(value):
        ((kind, content),) = value.items()
        if kind == "S":
            return len(content.encode())
        if kind == "N":
            return math.ceil(len(content.lstrip("-").replace(".", "")) / 2) + 1
        if kind == "BOOL":
            return 1
        if kind == "SS":
            return sum(len(element.encode()) for element in content)
        raise ValueError(kind)

    return sum(len(name.encode()) + size(value) for name, value in raw.items())


def make_user_data(sub, args):
    from datetime import date, timedelta

    from campaigns.repository import create_campaign
    from campaigns_site.table import TableModel, new_id
    from sessions.core import search_index
    from sessions.core.kinds import KINDS
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

    class Stored:  # what build_item reads of a PlaySession
        pass

    class Summary:
        def __init__(self, kind, text):
            self.kind, self.text = kind, text

    sizes, keys = [], []
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
            item = search_index.build_item(session=session, summaries=summaries, segments=segments)
            batch.save(item)
            raw = item.serialize()
            sizes.append(item_size(raw))
            keys.append((item.lsi1sk, sizes[-1], campaign.campaign_id, session.played_on))
    keys.sort(reverse=True)  # the order a search reads: LSI1SK, newest first
    return campaigns, keys, sizes, time.perf_counter() - started


class QueryLog:
    """Records every Query the search makes (request and answer), around PynamoDB's
    connection of the table, which the search's queries go through (campaigns_site.dynamodb)."""

    def __init__(self):
        from campaigns_site import dynamodb

        self.connection = dynamodb.connection().connection
        self.original = self.connection.dispatch
        self.calls = []
        self.connection.dispatch = self._dispatch

    def _dispatch(self, operation, request):
        started = time.perf_counter()
        answer = self.original(operation, request)
        if operation == "Query" and request.get("IndexName") == "LSI1" and "FilterExpression" in request:
            self.calls.append((request, answer, time.perf_counter() - started))  # the search's, not its lookups
        return answer

    def take(self):
        calls, self.calls = self.calls, []
        return calls


def billed_units(calls, keys):
    """Read request units DynamoDB would bill for these search Query pages: per page, the
    items it read (ScannedCount of them, from where the page started, within the key
    condition), their sizes summed and rounded up to 4 KB, half a unit per 4 KB."""
    units, bytes_read = 0.0, 0
    for request, answer in calls:
        values = request["ExpressionAttributeValues"]
        if ":prefix" in values:
            in_range = keys
        else:
            low, high = values[":from"]["S"], values[":to"]["S"]
            in_range = [key for key in keys if low <= key[0] <= high]
        start = 0
        if "ExclusiveStartKey" in request:
            after = request["ExclusiveStartKey"]["LSI1SK"]["S"]
            start = next((index for index, key in enumerate(in_range) if key[0] < after), len(in_range))
        page_bytes = sum(size for _, size, _, _ in in_range[start : start + answer["ScannedCount"]])
        bytes_read += page_bytes
        units += math.ceil(page_bytes / 4096) * 0.5
    return units, bytes_read


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--words", type=int, default=4000, help="distinct words of each transcript")
    add_transcript_inputs(parser)
    args = parser.parse_args()
    args.inputs = transcript_inputs(args)

    with django_on_moto_server():
        run(args)


def run(args):
    from sessions.core import search_index
    from sessions.search import services as search
    from tests.transcript_samples import sample_segments

    client, sub = signed_in_client()
    campaigns, keys, sizes, write_seconds = make_user_data(sub, args)
    print(f"Python {sys.version.split()[0]}; AWS is a moto server in another process; {args.rounds} rounds, medians")
    print(
        f"{args.sessions} sessions in {CAMPAIGNS} campaigns, one played each week back from "
        f"{keys[0][3]} to {keys[-1][3]}; {args.words:,} distinct transcript words each"
    )
    print(
        f"search items: {statistics.mean(sizes) / 1024:.1f} KB on average, {max(sizes) / 1024:.1f} KB the largest, "
        f"{sum(sizes) / 1024 / 1024:.1f} MB in all (written in {write_seconds:.1f} s)"
    )
    print()

    third = campaigns[2].campaign_id
    year = keys[len(keys) // 2][3][:4]
    in_year = {"played_from": f"{year}-01-01", "played_to": f"{year}-12-31"}
    searches = [
        (f"common word “{COMMON}”", {"text": COMMON}),
        (f"prefix “{COMMON[:4]}”", {"text": COMMON[:4]}),
        (f"rare word “{RARE}” ({len(RARE_IN)} sessions)", {"text": RARE}),
        (f"no session has “{NOWHERE}”", {"text": NOWHERE}),
        (f"two words “{COMMON} {RARE}”", {"text": f"{COMMON} {RARE}"}),
        (f"a character's name “{NAME}”", {"text": NAME}),
        (f"“{COMMON}”, one campaign of {CAMPAIGNS}", {"text": COMMON, "campaign_id": third}),
        (f"“{COMMON}”, played in {year}", {"text": COMMON, **in_year}),
        (f"“{RARE}”, played in {year}", {"text": RARE, **in_year}),
    ]
    log = QueryLog()
    known = search.campaigns_for_search(sub=sub)
    header = (
        f"{'search':<44} {'results':>7} {'pages':>5} {'items read':>10} {'MB read':>7} {'RRU':>7} "
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
            app_times.append(elapsed - sum(seconds for _, _, seconds in calls))
        search_calls = [(request, answer) for request, answer, _ in calls if request.get("IndexName") == "LSI1"]
        units, bytes_read = billed_units(search_calls, keys)
        print(
            f"{label:<44} {len(page.results):>7} {page.pages_read:>5} {page.items_read:>10} "
            f"{bytes_read / 1024 / 1024:>7.1f} {units:>7.1f} {statistics.median(times) * 1000:>9.0f} "
            f"{statistics.median(app_times) * 1000:>6.0f}",
            flush=True,
        )
        assert sum(answer["ScannedCount"] for _, answer in search_calls) == page.items_read
    moto_units = page.capacity_units
    print()
    print(
        "RRU: read request units as DynamoDB bills them (computed from the bytes each Query page read; "
        f"moto reports {moto_units:g} for the last search, a constant 1 per Query)."
    )
    print(
        "Besides the pages above, every search makes two small Queries: my campaigns and my speaker "
        "names (here about 1 RRU together)."
    )

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
    index_times = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        search_index.transcript_part(segments)
        index_times.append(time.perf_counter() - started)
    print(
        f"indexing a four-hour transcript ({len(segments):,} lines) on upload: "
        f"{statistics.median(index_times) * 1000:.0f} ms median"
    )
    print(f"{load_average()}; this process's {peak_rss()}")


if __name__ == "__main__":
    main()
