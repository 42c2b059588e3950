"""The search item: one per play session, holding the words a search looks for.

Search must not Scan and there is no GSI (docs/data-model.md), so each session has one
compact item in its owner's partition, and a search is a Query of those items with a
FilterExpression (sessions/search/services.py).

    PK `USER#<sub>`, SK `SEARCH#<sid>`, LSI1SK `SEARCH#<played_on or 0000-00-00>#<number or ->#<sid>`

The SK names neither the campaign nor the date, so moving a session or changing its date
only sets attributes. LSI1SK gives the order a search reads in: newest first is a Query
on LSI1 backwards, and a date range is `LSI1SK BETWEEN`.

The item is written in parts, each in the same TransactWriteItems as the change it
follows (no extra request, and never out of step with what it indexes):
- the session part (title, number, date, notes): create_session (a Put of the whole
  item), update_session and move_session (an update), in sessions/core/repository.py;
- the transcript part (its words and speaker labels): attaching or deleting a
  transcript (sessions/transcripts/services.py);
- one part per summary kind: a summary job's save of that kind (sessions/summaries/runners.py)
  and a hand edit (sessions/summaries/repository.py), or an import (sessions/summaries/imported.py);
  and one for all the kinds kept from v1.0 under their own names (OTHER_SUMMARY_TERMS),
  rewritten from all their texts when one of them is imported or edited.
Each of those transactions already requires the session to exist (its own update, or
sessions.core.repository.record_child_write), and the session's delete, and a campaign's delete
cascade, delete the search item in the same transaction as the session item. So a part
can never bring back the item of a session that is gone, and no search item outlives its
session.

Words are "terms" (sessions/core/search_terms.py): one string per part, " word1 word2 … ",
of distinct normalised words.

Size: each part has a budget in UTF-8 bytes (PART_BUDGETS). A transcript with more
distinct words than its budget keeps the words in order of first appearance until the
budget is used up, and says so (`transcript_complete` false). With every budget full of
four-byte characters the item stays under the 64 KB item budget (rule 8; asserted in
tests/test_search_index.py).

Speaker names (player, character) are not copied here: a search looks them up in the
campaigns' SpeakerNames items and matches their labels (`speaker_labels`), so saving
names never rewrites search items (see sessions/search/services.py and docs/decisions.md).

build_item makes a whole item from the session, its summaries and its transcript's
segments: sessions/search/rebuild.py writes it, for sessions that existed before search
did, and for repairs (`manage.py rebuild_search_index`).
"""

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
from campaigns_site.table_keys import search_order_key, search_sk, user_pk
from sessions.core.kinds import KINDS
from sessions.core.search_terms import snippet, terms

ENTITY = "SearchItem"
TITLE_CHARS = 200  # = sessions.core.forms.TITLE_MAX_LENGTH
SESSION_TERMS = "session_terms"
TRANSCRIPT_TERMS = "transcript_terms"
SPEAKER_TERMS = "speaker_terms"
SPEAKER_LABELS = "speaker_labels"
# The words of the session's summaries of kinds kept from v1.0 under their own names (not
# KINDS), all in one part: their kinds are not known when a search is written.
OTHER_SUMMARY_TERMS = "summary_other"


def summary_attribute(kind):
    """The attribute holding the terms of the session's summary of `kind`."""
    return f"summary_{kind}"


# Bytes of UTF-8 per part. The sum, with the snippets, title, keys and attribute names,
# stays under 64 KB even when every character takes four bytes.
PART_BUDGETS = {
    SESSION_TERMS: 6_000,  # title and notes: a long evening's notes have ~1,000 distinct words
    TRANSCRIPT_TERMS: 32_000,  # ~4,000 distinct words: a four-hour session in English
    SPEAKER_TERMS: 1_000,
    SPEAKER_LABELS: 1_500,
    **{summary_attribute(kind): 3_000 if kind == "recap" else 2_000 for kind in KINDS},
    OTHER_SUMMARY_TERMS: 2_000,
}


class SearchItem(TableModel, discriminator=ENTITY):
    """PK `USER#<sub>`, SK `SEARCH#<sid>`, LSI1SK from search_order_key()."""

    session_id = UnicodeAttribute()
    campaign_id = UnicodeAttribute()
    title = UnicodeAttribute(default="")
    number = NumberAttribute(null=True)
    played_on = UnicodeAttribute(null=True)
    session_terms = UnicodeAttribute(default="")  # title and notes
    notes_snippet = UnicodeAttribute(default="")  # the notes' first SNIPPET_CHARS characters
    has_transcript = BooleanAttribute(default=False)
    transcript_terms = UnicodeAttribute(null=True)
    transcript_complete = BooleanAttribute(null=True)  # false: the transcript had more words than fit
    speaker_terms = UnicodeAttribute(null=True)  # the raw labels' words
    speaker_labels = UnicodeSetAttribute(null=True)  # the raw labels, for speaker names (see above)
    recap_snippet = UnicodeAttribute(null=True)  # the recap's first SNIPPET_CHARS characters
    # One terms attribute per summary kind (summary_attribute(kind)): each kind's save sets its own.
    summary_recap = UnicodeAttribute(null=True)
    summary_key_events = UnicodeAttribute(null=True)
    summary_npcs = UnicodeAttribute(null=True)
    summary_locations = UnicodeAttribute(null=True)
    summary_loot = UnicodeAttribute(null=True)
    summary_open_threads = UnicodeAttribute(null=True)
    summary_other = UnicodeAttribute(null=True)  # OTHER_SUMMARY_TERMS: v1.0's own kinds, together
    updated = UTCDateTimeAttribute(null=True)


assert all(summary_attribute(kind) in SearchItem.get_attributes() for kind in KINDS), "a kind without terms"
_ENTITY_ATTRIBUTE = UnicodeAttribute(attr_name="entity")  # set by updates, which may create the item


# --- parts -----------------------------------------------------------------------------------
@dataclass
class Part:
    """Attributes of a search item, written together: {attribute name: value}; None removes."""

    values: dict = field(default_factory=dict)

    def actions(self):
        actions = []
        for name, value in self.values.items():
            attribute = _attribute(name)
            empty = value is None or (isinstance(value, (set, frozenset)) and not value)
            actions.append(attribute.remove() if empty else attribute.set(value))
        return actions


def session_part(*, title, number, played_on, notes, session_id):
    """The part a session's own fields make: its title, number, date and notes."""
    title = (title or "")[:TITLE_CHARS]
    return Part(
        {
            "title": title,
            "number": number,
            "played_on": played_on,
            "lsi1sk": search_order_key(played_on=played_on, number=number, session_id=session_id),
            SESSION_TERMS: terms([title, notes], budget=PART_BUDGETS[SESSION_TERMS]).text,
            "notes_snippet": snippet(notes),
        }
    )


def session_part_of(session):
    """session_part of a PlaySession item."""
    return session_part(
        title=session.title,
        number=session.number,
        played_on=session.played_on,
        notes=session.notes,
        session_id=session.session_id,
    )


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


def _attribute(name):
    return SearchItem.get_attributes()[name]


# --- writes, inside the caller's transaction (campaigns.repository.Transaction) ----------------
def put_new_item(transaction, *, sub, campaign_id, session_id, part):
    """Add the Put of a new session's whole search item (a session's part; nothing else yet)."""
    item = SearchItem(
        user_pk(sub), search_sk(session_id), session_id=session_id, campaign_id=campaign_id, updated=timezone.now()
    )
    for name, value in part.values.items():
        setattr(item, name, value)
    return transaction.put(item)


def write_part(transaction, *, sub, campaign_id, session_id, part):
    """Add an update setting one part of the session's search item (creating the item if it
    is missing: a session from before search existed gets its parts as they change).

    No condition of its own: the caller's transaction requires the session to exist
    (record_child_write or the session's own update). Returns the action's index."""
    actions = part.actions() + [
        SearchItem.session_id.set(session_id),
        SearchItem.campaign_id.set(campaign_id),
        _ENTITY_ATTRIBUTE.set(ENTITY),
        SearchItem.updated.set(timezone.now()),
    ]
    return transaction.update(user_pk(sub), search_sk(session_id), actions=actions)


def delete_item(transaction, *, sub, session_id):
    return transaction.delete(user_pk(sub), search_sk(session_id))


# --- reads, and the whole item at once ---------------------------------------------------------
def get_search_item(*, sub, session_id):
    """The session's search item, or None (tests, repairs; a search reads them by Query)."""
    try:
        return SearchItem.get(user_pk(sub), search_sk(session_id), consistent_read=True)
    except SearchItem.DoesNotExist:
        return None


def build_item(*, session, summaries=(), segments=None):
    """The whole search item of a session (a PlaySession), from its summaries (Summary
    items) and its transcript's segments (None: no transcript)."""
    item = SearchItem(
        user_pk(session.owner_sub),
        search_sk(session.session_id),
        session_id=session.session_id,
        campaign_id=session.campaign_id,
        updated=timezone.now(),
    )
    parts = [session_part_of(session), transcript_part(segments) if segments is not None else no_transcript_part()]
    parts += [summary_part(summary.kind, summary.text) for summary in summaries if summary.kind in KINDS]
    others = [summary.text for summary in summaries if summary.kind not in KINDS]
    if others:
        parts.append(other_summaries_part(others))
    for part in parts:
        for name, value in part.values.items():
            setattr(item, name, None if isinstance(value, set) and not value else value)
    return item
