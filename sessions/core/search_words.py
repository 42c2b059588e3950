"""The words of a session's search index, spread over WORD_GROUPS small items.

A search must read only what can match (issue 17), so the words of a session are not
in one item that every search reads: they are split by the group of their first two
characters (WORD_GROUPS groups, a stable hash), one item per group and session:

    PK `USER#<sub>`, SK `SEARCHWORDS#<gg>#<sid>`, one terms attribute per part
    (session_terms: the notes' words; transcript_terms; speaker_terms; summary_<kind>;
    summary_other), each the part's terms (sessions/core/search_terms.py) whose words
    fall in that group.

A word of a search (2 characters or more) can only start a word whose first two
characters are its own, so it is found in its group's items only: one Query,
`begins_with(SK, "SEARCHWORDS#<gg>#")`, reads that group of every session (about 1/64th
of the words), whatever the word. A part's write sets its attribute in each group (or
removes it where the part has no word there): one small update per group, inside the
change's own transaction (at most WORD_GROUPS actions), and an edit that knows which
groups changed writes only those (group_digests).

Words of one letter are never searched for (MIN_WORD_CHARS), so they are left out.
"""

import hashlib
import zlib

from campaigns_site.table_keys import _part

WORDS_PREFIX = "SEARCHWORDS#"
WORD_GROUPS = 64  # a transaction holds 100 actions: a part's groups, with the change's own
ALL_GROUPS = tuple(f"{group:02d}" for group in range(WORD_GROUPS))
ENTITY = "SearchWords"


def group_of(word):
    """The group ("00"…"63") of a word (2 characters or more): of its first two characters."""
    return f"{zlib.crc32(word[:2].encode()) % WORD_GROUPS:02d}"


def words_sk(group, session_id):
    return f"{WORDS_PREFIX}{group}#{_part('session id', session_id)}"


def group_prefix(group):
    return f"{WORDS_PREFIX}{group}#"


def session_of_words_sk(sk):
    return sk.rsplit("#", 1)[1]


def split_terms(text):
    """{group: terms} of a terms string (" a b c "): each group's words, in order, as terms."""
    grouped = {}
    for word in (text or "").split():
        if len(word) >= 2:
            grouped.setdefault(group_of(word), []).append(word)
    return {group: f" {' '.join(found)} " for group, found in grouped.items()}


def join_terms(texts):
    """One terms string of several groups' (the test has_word_starting makes is the same)."""
    found = " ".join(text.strip() for text in texts if text and text.strip())
    return f" {found} " if found else ""


def group_digests(text):
    """{group: short digest} of a terms string's groups: what an edit form carries, so the
    save rewrites only the groups whose words changed."""
    return {group: hashlib.sha256(words.encode()).hexdigest()[:8] for group, words in split_terms(text).items()}


def changed_groups(before, after):
    """The groups whose digests differ (group_digests before and after)."""
    return sorted(group for group in set(before) | set(after) if before.get(group) != after.get(group))
