"""Plausible transcripts of a D&D table for the local run's demo (devtools/demo.py)
and the sample files under samples/, from the table and scripts in devtools/demo_scripts.py.

Deterministic: the same session and seed give the same words, times and speakers, so a
demo seeded today reads like one seeded tomorrow. A session is a few scripted scenes (the
table talking, the GM describing, players deciding) around fights whose turns are
generated (attack, roll, hit or miss, damage, what happens), with the odd aside. Speakers
are labelled as the recording tool labels them (WhisperX's `SPEAKER_00`, or the names of
a Discord bot); the demo's speaker names map them to players and characters.

Imported by the run command and the tests, never by a page.
"""

import json
import random

from devtools.demo_scripts import BARBARIAN, CLERIC, FIGHTS, GM, ROGUE, ROLES, SCRIPTS, SORCERER, TABLE
from sessions.core.segments import Segment

WHISPERX_LABELS = {role: f"SPEAKER_{number:02d}" for number, role in enumerate(ROLES)}
PLAYER_LABELS = {role: (TABLE[role].player + " (GM)" if role == GM else TABLE[role].player) for role in ROLES}


def speaker_names(labels=WHISPERX_LABELS):
    """{label: {"player", "character"}} for the campaign's speaker names page."""
    return {
        labels[role]: {"player": TABLE[role].player, "character": TABLE[role].character or "Dungeon Master"}
        for role in ROLES
    }


_ASIDES = [
    (BARBARIAN, "Can someone pass the crisps?"),
    (SORCERER, "Wait, is this the same kenku as before?"),
    (CLERIC, "Sorry, my dice fell under the sofa."),
    (ROGUE, "I love this. I love this so much."),
    (GM, "Okay, let's keep it moving, we have a lot to get through tonight."),
    (BARBARIAN, "How much pizza did we order?"),
    (SORCERER, "Quick rules question: does fire bolt set things on fire?"),
    (GM, "It does, if they're flammable and nobody is holding them."),
]
_ASIDES += [
    (ROGUE, "Wait, do I still have advantage?"),
    (CLERIC, "Who has the healing potion?"),
    (BARBARIAN, "Is it bloodied yet?"),
    (GM, "It's looking rough, yes."),
    (SORCERER, "I'm keeping track of initiative, by the way. Dev is next after this."),
    (CLERIC, "Sorry, say again, what's the AC?"),
    (GM, "I'm not telling you the AC."),
]
_HITS = ["That hits.", "That's a hit.", "Yep, that goes in.", "That connects."]
_MISSES = ["That misses.", "Just short, that's a miss.", "It deflects off its armour.", "Whiff. Miss."]
_CALLED = {ROGUE: "Mira", CLERIC: "Aldric", SORCERER: "Zephyr", BARBARIAN: "Grunk"}
_HIT_COLOUR = {
    ROGUE: ["Mira slips past its guard and the blade goes in under the arm.", "She finds the gap in the armour."],
    CLERIC: [
        "The warhammer comes down with a crack, and the symbol of Lathander flares.",
        "You catch it on the shoulder.",
    ],
    SORCERER: ["The bolt hits it square in the chest and its shirt catches fire.", "Flames splash across it."],
    BARBARIAN: [
        "The greataxe bites deep. Everyone in the room hears it.",
        "Grunk roars and the axe goes right through the guard.",
    ],
}
_GM_TURN = ["{name}, you're up.", "{name}, what are you doing?", "Okay, {name}'s turn.", "Next up is {name}."]


def session_segments(session, *, labels=WHISPERX_LABELS, seed=20):
    """The whole session ("friend_in_need" or "trollskull_alley"): scenes and fights in
    order, with times, several hundred segments."""
    rng = random.Random(f"{session}-{seed}")
    lines = []
    fights = {after: (foes, hp, ac) for after, foes, hp, ac in FIGHTS[session]}
    for number, scene in enumerate(SCRIPTS[session]):
        lines += scene
        if number in fights:
            lines += _fight(rng, *fights[number])
    return _timed(rng, lines, labels)


def excerpt(session, *, first, count, labels=PLAYER_LABELS, seed=20):
    """`count` segments of a session from segment `first`, times as in the whole (the samples)."""
    return session_segments(session, labels=labels, seed=seed)[first : first + count]


def _fight(rng, foes, hit_points, armour_class):
    players = [ROGUE, CLERIC, SORCERER, BARBARIAN]
    left = dict.fromkeys(foes, hit_points)
    lines, round_number, named = [], 1, set()
    while left and round_number <= 6:
        lines.append(
            (GM, f"Round {round_number}. " + rng.choice(["Top of the order.", "Here we go.", "Back to the top."]))
        )
        order = rng.sample(players, len(players))
        for role in order:
            if not left:
                break
            member = TABLE[role]
            foe = rng.choice(list(left))
            lines.append((GM, rng.choice(_GM_TURN).format(name=_CALLED[role])))
            # Named the first time, then "it" mostly, as people talk across a table.
            target = foe if foe not in named or rng.random() < 0.25 else "it"
            named.add(foe)
            lines.append((role, _attack_line(rng, role, member, target)))
            die = rng.randint(1, 20)
            total = die + member.bonus
            if die == 20:
                lines.append((role, "Natural twenty!"))
                lines.append(rng.choice([(CLERIC, "Yes!"), (BARBARIAN, "Let's go!"), (SORCERER, "Finally!")]))
            else:
                lines.append((role, f"{die} plus {member.bonus}, so {total}."))
            if die == 20 or (die != 1 and total >= armour_class):
                lines.append((GM, rng.choice(_HITS) + " Roll damage."))
                damage = rng.randint(6, 22) * (2 if die == 20 else 1)
                lines.append(
                    (role, rng.choice([f"{damage}.", f"That's {damage}.", f"{damage} total.", f"Ooh, {damage}."]))
                )
                if rng.random() < 0.5:
                    lines.append((GM, rng.choice(_HIT_COLOUR[role])))
                left[foe] -= damage
                if left[foe] <= 0:
                    del left[foe]
                    lines.append((GM, _finish_line(rng, foe)))
                else:
                    lines.append((GM, f"{foe.capitalize()} staggers, but it's still standing."))
            else:
                lines.append((GM, rng.choice(_MISSES)))
            if rng.random() < 0.2:
                lines.append(rng.choice(_ASIDES))
        if left:
            foe = rng.choice(list(left))
            target = TABLE[rng.choice(players)]
            hit = rng.randint(5, 16)
            lines.append((GM, f"{foe.capitalize()} goes for {_CALLED[_role_of(target)]}. That's {hit} damage."))
            lines.append(
                (_role_of(target), rng.choice(["Ouch.", "Noted. Still up.", "I'm fine, I'm fine.", "Okay, that hurt."]))
            )
        round_number += 1
    if left:
        lines.append((GM, "The rest of them break and run into the dark. You let them go."))
    return lines


def _attack_line(rng, role, member, foe):
    if role == SORCERER:
        return rng.choice([f"Fire bolt at {foe}.", f"Zephyr points at {foe} and says a word of fire. Fire bolt."])
    if role == CLERIC:
        return rng.choice(
            [f"Aldric swings his warhammer at {foe}.", f"I attack {foe} with the warhammer, for Lathander."]
        )
    if role == BARBARIAN:
        return rng.choice([f"Grunk hits {foe} with the greataxe. Reckless attack.", f"Grunk smash {foe}."])
    return rng.choice([f"Mira darts in and stabs {foe} with her rapier.", f"Rapier at {foe}, I have advantage."])


def _finish_line(rng, foe):
    return rng.choice(
        [
            f"{foe.capitalize()} goes down. Describe it, how do you want to do this?",
            f"That's enough: {foe} collapses.",
            f"{foe.capitalize()} drops, and doesn't get up.",
        ]
    )


def _role_of(member):
    return next(role for role, found in TABLE.items() if found is member)


def _timed(rng, lines, labels):
    segments, clock = [], rng.uniform(2, 6)
    for role, text in lines:
        duration = max(1.2, len(text.split()) / 2.6) * rng.uniform(0.9, 1.2)
        start, end = round(clock, 3), round(clock + duration, 3)
        segments.append(Segment(start=start, end=end, speaker=labels[role], text=text))
        clock = end + rng.uniform(0.3, 2.5)
    return segments


# --- files, as the tools that make them write them ------------------------------------------
def as_whisperx_json(segments):
    rows = [
        {"start": segment.start, "end": segment.end, "text": " " + segment.text, "speaker": segment.speaker}
        for segment in segments
    ]
    return json.dumps({"segments": rows, "language": "en"}, ensure_ascii=False, indent=1) + "\n"


def as_vtt(segments):
    cues = [
        f"{_clock(segment.start)} --> {_clock(segment.end)}\n<v {segment.speaker}>{_vtt_escape(segment.text)}</v>\n"
        for segment in segments
    ]
    return "WEBVTT\n\n" + "\n".join(cues)


def as_srt(segments):
    cues = [
        f"{number}\n{_clock(segment.start, ',')} --> {_clock(segment.end, ',')}\n{segment.speaker}: {segment.text}\n"
        for number, segment in enumerate(segments, 1)
    ]
    return "\n".join(cues)


def as_text(segments):
    return "".join(f"[{_clock(segment.start)[:8]}] {segment.speaker}: {segment.text}\n" for segment in segments)


def _clock(seconds, separator="."):
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    whole, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{whole:02d}{separator}{millis:03d}"


def _vtt_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
