"""The offline summarizer on generated 1- and 4-hour transcripts.

    .venv/bin/python scripts/bench_summaries.py [--rounds 5] [--hours 1 4] [--length standard]
                                                [--file my.vtt | --folder my-transcripts/]

Builds each transcript once (deterministic: a fixed seed; a four-hour session is about
5,500 segments and 60,000 words, as a diarized recording of a table of five gives),
then summarizes every kind several times and prints the median time per kind and the
median of all kinds together. Target: all six kinds of a four-hour session within 2 s.
`--file`/`--folder` summarize your own transcripts instead (parsed as an upload is).
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaigns_site.settings")

import django  # noqa: E402

django.setup()

from bench_support import add_transcript_inputs, load_average, peak_rss, transcript_inputs  # noqa: E402

from sessions.core.kinds import KINDS, LENGTHS  # noqa: E402
from sessions.core.segments import Segment  # noqa: E402
from sessions.summaries.summarizers.base import SummaryRequest  # noqa: E402
from sessions.summaries.summarizers.offline import OfflineSummarizer  # noqa: E402

SEGMENTS_PER_HOUR = 1375  # 5,500 in four hours: one every ~2.6 s
SPEAKER_NAMES = {
    "SPEAKER_00": "GM (Dana)",
    "SPEAKER_01": "Mira (Ana)",
    "SPEAKER_02": "Sable (Ben)",
    "SPEAKER_03": "Thorin (Carl)",
    "SPEAKER_04": "Quill (Dee)",
}
NPCS = ["Lord Varis", "Sister Ilse", "Captain Elra Stone", "Old Brannoc", "Magister Quell", "Baroness Wren"]
PLACES = [
    "the Sunken Temple",
    "Greymoor Keep",
    "the Greywood Forest",
    "Phandalin",
    "the Rusty Anchor Inn",
    "the Salt Marsh",
    "Neverwinter",
    "the Ashen Crypt",
]
ITEMS = [
    "a silver ring",
    "a potion of healing",
    "an iron key",
    "a scroll of fireball",
    "a jeweled dagger",
    "a map of the sewers",
    "a cloak of elvenkind",
    "an amulet with a raven crest",
]
MONSTERS = ["goblins", "a troll", "skeletons", "cultists", "a wyvern", "bandits", "a ghoul", "giant rats"]
STORY = [
    "{npc} says the vault beneath {place} has been sealed for a hundred years.",
    "The {monster} ambushed us on the road to {place} and we barely escaped.",
    "We found {coins} gold pieces and {item} in the chest.",
    "{npc} tells you that the dead are waking in {place}.",
    "I search the room carefully and find {item} hidden under the floor.",
    "We need to find out who is paying {npc} before the next full moon.",
    "Who sent the {monster} after us, and why now?",
    "We travel to {place} and arrive just before nightfall.",
    "{npc} warns you not to trust anyone who wears the raven crest.",
    "The bridge collapses behind you and the {monster} are coming closer.",
    "Next time we have to return to {place} and talk to {npc}.",
    "I pocket {item} before anyone notices.",
    "You defeated the {monster}, and the survivors flee into {place}.",
    "{npc} offers a reward of {coins} gold if you bring back {item}.",
    "The door opens onto a flooded hall full of old statues and broken glass.",
    "I cast a light spell and we walk deeper into the tunnels beneath {place}.",
]
TABLE_TALK = [
    "Can I roll Perception on that?",
    "That is a natural 20, so 27 total.",
    "Roll initiative, everyone.",
    "Okay, that is 12 damage.",
    "Hold on, I need to grab a snack.",
    "Yeah, yeah, I think so.",
    "Wait, whose turn is it?",
    "I use my bonus action to dash.",
    "Is that with advantage?",
    "Sorry, my mic cut out for a second.",
]


def build_transcript(*, hours, seed=7):
    """A deterministic session of `hours` hours: story lines between table talk, five speakers."""
    rng = random.Random(seed)
    count = int(SEGMENTS_PER_HOUR * hours)
    step = hours * 3600 / count
    segments = []
    for index in range(count):
        speaker = "SPEAKER_00" if rng.random() < 0.4 else f"SPEAKER_0{rng.randint(1, 4)}"
        if rng.random() < 0.35:
            text = rng.choice(TABLE_TALK)
        else:
            # One or two sentences a segment: about 15,000 words an hour, as a real table speaks.
            text = " ".join(
                rng.choice(STORY).format(
                    npc=rng.choice(NPCS),
                    place=rng.choice(PLACES),
                    item=rng.choice(ITEMS),
                    monster=rng.choice(MONSTERS),
                    coins=rng.randint(2, 300),
                )
                for _ in range(rng.choice((1, 1, 1, 2)))
            )
        text = text[0].upper() + text[1:]
        segments.append(Segment(start=index * step, end=index * step + step * 0.9, speaker=speaker, text=text))
    return segments


def time_once(summarizer, request):
    started = time.perf_counter()
    summarizer.summarize(request)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--hours", type=float, nargs="+", default=[1, 4])
    parser.add_argument("--length", choices=list(LENGTHS), default="standard")
    add_transcript_inputs(parser)
    args = parser.parse_args()

    summarizer = OfflineSummarizer()
    print(f"offline summarizer ({summarizer.model}), length {args.length}, median of {args.rounds} rounds")
    for label, segments in transcripts(args):
        words = sum(len(segment.text.split()) for segment in segments)
        print(f"\n{label}: {len(segments):,} segments, {words:,} words")
        requests = {
            kind: SummaryRequest(
                kind=kind,
                length=args.length,
                segments=segments,
                speaker_names=SPEAKER_NAMES,
                session_title="Session 12",
                campaign_name="The Raven Crown",
            )
            for kind in KINDS
        }
        summarizer.summarize(requests["recap"])  # warm-up: imports and regex compilation
        per_kind = {kind: [] for kind in KINDS}
        totals = []
        for _ in range(args.rounds):
            total = 0.0
            for kind, request in requests.items():
                elapsed = time_once(summarizer, request)
                per_kind[kind].append(elapsed)
                total += elapsed
            totals.append(total)
        for kind, times in per_kind.items():
            print(f"  {kind:<14} {statistics.median(times) * 1000:8.1f} ms")
        print(f"  {'all six kinds':<14} {statistics.median(totals) * 1000:8.1f} ms")
    print(f"{load_average()}; this process's {peak_rss()}")


def transcripts(args):
    """(label, segments): your transcripts (--file, --folder) or the generated ones."""
    from sessions.transcripts.parsing import parse_transcript_bytes

    yours = transcript_inputs(args)
    for name, data in yours:
        yield name, parse_transcript_bytes(data, filename=name).segments
    if not yours:
        for hours in args.hours:
            yield f"{hours:g} h transcript", build_transcript(hours=hours)


if __name__ == "__main__":
    main()
