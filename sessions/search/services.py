"""Search all of a user's sessions: one Query of their search items, filtered by DynamoDB.

The items (sessions/core/search_index.py) sit in the user's partition and in LSI1 under
`SEARCH#<date>#<number>#<sid>`. A search reads them newest first with Query pages on
LSI1: `begins_with(LSI1SK, "SEARCH#")`, or `LSI1SK BETWEEN` for a date range. The
FilterExpression asks, for every word, that one of the item's terms starts with it:

    (contains(session_terms, :w) OR contains(transcript_terms, :w) OR contains(speaker_terms, :w)
     OR contains(summary_<kind>, :w) … OR (campaign_id = :c AND contains(speaker_labels, :label)) …)

with `:w` = " " + word, so "drag" finds "dragon" but not "grandragon". The last clauses
are speaker names: the campaigns' SpeakerNames items (one more small Query) say which
raw labels are called, say, "Mira"; a session whose transcript has such a label in that
campaign matches. Names are therefore never copied into search items, and saving names
rewrites nothing.

Costs: DynamoDB reads (and bills) every item the key condition covers until it has
enough matches, whatever the filter drops: up to 1 MB a page. A word that only old
sessions have reads all of the user's items in range (`make bench-search`: 500 four-hour
sessions). The answer carries the matching items' transcript terms too (the bulk of an
item: they cost transfer and parsing, not reads), since the filter cannot say which part
matched: a result says every place each word is, the transcript included. Reads are
eventually consistent: half the cost; a session saved a second ago may be missing for that second.

Paging: DynamoDB applies Limit before the filter, so pages are read until `limit`
results or the end. The next page's cursor is the key of the last result shown (or the
page's LastEvaluatedKey), signed and bound to the user's partition and to this query
(campaigns_site/pagination.py): another query's or user's cursor is InvalidCursor. A
request reads at most MAX_PAGES pages; beyond, it returns what it found with a cursor to
go on ("searched so far").
"""

import hashlib
import json
import re
from dataclasses import dataclass, field

from campaigns.items import Campaign
from campaigns_site import dynamodb
from campaigns_site.pagination import decode_cursor, encode_cursor
from campaigns_site.table import user_pk
from campaigns_site.table_keys import CAMPAIGN_PREFIX, SEARCH_PREFIX, SPEAKER_NAMES_PREFIX
from sessions.core.kinds import KINDS
from sessions.core.search_index import (
    OTHER_SUMMARY_TERMS,
    SESSION_TERMS,
    SPEAKER_LABELS,
    SPEAKER_TERMS,
    TRANSCRIPT_TERMS,
    summary_attribute,
)
from sessions.core.search_terms import has_word_starting
from sessions.core.text import MAX_WORDS, distinct_words, query_words, terms_of
from sessions.search.results import result_of
from sessions.transcripts.items import SpeakerNames

PAGE_SIZE = 20  # results a page
MAX_PAGES = 25  # Query pages (up to 1 MB each) one request reads before it hands back a cursor
MAX_NAME_CLAUSES = 24  # (campaign, label) pairs the filter may name, all words together
MAX_EXPRESSION_CHARS = 4_000  # DynamoDB refuses expressions over 4 KB
MAX_EXPRESSION_OPERATORS = 300  # and over 300 operators and functions
_INDEX = "LSI1"
_SUMMARY_FIELDS = [summary_attribute(kind) for kind in KINDS] + [OTHER_SUMMARY_TERMS]  # v1.0's own kinds last
_SEARCH_FIELDS = [SESSION_TERMS, TRANSCRIPT_TERMS, SPEAKER_TERMS] + _SUMMARY_FIELDS
_PROJECTED = [
    "PK",
    "SK",
    "LSI1SK",
    "session_id",
    "campaign_id",
    "title",
    "number",
    "played_on",
    SESSION_TERMS,
    "notes_snippet",
    "recap_snippet",
    "has_transcript",
    TRANSCRIPT_TERMS,
    "transcript_complete",
    SPEAKER_TERMS,
    SPEAKER_LABELS,
] + _SUMMARY_FIELDS


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
    pages_read: int = 0  # Query requests
    items_read: int = 0  # items DynamoDB read (ScannedCount): what the search costs
    capacity_units: float = 0.0  # as DynamoDB reported (ReturnConsumedCapacity)
    stopped_early: bool = False  # MAX_PAGES read with more to go: next_cursor goes on


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
    result of campaigns_for_search, when the caller has it already (else it is read).
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

    if campaigns is None:
        campaigns = campaigns_for_search(sub=sub)
    names = speaker_names_by_campaign(sub=sub)
    name_matches = _labels_named(found_words, names, campaigns, campaign_id)
    query = _query(partition, found_words, name_matches, campaign_id, played_from, played_to, page_size)

    page = SearchPage(words=found_words)

    def result(item):
        return result_of(item, found_words, campaigns, names, name_matches)

    next_key = _read_pages(page, query, start_key, limit=limit, result=result)
    page.next_cursor = encode_cursor(next_key, partition=partition, scope=scope)
    return page


def _read_pages(page, query, start_key, *, limit, result):
    """Read Query pages from `start_key` into `page` until it holds `limit` results, the
    items run out, or MAX_PAGES were read; returns the key to go on from (None: the end).
    `result(item)` is the item's SearchResult, or None to leave it out."""
    next_key = None
    while True:
        response = dynamodb.query_expression(query, start_key=start_key)
        page.pages_read += 1
        page.items_read += response.scanned
        page.capacity_units += response.capacity_units
        items = response.items
        last_evaluated = response.last_key
        for position, item in enumerate(items):
            found = result(item)
            if found is None:
                continue  # its campaign is being deleted
            page.results.append(found)
            if len(page.results) >= limit:
                more_here = position < len(items) - 1
                next_key = _key_of(item) if (more_here or last_evaluated) else None
                break
        if len(page.results) >= limit:
            break
        if not last_evaluated:
            break
        start_key = last_evaluated
        if page.pages_read >= MAX_PAGES:
            next_key, page.stopped_early = last_evaluated, True
            break
    return next_key


def _query(partition, found_words, name_matches, campaign_id, played_from, played_to, page_size):
    names = {"#pk": "PK", "#order": "LSI1SK", "#cid": "campaign_id", "#labels": SPEAKER_LABELS}
    values = {":pk": partition}
    if played_from or played_to:
        key_condition = "#pk = :pk AND #order BETWEEN :from AND :to"
        # Undated sessions (0000-00-00) sort below every date, so any range leaves them out.
        values[":from"] = f"{SEARCH_PREFIX}{played_from or '0001-01-01'}"
        values[":to"] = f"{SEARCH_PREFIX}{played_to}~" if played_to else f"{SEARCH_PREFIX}~"
    else:
        key_condition = "#pk = :pk AND begins_with(#order, :prefix)"
        values[":prefix"] = SEARCH_PREFIX
    for position, attribute in enumerate(_SEARCH_FIELDS):
        names[f"#f{position}"] = attribute
    filter_expression = _filter(found_words, name_matches, values, campaign_id)
    projection = []
    for position, attribute in enumerate(_PROJECTED):
        placeholder = next((key for key, value in names.items() if value == attribute), None)
        if placeholder is None:
            placeholder = f"#p{position}"
            names[placeholder] = attribute
        projection.append(placeholder)
    query = {
        "IndexName": _INDEX,
        "KeyConditionExpression": key_condition,
        "FilterExpression": filter_expression,
        "ProjectionExpression": ", ".join(projection),
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,  # plain values: campaigns_site.dynamodb types them
        "ScanIndexForward": False,  # newest first
        "ReturnConsumedCapacity": "TOTAL",
    }
    if page_size:
        query["Limit"] = page_size
    return query


def _filter(found_words, name_matches, values, campaign_id):
    """The FilterExpression; name clauses are dropped (last words first) if the expression
    would pass DynamoDB's limits. Adds its values to `values`."""
    campaigns = {}
    clauses_by_word = []
    for position, word in enumerate(found_words):
        values[f":w{position}"] = f" {word}"
        tests = [f"contains(#f{field}, :w{position})" for field in range(len(_SEARCH_FIELDS))]
        named = []
        for campaign, label in name_matches.get(word, []):
            if campaign not in campaigns:
                campaigns[campaign] = f":c{len(campaigns)}"
                values[campaigns[campaign]] = campaign
            placeholder = f":l{position}_{len(named)}"
            values[placeholder] = label
            named.append(f"(#cid = {campaigns[campaign]} AND contains(#labels, {placeholder}))")
        clauses_by_word.append((tests, named))

    def expression():
        parts = [f"({' OR '.join(tests + named)})" for tests, named in clauses_by_word]
        if campaign_id:
            parts.append("#cid = :campaign")
        return " AND ".join(parts)

    if campaign_id:
        values[":campaign"] = campaign_id
    while _too_big(expression()):
        for _tests, named in reversed(clauses_by_word):
            if named:
                named.pop()
                break
        else:
            break
    used = expression()
    for placeholder in [key for key in values if key.startswith((":l", ":c"))]:
        if not re.search(re.escape(placeholder) + r"\b", used):
            del values[placeholder]  # DynamoDB refuses values the expressions do not use
    return used


def _too_big(expression):
    operators = sum(expression.count(token) for token in (" OR ", " AND ", "contains(", " = "))
    return len(expression) > MAX_EXPRESSION_CHARS or operators > MAX_EXPRESSION_OPERATORS


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
