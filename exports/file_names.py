"""File names that every common file system and zip tool accepts, on Windows, macOS and
Linux: an export's transcripts keep their uploader's name and its Markdown notes are named
after campaigns and sessions, and any of those may be anything a user typed.

A safe name (safe_file_name):
- is NFC-normalized (macOS would store a decomposed name; two spellings of "é" are one name);
- holds none of `/ \\ : * ? " < > |` (Windows refuses them, `/` and `\\` separate folders),
  no control character (C0, DEL, C1), no format character (zero-width, bidi overrides that
  can make "gpj.exe" read "exe.jpg"), no lone surrogate, unassigned code point or line
  separator; other whitespace is a plain space, and runs of spaces collapse;
- neither starts nor ends with a space or a dot (Windows drops them, a leading dot hides a
  file on Linux and macOS), so it is never `.` or `..`;
- is not a Windows device name (CON, PRN, AUX, NUL, COM0-9, LPT0-9 also with ¹²³,
  CONIN$, CONOUT$, CLOCK$), in any case and with any extension ("con.txt"): such a name
  gets "_" after it ("con_.txt");
- fits in `max_bytes` bytes of UTF-8 (cut at a character, the extension kept when it is a
  short one), and is never empty (`fallback`).

safe_file_name(safe_file_name(x)) == safe_file_name(x). UniqueNames hands out names that
differ however a case-insensitive, normalization-insensitive file system (macOS, Windows)
compares them.
"""

import re
import unicodedata

MIN_BYTES = 16  # room for any device name and its "_", an extension and a " (n)"
SEPARATORS = set("/\\:|")  # read as a break between words: "Session 3: The Tomb" -> "Session 3 - The Tomb"
REFUSED = set('*?"<>')  # dropped (a space)
DROPPED_CATEGORIES = {"Cc", "Cf", "Cs", "Cn", "Zl", "Zp"}
DEVICE_NAMES = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"}
DEVICE_NAMES |= {f"{port}{digit}" for port in ("COM", "LPT") for digit in "0123456789¹²³"}
MAX_EXTENSION_CHARS = 10  # "md", "txt", "vtt", "json", "markdown"; longer is part of the name
EXTENSION = re.compile(r"[0-9A-Za-z]+(?:[-_][0-9A-Za-z]+)*")
_SPACES = re.compile(r" +")
_DASH_RUNS = re.compile(r" -(?: -)+(?= |$)")


def safe_file_name(name, *, fallback="untitled", max_bytes=120):
    """`name` (any text, or None) as a file name safe everywhere; see the module's docstring."""
    if max_bytes < MIN_BYTES:
        raise ValueError(f"max_bytes must be at least {MIN_BYTES}")
    safe = _safe_or_empty(name, max_bytes)
    if not safe:
        safe = _safe_or_empty(fallback, max_bytes) or "untitled"
    return safe


def _safe_or_empty(name, max_bytes):
    # Each step keeps what an earlier one made sure of, but a cut can leave a trailing dot
    # or a device name ("CONSTANTINOPLE" cut to "CON"): a second pass (at most) settles it.
    text = "" if name is None else str(name)
    for _ in range(3):
        cleaned = _one_pass(text, max_bytes)
        if cleaned == text:
            break
        text = cleaned
    return text


def _one_pass(text, max_bytes):
    text = unicodedata.normalize("NFC", text)
    text = "".join(_replacement(char) for char in text)
    text = _DASH_RUNS.sub(" -", _SPACES.sub(" ", text))
    text = _trimmed(text)
    text = _trimmed(_cut(text, max_bytes))
    return _not_a_device(text)


def _replacement(char):
    if char in SEPARATORS:
        return " - "
    if char in REFUSED or char.isspace():
        return " "
    if unicodedata.category(char) in DROPPED_CATEGORIES:
        return " " if char in "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028\u2029" else ""
    return char


def _trimmed(text):
    return text.strip(" .")


def split_extension(name):
    """(stem, ".ext") when `name` ends in a short extension worth keeping through a cut or a
    suffix; (name, "") otherwise."""
    stem, dot, extension = name.rpartition(".")
    if dot and stem.strip(" .") and len(extension) <= MAX_EXTENSION_CHARS and EXTENSION.fullmatch(extension):
        return stem, f".{extension}"
    return name, ""


def cut_to_bytes(text, max_bytes):
    """The longest start of `text` that is at most `max_bytes` bytes of UTF-8."""
    encoded = text.encode("utf-8", "surrogatepass")
    if len(encoded) <= max_bytes:
        return text
    return encoded[:max_bytes].decode("utf-8", "ignore")


def _cut(text, max_bytes):
    if len(text.encode("utf-8", "surrogatepass")) <= max_bytes:
        return text
    stem, extension = split_extension(text)
    if len(extension.encode()) > max_bytes // 2:
        stem, extension = text, ""
    return _trimmed(cut_to_bytes(stem, max_bytes - len(extension.encode()))) + extension


def _not_a_device(text):
    """`text`, with "_" after its first part when Windows would read that as a device
    ("con", "Com1.txt", "LPT¹.tar.gz", "nul .md")."""
    first, dot, rest = text.partition(".")
    if first.rstrip(" ").upper() in DEVICE_NAMES:
        return f"{first.rstrip(' ')}_{dot}{rest}"
    return text


def same_file_keys(name):
    """What case-insensitive file systems compare: "Ash.md", "ASH.MD" and "ash.md" (and "é"
    composed or not) are one file on macOS and Windows. Two names are one when any key is
    shared: Unicode's canonical caseless match, case folding of the NFC form, and Windows'
    upper-casing of each character alone (which leaves "ß" as it is)."""
    nfd_folded = unicodedata.normalize("NFD", unicodedata.normalize("NFD", name).casefold())
    nfc = unicodedata.normalize("NFC", name)
    upper = "".join(upper if len(upper := char.upper()) == 1 else char for char in nfc)
    return {("canonical", nfd_folded), ("folded", unicodedata.normalize("NFC", nfc.casefold())), ("upper", upper)}


class UniqueNames:
    """Safe names, none of which another one of this instance's could overwrite on any file
    system: the second "Ash.md" (or "ash.md") is "Ash (2).md", the third "Ash (3).md"."""

    def __init__(self, *, fallback="untitled", max_bytes=120):
        self.fallback = fallback
        self.max_bytes = max_bytes
        self._taken = set()

    def claim(self, name):
        """A safe form of `name` that no earlier claim has (as its file system compares)."""
        safe = safe_file_name(name, fallback=self.fallback, max_bytes=self.max_bytes)
        candidate, number = safe, 1
        while self.is_taken(candidate):
            number += 1
            candidate = safe_file_name(self._numbered(safe, number), max_bytes=self.max_bytes)
        self._taken |= same_file_keys(candidate)
        return candidate

    def is_taken(self, name):
        """Whether `name` would be the same file as one claimed."""
        return not self._taken.isdisjoint(same_file_keys(name))

    def _numbered(self, safe, number):
        stem, extension = split_extension(safe)
        for base, kept_extension in ((stem, extension), (safe, "")):
            suffix = f" ({number}){kept_extension}"
            kept = _trimmed(cut_to_bytes(base, self.max_bytes - len(suffix.encode())))
            if kept:  # a 4-byte first character may not fit beside a long extension
                return kept + suffix
        raise AssertionError("a safe name always keeps its first character")
