"""Search all of a user's sessions, reading only the index items that can match (issue 17).

The index (sessions/core/search_index.py) has per session a small head (LSI1
`SEARCH#<date>#<number>#<sid>`), its snippets, and its words in WORD_GROUPS groups by
their first two characters (sessions/core/search_words.py). A search makes, at once (in
parallel: one round trip):

- on the search page, one Query of my campaigns (`begins_with(SK, "CAMPAIGN#")`): the
  form's choices and the names results show (the view checks the campaign asked for after);
- one Query of my speaker names (`begins_with(SK, "SPEAKERS#")`): which labels each word
  names, campaign by campaign;
- Query pages of the heads on LSI1, `begins_with(LSI1SK, "SEARCH#")` or `BETWEEN` for a
  date range, newest first: the order, the campaign, the title, the labels (about 0.5 KB
  a session);
- one Query `begins_with(SK, "SEARCHWORDS#<gg>#")` of the group of the likely rarest word
  (the longest): that group's words of every session (about 1/64th of the words).

The other words' groups (a query of several words) come second, for the sessions the first
group's words matched only: one BatchGetItem of those sessions' items when they are few
(with their snippets, when all could be shown), else each group's Query. Then, for the
results shown only, one BatchGetItem of their snippets (unless read already). A session
matches when every word starts a word of its title, notes, transcript, speakers' labels or
a summary (the word's group holds all those the word can start), or names (speaker names)
one of its labels in its campaign: "drag" finds "dragon" but not "grandragon". What a
result says (sessions/search/results.py) is read off the same items: every place each
word is. Reads are eventually consistent (half the cost): a session saved a second ago
may be missing for that second.

Paging: every match in range is known after the index's reads, so a page holds up to
`limit` results and the cursor is the key of the last one shown, signed and bound to the
user's partition and to this query (campaigns_site/pagination.py): the next page starts
its heads' Query after it. A request reads at most MAX_PAGES pages of heads (1 MB each,
about 2,000 sessions); beyond, it returns what it found with a cursor to go on.
"""

import hashlib
import json
from dataclasses import dataclass, field

from campaigns.items import Campaign
from campaigns_site import dynamodb
from campaigns_site.pagination import decode_cursor, encode_cursor
from campaigns_site.table import user_pk
from campaigns_site.table_keys import CAMPAIGN_PREFIX, SPEAKER_NAMES_PREFIX
from sessions.core.search_index import SESSION_TERMS, SPEAKER_LABELS, TEXT_PREFIX, WORD_PARTS, text_sk
from sessions.core.search_terms import has_word_starting
from sessions.core.search_words import group_of, join_terms, session_of_words_sk, words_sk
from sessions.core.text import MAX_WORDS, distinct_words, query_words, terms_of
from sessions.search import index_reads
from sessions.search.results import result_of
from sessions.transcripts.items import SpeakerNames

PAGE_SIZE = 20  # results a page
MAX_PAGES = 25  # pages of heads (up to 1 MB each) one request reads before it hands back a cursor
MAX_NAME_CLAUSES = 24  # (campaign, label) pairs the words may name, all words together
_BATCH_KEYS = 100  # keys one BatchGetItem takes


class NoWords(ValueError):
    """The text has no word to search for (each needs MIN_WORD_CHARS letters or digits)."""


def ignored_words(text):
    """How many words past MAX_WORDS a text has (the page says they were left out)."""
    return max(0, len(distinct_words(text)) - MAX_WORDS)


# --- a page of results --------------------------------------------------------------------------------
@dataclass
class SearchPage:
    results: list = field(default_factory=list)
    next_cursor: str | None = None
    words: list = field(default_factory=list)
    pages_read: int = 0  # the search's own requests: Query pages (heads, words) and the snippets' BatchGetItem
    items_read: int = 0  # items DynamoDB read (ScannedCount, and the snippets): what the search costs
    capacity_units: float = 0.0  # as DynamoDB reported (ReturnConsumedCapacity)
    stopped_early: bool = False  # MAX_PAGES of heads read with more to go: next_cursor goes on
    round_trips: int = 0  # requests one after another (those made at once count once)
    campaigns: dict = field(default_factory=dict)  # {campaign_id: Campaign}: what was searched, and their names


# --- what a search needs besides the items -----------------------------------------------------------
def campaigns_for_search(*, sub):
    """{campaign_id: Campaign} of every campaign of the user's, active and archived (not
    those being deleted): one Query, `begins_with(SK, "CAMPAIGN#")`. A search shows their
    names (so renaming a campaign touches no search item) and offers them as a filter;
    a result whose campaign is not here (being deleted) is left out."""
    found = Campaign.query(user_pk(sub), Campaign.sk.startswith(CAMPAIGN_PREFIX))
    return {campaign.campaign_id: campaign for campaign in found if campaign.is_live}


def speaker_names_by_campaign(*, sub):
    """{campaign_id: {label: {"player", "character"}}}: one Query, `begins_with(SK, "SPEAKERS#")`."""
    found = SpeakerNames.query(user_pk(sub), SpeakerNames.sk.startswith(SPEAKER_NAMES_PREFIX))
    return {item.sk.removeprefix(SPEAKER_NAMES_PREFIX): item.as_dict() for item in found}


# --- the search -----------------------------------------------------------------------------------
def cursor_scope(*, text, campaign_id=None, played_from=None, played_to=None):
    """What a cursor is bound to besides the partition: this very query. A view can check a
    cursor with it before reading anything (check_cursor)."""
    query = [query_words(text), campaign_id or "", str(played_from or ""), str(played_to or "")]
    digest = hashlib.sha256(json.dumps(query, ensure_ascii=False).encode()).hexdigest()[:24]
    return f"search|{digest}"


def check_cursor(*, sub, cursor, **query):
    """Raises InvalidCursor if `cursor` is not one of this query's, for this user. No request."""
    decode_cursor(cursor, partition=user_pk(sub), scope=cursor_scope(**query))


def search_sessions(
    *,
    sub,
    text,
    campaign_id=None,
    played_from=None,
    played_to=None,
    cursor=None,
    limit=PAGE_SIZE,
    campaigns=None,
    page_size=None,
):
    """The user's sessions matching every word of `text`, newest first (date played, then
    number, then created): a SearchPage of up to `limit` results and a cursor for more.

    campaign_id: only that campaign's sessions. played_from / played_to: dates (or ISO
    strings), both ends included; either set leaves undated sessions out. campaigns: the
    result of campaigns_for_search, when the caller has it already (else it is read in the
    index's round trip, and the page holds it: the view checks its form's campaign after).
    page_size: DynamoDB's Limit per Query page (tests; None = 1 MB pages).

    Raises NoWords when the text has none to search for, InvalidCursor for a cursor that
    is not this query's (before any request).
    """
    found_words = query_words(text)
    if not found_words:
        raise NoWords(text)
    played_from = str(played_from) if played_from else None
    played_to = str(played_to) if played_to else None
    partition = user_pk(sub)
    scope = cursor_scope(text=text, campaign_id=campaign_id, played_from=played_from, played_to=played_to)
    start_key = decode_cursor(cursor, partition=partition, scope=scope)

    page = SearchPage(words=found_words)
    first_groups = groups_read_first(found_words)
    read = {"played_from": played_from, "played_to": played_to, "page_size": page_size, "campaigns": campaigns}
    names, heads, heads_last_key, words_by_session = _read_index(page, sub, first_groups, start_key, **read)
    campaigns = page.campaigns
    name_matches = _labels_named(found_words, names, campaigns, campaign_id)
    texts = None  # the snippets, when read with the later groups
    if later_groups := sorted({group_of(word) for word in found_words} - first_groups):
        first_words = [word for word in found_words if group_of(word) in first_groups]
        candidates = _matching(heads, words_by_session, first_words, name_matches, campaigns, campaign_id)
        texts = _read_later_groups(page, partition, candidates, later_groups, words_by_session, limit, page_size)
        heads = _only_those_of(candidates, heads)  # the others cannot match
    matched = _matching(heads, words_by_session, found_words, name_matches, campaigns, campaign_id, limit=limit + 1)
    shown = matched[:limit]
    _add_snippets(page, partition, shown, texts)
    page.results = [result_of(item, found_words, campaigns, names, name_matches) for item in shown]
    next_key = None
    if len(matched) > limit:
        next_key = _key_of(shown[-1])
    elif heads_last_key:
        next_key, page.stopped_early = heads_last_key, True
    page.next_cursor = encode_cursor(next_key, partition=partition, scope=scope)
    return page


def groups_read_first(found_words):
    """The word groups read with the heads: the likely rarest word's, the longest (a longer
    word starts fewer words, the way language goes; the first of them on a tie). Only what
    a search costs depends on the choice, never what it finds."""
    return {group_of(max(found_words, key=len))}


def _read_index(page, sub, groups, start_key, *, played_from, played_to, page_size, campaigns):
    """My speaker names, the heads in range and the word `groups` (and my campaigns, unless
    given), read at once: (names, heads newest first, the heads' key to go on from or None,
    {session id: [its word items]}). Sets page.campaigns; counts the index's requests and
    items on `page`."""
    partition = user_pk(sub)
    groups = sorted(groups)
    reads = {
        "names": lambda: speaker_names_by_campaign(sub=sub),
        "heads": lambda: index_reads.read_heads(
            partition, played_from, played_to, start_key, page_size, max_pages=MAX_PAGES
        ),
        **_group_reads(partition, groups, page_size),
    }
    if campaigns is None:
        reads["campaigns"] = lambda: campaigns_for_search(sub=sub)
    found = index_reads.at_once(reads)
    page.round_trips = 1
    page.campaigns = found.pop("campaigns", campaigns)
    names = found.pop("names")
    heads, heads_last_key = found.pop("heads")
    words_by_session = {}
    for pages in [heads, *found.values()]:
        _count(page, pages.requests, pages.scanned, pages.capacity_units)
    for pages in found.values():
        for item in pages.items:
            words_by_session.setdefault(session_of_words_sk(item["SK"]), []).append(item)
    return names, heads.items, heads_last_key, words_by_session


def _matching(heads, words_by_session, found_words, name_matches, campaigns, campaign_id, *, limit=None):
    """The first `limit` heads (as whole items: _whole) that every word matches, in order
    (all of them without a limit)."""
    matched = []
    for head in heads:
        if head.get("campaign_id") not in campaigns or (campaign_id and head.get("campaign_id") != campaign_id):
            continue  # another campaign's, or one being deleted
        item = _whole(head, words_by_session.get(head.get("session_id"), []))
        if all(_matches(item, word, name_matches) for word in found_words):
            matched.append(item)
            if limit and len(matched) >= limit:
                break
    return matched


def _read_later_groups(page, partition, candidates, groups, words_by_session, limit, page_size):
    """The other words' `groups`, for the sessions the first group's words matched
    (`candidates`), added to words_by_session: a second round trip. A few candidates (a
    rare first word) cost one BatchGetItem of their items alone, with their snippets when
    all of them could be shown ({snippets' SK: item}, returned; else None); many cost each
    group's whole Query, as the first group's."""
    if not candidates:
        return {}  # nothing can match: no request, and no snippets to read
    keys = [(partition, words_sk(group, candidate["session_id"])) for candidate in candidates for group in groups]
    page.round_trips += 1
    texts = None
    if len(keys) > _BATCH_KEYS:
        found = index_reads.at_once(_group_reads(partition, groups, page_size))
        for pages in found.values():
            _count(page, pages.requests, pages.scanned, pages.capacity_units)
        items = [item for pages in found.values() for item in pages.items]
    else:
        if len(candidates) <= limit and len(keys) + len(candidates) <= _BATCH_KEYS:
            keys += [(partition, text_sk(candidate["session_id"])) for candidate in candidates]
            texts = {}
        items, requests, units = dynamodb.read_plain_items(keys)
        _count(page, requests, len(items), units)
    for item in items:
        if item["SK"].startswith(TEXT_PREFIX):
            texts[item["SK"]] = item
        else:
            words_by_session.setdefault(session_of_words_sk(item["SK"]), []).append(item)
    return texts


def _only_those_of(candidates, heads):
    """The heads of the candidates' sessions, in order."""
    still_in = {candidate["session_id"] for candidate in candidates}
    return [head for head in heads if head.get("session_id") in still_in]


def _group_reads(partition, groups, page_size):
    """{group: its read}, for index_reads.at_once."""
    return {group: (lambda group=group: index_reads.read_group(partition, group, page_size)) for group in groups}


def _count(page, requests, items, capacity_units):
    page.pages_read += requests
    page.items_read += items
    page.capacity_units += capacity_units


def _whole(head, word_items):
    """The head with each part's terms of the word groups read (and the title's words with
    the notes', as the search's results read them)."""
    item = dict(head)
    for name in WORD_PARTS:
        texts = [head.get(name)] + [words.get(name) for words in word_items]
        if name == SESSION_TERMS:
            texts.insert(0, terms_of(head.get("title") or ""))
        item[name] = join_terms(texts)
    return item


def _matches(item, word, name_matches):
    if any(has_word_starting(item[name], word) for name in WORD_PARTS):
        return True
    labels = item.get(SPEAKER_LABELS) or set()
    return any(
        campaign == item.get("campaign_id") and label in labels for campaign, label in name_matches.get(word, [])
    )


def _add_snippets(page, partition, shown, texts=None):
    """Each shown item's snippets (notes, recap): one BatchGetItem, eventually consistent
    (none when `texts` holds them: {SK: item}, read with the later word groups)."""
    if not shown:
        return
    keys = {text_sk(item["session_id"]): item for item in shown}
    if texts is not None:
        found = [texts[sk] for sk in keys if sk in texts]
    else:
        found, requests, units = dynamodb.read_plain_items([(partition, sk) for sk in keys])
        _count(page, requests, len(found), units)
        page.round_trips += 1
    for text in found:
        item = keys[text["SK"]]
        for name in ("notes_snippet", "recap_snippet"):
            if text.get(name):
                item[name] = text[name]


def _labels_named(found_words, names, campaigns, campaign_id):
    """{word: [(campaign_id, label)]}: the speaker labels whose player's or character's name
    has a word starting with it, in the campaigns searched. At most MAX_NAME_CLAUSES in
    all, shared out between the words (a word that names more speakers than its share
    finds the sessions of the first ones only)."""
    share = max(1, MAX_NAME_CLAUSES // max(1, len(found_words)))
    searched = [  # (campaign, label, the terms of its player's and character's names), read once for all words
        (campaign, label, _name_terms(entry))
        for campaign, by_label in sorted(names.items())
        if campaign in campaigns and not (campaign_id and campaign != campaign_id)
        for label, entry in sorted(by_label.items())
    ]
    matches = {}
    for word in found_words:
        for campaign, label, name_terms in searched:
            if has_word_starting(name_terms, word) and len(matches.get(word, [])) < share:
                matches.setdefault(word, []).append((campaign, label))
    return matches


def _name_terms(entry):
    return terms_of(f"{entry.get('player') or ''} {entry.get('character') or ''}")


def _key_of(item):
    return dynamodb.start_key_of(item, ("PK", "SK", "LSI1SK"))
