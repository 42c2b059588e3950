"""Text as search and the reader compare it: folded, split into words, and marked.

One implementation for the search index (sessions/core/search_index.py: the words it
keeps), the search (sessions/search: the query's words, the marks in its results) and the
transcript reader (sessions/transcripts/reader.py: its find, and the words a search
result marks on the page it lands on). Pure functions of strings: no request, no AWS.
"""

import re
import unicodedata

MAX_WORD_CHARS = 40  # longer "words" (URLs, keyboard mashing) are cut; a query's words are cut the same way
MIN_WORD_CHARS = 2  # one-letter words ("a", "I") would match nearly everything: a search and its marks skip them
MAX_WORDS = 8  # words of a query that count (the reader marks as many); the rest are ignored
WORD = re.compile(r"[^\W_]+")  # a word: letters and digits (after folding), as search indexes them


def fold(text):
    """Text as find compares it: case and accents ignored ("Zoë" finds "ZOE", "Café" finds
    "cafe"), compatibility forms unified ("ﬁ" is "fi"). Folding a string gives the same as
    folding each character in turn, which is what lets a match be mapped back to the
    original characters (word_pieces, the reader's find)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def words(text):
    """The normalised words of `text`, in order, repeats included: folded as the reader's
    find folds (case, accents, compatibility forms), split at anything that is not a
    letter or a digit, each cut to MAX_WORD_CHARS."""
    return [word[:MAX_WORD_CHARS] for word in WORD.findall(fold(text or ""))]


def distinct_words(text):
    """The words of `text` worth looking for: at least MIN_WORD_CHARS long, each once, in order."""
    return list(dict.fromkeys(word for word in words(text) if len(word) >= MIN_WORD_CHARS))


def query_words(text):
    """The words a search looks for (and a reader page marks): normalised as the index
    normalises, at least MIN_WORD_CHARS long, each once, at most MAX_WORDS of them."""
    return distinct_words(text)[:MAX_WORDS]


def terms_of(text):
    """Every word of `text` as terms (" word1 word2 … "), for has_word_starting."""
    return f" {' '.join(words(text))} "


def word_pieces(text, folded_words):
    """`text` as [(part, is_match)], every word that starts with one of `folded_words`
    marked (its matching start only: "drag" marks "Drag" in "Dragon"), as a search matches
    words. Case and accents fold as find folds them; the parts are the original characters."""
    if not text:
        return []
    if not folded_words:
        return [(text, False)]
    folded, origin = _folded_with_origin(text)
    spans = []
    for match in WORD.finditer(folded):
        word = match.group()
        best = max((found for found in folded_words if word.startswith(found)), key=len, default=None)
        if best:
            start = match.start()
            spans.append((origin[start], origin[start + len(best) - 1] + 1))
    pieces, done = [], 0
    for start, end in spans:
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1  # an accent written as its own character stays with its letter
        start = max(start, done)
        if start >= end:
            continue
        if start > done:
            pieces.append((text[done:start], False))
        pieces.append((text[start:end], True))
        done = end
    if done < len(text):
        pieces.append((text[done:], False))
    return pieces


def _folded_with_origin(text):
    """(the folded text, for each of its characters the index of the original one)."""
    if text.isascii():
        return text.lower(), list(range(len(text)))
    folded, origin = [], []
    for index, character in enumerate(text):
        part = fold(character)
        folded.append(part)
        origin.extend([index] * len(part))
    return "".join(folded), origin
