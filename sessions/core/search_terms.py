"""The words a search item holds, as "terms": one string per part, " word1 word2 … ", of
distinct normalised words (lower case, accents folded as the reader's find folds them,
split at anything that is not a letter or a digit). A search for "drag" is
`contains(terms, " drag")`: it matches a word that starts with "drag". A word that starts
another kept word ("drag" beside "dragon") adds nothing to that test and is left out.

The item and its parts are in sessions/core/search_index.py; a search's own words are cut
and tested the same way (sessions/search/services.py).
"""

from dataclasses import dataclass

from sessions.core.text import words

SNIPPET_CHARS = 300  # of the notes and of the recap, kept to show a highlighted snippet without more reads


@dataclass
class Terms:
    text: str  # " word1 word2 … ", or "" for none
    complete: bool  # every distinct word fit the budget
    count: int = 0  # words kept


def terms(texts, *, budget):
    """Terms of the words of `texts` (an iterable of strings) within `budget` bytes:
    distinct words in order of first appearance while they fit (once a word does not,
    later shorter ones may still fill what is left), without the words that start another
    kept word (a search by prefix finds them through it). `complete` is False when a word
    was left out for lack of room."""
    kept, seen, size, complete = [], set(), 1, True
    for text in texts:
        for word in words(text):
            if word in seen:
                continue
            seen.add(word)
            cost = len(word.encode()) + 1
            if size + cost > budget:
                complete = False
                continue  # a shorter word later may still fit; first appearance decides among equals
            kept.append(word)
            size += cost
    redundant = _prefixes_of_others(kept)
    kept = [word for word in kept if word not in redundant]
    return Terms(text=f" {' '.join(kept)} " if kept else "", complete=complete, count=len(kept))


def _prefixes_of_others(kept):
    ordered = sorted(set(kept))
    return {word for word, following in zip(ordered, ordered[1:], strict=False) if following.startswith(word)}


def has_word_starting(terms_text, word):
    """Whether terms (" a b c ") hold a word starting with `word`: the filter's test."""
    return bool(terms_text) and f" {word}" in terms_text


def snippet(text):
    """The start of a text, kept to show where a word was found: at most SNIPPET_CHARS,
    cut after a whole word and ended with "…" when there is more (a result shows that the
    notes go on, never a word cut short)."""
    text = " ".join((text or "").split())
    if len(text) <= SNIPPET_CHARS:
        return text
    kept = text[: SNIPPET_CHARS - 1]  # room for the "…"
    if text[SNIPPET_CHARS - 1] != " ":  # the next word would be cut: end at the last space
        space = kept.rfind(" ")
        kept = kept[:space] if space > SNIPPET_CHARS // 2 else kept  # one very long word is cut
    return kept.rstrip() + "…"
