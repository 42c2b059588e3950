"""Transcript bodies as v1.0 stored them: inline text, raw bytes in other encodings, and
the files in its S3 bucket, in the formats the app's upload path reads (plain text,
WebVTT, SRT, Whisper JSON). Deterministic: each body comes from a seeded random.Random.
"""

import codecs
import json

SPEAKERS = ["Sam (GM)", "Ana", "Ben", "Chloé", "Dario"]
WORDS = (
    "the dragon keep door torch rope goblin tavern gold map river bridge ghost sword spell "
    "rolls initiative hits misses whispers runs opens climbs"
).split()
# Text that v1.0 could not decode as UTF-8: every byte pattern the app's sniffer must handle.
ACCENTED_LINES = [
    "Chloé: «Déjà vu», says the café’s owner — “naïve” travellers, again.",
    "Sam (GM): The Straße is empty; the œuvre on the wall costs 5 €.",
]


def spoken_lines(rng, count, *, start_seconds=0):
    """(start, end, speaker, words) for `count` lines of table talk, a few seconds apart."""
    at = start_seconds
    lines = []
    for _ in range(count):
        length = rng.randint(2, 6)
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 14)))
        lines.append((at, at + length, rng.choice(SPEAKERS), words.capitalize() + "."))
        at += length + rng.randint(0, 3)
    return lines


def _clock(seconds, separator="."):
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}000"


def plain_text(lines):
    return "".join(f"[{_clock(start)[:8]}] {speaker}: {words}\n" for start, _, speaker, words in lines)


def webvtt(lines):
    cues = (f"{_clock(start)} --> {_clock(end)}\n<v {speaker}>{words}\n" for start, end, speaker, words in lines)
    return "WEBVTT\n\n" + "\n".join(cues)


def srt(lines):
    cues = (
        f"{number}\n{_clock(start, ',')} --> {_clock(end, ',')}\n{speaker}: {words}\n"
        for number, (start, end, speaker, words) in enumerate(lines, start=1)
    )
    return "\n".join(cues)


def whisper_json(lines):
    segments = [
        {"id": number, "start": start, "end": end, "text": f" {speaker}: {words}"}
        for number, (start, end, speaker, words) in enumerate(lines)
    ]
    return json.dumps({"text": " ".join(s["text"] for s in segments), "segments": segments})


# (file name extension, renderer) for the objects in v1.0's bucket.
OBJECT_FORMATS = [("txt", plain_text), ("vtt", webvtt), ("srt", srt), ("json", whisper_json)]


def multi_megabyte_text(rng, at_least_bytes):
    """A plain-text transcript of at least `at_least_bytes` UTF-8 bytes (a long campaign night)."""
    chunks, size, start = [], 0, 0
    while size < at_least_bytes:
        lines = spoken_lines(rng, 500, start_seconds=start)
        start = lines[-1][1] + 1
        chunk = plain_text(lines)
        chunks.append(chunk)
        size += len(chunk.encode())
    return "".join(chunks)


def accented_text(rng):
    return plain_text(spoken_lines(rng, 4)) + "".join(f"[01:00:0{n}] {line}\n" for n, line in enumerate(ACCENTED_LINES))


def raw_bytes(rng, encoding):
    """Bytes v1.0 stored in transcript_raw: `utf-16` (with its BOM), `cp1252` or `utf-8-sig`."""
    text = accented_text(rng)
    if encoding == "utf-8-sig":
        return codecs.BOM_UTF8 + text.encode()
    return text.encode(encoding)  # Python's "utf-16" writes a BOM first


def unparseable_text():
    """A WebVTT file whose only cue ends before it starts: the app's parser refuses it."""
    return "WEBVTT\n\n00:00:05.000 --> 00:00:01.000\n<v Ana>Time runs backwards here.\n"
