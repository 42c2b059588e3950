"""A session's whole search index at once: built from what is stored (build_items, for
`manage.py rebuild_search_index`: sessions/search/rebuild.py) and read back as one item
(get_search_item, for tests and repairs). The items and their parts: sessions/core/search_index.py."""

from dataclasses import dataclass

from django.utils import timezone

from campaigns_site import dynamodb
from campaigns_site.table_keys import search_sk, user_pk
from sessions.core import search_words
from sessions.core.kinds import KINDS
from sessions.core.search_index import (
    HEAD_ATTRIBUTES,
    TEXT_ATTRIBUTES,
    WORD_PARTS,
    SearchItem,
    SearchText,
    SearchWords,
    index_keys,
    no_transcript_part,
    other_summaries_part,
    session_part_of,
    summary_part,
    text_sk,
    transcript_part,
)


# --- reads, and the whole index at once ---------------------------------------------------------
def get_search_item(*, sub, session_id):
    """The session's index as one SearchItem (the head, with its snippets and every part's
    terms filled in from the word groups), or None without a head. Tests and repairs: a
    search reads the items themselves (sessions/search/services.py)."""
    try:
        head = SearchItem.get(user_pk(sub), search_sk(session_id), consistent_read=True)
    except SearchItem.DoesNotExist:
        return None
    found = dynamodb.read_items(index_keys(sub=sub, session_id=session_id)[1:])
    text = dynamodb.first_of(found, SearchText)
    head.notes_snippet = text.notes_snippet if text else None
    head.recap_snippet = text.recap_snippet if text else None
    groups = sorted((item for item in found if isinstance(item, SearchWords)), key=lambda item: item.sk)
    for name in WORD_PARTS:
        joined = search_words.join_terms(getattr(item, name) for item in groups)
        setattr(head, name, joined or None)
    return head


@dataclass
class SessionIndex:
    """A session's whole index as build_items makes it: head, snippets, word groups."""

    head: SearchItem
    text: SearchText
    words: dict  # {group: SearchWords}, only the groups with words

    def put(self, transaction):
        """Add the Puts of the whole index (and the deletes of its empty word groups)."""
        transaction.put(self.head)
        transaction.put(self.text)
        for group in search_words.ALL_GROUPS:
            if group in self.words:
                transaction.put(self.words[group])
            else:
                transaction.delete(self.head.pk, search_words.words_sk(group, self.head.session_id))

    def terms(self, name):
        """A part's terms, all groups together (as get_search_item reads them back), or None."""
        groups = [self.words[group] for group in sorted(self.words)]
        return search_words.join_terms(getattr(item, name) for item in groups) or None

    def items(self):
        return [self.head, self.text, *self.words.values()]


def build_items(*, session, summaries=(), segments=None):
    """The whole index of a session (a PlaySession), from its summaries (Summary items)
    and its transcript's segments (None: no transcript): a SessionIndex."""
    pk = user_pk(session.owner_sub)
    head = SearchItem(
        pk,
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
    values = {}
    for part in parts:
        values.update(part.values)
    text = SearchText(pk, text_sk(session.session_id))
    words = {}
    for name, value in values.items():
        if name in HEAD_ATTRIBUTES:
            setattr(head, name, None if isinstance(value, set) and not value else value)
        elif name in TEXT_ATTRIBUTES:
            setattr(text, name, value or None)
        elif name in WORD_PARTS:
            for group, group_terms in search_words.split_terms(value).items():
                item = words.setdefault(group, SearchWords(pk, search_words.words_sk(group, session.session_id)))
                setattr(item, name, group_terms)
    return SessionIndex(head=head, text=text, words=words)
