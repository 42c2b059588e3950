"""Realistic transcripts of any length in every supported format, for tests and benchmarks.

Deterministic: the same arguments give the same text (a seeded `random.Random`).
About 1,300 segments an hour, as Whisper cuts a four-player session; unicode throughout
(accents, curly quotes, emoji), the odd `<script>` someone said aloud (the reader must
escape it), `&` and `<` that WebVTT must escape, and lines such as "Note: the dragon…"
that are not speaker labels.

    segments = sample_segments(hours=4)
    vtt = render(segments, "vtt")            # or "srt", "text", "whisper_json"
    data = sample_bytes("vtt", hours=4)      # UTF-8 bytes, as uploaded
"""

import json
import random

from sessions.core.segments import Segment

SEGMENTS_PER_HOUR = 1300
WHISPER_SPEAKERS = ("SPEAKER_00", "SPEAKER_01", "SPEAKER_02", "SPEAKER_03")
DISCORD_SPEAKERS = ("Mira (GM)", "xX_Drake_Xx", "Zoë", "Jean-Luc")

_PHRASES = (
    "Okay, everyone roll for initiative.",
    "I cast fireball at the goblins by the bridge.",
    "That's a natural twenty!",
    "Wait, how many hit points does it have left?",
    "The innkeeper of the Café du Dragon eyes you suspiciously.",
    "Señor Alvarez hands you a sealed letter.",
    "I'd like to search the room for traps.",
    "You find 37 gold pieces & a silver ring.",
    "Can I make a perception check?",
    "The door creaks open… and the smell hits you.",
    "Zoë’s halfling sneaks behind the guard.",
    "We should go back to Ærøskøbing before nightfall.",
    "He says “never trust a naïve paladin” and laughs.",
    "Roll a DC 15 constitution saving throw.",
    "If the AC is < 16 it hits, right?",
    "Let's take a short rest.",
    "I'm going to grapple the ogre.",
    "The map shows three tunnels: north, east and down.",
    "Note: the dragon is still asleep, for now.",
    "Does the crossbow need reloading?",
    "Everyone's back at the tavern by midnight.",
    "I whisper to the mimic, very gently.",
    "Twenty-three damage, piercing.",
    "Can we talk to the mayor about the missing children?",
    "Sure, it’s your turn.",
    "The ceiling starts to crumble above you.",
    "I use my bonus action to dash.",
    "Wasn't the cleric supposed to have healing potions?",
)
_EMOJI = ("🎲", "🐉", "😂", "⚔️", "🍺", "🔥")
_SCRIPT = '<script>alert("the lich")</script>'


def sample_segments(*, hours: float, seed: int = 0, speakers=WHISPER_SPEAKERS, per_hour: int = SEGMENTS_PER_HOUR):
    """`hours` of segments, times in milliseconds' precision, every segment with a speaker."""
    rng = random.Random(seed)
    count = round(hours * per_hour)
    step = 3600 / per_hour  # the mean distance between starts
    segments, clock = [], rng.uniform(0, 2)
    current = rng.choice(speakers)
    for _ in range(count):
        if rng.random() < 0.45:
            current = rng.choice(speakers)
        words = " ".join(rng.choice(_PHRASES) for _ in range(rng.choice((1, 1, 1, 2, 2, 3))))
        roll = rng.random()
        if roll < 0.04:
            words = f"{words} {rng.choice(_EMOJI)}"
        elif roll < 0.045:
            words = f"{words} {_SCRIPT}"
        duration = rng.uniform(0.4, 1.6) * step * 0.9
        start, end = round(clock, 3), round(clock + duration, 3)
        segments.append(Segment(start=start, end=end, speaker=current, text=words))
        clock = end + rng.uniform(0, 0.2) * step
    return segments


def _clock(seconds, *, separator=".", hours=True):
    millis = round(seconds * 1000)
    h, rest = divmod(millis, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{separator}{ms:03d}" if hours else f"{m + 60 * h:02d}:{s:02d}{separator}{ms:03d}"


def _vtt_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_vtt(segments, *, speaker_style="voice"):
    """WebVTT as Whisper/WhisperX write it. speaker_style: "voice" (<v SPEAKER_00>),
    "bracket" ([SPEAKER_00]: text), "colon" (SPEAKER_00: text) or None (no speakers)."""
    parts = ["WEBVTT\n\n"]
    for segment in segments:
        text = _vtt_escape(segment.text)
        if speaker_style == "voice":
            text = f"<v {segment.speaker}>{text}</v>"
        elif speaker_style == "bracket":
            text = f"[{segment.speaker}]: {text}"
        elif speaker_style == "colon":
            text = f"{segment.speaker}: {text}"
        parts.append(f"{_clock(segment.start)} --> {_clock(segment.end)}\n{text}\n\n")
    return "".join(parts)


def render_srt(segments, *, speakers=True):
    parts = []
    for number, segment in enumerate(segments, 1):
        text = f"{segment.speaker}: {segment.text}" if speakers else segment.text
        parts.append(
            f"{number}\n{_clock(segment.start, separator=',')} --> {_clock(segment.end, separator=',')}\n{text}\n\n"
        )
    return "".join(parts)


def render_text(segments, *, stamps=True):
    parts = []
    for segment in segments:
        stamp = f"[{_clock(segment.start)[:8]}] " if stamps else ""
        parts.append(f"{stamp}{segment.speaker}: {segment.text}\n")
    return "".join(parts)


def render_whisper_json(segments, *, whisperx=True, indent=None):
    """openai-whisper's result dict (tokens, log-probs...) or, with whisperx, its diarized form."""
    rows = []
    for index, segment in enumerate(segments):
        row = {"id": index, "start": segment.start, "end": segment.end, "text": " " + segment.text}
        if whisperx:
            row["speaker"] = segment.speaker
        else:
            row.update(
                seek=int(segment.start * 100) // 3000 * 3000,
                tokens=[50364 + sum(map(ord, word)) % 1000 for word in segment.text.split()[:12]],
                temperature=0.0,
                avg_logprob=-0.21,
                compression_ratio=1.42,
                no_speech_prob=0.012,
            )
        rows.append(row)
    document = {"segments": rows, "language": "en"}
    if not whisperx:
        document["text"] = ""  # the full text repeated: left empty here to keep samples small
    return json.dumps(document, ensure_ascii=not whisperx, indent=indent)


RENDERERS = {"vtt": render_vtt, "srt": render_srt, "text": render_text, "whisper_json": render_whisper_json}


def render(segments, format, **options):
    return RENDERERS[format](segments, **options)


def sample_text(format, *, hours, seed=0, speakers=WHISPER_SPEAKERS, **options):
    return render(sample_segments(hours=hours, seed=seed, speakers=speakers), format, **options)


def sample_bytes(format, *, hours, seed=0, speakers=WHISPER_SPEAKERS, encoding="utf-8", **options):
    return sample_text(format, hours=hours, seed=seed, speakers=speakers, **options).encode(encoding)
