"""The search index of a session: a small head, its snippets, and its words in groups.

Search must not Scan and there is no GSI (docs/data-model.md), and a search must read
only what can match (issue 17). So each session has, in its owner's partition:

- a head, `SEARCH#<sid>` (SearchItem), LSI1SK `SEARCH#<played_on or 0000-00-00>#<number or ->#<sid>`:
  what orders and filters results without any word: title, number, date, campaign,
  whether it has a transcript (and whether all its words fit), its speakers' labels.
  About 0.5 KB: a search reads every head in range (the order, the dates, the title's
  words, the speaker names' labels), 0.25 MB for 500 sessions;
- its snippets, `SEARCHTEXT#<sid>` (SearchText): the first 300 characters of the notes and
  of the recap, read (BatchGetItem) for the results shown only;
- its words, in WORD_GROUPS items `SEARCHWORDS#<gg>#<sid>` (sessions/core/search_words.py):
  each part's terms split by the group of their first two characters; a word of a search
  reads its group's items only.

The SKs name neither the campaign nor the date, so moving a session or changing its date
only sets the head's attributes. LSI1SK gives the order a search reads heads in: newest
first is a Query on LSI1 backwards, and a date range is `LSI1SK BETWEEN`.

Written in parts, each in the same TransactWriteItems as the change it follows (no extra
request, and never out of step with what it indexes):
- the session part (title, number, date; notes' words and snippet): create_session,
  update_session (the notes' groups only where their words changed, when the edit form
  says what they were: edit_digest) and move_session (the head only), in
  sessions/core/repository.py;
- the transcript part (its words and speaker labels): attaching or deleting a
  transcript (sessions/transcripts/services.py);
- one part per summary kind: a summary job's save of that kind (sessions/summaries/runners.py)
  and a hand edit (sessions/summaries/repository.py), or an import (sessions/summaries/imported.py);
  and one for all the kinds kept from v1.0 under their own names (OTHER_SUMMARY_TERMS),
  rewritten from all their texts when one of them is imported or edited.
Each of those transactions already requires the session to exist (its own update, or
sessions.core.repository.record_child_write), and the session's delete deletes the whole
index in the same transaction as the session item (a campaign's cascade deletes the word
items just before: sessions/core/children.py). So a part can never bring back the index
of a session that is gone.

Words are "terms" (sessions/core/search_terms.py): one string per part, " word1 word2 … ",
of distinct normalised words. The title's words are not stored: a search reads the title.

Size: each part has a budget in UTF-8 bytes (PART_BUDGETS). A transcript with more
distinct words than its budget keeps the words in order of first appearance until the
budget is used up, and says so (`transcript_complete` false).

Speaker names (player, character) are not copied here: a search looks them up in the
campaigns' SpeakerNames items and matches the heads' labels (`speaker_labels`), so saving
names never rewrites the index (see sessions/search/services.py and docs/decisions.md).

build_items makes a session's whole index from the session, its summaries and its
transcript's segments: sessions/search/rebuild.py writes it, for sessions indexed before
(`manage.py rebuild_search_index`), and for repairs.
"""

import hashlib
from dataclasses import dataclass, field

from django.utils import timezone
from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)

from campaigns_site.table import TableModel
from campaigns_site.table_keys import _part, search_order_key, search_sk, user_pk
from sessions.core import search_words
from sessions.core.kinds import KINDS
from sessions.core.search_terms import snippet, terms

ENTITY = "SearchItem"
TEXT_ENTITY = "SearchText"
TEXT_PREFIX = "SEARCHTEXT#"
TITLE_CHARS = 200  # = sessions.core.forms.TITLE_MAX_LENGTH
SESSION_TERMS = "session_terms"  # the notes' words (a search reads the title itself)
TRANSCRIPT_TERMS = "transcript_terms"
SPEAKER_TERMS = "speaker_terms"
SPEAKER_LABELS = "speaker_labels"
# The words of the session's summaries of kinds kept from v1.0 under their own names (not
# KINDS), all in one part: their kinds are not known when a search is written.
OTHER_SUMMARY_TERMS = "summary_other"


def summary_attribute(kind):
    """The attribute holding the terms of the session's summary of `kind`."""
    return f"summary_{kind}"


# Bytes of UTF-8 per part.
PART_BUDGETS = {
    SESSION_TERMS: 6_000,  # notes: a long evening's notes have ~1,000 distinct words
    TRANSCRIPT_TERMS: 32_000,  # ~4,000 distinct words: a four-hour session in English
    SPEAKER_TERMS: 1_000,
    SPEAKER_LABELS: 1_500,
    **{summary_attribute(kind): 3_000 if kind == "recap" else 2_000 for kind in KINDS},
    OTHER_SUMMARY_TERMS: 2_000,
}
WORD_PARTS = (
    SESSION_TERMS,
    TRANSCRIPT_TERMS,
    SPEAKER_TERMS,
    *(summary_attribute(k) for k in KINDS),
    OTHER_SUMMARY_TERMS,
)
HEAD_ATTRIBUTES = ("title", "number", "played_on", "lsi1sk", "has_transcript", "transcript_complete", SPEAKER_LABELS)
TEXT_ATTRIBUTES = ("notes_snippet", "recap_snippet")


class _Snippets:
    """The snippets' attributes (PynamoDB takes a plain mixin's attributes as the model's)."""

    notes_snippet = UnicodeAttribute(null=True)
    recap_snippet = UnicodeAttribute(null=True)


class _WordParts:
    """Each part's words: WORD_PARTS, as attributes."""

    session_terms = UnicodeAttribute(null=True)
    transcript_terms = UnicodeAttribute(null=True)
    speaker_terms = UnicodeAttribute(null=True)
    summary_recap = UnicodeAttribute(null=True)
    summary_key_events = UnicodeAttribute(null=True)
    summary_npcs = UnicodeAttribute(null=True)
    summary_locations = UnicodeAttribute(null=True)
    summary_loot = UnicodeAttribute(null=True)
    summary_open_threads = UnicodeAttribute(null=True)
    summary_other = UnicodeAttribute(null=True)


class SearchItem(_Snippets, _WordParts, TableModel, discriminator=ENTITY):
    """The head: PK `USER#<sub>`, SK `SEARCH#<sid>`, LSI1SK from search_order_key().

    get_search_item() fills in the snippets and the terms of every part too (a whole
    view of the session's index, for tests and repairs); a head as stored has none (an
    index written before issue 17 may still carry its terms: a search reads them too,
    until `manage.py rebuild_search_index` rewrites it)."""

    session_id = UnicodeAttribute()
    campaign_id = UnicodeAttribute()
    title = UnicodeAttribute(default="")
    number = NumberAttribute(null=True)
    played_on = UnicodeAttribute(null=True)
    has_transcript = BooleanAttribute(default=False)
    transcript_complete = BooleanAttribute(null=True)  # false: the transcript had more words than fit
    speaker_labels = UnicodeSetAttribute(null=True)  # the raw labels, for speaker names (see above)
    updated = UTCDateTimeAttribute(null=True)
    # The snippets' and the parts' attributes (the mixins') are not stored in a head (see above).


class SearchText(_Snippets, TableModel, discriminator=TEXT_ENTITY):
    """PK `USER#<sub>`, SK `SEARCHTEXT#<sid>`: the snippets a result shows (SNIPPET_CHARS each)."""


class SearchWords(_WordParts, TableModel, discriminator=search_words.ENTITY):
    """PK `USER#<sub>`, SK `SEARCHWORDS#<gg>#<sid>`: each part's words of group gg."""


assert all(part in SearchWords.get_attributes() for part in WORD_PARTS), "a part without its attribute"
assert set(SearchItem.get_attributes()) >= set(WORD_PARTS) | set(TEXT_ATTRIBUTES), "the whole view lacks a part"
_ENTITY_ATTRIBUTE = UnicodeAttribute(attr_name="entity")  # set by updates, which may create the item


def text_sk(session_id):
    return f"{TEXT_PREFIX}{_part('session id', session_id)}"


def index_keys(*, sub, session_id):
    """Every key of the session's index: head, snippets, word groups."""
    pk = user_pk(sub)
    return [(pk, search_sk(session_id)), (pk, text_sk(session_id))] + [
        (pk, search_words.words_sk(group, session_id)) for group in search_words.ALL_GROUPS
    ]


# --- parts -----------------------------------------------------------------------------------
@dataclass
class Part:
    """Attributes of a session's index, written together: {attribute name: value}; None
    removes. `groups`: the word groups to write (None: all of them)."""

    values: dict = field(default_factory=dict)
    groups: tuple | None = None


def session_part(*, title, number, played_on, notes, session_id, notes_before=None):
    """The part a session's own fields make: its title, number, date and notes.

    notes_before: the edit form's edit_digest of the notes it started from (the save is
    conditioned on that version): only the word groups that changed are written, and the
    snippet only if it changed. None or garbled: all of them."""
    title = (title or "")[:TITLE_CHARS]
    values = {
        "title": title,
        "number": number,
        "played_on": played_on,
        "lsi1sk": search_order_key(played_on=played_on, number=number, session_id=session_id),
    }
    notes_terms = terms([notes], budget=PART_BUDGETS[SESSION_TERMS]).text
    before = _parse_digest(notes_before)
    after = _digest_of(notes_terms, snippet(notes))
    if before is None or before["s"] != after["s"]:
        values["notes_snippet"] = snippet(notes)
    groups = None
    if before is not None:
        groups = tuple(search_words.changed_groups(before["g"], after["g"]))
    if groups is None or groups:
        values[SESSION_TERMS] = notes_terms
    return Part(values, groups=groups)


def first_words_only(part):
    """The part writing only the word groups it has words in: for a part that had none
    before (a first transcript, a new summary kind), whose other groups hold none of its
    words to remove. Fewer actions in the change's transaction."""
    groups = {
        group for name in WORD_PARTS if part.values.get(name) for group in search_words.split_terms(part.values[name])
    }
    return Part(part.values, groups=tuple(sorted(groups)))


def head_part_of(session):
    """The head's share of session_part_of (a move: the words stay as they are)."""
    part = session_part_of(session)
    return Part({name: value for name, value in part.values.items() if name in HEAD_ATTRIBUTES})


def session_part_of(session):
    """session_part of a PlaySession item."""
    return session_part(
        title=session.title,
        number=session.number,
        played_on=session.played_on,
        notes=session.notes,
        session_id=session.session_id,
    )


def edit_digest(notes):
    """What an edit form carries of the notes it shows ("s:<snippet's>;<gg>:<digest>,…"),
    for session_part(notes_before=...): a save then rewrites only what changed."""
    digest = _digest_of(terms([notes], budget=PART_BUDGETS[SESSION_TERMS]).text, snippet(notes))
    return f"s:{digest['s']};" + ",".join(f"{group}:{value}" for group, value in sorted(digest["g"].items()))


def _digest_of(notes_terms, notes_snippet):
    return {"s": hashlib.sha256(notes_snippet.encode()).hexdigest()[:8], "g": search_words.group_digests(notes_terms)}


def _parse_digest(text):
    if not text or not text.startswith("s:") or ";" not in text:
        return None
    head, _, rest = text.partition(";")
    groups = {}
    for entry in filter(None, rest.split(",")):
        group, _, value = entry.partition(":")
        if group not in search_words.ALL_GROUPS or not value:
            return None
        groups[group] = value
    return {"s": head[2:], "g": groups}


def transcript_part(segments):
    """The part a transcript makes (its segments, sessions.core.segments.Segment): its words
    and its speakers' labels."""
    found = terms((segment.text for segment in segments), budget=PART_BUDGETS[TRANSCRIPT_TERMS])
    labels = list(dict.fromkeys(segment.speaker for segment in segments if segment.speaker))
    return Part(
        {
            "has_transcript": True,
            TRANSCRIPT_TERMS: found.text,
            "transcript_complete": found.complete,
            SPEAKER_TERMS: terms(labels, budget=PART_BUDGETS[SPEAKER_TERMS]).text,
            SPEAKER_LABELS: set(_within(labels, PART_BUDGETS[SPEAKER_LABELS])),
        }
    )


def no_transcript_part():
    """What deleting the transcript leaves: none of its words."""
    return Part(
        {
            "has_transcript": False,
            TRANSCRIPT_TERMS: None,
            "transcript_complete": None,
            SPEAKER_TERMS: None,
            SPEAKER_LABELS: None,
        }
    )


def summary_part(kind, text):
    """The part the session's summary of `kind` makes (its recap also keeps a snippet)."""
    values = {summary_attribute(kind): terms([text], budget=PART_BUDGETS[summary_attribute(kind)]).text}
    if kind == "recap":
        values["recap_snippet"] = snippet(text)
    return Part(values)


def other_summaries_part(texts):
    """The part the session's summaries of v1.0's own kinds make, from all their texts."""
    found = terms(texts, budget=PART_BUDGETS[OTHER_SUMMARY_TERMS]).text
    return Part({OTHER_SUMMARY_TERMS: found or None})


def _within(labels, budget):
    kept, used = [], 0
    for label in labels:
        used += len(label.encode()) + 3  # DynamoDB's per-element overhead, roughly
        if used > budget:
            break
        kept.append(label)
    return kept


def _actions(model, values):
    actions = []
    for name, value in values.items():
        attribute = model.get_attributes()[name]
        empty = value is None or value == "" or (isinstance(value, (set, frozenset)) and not value)
        actions.append(attribute.remove() if empty else attribute.set(value))
    return actions


# --- writes, inside the caller's transaction (campaigns.repository.Transaction) ----------------
def put_new_item(transaction, *, sub, campaign_id, session_id, part):
    """Add the Puts of a new session's index (a session's part; nothing else yet): its
    head, its snippets if any, the word groups its notes have words in."""
    head = SearchItem(
        user_pk(sub), search_sk(session_id), session_id=session_id, campaign_id=campaign_id, updated=timezone.now()
    )
    for name, value in part.values.items():
        if name in HEAD_ATTRIBUTES:
            setattr(head, name, value)
    index = transaction.put(head)
    if part.values.get("notes_snippet"):
        transaction.put(SearchText(user_pk(sub), text_sk(session_id), notes_snippet=part.values["notes_snippet"]))
    for group, words in search_words.split_terms(part.values.get(SESSION_TERMS)).items():
        transaction.put(SearchWords(user_pk(sub), search_words.words_sk(group, session_id), session_terms=words))
    return index


def write_part(transaction, *, sub, campaign_id, session_id, part):
    """Add the updates setting one part of the session's index: the head (always: it learns
    the campaign, and is created if missing), the snippets if the part has one, and each
    word group of part.groups if the part has words (its attribute set to the group's
    words, or removed where it has none).

    No condition of its own: the caller's transaction requires the session to exist
    (record_child_write or the session's own update). Returns the head's action's index."""
    pk = user_pk(sub)
    head_values = {name: value for name, value in part.values.items() if name in HEAD_ATTRIBUTES}
    index = transaction.update(
        pk,
        search_sk(session_id),
        actions=_actions(SearchItem, head_values)
        + [
            SearchItem.session_id.set(session_id),
            SearchItem.campaign_id.set(campaign_id),
            _ENTITY_ATTRIBUTE.set(ENTITY),
            SearchItem.updated.set(timezone.now()),
        ],
    )
    text_values = {name: value for name, value in part.values.items() if name in TEXT_ATTRIBUTES}
    if text_values:
        transaction.update(
            pk, text_sk(session_id), actions=_actions(SearchText, text_values) + [_ENTITY_ATTRIBUTE.set(TEXT_ENTITY)]
        )
    word_values = {name: search_words.split_terms(value) for name, value in part.values.items() if name in WORD_PARTS}
    if word_values:
        for group in search_words.ALL_GROUPS if part.groups is None else part.groups:
            values = {name: groups.get(group) for name, groups in word_values.items()}
            transaction.update(
                pk,
                search_words.words_sk(group, session_id),
                actions=_actions(SearchWords, values) + [_ENTITY_ATTRIBUTE.set(search_words.ENTITY)],
            )
    return index


def delete_item(transaction, *, sub, session_id):
    """Add the deletes of the session's whole index (its head's index returned)."""
    keys = index_keys(sub=sub, session_id=session_id)
    first = transaction.delete(*keys[0])
    for key in keys[1:]:
        transaction.delete(*key)
    return first
